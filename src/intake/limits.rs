//! Bounded cases and disk (docs/design.md §11): a case holds at most `max_case_items` items, and
//! nothing new is stored while the data directory's filesystem has less than `min_free_bytes` free.
//! Both are checked before anything is sealed or written, so a refusal loses nothing already
//! acknowledged and leaves nothing behind; each is answered with its own clear message and status
//! (counted hourly like every answer, never logged one by one).

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
