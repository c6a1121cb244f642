//! The sled engine behind `Store`. The only file that names sled.

use std::path::Path;

use super::{Append, CaseRecord, CaseV1, Store, StoreError};

const TREE_META: &str = "meta";
const TREE_CASES: &str = "cases";
const TREE_ITEMS: &str = "items";
const TREE_LOOKUP: &str = "lookup";

pub struct SledStore {
    db: sled::Db,
    meta: sled::Tree,
    cases: sled::Tree,
    items: sled::Tree,
    lookup: sled::Tree,
}

fn engine(e: impl std::fmt::Display) -> StoreError {
    StoreError::Engine(e.to_string())
}

fn item_key(case_id: &str, seq: u32) -> Vec<u8> {
    let mut k = Vec::with_capacity(case_id.len() + 5);
    k.extend_from_slice(case_id.as_bytes());
    k.push(0);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

impl SledStore {
    /// Opens (or creates) the store in `dir` with an explicit cache size: sled's default is 1 GiB.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<Self, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(cache_bytes)
            .mode(sled::Mode::LowSpace)
            .open()
            .map_err(engine)?;
        Ok(SledStore {
            meta: db.open_tree(TREE_META).map_err(engine)?,
            cases: db.open_tree(TREE_CASES).map_err(engine)?,
            items: db.open_tree(TREE_ITEMS).map_err(engine)?,
            lookup: db.open_tree(TREE_LOOKUP).map_err(engine)?,
            db,
        })
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(engine)?;
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

impl Store for SledStore {
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

    fn create_case(
        &self,
        case: &CaseV1,
        items: &[Vec<u8>],
        lookup: &[u8; 32],
    ) -> Result<(), StoreError> {
        use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
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

    fn case(&self, id: &str) -> Result<Option<CaseV1>, StoreError> {
        match self.cases.get(id.as_bytes()).map_err(engine)? {
            Some(bytes) => decode(&bytes).map(Some),
            None => Ok(None),
        }
    }

    fn case_ids(&self) -> Result<Vec<String>, StoreError> {
        self.cases
            .iter()
            .keys()
            .map(|k| {
                let k = k.map_err(engine)?;
                String::from_utf8(k.to_vec()).map_err(|_| StoreError::Corrupt)
            })
            .collect()
    }

    fn items(&self, id: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut prefix = id.as_bytes().to_vec();
        prefix.push(0);
        self.items
            .scan_prefix(prefix)
            .values()
            .map(|v| v.map(|v| v.to_vec()).map_err(engine))
            .collect()
    }

    fn append(&self, case_id: &str, next_seq: u32, append: Append) -> Result<CaseV1, StoreError> {
        use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
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

    fn case_for_lookup(&self, lookup: &[u8; 32]) -> Result<Option<String>, StoreError> {
        match self.lookup.get(lookup).map_err(engine)? {
            Some(v) => String::from_utf8(v.to_vec())
                .map(Some)
                .map_err(|_| StoreError::Corrupt),
            None => Ok(None),
        }
    }
}

fn digest_hex(bytes: &[u8]) -> String {
    crate::crypto::hex(&crate::crypto::sha256(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str) -> CaseV1 {
        CaseV1 {
            id: id.into(),
            channel: "web".into(),
            created: "2026-11-29".into(),
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
            .create_case(&case("a"), &[b"0".to_vec(), b"1".to_vec()], &[1; 32])
            .expect("create");
        assert_eq!(store.case("a").expect("read"), Some(case("a")));
        assert_eq!(
            store.items("a").expect("items"),
            vec![b"0".to_vec(), b"1".to_vec()]
        );
        assert_eq!(
            store.case_for_lookup(&[1; 32]).expect("lookup").as_deref(),
            Some("a")
        );
        assert!(matches!(
            store.create_case(&case("b"), &[], &[1; 32]),
            Err(StoreError::Conflict)
        ));
        assert!(store.case("b").expect("read").is_none());
        assert_eq!(store.meta_init("k", b"v1").expect("init"), b"v1");
        let after = store
            .append(
                "a",
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
                "a",
                2,
                Append {
                    items: vec![b"x".to_vec()],
                    ..Append::default()
                }
            ),
            Err(StoreError::Conflict)
        ));
        assert_eq!(store.items("a").expect("items")[2], b"2".to_vec());
        assert_eq!(store.meta_init("k", b"v2").expect("init"), b"v1");
    }
}
