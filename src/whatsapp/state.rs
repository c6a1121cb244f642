//! Dialogue state (docs/design.md §9). On disk: one record per dialogue, keyed by a keyed hash of the sender
//! under a daily key (today's and yesterday's are kept in the in-place key file, older ones
//! overwritten), holding only the step, the answers sealed to the investigators, and the answers sealed
//! again for the summary under a key that exists only in this process's memory. The whole record is
//! sealed under a key derived from the same daily key and its index (`wa-dialogue-v2`), so once that
//! day's key is overwritten every copy of the record, sled's log included, is unreadable: its blob ids,
//! digests and times to the second cannot tie it to the case it became. Message ids are remembered as
//! keyed hashes for 7 days.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::{rngs::OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::keyfile::KeyFile;
use super::record::{open_sealed, parse_stored, seal_record, Stored};
use crate::intake::answers::Field;
use crate::intake::Lang;
use crate::protocol::day::Day;
use crate::store::{AttachmentRefV1, DialogueStore, DialogueWrite, StoreError};

/// A dialogue with no activity for this long is deleted (and the 24-hour window is closed anyway).
pub(crate) const DIALOGUE_TTL_SECS: u64 = 24 * 3600;
/// How long a message id is remembered: Meta retries deliveries for up to 7 days.
pub(crate) const SEEN_TTL_SECS: u64 = 7 * 24 * 3600;
const SENDER_KEY_PREFIX: &str = "whatsapp/sender-key/";
const SEEN_KEY: &str = "whatsapp/seen-key";
const SHARDS: usize = 32;

/// Where a dialogue stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Step {
    Category,
    CategoryMore,
    ReporterKind,
    Chronology,
    Party,
    PartyMore,
    When,
    Place,
    Name,
    Evidence,
    Contact,
    Summary,
    Change,
}

/// One answer as stored: which question it answers (not what it says), sealed twice.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnswerV1 {
    pub field: Field,
    /// Base64 of `age(pad(fragment))` to the investigators (`intake::answers`).
    pub sealed: String,
    /// Base64 of `nonce ‖ XChaCha20-Poly1305` under the dialogue's in-memory summary key.
    pub summary: String,
    /// For a photo or document: its committed blob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blob: Option<AttachmentRefV1>,
}

/// A dialogue record as the process works with it. Stored sealed (`SealedRecord`); its plain JSON
/// (`wa-dialogue-v1`) is the sealed plaintext, and what an earlier version stored in clear (still read,
/// resealed at its next write). Versioned like every stored record (docs/design.md §7).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DialogueV1 {
    /// Random; binds the sealed answers of this dialogue together.
    pub id: String,
    pub lang: Lang,
    pub step: Step,
    /// The current step was reached through the summary's "change": go back to the summary after it.
    pub editing: bool,
    /// Meta's timestamp of the consent that began the dialogue.
    pub consent_ts: u64,
    /// Meta's timestamp of the last message taken as an answer or command.
    pub last_ts: u64,
    /// Our clock at the last change (for expiry).
    pub updated: u64,
    pub answers: Vec<AnswerV1>,
    pub chronology_chars: u64,
    pub anonymous: Option<bool>,
    pub contact: Option<bool>,
    /// Photos and documents being fetched (memory holds the jobs; lost at a restart).
    pub pending_media: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "record")]
enum DialogueRecord {
    #[serde(rename = "wa-dialogue-v1")]
    V1(DialogueV1),
}

impl DialogueV1 {
    pub fn new(lang: Lang, ts: u64, now: u64) -> Self {
        let mut id = [0u8; 16];
        OsRng.fill_bytes(&mut id);
        DialogueV1 {
            id: crate::crypto::hex(&id),
            lang,
            step: Step::Category,
            editing: false,
            consent_ts: ts,
            last_ts: ts,
            updated: now,
            answers: Vec::new(),
            chronology_chars: 0,
            anonymous: None,
            contact: None,
            pending_media: 0,
        }
    }

    pub(crate) fn lang(&self) -> Lang {
        self.lang
    }

    pub(crate) fn encode(&self) -> Result<Vec<u8>, StoreError> {
        serde_json::to_vec(&DialogueRecord::V1(self.clone())).map_err(|_| StoreError::Corrupt)
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, StoreError> {
        match serde_json::from_slice(bytes) {
            Ok(DialogueRecord::V1(d)) => Ok(d),
            Err(_) => Err(StoreError::Corrupt),
        }
    }

    pub(crate) fn count(&self, field: Field) -> usize {
        self.answers.iter().filter(|a| a.field == field).count()
    }

    pub(crate) fn has(&self, field: Field) -> bool {
        self.count(field) > 0
    }

    /// The committed blobs of this dialogue's photos and documents.
    pub fn blobs(&self) -> impl Iterator<Item = &AttachmentRefV1> {
        self.answers.iter().filter_map(|a| a.blob.as_ref())
    }

    pub(crate) fn attachment_bytes(&self) -> u64 {
        self.blobs().map(|b| b.ciphertext_len).sum()
    }
}

type HmacSha256 = Hmac<Sha256>;

fn keyed_hash(key: &[u8], context: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length.
    let Ok(mut mac) = <HmacSha256 as Mac>::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(context);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn random_key() -> Zeroizing<[u8; 32]> {
    let mut k = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(k.as_mut());
    k
}

fn key_from(bytes: Vec<u8>) -> Result<Zeroizing<[u8; 32]>, StoreError> {
    let bytes = Zeroizing::new(bytes);
    let arr: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| StoreError::Corrupt)?;
    Ok(Zeroizing::new(arr))
}

struct DailyKeys {
    day: Day,
    today: Zeroizing<[u8; 32]>,
    yesterday: Option<Zeroizing<[u8; 32]>>,
}

/// A dialogue's summary key and when it was last used (unix seconds). Boxed: when the map grows it
/// moves its entries, and an inline key would leave unwiped copies in the freed table.
type SummaryKey = (Box<Zeroizing<[u8; 32]>>, u64);

/// The in-memory side of the dialogue state.
pub(crate) struct State {
    daily: Mutex<Option<DailyKeys>>,
    seen_key: Mutex<Option<Zeroizing<[u8; 32]>>>,
    /// Serialises work on one sender's dialogue (webhook and media worker alike).
    shards: Vec<Mutex<()>>,
    shard_key: Zeroizing<[u8; 32]>,
    /// Per-dialogue summary keys, by dialogue id. Never written anywhere; wiped at the end.
    summary_keys: Mutex<HashMap<String, SummaryKey>>,
    /// Senders who asked for STATUS and owe a case number, by shard hash, with an expiry.
    status_wait: Mutex<HashMap<[u8; 32], u64>>,
    /// Where the daily sender keys live (the server's data directory); without it, in sled (tests).
    key_file: Option<KeyFile>,
    /// Files of dialogues deleted at a key rotation, until the prune deletes them.
    orphans: Mutex<Vec<String>>,
}

/// Where a sender's dialogue is, under today's key and (maybe) yesterday's, with the keys its record
/// is sealed under there.
pub(crate) struct Indexes {
    pub today: [u8; 32],
    pub yesterday: Option<[u8; 32]>,
    today_key: Zeroizing<[u8; 32]>,
    yesterday_key: Option<Zeroizing<[u8; 32]>>,
}

impl Indexes {
    /// The dialogue sealed for storage at today's index (always today's: a record of yesterday is
    /// resealed and moved at its next write).
    pub(crate) fn seal(&self, d: &DialogueV1) -> Result<Vec<u8>, StoreError> {
        seal_record(&self.today_key, &self.today, d)
    }
}

impl Default for State {
    fn default() -> Self {
        State {
            daily: Mutex::new(None),
            seen_key: Mutex::new(None),
            shards: (0..SHARDS).map(|_| Mutex::new(())).collect(),
            shard_key: random_key(),
            summary_keys: Mutex::new(HashMap::new()),
            status_wait: Mutex::new(HashMap::new()),
            key_file: None,
            orphans: Mutex::new(Vec::new()),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl State {
    /// The state of a server whose data directory is `data_dir`: daily keys in its key file.
    pub(crate) fn with_key_file(data_dir: &std::path::Path) -> Self {
        State {
            key_file: Some(KeyFile::new(data_dir)),
            ..State::default()
        }
    }

    /// A process-local hash of the sender: picks the lock and keys the STATUS wait.
    pub(crate) fn local_hash(&self, wa_id: &str) -> [u8; 32] {
        keyed_hash(
            self.shard_key.as_ref(),
            b"wbs/v1/wa-local\n",
            wa_id.as_bytes(),
        )
    }

    /// Holds the sender's lock (blocking: call from blocking code only).
    pub(crate) fn lock_sender(&self, wa_id: &str) -> MutexGuard<'_, ()> {
        let h = self.local_hash(wa_id);
        lock(&self.shards[usize::from(h[0]) % SHARDS])
    }

    /// Today's and yesterday's sender keys; on a new day, makes today's and deletes older ones.
    fn daily_keys<R>(
        &self,
        store: &dyn DialogueStore,
        today: Day,
        f: impl FnOnce(&DailyKeys) -> R,
    ) -> Result<R, StoreError> {
        let mut guard = lock(&self.daily);
        if let (Some(kf), true) = (
            &self.key_file,
            guard.as_ref().is_none_or(|d| d.day != today),
        ) {
            *guard = Some(self.rotate_in_file(kf, store, today.clone())?);
        }
        if guard.as_ref().is_none_or(|d| d.day != today) {
            let name = |d: &Day| format!("{SENDER_KEY_PREFIX}{}", d.as_str());
            let yesterday_day = today.plus_days(-1);
            let fresh = random_key();
            let today_key = key_from(store.meta_init(&name(&today), fresh.as_ref())?)?;
            let yesterday = match store.meta(&name(&yesterday_day))? {
                Some(bytes) => Some(key_from(bytes)?),
                None => None,
            };
            for old in store.meta_keys(SENDER_KEY_PREFIX)? {
                if old != name(&today) && old != name(&yesterday_day) {
                    store.meta_remove(&old)?;
                }
            }
            *guard = Some(DailyKeys {
                day: today,
                today: today_key,
                yesterday,
            });
        }
        match guard.as_ref() {
            Some(d) => Ok(f(d)),
            None => Err(StoreError::Corrupt),
        }
    }

    /// The day's keys from the in-place key file (`keyfile`): today's made if missing, older ones
    /// overwritten. Keys an earlier version kept in sled are moved over and removed from it.
    fn rotate_in_file(
        &self,
        kf: &KeyFile,
        store: &dyn DialogueStore,
        today: Day,
    ) -> Result<DailyKeys, StoreError> {
        let yesterday_day = today.plus_days(-1);
        let mut slots = kf.load().map_err(StoreError::Io)?;
        let legacy = store.meta_keys(SENDER_KEY_PREFIX)?;
        for name in &legacy {
            let day = name.strip_prefix(SENDER_KEY_PREFIX).and_then(Day::parse);
            if let (Some(day), Some(bytes)) = (day, store.meta(name)?) {
                if !slots.iter().any(|(d, _)| *d == day) {
                    slots.push((day, key_from(bytes)?));
                }
            }
            store.meta_remove(name)?;
        }
        let find = |day: &Day| slots.iter().find(|(d, _)| d == day).map(|(_, k)| k.clone());
        let today_key = find(&today).unwrap_or_else(random_key);
        let yesterday = find(&yesterday_day);
        let dropped: Vec<_> = slots
            .iter()
            .filter(|(d, _)| *d != today && *d != yesterday_day)
            .map(|(_, k)| k)
            .collect();
        self.sweep_sealed_under(store, &dropped)?;
        let mut keep = vec![(today.clone(), today_key.clone())];
        keep.extend(yesterday.clone().map(|k| (yesterday_day, k)));
        kf.store(&keep).map_err(StoreError::Io)?;
        if !legacy.is_empty() {
            // Removed from sled's trees, the keys are still in its log, where with a phone number
            // they recompute its dialogue index: a compaction rewrites the store without them.
            store.request_compaction()?;
        }
        Ok(DailyKeys {
            day: today,
            today: today_key,
            yesterday,
        })
    }

    /// Before keys are overwritten: deletes the records only they open (no sender can reach those any
    /// more) and keeps their files' ids for the prune to delete, so that a dialogue abandoned late in a
    /// day leaves no files behind until the next start-up sweep.
    fn sweep_sealed_under(
        &self,
        store: &dyn DialogueStore,
        keys: &[&Zeroizing<[u8; 32]>],
    ) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        for (index, bytes) in store.dialogues()? {
            let Some(Stored::Sealed(raw)) = parse_stored(&bytes) else {
                continue;
            };
            let Some(d) = keys.iter().find_map(|k| open_sealed(k, &index, &raw)) else {
                continue;
            };
            store.dialogue_write(&DialogueWrite {
                index,
                ..Default::default()
            })?;
            self.forget(&d.id);
            lock(&self.orphans).extend(d.blobs().map(|b| b.id.clone()));
        }
        Ok(())
    }

    /// The files of dialogues deleted when their key was overwritten (for the caller to delete).
    pub(crate) fn take_orphans(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.orphans))
    }

    /// The sender's dialogue indexes: keyed hashes of the WhatsApp id under the daily keys.
    pub(crate) fn indexes(
        &self,
        store: &dyn DialogueStore,
        wa_id: &str,
    ) -> Result<Indexes, StoreError> {
        self.indexes_on(store, wa_id, Day::today())
    }

    /// `indexes` as on `today`.
    pub(crate) fn indexes_on(
        &self,
        store: &dyn DialogueStore,
        wa_id: &str,
        today: Day,
    ) -> Result<Indexes, StoreError> {
        const CONTEXT: &[u8] = b"wbs/v1/wa-sender\n";
        self.daily_keys(store, today, |d| Indexes {
            today: keyed_hash(d.today.as_ref(), CONTEXT, wa_id.as_bytes()),
            yesterday: d
                .yesterday
                .as_ref()
                .map(|k| keyed_hash(k.as_ref(), CONTEXT, wa_id.as_bytes())),
            today_key: d.today.clone(),
            yesterday_key: d.yesterday.clone(),
        })
    }

    /// Makes today's key and overwrites older ones, with or without traffic (the prune calls this, so
    /// a quiet day still destroys the key of the day before yesterday).
    pub(crate) fn rotate(&self, store: &dyn DialogueStore, today: Day) -> Result<(), StoreError> {
        self.daily_keys(store, today, |_| ())
    }

    /// Whether an earlier version's daily sender keys are still in sled (moved to the key file at the
    /// first rotation: `rotate_in_file`).
    pub(crate) fn legacy_keys_in(store: &dyn DialogueStore) -> Result<bool, StoreError> {
        Ok(!store.meta_keys(SENDER_KEY_PREFIX)?.is_empty())
    }

    /// Seals an earlier version's plain record, found at `index`, under today's key (start-up). Which
    /// day's key made the index is not known without the sender, so `load` tries both keys.
    pub(crate) fn reseal_at(
        &self,
        store: &dyn DialogueStore,
        index: &[u8; 32],
        d: &DialogueV1,
        today: Day,
    ) -> Result<Vec<u8>, StoreError> {
        self.daily_keys(store, today, |k| seal_record(&k.today, index, d))?
    }

    /// Reads a stored record without knowing its sender (expiry, start-up): a sealed one opens under
    /// today's or yesterday's key, or not at all (its key is gone: it can no longer be reached).
    pub(crate) fn open_stored(
        &self,
        store: &dyn DialogueStore,
        index: &[u8; 32],
        bytes: &[u8],
        today: Day,
    ) -> Result<Option<DialogueV1>, StoreError> {
        Ok(match parse_stored(bytes) {
            Some(Stored::Plain(d)) => Some(d),
            Some(Stored::Sealed(raw)) => self.daily_keys(store, today, |d| {
                std::iter::once(&d.today)
                    .chain(d.yesterday.as_ref())
                    .find_map(|k| open_sealed(k, index, &raw))
            })?,
            None => None,
        })
    }

    /// Finds the sender's dialogue: `(index it is stored at, record)`.
    pub(crate) fn load(
        &self,
        store: &dyn DialogueStore,
        idx: &Indexes,
    ) -> Result<Option<([u8; 32], DialogueV1)>, StoreError> {
        let today = std::iter::once((idx.today, Some(&idx.today_key)));
        let yesterday = idx.yesterday.map(|i| (i, idx.yesterday_key.as_ref()));
        for (index, key) in today.chain(yesterday) {
            let Some(bytes) = store.dialogue(&index)? else {
                continue;
            };
            // The index's own key first; then the other day's, for a record of an earlier version
            // resealed under today's key at start-up (`reseal_at`). A record that cannot be read is
            // treated as absent (and expires).
            let found = match parse_stored(&bytes) {
                Some(Stored::Plain(d)) => Some(d),
                Some(Stored::Sealed(raw)) => key
                    .into_iter()
                    .chain([&idx.today_key])
                    .chain(idx.yesterday_key.as_ref())
                    .find_map(|k| open_sealed(k, &index, &raw)),
                None => None,
            };
            if let Some(d) = found {
                return Ok(Some((index, d)));
            }
        }
        Ok(None)
    }

    /// The keyed hash a message id is remembered by.
    pub(crate) fn seen_hash(
        &self,
        store: &dyn DialogueStore,
        message_id: &str,
    ) -> Result<[u8; 32], StoreError> {
        let mut guard = lock(&self.seen_key);
        if guard.is_none() {
            let fresh = random_key();
            *guard = Some(key_from(store.meta_init(SEEN_KEY, fresh.as_ref())?)?);
        }
        let key = guard.as_ref().ok_or(StoreError::Corrupt)?;
        Ok(keyed_hash(
            key.as_ref(),
            b"wbs/v1/wa-message\n",
            message_id.as_bytes(),
        ))
    }

    /// The dialogue's summary key, and whether it had to be made anew (a new dialogue, or the process
    /// restarted since the dialogue began: earlier summaries can then no longer be read).
    pub(crate) fn summary_key(&self, dialogue: &str, now: u64) -> (Zeroizing<[u8; 32]>, bool) {
        let mut keys = lock(&self.summary_keys);
        let made = !keys.contains_key(dialogue);
        let entry = keys
            .entry(dialogue.to_owned())
            .or_insert_with(|| (Box::new(random_key()), now));
        entry.1 = now;
        ((*entry.0).clone(), made)
    }

    /// Wipes a dialogue's summary key (the dialogue ended).
    pub(crate) fn forget(&self, dialogue: &str) {
        lock(&self.summary_keys).remove(dialogue);
    }

    /// Wipes summary keys and STATUS waits that outlived their dialogue.
    pub(crate) fn expire(&self, now: u64) {
        lock(&self.summary_keys).retain(|_, (_, used)| *used + DIALOGUE_TTL_SECS >= now);
        lock(&self.status_wait).retain(|_, until| *until >= now);
    }

    pub(crate) fn wait_for_case_id(&self, wa_id: &str, now: u64) {
        let mut w = lock(&self.status_wait);
        if w.len() < 100_000 {
            w.insert(self.local_hash(wa_id), now + 600);
        }
    }

    /// Whether the sender owes a case number (and forgets that they did).
    pub(crate) fn take_status_wait(&self, wa_id: &str, now: u64) -> bool {
        lock(&self.status_wait)
            .remove(&self.local_hash(wa_id))
            .is_some_and(|until| until >= now)
    }
}

const SUMMARY_AAD: &[u8] = b"wbs/v1/wa-summary\n";

/// Seals a summary line under the dialogue's in-memory key (fresh random nonce each time).
pub(crate) fn seal_summary(key: &[u8; 32], dialogue: &str, text: &str) -> String {
    let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(key));
    let mut nonce = [0u8; 24];
    OsRng.fill_bytes(&mut nonce);
    let mut aad = SUMMARY_AAD.to_vec();
    aad.extend_from_slice(dialogue.as_bytes());
    let Ok(ct) = cipher.encrypt(
        XNonce::from_slice(&nonce),
        Payload {
            msg: text.as_bytes(),
            aad: &aad,
        },
    ) else {
        return String::new();
    };
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    data_encoding::BASE64.encode(&out)
}

/// Opens a summary line; `None` after a restart (the key it was sealed under is gone).
pub(crate) fn open_summary(
    key: &[u8; 32],
    dialogue: &str,
    sealed: &str,
) -> Option<Zeroizing<String>> {
    let raw = data_encoding::BASE64.decode(sealed.as_bytes()).ok()?;
    if raw.len() < 24 {
        return None;
    }
    let (nonce, ct) = raw.split_at(24);
    let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(key));
    let mut aad = SUMMARY_AAD.to_vec();
    aad.extend_from_slice(dialogue.as_bytes());
    let plain = Zeroizing::new(
        cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .ok()?,
    );
    String::from_utf8(plain.to_vec()).ok().map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MetaStore;

    #[test]
    fn summaries_open_only_under_their_key_and_dialogue() {
        let k = [7u8; 32];
        let a = seal_summary(&k, "d1", "rahasia");
        let b = seal_summary(&k, "d1", "rahasia");
        assert_ne!(a, b, "a fresh nonce every time");
        assert_eq!(
            open_summary(&k, "d1", &a).as_deref().map(String::as_str),
            Some("rahasia")
        );
        assert!(open_summary(&[8u8; 32], "d1", &a).is_none());
        assert!(open_summary(&k, "d2", &a).is_none());
    }

    #[test]
    fn sender_keys_rotate_daily_keeping_only_yesterday() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = crate::store::SledStore::open(dir.path(), 1 << 20).expect("store");
        let state = State::default();
        let day = |s: &str| Day::parse(s).expect("day");
        let d1 = state
            .indexes_on(&store, "62811", day("2026-11-01"))
            .expect("d1");
        assert!(d1.yesterday.is_none());
        let again = state
            .indexes_on(&store, "62811", day("2026-11-01"))
            .expect("again");
        assert_eq!(again.today, d1.today, "stable within a day");
        assert_ne!(
            state
                .indexes_on(&store, "62812", day("2026-11-01"))
                .expect("other")
                .today,
            d1.today
        );
        let d2 = state
            .indexes_on(&store, "62811", day("2026-11-02"))
            .expect("d2");
        assert_eq!(
            d2.yesterday,
            Some(d1.today),
            "yesterday's dialogues are found"
        );
        assert_ne!(d2.today, d1.today);
        let d4 = state
            .indexes_on(&store, "62811", day("2026-11-04"))
            .expect("d4");
        assert!(d4.yesterday.is_none());
        let keys = store.meta_keys(SENDER_KEY_PREFIX).expect("keys");
        assert_eq!(
            keys,
            vec![format!("{SENDER_KEY_PREFIX}2026-11-04")],
            "older keys destroyed"
        );
        assert!(!keys.iter().any(|k| k.contains("2026-11-01")));
    }

    #[test]
    fn with_a_key_file_the_daily_keys_never_stay_in_sled() {
        let dir = tempfile::tempdir().expect("tmp");
        let store =
            crate::store::SledStore::open(&dir.path().join("store"), 1 << 20).expect("store");
        let day = |s: &str| Day::parse(s).expect("day");
        // A key an earlier version kept in sled is moved to the file.
        let legacy = State::default();
        let before = legacy
            .indexes_on(&store, "62811", day("2026-11-01"))
            .expect("legacy");
        let state = State::with_key_file(dir.path());
        let d1 = state
            .indexes_on(&store, "62811", day("2026-11-01"))
            .expect("d1");
        assert_eq!(d1.today, before.today, "dialogues in progress are found");
        assert!(store.meta_keys(SENDER_KEY_PREFIX).expect("keys").is_empty());
        let restarted = State::with_key_file(dir.path());
        let d2 = restarted
            .indexes_on(&store, "62811", day("2026-11-02"))
            .expect("d2");
        assert_eq!(d2.yesterday, Some(d1.today), "kept across a restart");
        let d4 = restarted
            .indexes_on(&store, "62811", day("2026-11-04"))
            .expect("d4");
        assert!(d4.yesterday.is_none());
        let slots = KeyFile::new(dir.path()).load().expect("load");
        assert_eq!(slots.len(), 1, "older keys overwritten");
        assert!(store.meta_keys(SENDER_KEY_PREFIX).expect("keys").is_empty());
    }

    fn with_a_file(ciphertext_sha256: &str, now: u64) -> DialogueV1 {
        let mut d = DialogueV1::new(Lang::Id, now - 7, now);
        d.answers.push(AnswerV1 {
            field: Field::Attachment,
            sealed: String::new(),
            summary: String::new(),
            blob: Some(AttachmentRefV1 {
                id: "blobid7".into(),
                ciphertext_len: 9,
                ciphertext_sha256: ciphertext_sha256.into(),
            }),
        });
        d
    }

    #[test]
    fn records_are_sealed_and_unreadable_once_their_day_key_is_overwritten() {
        let dir = tempfile::tempdir().expect("tmp");
        let store =
            crate::store::SledStore::open(&dir.path().join("store"), 1 << 20).expect("store");
        let state = State::with_key_file(dir.path());
        let day = |s: &str| Day::parse(s).expect("day");
        let digest = "ab".repeat(32);
        let d = with_a_file(&digest, 1_793_000_456);
        let idx = state
            .indexes_on(&store, "62811", day("2026-11-01"))
            .expect("idx");
        let bytes = idx.seal(&d).expect("seal");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("\"record\":\"wa-dialogue-v2\""), "{text}");
        for secret in ["blobid7", &digest, "1793000456", "1793000449", &d.id] {
            assert!(!text.contains(secret), "{secret} in clear: {text}");
        }
        assert_ne!(idx.seal(&d).expect("again"), bytes, "a fresh nonce");
        let write = DialogueWrite {
            index: idx.today,
            record: Some(&bytes),
            ..Default::default()
        };
        store.dialogue_write(&write).expect("write");
        let found = state.load(&store, &idx).expect("load").expect("found");
        assert_eq!((found.0, found.1.id.as_str()), (idx.today, d.id.as_str()));
        // Sealed to its index: the same bytes elsewhere do not open.
        assert!(state
            .open_stored(&store, &[3; 32], &bytes, day("2026-11-01"))
            .expect("open")
            .is_none());
        // The next day the sender finds it under yesterday's key, and so does the expiry.
        let next = state
            .indexes_on(&store, "62811", day("2026-11-02"))
            .expect("next");
        let found = state.load(&store, &next).expect("load").expect("found");
        assert_eq!(
            found.1.blobs().next().map(|b| b.id.as_str()),
            Some("blobid7")
        );
        assert!(state
            .open_stored(&store, &idx.today, &bytes, day("2026-11-02"))
            .expect("open")
            .is_some());
        // Once the day's key is overwritten, no one reads it: not the server, not a restarted one.
        // The record is deleted then, and its file handed to the prune.
        state.rotate(&store, day("2026-11-03")).expect("rotate");
        assert!(store.dialogues().expect("list").is_empty());
        assert_eq!(state.take_orphans(), ["blobid7"]);
        assert!(state
            .open_stored(&store, &idx.today, &bytes, day("2026-11-03"))
            .expect("open")
            .is_none());
        let restarted = State::with_key_file(dir.path());
        assert!(restarted
            .open_stored(&store, &idx.today, &bytes, day("2026-11-03"))
            .expect("open")
            .is_none());
    }

    #[test]
    fn a_plain_record_of_an_earlier_version_is_read_and_resealed() {
        let dir = tempfile::tempdir().expect("tmp");
        let store =
            crate::store::SledStore::open(&dir.path().join("store"), 1 << 20).expect("store");
        let state = State::with_key_file(dir.path());
        let d = with_a_file(&"cd".repeat(32), 1_793_000_456);
        let idx = state.indexes(&store, "62811").expect("idx");
        let legacy = d.encode().expect("v1");
        let write = DialogueWrite {
            index: idx.today,
            record: Some(&legacy),
            ..Default::default()
        };
        store.dialogue_write(&write).expect("write");
        let (_, found) = state.load(&store, &idx).expect("load").expect("found");
        assert_eq!(
            found.id, d.id,
            "a dialogue in progress at the upgrade survives"
        );
        let resealed = idx.seal(&found).expect("seal");
        assert!(!String::from_utf8_lossy(&resealed).contains("blobid7"));
    }

    #[test]
    fn records_round_trip_and_name_their_version() {
        let d = DialogueV1::new(Lang::En, 5, 6);
        let bytes = d.encode().expect("encode");
        assert!(String::from_utf8_lossy(&bytes).contains("\"record\":\"wa-dialogue-v1\""));
        let back = DialogueV1::decode(&bytes).expect("decode");
        assert_eq!(back.lang(), Lang::En);
        assert_eq!(back.step, Step::Category);
    }
}
