//! Dialogue state (docs/design.md §9). On disk: one record per dialogue, keyed by a keyed hash of the sender
//! under a daily key (today's and yesterday's are kept, older ones deleted), holding only the step, the
//! answers sealed to the investigators, and the answers sealed again for the summary under a key that
//! exists only in this process's memory. Message ids are remembered as keyed hashes for 7 days.

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
use crate::intake::answers::Field;
use crate::intake::Lang;
use crate::protocol::day::Day;
use crate::store::{AttachmentRefV1, DialogueStore, StoreError};

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

/// A dialogue record. Versioned like every stored record (docs/design.md §7).
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
}

/// Where a sender's dialogue is, under today's key and (maybe) yesterday's.
pub(crate) struct Indexes {
    pub today: [u8; 32],
    pub yesterday: Option<[u8; 32]>,
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
            *guard = Some(Self::rotate_in_file(kf, store, today.clone())?);
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
        kf: &KeyFile,
        store: &dyn DialogueStore,
        today: Day,
    ) -> Result<DailyKeys, StoreError> {
        let yesterday_day = today.plus_days(-1);
        let mut slots = kf.load().map_err(StoreError::Io)?;
        for name in store.meta_keys(SENDER_KEY_PREFIX)? {
            let day = name.strip_prefix(SENDER_KEY_PREFIX).and_then(Day::parse);
            if let (Some(day), Some(bytes)) = (day, store.meta(&name)?) {
                if !slots.iter().any(|(d, _)| *d == day) {
                    slots.push((day, key_from(bytes)?));
                }
            }
            store.meta_remove(&name)?;
        }
        let find = |day: &Day| slots.iter().find(|(d, _)| d == day).map(|(_, k)| k.clone());
        let today_key = find(&today).unwrap_or_else(random_key);
        let yesterday = find(&yesterday_day);
        let mut keep = vec![(today.clone(), today_key.clone())];
        keep.extend(yesterday.clone().map(|k| (yesterday_day, k)));
        kf.store(&keep).map_err(StoreError::Io)?;
        Ok(DailyKeys {
            day: today,
            today: today_key,
            yesterday,
        })
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
        })
    }

    /// Finds the sender's dialogue: `(index it is stored at, record)`.
    pub(crate) fn load(
        &self,
        store: &dyn DialogueStore,
        idx: &Indexes,
    ) -> Result<Option<([u8; 32], DialogueV1)>, StoreError> {
        for index in std::iter::once(idx.today).chain(idx.yesterday) {
            if let Some(bytes) = store.dialogue(&index)? {
                // A record that cannot be read is treated as absent (and expires).
                if let Ok(d) = DialogueV1::decode(&bytes) {
                    return Ok(Some((index, d)));
                }
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
