//! The running server's store handle (docs/design.md §7, issue 11): the open `SledStore` behind a
//! lock, so it can be compacted while the server runs. Every store trait is delegated under the read
//! lock; `compact_now` takes the write lock, so requests that arrive during a compaction wait for it
//! (nothing is refused or lost), then find the rewritten store.

use std::path::{Path, PathBuf};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::sled::{compact, while_locked};
use super::{
    Append, CaseStore, CaseV1, DialogueEntry, DialogueStore, DialogueWrite, MetaStore, RekeyIndex,
    RetentionStore, SledStore, StoreError, TombstoneV1,
};
use crate::protocol::CaseId;

pub struct LiveStore {
    dir: PathBuf,
    cache_bytes: u64,
    /// `None` only after a compaction could not reopen the store: every call then fails until a
    /// restart (whose `compact::recover` finishes or undoes the swap).
    inner: RwLock<Option<SledStore>>,
}

fn closed() -> StoreError {
    StoreError::Engine("the store could not be reopened after a compaction".into())
}

impl LiveStore {
    /// Finishes an interrupted compaction (`compact::recover`) and opens the store in `dir`.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<Self, StoreError> {
        compact::recover(dir)?;
        Ok(LiveStore {
            dir: dir.to_path_buf(),
            cache_bytes,
            inner: RwLock::new(Some(SledStore::open(dir, cache_bytes)?)),
        })
    }

    fn read(&self) -> RwLockReadGuard<'_, Option<SledStore>> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Option<SledStore>> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the open store, under the read lock (a compaction waits for it to finish).
    pub(crate) fn with<R>(
        &self,
        f: impl FnOnce(&SledStore) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        match self.read().as_ref() {
            Some(store) => f(store),
            None => Err(closed()),
        }
    }

    /// Whether a purge or a migration asked for a compaction.
    pub fn compaction_pending(&self) -> Result<bool, StoreError> {
        self.with(SledStore::compaction_pending)
    }

    /// Rewrites the store without the bytes of deleted values (`compact::compact`) and swaps the
    /// rewritten one in; returns how many records were copied. Holds the write lock throughout:
    /// requests wait, then continue on the new store.
    pub fn compact_now(&self) -> Result<u64, StoreError> {
        let mut guard = self.write();
        let Some(store) = guard.take() else {
            return Err(closed());
        };
        if let Err(e) = store.sync() {
            *guard = Some(store);
            return Err(e);
        }
        // The last handle: sled releases its directory (and file lock) once it and its threads end.
        drop(store);
        let copied = while_locked(|| compact::compact(&self.dir, self.cache_bytes));
        // Whatever happened, `recover` leaves `dir` as the old store or its complete copy (never
        // missing, which would let `open` make an empty store in its place).
        compact::recover(&self.dir)?;
        *guard = Some(SledStore::reopen(&self.dir, self.cache_bytes)?);
        copied
    }
}

impl MetaStore for LiveStore {
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.with(|s| s.meta(key))
    }

    fn meta_init(&self, key: &str, value: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.with(|s| s.meta_init(key, value))
    }

    fn meta_remove(&self, key: &str) -> Result<(), StoreError> {
        self.with(|s| s.meta_remove(key))
    }

    fn meta_keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.with(|s| s.meta_keys(prefix))
    }

    fn request_compaction(&self) -> Result<(), StoreError> {
        self.with(|s| s.request_compaction())
    }
}

impl CaseStore for LiveStore {
    fn create_case(
        &self,
        case: &CaseV1,
        items: &[Vec<u8>],
        lookup: &[u8; 32],
    ) -> Result<(), StoreError> {
        self.with(|s| s.create_case(case, items, lookup))
    }

    fn case(&self, id: &CaseId) -> Result<Option<CaseV1>, StoreError> {
        self.with(|s| s.case(id))
    }

    fn case_ids(&self) -> Result<Vec<CaseId>, StoreError> {
        self.with(|s| s.case_ids())
    }

    fn items(&self, id: &CaseId) -> Result<Vec<Vec<u8>>, StoreError> {
        self.with(|s| s.items(id))
    }

    fn item(&self, id: &CaseId, seq: u32) -> Result<Option<Vec<u8>>, StoreError> {
        self.with(|s| s.item(id, seq))
    }

    fn rekeys(&self, case_id: &CaseId) -> Result<RekeyIndex, StoreError> {
        self.with(|s| s.rekeys(case_id))
    }

    fn case_for_lookup(&self, lookup: &[u8; 32]) -> Result<Option<CaseId>, StoreError> {
        self.with(|s| s.case_for_lookup(lookup))
    }

    fn append(
        &self,
        case_id: &CaseId,
        next_seq: u32,
        append: Append,
    ) -> Result<CaseV1, StoreError> {
        self.with(|s| s.append(case_id, next_seq, append))
    }

    fn receipt_is_one_time(&self, case_id: &CaseId) -> Result<bool, StoreError> {
        self.with(|s| s.receipt_is_one_time(case_id))
    }

    fn replace_lookup(
        &self,
        case_id: &CaseId,
        old: &[u8; 32],
        new: &[u8; 32],
        next_seq: u32,
        item: Vec<u8>,
    ) -> Result<CaseV1, StoreError> {
        self.with(|s| s.replace_lookup(case_id, old, new, next_seq, item))
    }
}

impl DialogueStore for LiveStore {
    fn dialogue(&self, index: &[u8; 32]) -> Result<Option<Vec<u8>>, StoreError> {
        self.with(|s| s.dialogue(index))
    }

    fn dialogues(&self) -> Result<Vec<DialogueEntry>, StoreError> {
        self.with(|s| s.dialogues())
    }

    fn dialogue_write(&self, write: &DialogueWrite<'_>) -> Result<(), StoreError> {
        self.with(|s| s.dialogue_write(write))
    }

    fn seen(&self, key: &[u8; 32]) -> Result<bool, StoreError> {
        self.with(|s| s.seen(key))
    }

    fn forget_seen(&self, now: u64) -> Result<usize, StoreError> {
        self.with(|s| s.forget_seen(now))
    }

    fn create_case_once(
        &self,
        case: &CaseV1,
        items: &[Vec<u8>],
        lookup: &[u8; 32],
        write: &DialogueWrite<'_>,
    ) -> Result<(), StoreError> {
        self.with(|s| s.create_case_once(case, items, lookup, write))
    }
}

impl RetentionStore for LiveStore {
    fn purge_case(&self, tombstone: &TombstoneV1) -> Result<Option<CaseV1>, StoreError> {
        self.with(|s| s.purge_case(tombstone))
    }

    fn tombstones(&self) -> Result<Vec<TombstoneV1>, StoreError> {
        self.with(|s| s.tombstones())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::protocol::{Channel, Day};
    use crate::store::{files_with, RetentionRule};

    fn id(n: u32) -> CaseId {
        CaseId::parse(&format!("WBS-AAAA-AAAA-{n:04}")).expect("case id")
    }

    fn case(id: CaseId) -> CaseV1 {
        CaseV1 {
            id,
            channel: Channel::Web,
            created: Day::parse("2026-11-29").expect("day"),
            statuses: vec![],
            item_count: 1,
            last_digest: "00".into(),
            recipients_fingerprint: "ff".into(),
            attachments: vec![],
        }
    }

    #[test]
    fn after_compact_now_every_record_is_served_and_the_deleted_bytes_are_gone() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("store");
        let store = LiveStore::open(&path, 1 << 20).expect("open");
        let (kept, gone) = (id(1), id(0));
        let kept_item = b"kept item ciphertext 7f3a9c".to_vec();
        let gone_item = b"deleted item ciphertext 51d2e8".to_vec();
        store
            .create_case(
                &case(kept.clone()),
                std::slice::from_ref(&kept_item),
                &[1; 32],
            )
            .expect("kept");
        store
            .create_case(
                &case(gone.clone()),
                std::slice::from_ref(&gone_item),
                &[2; 32],
            )
            .expect("gone");
        store.meta_init("salt", b"s").expect("meta");
        let seen = [([9; 32], u64::MAX)];
        store
            .dialogue_write(&DialogueWrite {
                index: [4; 32],
                record: Some(b"dialogue record"),
                remove: None,
                seen: &seen,
            })
            .expect("dialogue");
        assert!(!files_with(&path, &gone_item).is_empty());
        let stone = TombstoneV1 {
            id: gone.clone(),
            deleted: Day::parse("2026-11-30").expect("day"),
            rule: RetentionRule::NeverTakenUp,
        };
        store.purge_case(&stone).expect("purge");
        assert!(store.compaction_pending().expect("pending"));

        let copied = store.compact_now().expect("compact");
        assert!(copied > 0);
        assert!(!store.compaction_pending().expect("pending"));
        assert_eq!(files_with(&path, &gone_item), Vec::<PathBuf>::new());
        assert_eq!(store.case_ids().expect("ids"), vec![kept.clone()]);
        assert_eq!(store.case(&kept).expect("case"), Some(case(kept.clone())));
        assert_eq!(store.items(&kept).expect("items"), vec![kept_item.clone()]);
        assert_eq!(store.item(&kept, 0).expect("item"), Some(kept_item));
        assert_eq!(
            store.case_for_lookup(&[1; 32]).expect("lookup"),
            Some(kept.clone())
        );
        assert_eq!(store.case_for_lookup(&[2; 32]).expect("lookup"), None);
        assert_eq!(store.meta("salt").expect("meta"), Some(b"s".to_vec()));
        assert_eq!(
            store.dialogue(&[4; 32]).expect("dialogue"),
            Some(b"dialogue record".to_vec())
        );
        assert!(store.seen(&[9; 32]).expect("seen"));
        assert_eq!(store.tombstones().expect("stones"), vec![stone]);
        // And it takes writes again, on the rewritten store.
        let appended = store
            .append(
                &kept,
                1,
                Append {
                    items: vec![b"next".to_vec()],
                    ..Append::default()
                },
            )
            .expect("append");
        assert_eq!(appended.item_count, 2);
    }

    #[test]
    fn requests_during_a_compaction_wait_and_succeed() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Arc::new(LiveStore::open(&dir.path().join("store"), 1 << 20).expect("open"));
        for n in 0..20 {
            store
                .create_case(&case(id(n)), &[vec![7; 2000]], &[n as u8; 32])
                .expect("create");
        }
        let writer = {
            let store = store.clone();
            std::thread::spawn(move || {
                for n in 0..20 {
                    let c = store.case(&id(n)).expect("read").expect("there");
                    store
                        .append(
                            &c.id,
                            c.item_count,
                            Append {
                                items: vec![vec![n as u8; 100]],
                                ..Append::default()
                            },
                        )
                        .expect("append during compaction");
                }
            })
        };
        store.compact_now().expect("compact");
        store.compact_now().expect("again");
        writer.join().expect("writer");
        for n in 0..20 {
            assert_eq!(store.items(&id(n)).expect("items").len(), 2);
        }
    }
}
