//! Storage: bytes and versioned records, never plaintext (docs/design.md §7).
//!
//! The `Store` trait is what the rest of the program sees; `sled.rs` is the only file that names sled.
//! Records are versioned structs (`CaseV1`, …): a new version is added, never edited. Items are
//! appended, never overwritten.

mod backup;
mod blobs;
mod live;
mod sled;

pub use self::sled::SledStore;
pub(crate) use backup::backup;
pub use backup::BackupSummary;
pub use blobs::{BlobStore, PendingBlob};
pub use live::LiveStore;

use serde::{Deserialize, Serialize};

use crate::protocol::wire::{AttachmentRef, StatusDay};
use crate::protocol::{CaseId, Channel, Day, Status};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage engine error: {0}")]
    Engine(String),
    #[error("a stored record is not readable")]
    Corrupt,
    #[error("the item sequence number is taken")]
    Conflict,
    /// Written but not confirmed on disk: it may or may not survive a crash. Not an acknowledgement;
    /// and nothing it refers to (attachment files) may be removed.
    #[error("the write could not be flushed to disk")]
    NotFlushed,
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

/// A case as stored: only what docs/design.md §2 allows in plaintext.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseV1 {
    pub id: CaseId,
    pub channel: Channel,
    /// The day the case was made (UTC, day precision).
    pub created: Day,
    pub statuses: Vec<StatusChangeV1>,
    /// Number of items; the next append must use this as its `seq`.
    pub item_count: u32,
    /// Hex SHA-256 of the last item's ciphertext, the `prev_digest` of the next item.
    pub last_digest: String,
    /// Which investigator recipient set the case was sealed to (see `crypto::keys::recipients_fingerprint`).
    pub recipients_fingerprint: String,
    pub attachments: Vec<AttachmentRefV1>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChangeV1 {
    pub status: Status,
    pub day: Day,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentRefV1 {
    pub id: String,
    pub ciphertext_len: u64,
    pub ciphertext_sha256: String,
}

/// The envelope around every stored case record, so new versions can be added beside old ones.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "record")]
pub(crate) enum CaseRecord {
    #[serde(rename = "case-v1")]
    V1(CaseV1),
}

impl CaseRecord {
    pub(crate) fn into_current(self) -> CaseV1 {
        match self {
            CaseRecord::V1(c) => c,
        }
    }
}

/// Meta keys.
pub(crate) const META_SALT: &str = "installation-salt";
pub(crate) const META_MODE: &str = "created-mode";

/// Small named values of the installation (the salt, the mode, the chat channel's daily keys).
pub trait MetaStore: Send + Sync {
    /// A meta value.
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Sets a meta value unless one is there, flushes, and returns the value now stored.
    fn meta_init(&self, key: &str, value: &[u8]) -> Result<Vec<u8>, StoreError>;
    /// Deletes a meta value (and flushes).
    fn meta_remove(&self, key: &str) -> Result<(), StoreError>;
    /// The meta keys that start with `prefix`.
    fn meta_keys(&self, prefix: &str) -> Result<Vec<String>, StoreError>;
    /// Asks for a compaction (and flushes): values were deleted whose bytes must leave the store's
    /// files (docs/design.md §7). The server runs it soon after (`LiveStore::compact_now`), or the
    /// next start does.
    fn request_compaction(&self) -> Result<(), StoreError>;
}

/// Cases: their plaintext records, their sealed items and the receipt index. The rest of the program
/// reaches it through `intake` (docs/design.md §3).
pub trait CaseStore: MetaStore {
    /// Stores a new case with its first items and its receipt lookup in one atomic step, then flushes
    /// to disk: when this returns `Ok`, the case survives a crash.
    fn create_case(
        &self,
        case: &CaseV1,
        items: &[Vec<u8>],
        lookup: &[u8; 32],
    ) -> Result<(), StoreError>;
    fn case(&self, id: &CaseId) -> Result<Option<CaseV1>, StoreError>;
    fn case_ids(&self) -> Result<Vec<CaseId>, StoreError>;
    /// The case's items (ciphertext) in `seq` order.
    fn items(&self, id: &CaseId) -> Result<Vec<Vec<u8>>, StoreError>;
    /// One item of a case (ciphertext), without reading the others.
    fn item(&self, id: &CaseId, seq: u32) -> Result<Option<Vec<u8>>, StoreError>;
    fn case_for_lookup(&self, lookup: &[u8; 32]) -> Result<Option<CaseId>, StoreError>;
    /// Appends items to a case at exactly `next_seq` (else `Conflict`: the caller re-reads and retries),
    /// with an optional status change and attachment references, atomically; then flushes. Items are
    /// never overwritten.
    fn append(&self, case_id: &CaseId, next_seq: u32, append: Append)
        -> Result<CaseV1, StoreError>;
    /// Whether the case's receipt is one-time (made in a chat and not yet replaced).
    fn receipt_is_one_time(&self, case_id: &CaseId) -> Result<bool, StoreError>;
    /// Replaces a one-time receipt: appends `item` (the `rekey` item) at exactly `next_seq`, moves the
    /// lookup `old` → `new` (the old one is gone) and clears the one-time mark, atomically; then
    /// flushes. `Conflict` when the sequence number is taken, the old lookup no longer names this case,
    /// or the new one is in use.
    fn replace_lookup(
        &self,
        case_id: &CaseId,
        old: &[u8; 32],
        new: &[u8; 32],
        next_seq: u32,
        item: Vec<u8>,
    ) -> Result<CaseV1, StoreError>;
    /// Where the `rekey` items of a case are (`replace_lookup` is the only writer of them), in
    /// ascending order; `Unknown` for a case that may hold one written before the store kept this
    /// index (docs/design.md §11).
    fn rekeys(&self, case_id: &CaseId) -> Result<RekeyIndex, StoreError>;
}

/// The positions of a case's `rekey` items, as far as the store knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RekeyIndex {
    /// Every `rekey` item of the case is at one of these positions (ascending).
    Known(Vec<u32>),
    /// The case may hold `rekey` items the index does not list: read every item to find them.
    Unknown,
}

/// The WhatsApp channel's dialogues (docs/design.md §9, docs/whatsapp.md). Dialogue records are opaque
/// bytes here.
pub trait DialogueStore: MetaStore {
    /// The dialogue record at a sender index (a keyed hash of the sender).
    fn dialogue(&self, index: &[u8; 32]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Every dialogue record, with its index (for expiry and the start-up sweep).
    fn dialogues(&self) -> Result<Vec<DialogueEntry>, StoreError>;
    /// Writes or deletes a dialogue record, forgets its older index and remembers message keys, in one
    /// atomic step; then flushes.
    fn dialogue_write(&self, write: &DialogueWrite<'_>) -> Result<(), StoreError>;
    /// Whether a message key (a keyed hash of a message id) was processed and not yet forgotten.
    fn seen(&self, key: &[u8; 32]) -> Result<bool, StoreError>;
    /// Forgets message keys whose expiry (unix seconds) is before `now`. Returns how many went.
    fn forget_seen(&self, now: u64) -> Result<usize, StoreError>;
    /// `create_case`, plus: the case's receipt is marked one-time, and `write` (the dialogue's deletion
    /// and its message keys) happens in the same atomic step.
    fn create_case_once(
        &self,
        case: &CaseV1,
        items: &[Vec<u8>],
        lookup: &[u8; 32],
        write: &DialogueWrite<'_>,
    ) -> Result<(), StoreError>;
}

/// Retention (docs/design.md §7, issue 11): expired cases go, a tombstone with the day stays.
pub trait RetentionStore: CaseStore {
    /// Deletes a case — its record, every item, its receipt lookups and one-time mark — and writes
    /// `tombstone` in its place, atomically; then flushes. Returns the deleted record (its attachment
    /// files are the caller's to remove, after this returned), or `None` if there was no such case.
    fn purge_case(&self, tombstone: &TombstoneV1) -> Result<Option<CaseV1>, StoreError>;
    /// Every tombstone, oldest case id first.
    fn tombstones(&self) -> Result<Vec<TombstoneV1>, StoreError>;
}

/// What is left of a case deleted under the retention rule: its id, the day, and which rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TombstoneV1 {
    pub id: CaseId,
    pub deleted: Day,
    pub rule: RetentionRule,
}

pub use crate::protocol::wire::RetentionRule;

/// Every file under `dir` whose bytes hold `needle` (tests: what is left of deleted records on disk).
#[cfg(test)]
pub(crate) fn files_with(dir: &std::path::Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            hits.extend(files_with(&path, needle));
        } else if std::fs::read(&path)
            .unwrap_or_default()
            .windows(needle.len())
            .any(|w| w == needle)
        {
            hits.push(path);
        }
    }
    hits
}

/// One engine holds both: cases and dialogues share the atomic steps of `create_case_once`.
pub trait Store: CaseStore + DialogueStore + RetentionStore {}

impl<T: CaseStore + DialogueStore + RetentionStore> Store for T {}

/// A dialogue record with its sender index.
pub(crate) type DialogueEntry = ([u8; 32], Vec<u8>);

/// One atomic change to the dialogue trees.
#[derive(Debug, Default)]
pub struct DialogueWrite<'a> {
    pub index: [u8; 32],
    /// The new record, or `None` to delete it.
    pub record: Option<&'a [u8]>,
    /// Another index to delete (the same dialogue under yesterday's key).
    pub remove: Option<[u8; 32]>,
    /// Message keys to remember, each with its expiry (unix seconds).
    pub seen: &'a [([u8; 32], u64)],
}

/// What one append adds to a case.
#[derive(Debug, Default)]
pub struct Append {
    pub items: Vec<Vec<u8>>,
    pub status: Option<StatusChangeV1>,
    pub attachments: Vec<AttachmentRefV1>,
}

impl CaseV1 {
    /// A number that grows with every change of the case (items and statuses are append-only): the
    /// per-case sync cursor.
    pub(crate) fn revision(&self) -> u64 {
        u64::from(self.item_count) + self.statuses.len() as u64
    }

    /// The statuses so far, as the APIs and the export show them.
    pub(crate) fn status_history(&self) -> Vec<StatusDay> {
        self.statuses
            .iter()
            .map(|s| StatusDay {
                status: s.status,
                day: s.day.clone(),
            })
            .collect()
    }

    /// The current status. Every case is created with its first status (`Diterima`).
    pub(crate) fn status(&self) -> Status {
        self.statuses.last().map_or(Status::Diterima, |s| s.status)
    }
}

impl From<&AttachmentRefV1> for AttachmentRef {
    fn from(a: &AttachmentRefV1) -> Self {
        AttachmentRef {
            id: a.id.clone(),
            ciphertext_len: a.ciphertext_len,
            ciphertext_sha256: a.ciphertext_sha256.clone(),
        }
    }
}
