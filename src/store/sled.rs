//! The sled engine behind `Store`. The only file that names sled.

use std::path::Path;
use std::time::{Duration, Instant};

use sled::transaction::{
    ConflictableTransactionError, TransactionError, Transactional, TransactionalTree,
};

use super::{
    Append, CaseRecord, CaseStore, CaseV1, DialogueEntry, DialogueStore, DialogueWrite, MetaStore,
    RekeyIndex, StoreError,
};
use crate::protocol::CaseId;

const TREE_META: &str = "meta";
const TREE_CASES: &str = "cases";
const TREE_ITEMS: &str = "items";
const TREE_LOOKUP: &str = "lookup";
/// Case ids whose receipt is one-time (a chat receipt not yet replaced on the web). Not secret.
const TREE_ONE_TIME: &str = "one_time";
/// WhatsApp dialogue records by sender index (a keyed hash of the sender under a daily key).
const TREE_DIALOGUES: &str = "wa_dialogues";
/// Keyed hashes of processed WhatsApp message ids → expiry (unix seconds, big-endian).
const TREE_SEEN: &str = "wa_seen";
/// Case id → `TombstoneV1` (JSON): cases deleted under the retention rule (`sled/retention.rs`).
const TREE_TOMBSTONES: &str = "tombstones";
/// Case id ‖ 0 ‖ seq (big-endian) → empty: where the server wrote a `rekey` item (`replace_lookup`), so
/// an older page of the reporter's thread reads those items instead of every newer one (docs/design.md §11).
const TREE_REKEYS: &str = "rekeys";
/// Case ids that may hold a `rekey` item written before `TREE_REKEYS` existed (marked once, at the
/// first open of an older store): their pages walk every newer item, as before.
const TREE_REKEYS_UNINDEXED: &str = "rekeys_unindexed";
/// Meta key set once the store keeps `TREE_REKEYS` (and older cases were marked).
const META_REKEY_INDEX: &str = "rekey-index";

pub(crate) mod compact;
mod retention;

pub struct SledStore {
    db: sled::Db,
    meta: sled::Tree,
    cases: sled::Tree,
    items: sled::Tree,
    lookup: sled::Tree,
    one_time: sled::Tree,
    dialogues: sled::Tree,
    seen: sled::Tree,
    tombstones: sled::Tree,
    rekeys: sled::Tree,
    rekeys_unindexed: sled::Tree,
}

type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

/// The dialogue part of a transaction: write or delete the record, drop the old index, remember ids.
fn write_dialogue(
    dialogues: &TransactionalTree,
    seen: &TransactionalTree,
    w: &DialogueWrite<'_>,
) -> TxResult<()> {
    if let Some(old) = w.remove {
        dialogues.remove(&old[..])?;
    }
    match w.record {
        Some(record) => {
            dialogues.insert(&w.index[..], record)?;
        }
        None => {
            dialogues.remove(&w.index[..])?;
        }
    }
    for (key, expiry) in w.seen {
        seen.insert(&key[..], &expiry.to_be_bytes()[..])?;
    }
    Ok(())
}

fn finish_tx<T>(
    store: &SledStore,
    result: Result<T, TransactionError<StoreError>>,
) -> Result<T, StoreError> {
    match result {
        Ok(v) => {
            store.flush()?;
            Ok(v)
        }
        Err(TransactionError::Abort(e)) => Err(e),
        Err(TransactionError::Storage(e)) => Err(engine(e)),
    }
}

fn engine(e: impl std::fmt::Display) -> StoreError {
    StoreError::Engine(e.to_string())
}

/// The key of a case's item (and of its entry in the rekey index): case id ‖ 0 ‖ seq (big-endian).
fn item_key(case_id: &CaseId, seq: u32) -> Vec<u8> {
    let mut k = case_prefix(case_id);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The prefix of every `item_key` of a case.
fn case_prefix(case_id: &CaseId) -> Vec<u8> {
    let mut k = Vec::with_capacity(case_id.as_bytes().len() + 5);
    k.extend_from_slice(case_id.as_bytes());
    k.push(0);
    k
}

/// The sequence number at the end of an `item_key`.
fn seq_of_key(key: &[u8]) -> Option<u32> {
    let tail: [u8; 4] = key.get(key.len().checked_sub(4)?..)?.try_into().ok()?;
    Some(u32::from_be_bytes(tail))
}

/// sled creates its files with the process umask: a store made before the server set 077 (or by a
/// tool that does not) is tightened to 0600 files and 0700 directories here. Best effort: a file that
/// cannot be changed is left as it is (the data directory itself is 0700).
fn private_files(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = entry.metadata() else { continue };
        let mode = if meta.is_dir() { 0o700 } else { 0o600 };
        if meta.permissions().mode() & 0o777 != mode {
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode));
        }
        if meta.is_dir() {
            private_files(&path);
        }
    }
}

/// How long a reopen waits for the last dropped handle's threads to let go of sled's file lock.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Runs `f` again while sled refuses its file lock, for up to `LOCK_WAIT`: a dropped handle's
/// flusher thread may hold the lock a moment after the drop returns, so a reopen in the same
/// process (a compaction, a test) must wait for it rather than fail.
pub(crate) fn while_locked<T>(
    mut f: impl FnMut() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match f() {
            Err(StoreError::Engine(m)) if m.contains("lock") && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

impl SledStore {
    /// `open` for a directory this process held a moment ago: waits for the dropped handle's
    /// threads to release sled's file lock (see `while_locked`).
    pub fn reopen(dir: &Path, cache_bytes: u64) -> Result<Self, StoreError> {
        while_locked(|| SledStore::open(dir, cache_bytes))
    }

    /// Opens (or creates) the store in `dir` with an explicit cache size: sled's default is 1 GiB.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<Self, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(cache_bytes)
            .mode(sled::Mode::LowSpace)
            .open()
            .map_err(engine)?;
        private_files(dir);
        let store = SledStore {
            meta: db.open_tree(TREE_META).map_err(engine)?,
            cases: db.open_tree(TREE_CASES).map_err(engine)?,
            items: db.open_tree(TREE_ITEMS).map_err(engine)?,
            lookup: db.open_tree(TREE_LOOKUP).map_err(engine)?,
            one_time: db.open_tree(TREE_ONE_TIME).map_err(engine)?,
            dialogues: db.open_tree(TREE_DIALOGUES).map_err(engine)?,
            seen: db.open_tree(TREE_SEEN).map_err(engine)?,
            tombstones: db.open_tree(TREE_TOMBSTONES).map_err(engine)?,
            rekeys: db.open_tree(TREE_REKEYS).map_err(engine)?,
            rekeys_unindexed: db.open_tree(TREE_REKEYS_UNINDEXED).map_err(engine)?,
            db,
        };
        store.mark_unindexed_rekeys()?;
        Ok(store)
    }

    /// Once per store: a store written before the rekey index may hold `rekey` items it does not
    /// list. Only a chat case whose one-time receipt was replaced can (`replace_lookup` is the only
    /// writer of them), so exactly those cases are marked for the full walk. Idempotent: a crash
    /// before the meta key is written marks the same cases again at the next open.
    fn mark_unindexed_rekeys(&self) -> Result<(), StoreError> {
        if self.meta.get(META_REKEY_INDEX).map_err(engine)?.is_some() {
            return Ok(());
        }
        for kv in self.cases.iter() {
            let (k, v) = kv.map_err(engine)?;
            let case = decode(&v)?;
            if case.channel == crate::protocol::Channel::WhatsApp
                && self.one_time.get(&k).map_err(engine)?.is_none()
            {
                self.rekeys_unindexed.insert(k, &[][..]).map_err(engine)?;
            }
        }
        self.meta
            .insert(META_REKEY_INDEX, &b"1"[..])
            .map_err(engine)?;
        self.flush()
    }

    /// After a committed transaction: a failure here means the change may still reach the disk
    /// (sled flushes in the background), so callers must not undo what it refers to.
    /// The trees a backup copies whole: metadata (salt, mode, installation id) and the WhatsApp
    /// dialogues in progress.
    pub(super) fn whole_trees(&self) -> [&sled::Tree; 3] {
        [&self.meta, &self.dialogues, &self.seen]
    }

    /// Writes a case record and its items as they are (backups only: no sequence check).
    pub(super) fn put_case(&self, case: &CaseV1, items: &[Vec<u8>]) -> Result<(), StoreError> {
        for (seq, item) in items.iter().enumerate() {
            self.items
                .insert(item_key(&case.id, seq as u32), item.as_slice())
                .map_err(engine)?;
        }
        self.cases
            .insert(case.id.as_bytes(), encode(case)?)
            .map_err(engine)?;
        Ok(())
    }

    /// Copies `from`'s rekey index entries of a case for the items a copied record counts (read after
    /// the record: an entry is written in the same transaction as its item, so none is missed).
    pub(super) fn copy_rekeys(&self, from: &SledStore, case: &CaseV1) -> Result<(), StoreError> {
        for kv in from.rekeys.scan_prefix(case_prefix(&case.id)) {
            let (k, v) = kv.map_err(engine)?;
            if seq_of_key(&k).is_some_and(|seq| seq < case.item_count) {
                self.rekeys.insert(k, v).map_err(engine)?;
            }
        }
        Ok(())
    }

    /// Copies `from`'s receipt lookups and one-time marks of the cases in `copied`.
    pub(super) fn copy_lookups(
        &self,
        from: &SledStore,
        copied: &std::collections::HashSet<String>,
    ) -> Result<(), StoreError> {
        let wanted = |id: &[u8]| std::str::from_utf8(id).is_ok_and(|id| copied.contains(id));
        for kv in from.lookup.iter() {
            let (k, v) = kv.map_err(engine)?;
            if wanted(&v) {
                self.lookup.insert(k, v).map_err(engine)?;
            }
        }
        for kv in from.one_time.iter() {
            let (k, v) = kv.map_err(engine)?;
            if wanted(&k) {
                self.one_time.insert(k, v).map_err(engine)?;
            }
        }
        for kv in from.rekeys_unindexed.iter() {
            let (k, v) = kv.map_err(engine)?;
            if wanted(&k) {
                self.rekeys_unindexed.insert(k, v).map_err(engine)?;
            }
        }
        Ok(())
    }

    /// Flushes everything to disk (`NotFlushed` if that fails).
    pub(super) fn sync(&self) -> Result<(), StoreError> {
        self.flush()
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(|_| StoreError::NotFlushed)?;
        Ok(())
    }
}

fn encode(case: &CaseV1) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(&CaseRecord::V1(case.clone())).map_err(|_| StoreError::Corrupt)
}

fn decode(bytes: &[u8]) -> Result<CaseV1, StoreError> {
    serde_json::from_slice::<CaseRecord>(bytes)
        .map(CaseRecord::into_current)
        .map_err(|_| StoreError::Corrupt)
}

#[cfg(test)]
impl SledStore {
    /// Makes this store look as if written before the rekey index: none listed, none marked.
    pub(crate) fn forget_rekey_index(&self) {
        self.rekeys.clear().expect("clear");
        self.rekeys_unindexed.clear().expect("clear");
        self.meta.remove(META_REKEY_INDEX).expect("forget");
        self.flush().expect("flush");
    }
}

impl MetaStore for SledStore {
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.meta.get(key).map_err(engine)?.map(|v| v.to_vec()))
    }

    fn meta_init(&self, key: &str, value: &[u8]) -> Result<Vec<u8>, StoreError> {
        let _ = self
            .meta
            .compare_and_swap(key, None as Option<&[u8]>, Some(value))
            .map_err(engine)?;
        self.flush()?;
        self.meta(key)?.ok_or(StoreError::Corrupt)
    }

    fn meta_remove(&self, key: &str) -> Result<(), StoreError> {
        self.meta.remove(key).map_err(engine)?;
        self.flush()
    }

    fn meta_keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.meta
            .scan_prefix(prefix)
            .keys()
            .map(|k| {
                let k = k.map_err(engine)?;
                String::from_utf8(k.to_vec()).map_err(|_| StoreError::Corrupt)
            })
            .collect()
    }

    fn request_compaction(&self) -> Result<(), StoreError> {
        self.meta
            .insert(compact::PENDING, b"1".as_slice())
            .map_err(engine)?;
        self.flush()
    }
}

impl CaseStore for SledStore {
    fn create_case(
        &self,
        case: &CaseV1,
        items: &[Vec<u8>],
        lookup: &[u8; 32],
    ) -> Result<(), StoreError> {
        let record = encode(case)?;
        let result = (&self.cases, &self.items, &self.lookup).transaction(|(cases, its, look)| {
            if cases.get(case.id.as_bytes())?.is_some() || look.get(lookup)?.is_some() {
                return Err(ConflictableTransactionError::Abort(()));
            }
            cases.insert(case.id.as_bytes(), record.as_slice())?;
            for (seq, item) in items.iter().enumerate() {
                its.insert(item_key(&case.id, seq as u32), item.as_slice())?;
            }
            look.insert(&lookup[..], case.id.as_bytes())?;
            Ok(())
        });
        match result {
            Ok(()) => self.flush(),
            Err(TransactionError::Abort(())) => Err(StoreError::Conflict),
            Err(TransactionError::Storage(e)) => Err(engine(e)),
        }
    }

    fn case(&self, id: &CaseId) -> Result<Option<CaseV1>, StoreError> {
        match self.cases.get(id.as_bytes()).map_err(engine)? {
            Some(bytes) => decode(&bytes).map(Some),
            None => Ok(None),
        }
    }

    fn case_ids(&self) -> Result<Vec<CaseId>, StoreError> {
        self.cases
            .iter()
            .keys()
            .map(|k| {
                let k = k.map_err(engine)?;
                id_from_bytes(&k)
            })
            .collect()
    }

    fn items(&self, id: &CaseId) -> Result<Vec<Vec<u8>>, StoreError> {
        self.items
            .scan_prefix(case_prefix(id))
            .values()
            .map(|v| v.map(|v| v.to_vec()).map_err(engine))
            .collect()
    }

    fn item(&self, id: &CaseId, seq: u32) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .items
            .get(item_key(id, seq))
            .map_err(engine)?
            .map(|v| v.to_vec()))
    }

    fn append(
        &self,
        case_id: &CaseId,
        next_seq: u32,
        append: Append,
    ) -> Result<CaseV1, StoreError> {
        let result = (&self.cases, &self.items).transaction(|(cases, its)| {
            let Some(bytes) = cases.get(case_id.as_bytes())? else {
                return Err(ConflictableTransactionError::Abort(StoreError::Corrupt));
            };
            let mut case = decode(&bytes).map_err(ConflictableTransactionError::Abort)?;
            if case.item_count != next_seq {
                return Err(ConflictableTransactionError::Abort(StoreError::Conflict));
            }
            for item in &append.items {
                if its.get(item_key(case_id, case.item_count))?.is_some() {
                    return Err(ConflictableTransactionError::Abort(StoreError::Conflict));
                }
                its.insert(item_key(case_id, case.item_count), item.as_slice())?;
                case.item_count += 1;
                case.last_digest = digest_hex(item);
            }
            if let Some(status) = &append.status {
                case.statuses.push(status.clone());
            }
            case.attachments.extend(append.attachments.iter().cloned());
            let record = encode(&case).map_err(ConflictableTransactionError::Abort)?;
            cases.insert(case_id.as_bytes(), record)?;
            Ok(case)
        });
        match result {
            Ok(case) => {
                self.flush()?;
                Ok(case)
            }
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(engine(e)),
        }
    }

    fn case_for_lookup(&self, lookup: &[u8; 32]) -> Result<Option<CaseId>, StoreError> {
        match self.lookup.get(lookup).map_err(engine)? {
            Some(v) => id_from_bytes(&v).map(Some),
            None => Ok(None),
        }
    }

    fn receipt_is_one_time(&self, case_id: &CaseId) -> Result<bool, StoreError> {
        Ok(self
            .one_time
            .get(case_id.as_bytes())
            .map_err(engine)?
            .is_some())
    }

    fn replace_lookup(
        &self,
        case_id: &CaseId,
        old: &[u8; 32],
        new: &[u8; 32],
        next_seq: u32,
        item: Vec<u8>,
    ) -> Result<CaseV1, StoreError> {
        let trees = (
            &self.cases,
            &self.items,
            &self.lookup,
            &self.one_time,
            &self.rekeys,
        );
        let result = trees.transaction(|(cases, its, look, once, rekeys)| {
            let abort = |e| Err(ConflictableTransactionError::Abort(e));
            let Some(bytes) = cases.get(case_id.as_bytes())? else {
                return abort(StoreError::Corrupt);
            };
            let mut case = decode(&bytes).map_err(ConflictableTransactionError::Abort)?;
            let names_case = look
                .get(&old[..])?
                .is_some_and(|v| v.as_ref() == case_id.as_bytes());
            if case.item_count != next_seq
                || !names_case
                || look.get(&new[..])?.is_some()
                || its.get(item_key(case_id, next_seq))?.is_some()
            {
                return abort(StoreError::Conflict);
            }
            its.insert(item_key(case_id, next_seq), item.as_slice())?;
            rekeys.insert(item_key(case_id, next_seq), &[][..])?;
            case.item_count += 1;
            case.last_digest = digest_hex(&item);
            let record = encode(&case).map_err(ConflictableTransactionError::Abort)?;
            cases.insert(case_id.as_bytes(), record)?;
            look.remove(&old[..])?;
            look.insert(&new[..], case_id.as_bytes())?;
            once.remove(case_id.as_bytes())?;
            Ok(case)
        });
        finish_tx(self, result)
    }

    fn rekeys(&self, case_id: &CaseId) -> Result<RekeyIndex, StoreError> {
        if self
            .rekeys_unindexed
            .get(case_id.as_bytes())
            .map_err(engine)?
            .is_some()
        {
            return Ok(RekeyIndex::Unknown);
        }
        self.rekeys
            .scan_prefix(case_prefix(case_id))
            .keys()
            .map(|k| seq_of_key(&k.map_err(engine)?).ok_or(StoreError::Corrupt))
            .collect::<Result<_, _>>()
            .map(RekeyIndex::Known)
    }
}

impl DialogueStore for SledStore {
    fn dialogue(&self, index: &[u8; 32]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .dialogues
            .get(&index[..])
            .map_err(engine)?
            .map(|v| v.to_vec()))
    }

    fn dialogues(&self) -> Result<Vec<DialogueEntry>, StoreError> {
        self.dialogues
            .iter()
            .map(|kv| {
                let (k, v) = kv.map_err(engine)?;
                let index: [u8; 32] = k.as_ref().try_into().map_err(|_| StoreError::Corrupt)?;
                Ok((index, v.to_vec()))
            })
            .collect()
    }

    fn dialogue_write(&self, write: &DialogueWrite<'_>) -> Result<(), StoreError> {
        let result =
            (&self.dialogues, &self.seen).transaction(|(d, s)| write_dialogue(d, s, write));
        finish_tx(self, result)
    }

    fn seen(&self, key: &[u8; 32]) -> Result<bool, StoreError> {
        Ok(self.seen.get(&key[..]).map_err(engine)?.is_some())
    }

    fn forget_seen(&self, now: u64) -> Result<usize, StoreError> {
        let mut gone = 0;
        for kv in self.seen.iter() {
            let (k, v) = kv.map_err(engine)?;
            let expiry = <[u8; 8]>::try_from(v.as_ref()).map_or(0, u64::from_be_bytes);
            if expiry < now {
                self.seen.remove(k).map_err(engine)?;
                gone += 1;
            }
        }
        if gone > 0 {
            self.flush()?;
        }
        Ok(gone)
    }

    fn create_case_once(
        &self,
        case: &CaseV1,
        items: &[Vec<u8>],
        lookup: &[u8; 32],
        write: &DialogueWrite<'_>,
    ) -> Result<(), StoreError> {
        let record = encode(case)?;
        let trees = (
            &self.cases,
            &self.items,
            &self.lookup,
            &self.one_time,
            &self.dialogues,
            &self.seen,
        );
        let result = trees.transaction(|(cases, its, look, once, d, s)| {
            if cases.get(case.id.as_bytes())?.is_some() || look.get(lookup)?.is_some() {
                return Err(ConflictableTransactionError::Abort(StoreError::Conflict));
            }
            cases.insert(case.id.as_bytes(), record.as_slice())?;
            for (seq, item) in items.iter().enumerate() {
                its.insert(item_key(&case.id, seq as u32), item.as_slice())?;
            }
            look.insert(&lookup[..], case.id.as_bytes())?;
            once.insert(case.id.as_bytes(), &b"1"[..])?;
            write_dialogue(d, s, write)
        });
        finish_tx(self, result)
    }
}

/// A case id as a key or value of the store: an id that does not parse is a corrupt record.
fn id_from_bytes(bytes: &[u8]) -> Result<CaseId, StoreError> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| CaseId::parse(s).ok())
        .ok_or(StoreError::Corrupt)
}

/// The `last_digest` after an item: the chain digest of its ciphertext (docs/format.md).
fn digest_hex(bytes: &[u8]) -> String {
    crate::crypto::hex(&crate::crypto::envelope::chain_digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "WBS-AAAA-AAAA-AAAA";
    const B: &str = "WBS-BBBB-BBBB-BBBB";

    fn id(s: &str) -> CaseId {
        CaseId::parse(s).expect("case id")
    }

    fn case(id_: &str) -> CaseV1 {
        CaseV1 {
            id: id(id_),
            channel: crate::protocol::Channel::Web,
            created: crate::protocol::Day::parse("2026-11-29").expect("day"),
            statuses: vec![],
            item_count: 2,
            last_digest: "00".into(),
            recipients_fingerprint: "ff".into(),
            attachments: vec![],
        }
    }

    #[test]
    fn cases_round_trip_and_lookups_are_unique() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = SledStore::open(dir.path(), 1 << 20).expect("open");
        store
            .create_case(&case(A), &[b"0".to_vec(), b"1".to_vec()], &[1; 32])
            .expect("create");
        assert_eq!(store.case(&id(A)).expect("read"), Some(case(A)));
        assert_eq!(
            store.items(&id(A)).expect("items"),
            vec![b"0".to_vec(), b"1".to_vec()]
        );
        assert_eq!(
            store
                .case_for_lookup(&[1; 32])
                .expect("lookup")
                .map(|c| c.to_string())
                .as_deref(),
            Some(A)
        );
        assert!(matches!(
            store.create_case(&case(B), &[], &[1; 32]),
            Err(StoreError::Conflict)
        ));
        assert!(store.case(&id(B)).expect("read").is_none());
        assert_eq!(store.meta_init("k", b"v1").expect("init"), b"v1");
        let after = store
            .append(
                &id(A),
                2,
                Append {
                    items: vec![b"2".to_vec()],
                    ..Append::default()
                },
            )
            .expect("append");
        assert_eq!(after.item_count, 3);
        assert_eq!(after.last_digest, digest_hex(b"2"));
        assert!(matches!(
            store.append(
                &id(A),
                2,
                Append {
                    items: vec![b"x".to_vec()],
                    ..Append::default()
                }
            ),
            Err(StoreError::Conflict)
        ));
        assert_eq!(store.items(&id(A)).expect("items")[2], b"2".to_vec());
        assert_eq!(store.meta_init("k", b"v2").expect("init"), b"v1");
    }

    #[test]
    fn dialogue_writes_are_atomic_and_one_time_receipts_are_replaced_once() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = SledStore::open(dir.path(), 1 << 20).expect("open");
        let seen = [([9; 32], 100)];
        let write = DialogueWrite {
            index: [1; 32],
            record: Some(b"r1"),
            remove: None,
            seen: &seen,
        };
        store.dialogue_write(&write).expect("write");
        assert_eq!(
            store.dialogue(&[1; 32]).expect("read"),
            Some(b"r1".to_vec())
        );
        assert!(store.seen(&[9; 32]).expect("seen"));
        // Moved under a new day's index: the old one is gone in the same step.
        let moved = DialogueWrite {
            index: [2; 32],
            record: Some(b"r2"),
            remove: Some([1; 32]),
            seen: &[],
        };
        store.dialogue_write(&moved).expect("move");
        assert_eq!(store.dialogues().expect("all").len(), 1);
        assert_eq!(store.forget_seen(50).expect("forget"), 0);
        assert_eq!(store.forget_seen(101).expect("forget"), 1);
        assert!(!store.seen(&[9; 32]).expect("seen"));

        let seen = [([8; 32], 10)];
        let done = DialogueWrite {
            index: [2; 32],
            record: None,
            remove: None,
            seen: &seen,
        };
        store
            .create_case_once(&case(A), &[b"0".to_vec(), b"1".to_vec()], &[5; 32], &done)
            .expect("create");
        assert!(store.dialogues().expect("all").is_empty());
        assert!(store.seen(&[8; 32]).expect("seen"));
        assert!(store.receipt_is_one_time(&id(A)).expect("flag"));
        let after = store
            .replace_lookup(&id(A), &[5; 32], &[6; 32], 2, b"2".to_vec())
            .expect("replace");
        assert_eq!(after.item_count, 3);
        assert_eq!(store.case_for_lookup(&[5; 32]).expect("old"), None);
        assert_eq!(
            store
                .case_for_lookup(&[6; 32])
                .expect("new")
                .map(|c| c.to_string())
                .as_deref(),
            Some(A)
        );
        assert!(!store.receipt_is_one_time(&id(A)).expect("flag"));
        assert!(matches!(
            store.replace_lookup(&id(A), &[5; 32], &[7; 32], 3, b"3".to_vec()),
            Err(StoreError::Conflict)
        ));
        store.meta_init("p/1", b"x").expect("meta");
        store.meta_init("p/2", b"y").expect("meta");
        store.meta_remove("p/1").expect("remove");
        assert_eq!(store.meta_keys("p/").expect("keys"), vec!["p/2".to_owned()]);
    }

    #[test]
    fn replaced_receipts_are_indexed_and_an_older_store_marks_the_cases_it_cannot_vouch_for() {
        let dir = tempfile::tempdir().expect("tmp");
        let chat = |id_: &str| CaseV1 {
            channel: crate::protocol::Channel::WhatsApp,
            ..case(id_)
        };
        const C: &str = "WBS-CCCC-CCCC-CCCC";
        {
            let store = SledStore::open(dir.path(), 1 << 20).expect("open");
            let none = DialogueWrite::default();
            store
                .create_case_once(&chat(A), &[b"0".to_vec(), b"1".to_vec()], &[1; 32], &none)
                .expect("chat case");
            store
                .create_case_once(&chat(B), &[b"0".to_vec(), b"1".to_vec()], &[2; 32], &none)
                .expect("chat case");
            store
                .create_case(&case(C), &[b"0".to_vec(), b"1".to_vec()], &[3; 32])
                .expect("web case");
            store
                .replace_lookup(&id(A), &[1; 32], &[4; 32], 2, b"2".to_vec())
                .expect("replace");
            assert_eq!(store.rekeys(&id(A)).expect("A"), RekeyIndex::Known(vec![2]));
            assert_eq!(store.rekeys(&id(B)).expect("B"), RekeyIndex::Known(vec![]));
            store.forget_rekey_index();
        }
        let store = SledStore::reopen(dir.path(), 1 << 20).expect("reopen");
        // A chat case whose receipt was replaced may hold an unlisted rekey; one still one-time,
        // and a web case, cannot.
        assert_eq!(store.rekeys(&id(A)).expect("A"), RekeyIndex::Unknown);
        assert_eq!(store.rekeys(&id(B)).expect("B"), RekeyIndex::Known(vec![]));
        assert_eq!(store.rekeys(&id(C)).expect("C"), RekeyIndex::Known(vec![]));
        // Marked once: B's receipt replaced from now on is indexed, not marked.
        store
            .replace_lookup(&id(B), &[2; 32], &[5; 32], 2, b"2".to_vec())
            .expect("replace");
        drop(store);
        let store = SledStore::reopen(dir.path(), 1 << 20).expect("reopen");
        assert_eq!(store.rekeys(&id(B)).expect("B"), RekeyIndex::Known(vec![2]));
        assert_eq!(store.rekeys(&id(A)).expect("A"), RekeyIndex::Unknown);
    }
}
