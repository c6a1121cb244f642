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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{CaseId, Channel, Day};
    use crate::store::{CaseV1, DialogueStore, DialogueWrite, RekeyIndex};

    fn chat_case(id: &str) -> CaseV1 {
        CaseV1 {
            id: CaseId::parse(id).expect("id"),
            channel: Channel::WhatsApp,
            created: Day::parse("2026-11-29").expect("day"),
            statuses: vec![],
            item_count: 2,
            last_digest: "00".into(),
            recipients_fingerprint: "ff".into(),
            attachments: vec![],
        }
    }

    #[test]
    fn a_backup_keeps_where_the_rekeys_are_and_which_cases_are_unindexed() {
        let dir = tempfile::tempdir().expect("tmp");
        let (a, b) = (
            chat_case("WBS-AAAA-AAAA-AAAA"),
            chat_case("WBS-BBBB-BBBB-BBBB"),
        );
        let none = DialogueWrite::default();
        {
            let store = SledStore::open(&dir.path().join("s"), 1 << 20).expect("open");
            store
                .create_case_once(&b, &[b"0".to_vec(), b"1".to_vec()], &[2; 32], &none)
                .expect("b");
            store
                .replace_lookup(&b.id, &[2; 32], &[3; 32], 2, b"2".to_vec())
                .expect("replace b");
            // B's rekey is from before the index; A's after it.
            store.forget_rekey_index();
        }
        let store = SledStore::reopen(&dir.path().join("s"), 1 << 20).expect("reopen");
        store
            .create_case_once(&a, &[b"0".to_vec(), b"1".to_vec()], &[1; 32], &none)
            .expect("a");
        store
            .replace_lookup(&a.id, &[1; 32], &[4; 32], 2, b"2".to_vec())
            .expect("replace a");
        let blobs = BlobStore::open(&dir.path().join("b")).expect("blobs");
        let out = dir.path().join("backup");
        fs::create_dir_all(&out).expect("out");
        backup(&store, &blobs, &out).expect("backup");
        let copy = SledStore::open(&out.join("store"), 1 << 20).expect("copy");
        assert_eq!(copy.rekeys(&a.id).expect("a"), RekeyIndex::Known(vec![2]));
        assert_eq!(copy.rekeys(&b.id).expect("b"), RekeyIndex::Unknown);
    }
}
