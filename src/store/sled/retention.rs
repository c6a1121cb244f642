//! Retention in the store (docs/design.md §7, issue 11): a case is deleted in one transaction —
//! record, items, receipt lookups, one-time mark, rekey index entries — and a tombstone takes its place.
//!
//! What sled can and cannot do: the deleted values leave every tree at once, but sled is a
//! log-structured store, so their bytes stay in the segment files until sled's background segment
//! cleaner rewrites those segments (it does so as segments become mostly empty; `Mode::LowSpace` makes it
//! eager) — sled has no call to force it, so a purge marks the store for a compaction (`compact`), which
//! the running server does right after the retention pass (`LiveStore::compact_now`). Items are age
//! ciphertext, so what lingers until then is ciphertext only readable with an investigator key; the
//! attachment files, by far the largest part, are removed from the file system at once.

use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};

use super::{decode, engine, id_from_bytes, item_key, SledStore};
use crate::store::{CaseV1, MetaStore, RetentionStore, StoreError, TombstoneV1};

impl RetentionStore for SledStore {
    fn purge_case(&self, tombstone: &TombstoneV1) -> Result<Option<CaseV1>, StoreError> {
        let id = &tombstone.id;
        let stone = serde_json::to_vec(tombstone).map_err(|_| StoreError::Corrupt)?;
        // Transactions cannot iterate: find the receipt lookups first, check them again inside.
        let mut lookups = Vec::new();
        for entry in self.lookup.iter() {
            let (k, v) = entry.map_err(engine)?;
            if v.as_ref() == id.as_bytes() {
                lookups.push(k);
            }
        }
        let trees = (
            &self.cases,
            &self.items,
            &self.lookup,
            &self.one_time,
            &self.tombstones,
            &self.rekeys,
            &self.rekeys_unindexed,
        );
        let result = trees.transaction(|(cases, its, look, once, stones, rekeys, unindexed)| {
            let Some(bytes) = cases.get(id.as_bytes())? else {
                return Ok(None);
            };
            let case = decode(&bytes).map_err(ConflictableTransactionError::Abort)?;
            for seq in 0..case.item_count {
                its.remove(item_key(id, seq))?;
                rekeys.remove(item_key(id, seq))?;
            }
            unindexed.remove(id.as_bytes())?;
            for k in &lookups {
                if look.get(k)?.as_deref() == Some(id.as_bytes()) {
                    look.remove(k)?;
                }
            }
            once.remove(id.as_bytes())?;
            cases.remove(id.as_bytes())?;
            stones.insert(id.as_bytes(), stone.as_slice())?;
            Ok(Some(case))
        });
        match result {
            Ok(Some(case)) => {
                // The deleted bytes stay in sled's segments until a compaction rewrites the store
                // without them (`compact`; the server runs it right after the retention pass).
                self.request_compaction()?;
                Ok(Some(case))
            }
            Ok(None) => Ok(None),
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(engine(e)),
        }
    }

    fn tombstones(&self) -> Result<Vec<TombstoneV1>, StoreError> {
        let mut out = Vec::new();
        for entry in self.tombstones.iter() {
            let (k, v) = entry.map_err(engine)?;
            id_from_bytes(&k)?;
            out.push(serde_json::from_slice(&v).map_err(|_| StoreError::Corrupt)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{CaseId, Channel, Day};
    use crate::store::{CaseStore, DialogueStore, DialogueWrite, RekeyIndex, RetentionRule};

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
    fn a_purge_takes_the_cases_rekey_index_entries_and_unindexed_mark_with_it() {
        let dir = tempfile::tempdir().expect("tmp");
        let (a, b) = (
            chat_case("WBS-AAAA-AAAA-AAAA"),
            chat_case("WBS-BBBB-BBBB-BBBB"),
        );
        let none = DialogueWrite::default();
        {
            let store = SledStore::open(dir.path(), 1 << 20).expect("open");
            store
                .create_case_once(&b, &[b"0".to_vec(), b"1".to_vec()], &[2; 32], &none)
                .expect("b");
            store
                .replace_lookup(&b.id, &[2; 32], &[3; 32], 2, b"2".to_vec())
                .expect("replace b");
            store.forget_rekey_index();
        }
        let store = SledStore::reopen(dir.path(), 1 << 20).expect("reopen");
        store
            .create_case_once(&a, &[b"0".to_vec(), b"1".to_vec()], &[1; 32], &none)
            .expect("a");
        store
            .replace_lookup(&a.id, &[1; 32], &[4; 32], 2, b"2".to_vec())
            .expect("replace a");
        assert_eq!(store.rekeys(&a.id).expect("a"), RekeyIndex::Known(vec![2]));
        assert_eq!(store.rekeys(&b.id).expect("b"), RekeyIndex::Unknown);
        for case in [&a, &b] {
            let stone = TombstoneV1 {
                id: case.id.clone(),
                deleted: Day::parse("2026-12-01").expect("day"),
                rule: RetentionRule::NeverTakenUp,
            };
            assert!(store.purge_case(&stone).expect("purge").is_some());
        }
        assert!(store.rekeys.is_empty() && store.rekeys_unindexed.is_empty());
    }
}
