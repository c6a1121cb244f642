//! Retention in the store (docs/design.md §7, issue 11): a case is deleted in one transaction —
//! record, items, receipt lookups, one-time mark, rekey index entries — and a tombstone takes its place.
//!
//! What sled can and cannot do: the deleted values leave every tree at once, but sled is a
//! log-structured store, so their bytes stay in the segment files until sled's background segment
//! cleaner rewrites those segments (it does so as segments become mostly empty; `Mode::LowSpace` makes it
//! eager) — sled has no call to force it, so a purge marks the store for a compaction at the next start
//! (`compact`). Items are age ciphertext, so what may linger until then is ciphertext
//! only readable with an investigator key; the attachment files, by far the largest part, are removed
//! from the file system at once.

use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};

use super::{decode, engine, id_from_bytes, item_key, SledStore};
use crate::store::{CaseV1, RetentionStore, StoreError, TombstoneV1};

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
                // The deleted bytes stay in sled's segments until a compaction at the next start
                // rewrites the store without them (`compact`).
                self.meta
                    .insert(super::compact::PENDING, b"1".as_slice())
                    .map_err(engine)?;
                self.flush()?;
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
