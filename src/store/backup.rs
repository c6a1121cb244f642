//! A consistent copy of a running server's data (docs/admin.md, "Backups"; docs/design.md §11).
//!
//! sled lets one process open a store, so the running server makes the copy itself. Consistency
//! comes from the order of writes the store already keeps: attachment files are committed before the
//! case that names them, and a case record is updated in the same transaction as the items it counts.
//! So the copy takes each case record first, then exactly the items it counts, then the blob files
//! (every file a copied record names exists by then). The metadata (installation salt, mode, id) is
//! copied whole. A backup has the exposure of a stolen disk: no plaintext, ever.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use super::sled::SledStore;
use super::{BlobStore, CaseStore, StoreError};

/// What a backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    pub cases: usize,
    pub blobs: usize,
}

/// Copies `store` and `blobs` into `out` (a new, empty data directory), synced to disk.
pub(crate) fn backup(
    store: &SledStore,
    blobs: &BlobStore,
    out: &Path,
) -> Result<BackupSummary, StoreError> {
    let copy = SledStore::open(&out.join("store"), 8 * 1024 * 1024)?;
    let mut referenced = HashSet::new();
    let cases = store.copy_into(&copy, &mut referenced)?;
    copy.sync()?;
    drop(copy);
    let blob_count = blobs.copy_into(&out.join("blobs"), &referenced)?;
    fs::File::open(out)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::Io)?;
    Ok(BackupSummary {
        cases,
        blobs: blob_count,
    })
}

impl SledStore {
    /// Copies every tree into `copy`; cases as described in the module comment. Returns the number of
    /// cases and fills `referenced` with the attachment files they name.
    fn copy_into(
        &self,
        copy: &SledStore,
        referenced: &mut HashSet<String>,
    ) -> Result<usize, StoreError> {
        for (from, to) in self.whole_trees().into_iter().zip(copy.whole_trees()) {
            for kv in from.iter() {
                let (k, v) = kv.map_err(|e| StoreError::Engine(e.to_string()))?;
                to.insert(k, v)
                    .map_err(|e| StoreError::Engine(e.to_string()))?;
            }
        }
        let mut copied = HashSet::new();
        for id in self.case_ids()? {
            let Some(case) = self.case(&id)? else {
                continue;
            };
            let items: Vec<Vec<u8>> = (0..case.item_count)
                .map(|seq| self.item(&id, seq)?.ok_or(StoreError::Corrupt))
                .collect::<Result<_, _>>()?;
            copy.put_case(&case, &items)?;
            copy.copy_rekeys(self, &case)?;
            referenced.extend(case.attachments.iter().map(|a| a.id.clone()));
            copied.insert(id.as_str().to_owned());
        }
        // Each receipt's lookup entry (and its one-time and unindexed-rekey marks) for the cases copied.
        copy.copy_lookups(self, &copied)?;
        Ok(copied.len())
    }
}
