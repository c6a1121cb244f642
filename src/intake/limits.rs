//! Bounded cases and disk (docs/design.md §11): a case holds at most `max_case_items` items, and
//! nothing new is stored while the data directory's filesystem has less than `min_free_bytes` free.
//! Both are checked before anything is sealed or written, so a refusal loses nothing already
//! acknowledged and leaves nothing behind; each is answered with its own clear message and status
//! (counted hourly like every answer, never logged one by one). The memory held by documents being
//! scrubbed is bounded too (`DocumentBudget`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::submit::{Intake, IntakeError};
use crate::store::CaseV1;

/// The two bounds, from `[limits]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub max_case_items: u32,
    pub min_free_bytes: u64,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            max_case_items: 500,
            min_free_bytes: 64 * 1024 * 1024,
        }
    }
}

impl Intake {
    /// Sets the item cap of a case and the free-space floor of the data directory.
    pub fn with_case_bounds(mut self, max_case_items: u32, min_free_bytes: u64) -> Self {
        self.bounds = Bounds {
            max_case_items: max_case_items.max(3),
            min_free_bytes,
        };
        self
    }

    /// `DiskFull` below the free-space floor (a filesystem that will not say counts as enough: the
    /// write itself then fails cleanly, as before).
    pub(crate) fn check_disk(&self) -> Result<(), IntakeError> {
        match self.blobs().free_bytes() {
            Some(free) if free < self.bounds.min_free_bytes => Err(IntakeError::DiskFull),
            _ => Ok(()),
        }
    }

    /// Whether `case` has room for `adding` more items, and the disk room to store them.
    pub(crate) fn check_room(&self, case: &CaseV1, adding: usize) -> Result<(), IntakeError> {
        let after = u64::from(case.item_count) + adding as u64;
        if adding > 0 && after > u64::from(self.bounds.max_case_items) {
            return Err(IntakeError::CaseFull);
        }
        self.check_disk()
    }
}

/// `[limits] document_memory_mb`'s default: one PDF at the default 20 MB upload limit (× 20,
/// `scrub::Format::memory_per_byte`, and the 8 MiB its cleaner needs, `memory_base`), or several
/// smaller documents at once (docs/admin.md).
pub(crate) const DEFAULT_DOCUMENT_MEMORY: u64 = 416 * 1024 * 1024;

/// The memory documents may hold at once, server-wide (`[limits] document_memory_mb`, docs/design.md
/// §11). PDFs and Office documents are held whole until they are rewritten (`intake::scrub`), and the
/// rewrite needs several times the file's size again; nothing else bounded how many are held at once.
/// Each held document charges its share as it grows (bytes received × its format's parser multiple,
/// `scrub::Format::memory_per_byte`), so a document that would not fit is refused while it arrives,
/// not after the whole upload. A refusal frees its charge at once, so one of several competing uploads
/// always gets through.
#[derive(Debug)]
pub struct DocumentBudget {
    limit: u64,
    held: AtomicU64,
}

impl DocumentBudget {
    pub fn new(limit_bytes: u64) -> Arc<Self> {
        Arc::new(DocumentBudget {
            limit: limit_bytes,
            held: AtomicU64::new(0),
        })
    }

    /// A charge of nothing yet, released when dropped.
    pub(crate) fn open(self: &Arc<Self>) -> DocumentCharge {
        DocumentCharge {
            budget: Arc::clone(self),
            held: 0,
        }
    }

    /// Bytes charged by documents being received or rewritten now.
    pub fn held(&self) -> u64 {
        self.held.load(Ordering::Acquire)
    }
}

/// One document's share of the budget; dropping it (the upload finished, failed or was cut off)
/// gives the share back.
#[derive(Debug)]
pub(crate) struct DocumentCharge {
    budget: Arc<DocumentBudget>,
    held: u64,
}

impl DocumentCharge {
    /// Adds `bytes` to this document's share; false, and nothing added, when the budget has no room.
    pub(crate) fn grow(&mut self, bytes: u64) -> bool {
        let limit = self.budget.limit;
        let added = self
            .budget
            .held
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                held.checked_add(bytes).filter(|after| *after <= limit)
            })
            .is_ok();
        if added {
            self.held += bytes;
        }
        added
    }
}

impl Drop for DocumentCharge {
    fn drop(&mut self) {
        self.budget.held.fetch_sub(self.held, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_that_does_not_fit_is_refused_and_shares_come_back() {
        let budget = DocumentBudget::new(100);
        let mut first = budget.open();
        assert!(first.grow(60));
        let mut second = budget.open();
        assert!(!second.grow(50), "60 + 50 is over 100");
        assert!(second.grow(40), "a refusal adds nothing");
        assert_eq!(budget.held(), 100);
        drop(first);
        assert_eq!(budget.held(), 40);
        let mut third = budget.open();
        assert!(third.grow(60));
        drop((second, third));
        assert_eq!(budget.held(), 0);
    }
}
