//! WhatsApp Center WBS: the WhatsApp Business Cloud API channel (docs/design.md §9, docs/whatsapp.md).
//!
//! - `webhook`: the two routes (the `hub.challenge` handshake; signed events), answered fast.
//! - `process`: each message, under its sender's lock: dedupe, the dialogue step, sealing, storing.
//! - `dialogue`, `steps`, `prompts`, `texts`: the intake conversation (Bahasa Indonesia / English).
//! - `state`: dialogue records (keyed by a keyed hash of the sender under a daily key), summary keys.
//! - `finish`: the confirmed dialogue becomes a case (its one-time receipt is replaced at the first
//!   web login: `intake::rekey`).
//! - `graph`, `outbox`, `media`: the Graph API client, the in-memory send queue, the media worker.

mod dialogue;
mod finish;
pub(crate) mod graph;
mod keyfile;
mod media;
pub(crate) mod news;
mod outbox;
mod payload;
mod process;
mod prompts;
mod record;
mod reply;
mod state;
mod steps;
mod texts;
pub(crate) mod version;
pub(crate) mod webhook;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::config::WhatsAppConfig;
use crate::intake::submit::Intake;
use crate::protocol::day::unix_now;
use crate::protocol::day::Day;
use crate::protocol::wire::ChatUndelivered;
use crate::protocol::CaseId;
use crate::store::{DialogueStore, MetaStore, StoreError};

pub(crate) use webhook::routes;

/// Photos and documents waiting to be fetched, in all dialogues together.
const MEDIA_QUEUE: usize = 64;
const MEDIA_WORKERS: usize = 2;
const PRUNE_EVERY: Duration = Duration::from_secs(600);
/// The fixed-size identity block holds the name sealed to every investigator: this many fit
/// (`finish` tests the worst case).
pub(crate) const MAX_INVESTIGATORS: usize = 16;

/// What the channel counts instead of logging (docs/design.md §6): reported hourly, then reset.
#[derive(Default)]
pub(crate) struct Counters {
    pub messages: AtomicU64,
    pub duplicates: AtomicU64,
    pub late: AtomicU64,
    pub statuses: AtomicU64,
    pub foreign: AtomicU64,
    pub sent: AtomicU64,
    pub send_failed: AtomicU64,
    /// Messages Meta accepted but then reported as not delivered.
    pub delivery_failed: AtomicU64,
    pub dropped_window: AtomicU64,
    pub dropped_full: AtomicU64,
    pub media_stored: AtomicU64,
    pub media_refused: AtomicU64,
    pub media_failed: AtomicU64,
    /// Documents refused because the server's document memory was in use.
    pub media_busy: AtomicU64,
    pub cases: AtomicU64,
    pub cancelled: AtomicU64,
    pub expired: AtomicU64,
    pub faults: AtomicU64,
    /// Error codes already logged this hour: each is logged once, then only counted.
    logged: Mutex<HashSet<String>>,
}

impl Counters {
    pub(crate) fn add(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn add_n(c: &AtomicU64, n: usize) {
        c.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// Whether `code` is new this hour (and should be logged).
    pub(crate) fn first_this_hour(&self, code: &str) -> bool {
        self.logged
            .lock()
            .map(|mut seen| seen.len() < 100 && seen.insert(code.to_owned()))
            .unwrap_or(false)
    }

    fn take(c: &AtomicU64) -> u64 {
        c.swap(0, Ordering::Relaxed)
    }

    fn report(&self) {
        let counts = [
            Self::take(&self.messages),
            Self::take(&self.duplicates),
            Self::take(&self.late),
            Self::take(&self.statuses),
            Self::take(&self.foreign),
            Self::take(&self.sent),
            Self::take(&self.send_failed),
            Self::take(&self.delivery_failed),
            Self::take(&self.dropped_window),
            Self::take(&self.dropped_full),
            Self::take(&self.media_stored),
            Self::take(&self.media_refused),
            Self::take(&self.media_failed),
            Self::take(&self.media_busy),
            Self::take(&self.cases),
            Self::take(&self.cancelled),
            Self::take(&self.expired),
            Self::take(&self.faults),
        ];
        if let Ok(mut seen) = self.logged.lock() {
            seen.clear();
        }
        if counts.iter().all(|n| *n == 0) {
            return;
        }
        let [messages, duplicates, late, statuses, foreign, sent, send_failed, delivery_failed, dropped_window, dropped_full, media_stored, media_refused, media_failed, media_busy, cases, cancelled, expired, faults] =
            counts;
        tracing::info!(
            messages,
            duplicates,
            late,
            statuses,
            foreign,
            sent,
            send_failed,
            delivery_failed,
            dropped_window,
            dropped_full,
            media_stored,
            media_refused,
            media_failed,
            media_busy,
            cases,
            cancelled,
            expired,
            faults,
            "whatsapp hourly count"
        );
    }
}

/// The channel: configuration, the intake it feeds, and its in-memory state and queues.
pub struct WhatsApp {
    config: WhatsAppConfig,
    intake: Arc<Intake>,
    graph: Arc<graph::Graph>,
    state: state::State,
    outbox: Arc<outbox::Outbox>,
    media_tx: mpsc::Sender<media::MediaJob>,
    media_rx: Mutex<Option<mpsc::Receiver<media::MediaJob>>>,
    counters: Arc<Counters>,
    max_upload_bytes: u64,
    max_attachments: usize,
}

impl WhatsApp {
    /// The business number as the office publishes it, for the home page.
    pub(crate) fn display_number(&self) -> Option<&str> {
        self.config.display_number.as_deref()
    }

    /// Sets the channel up (nothing runs until `start`).
    pub fn new(
        config: WhatsAppConfig,
        intake: Arc<Intake>,
        max_upload_bytes: u64,
        max_attachments: usize,
        data_dir: &std::path::Path,
    ) -> Result<Arc<Self>, String> {
        if intake.investigators().len() > MAX_INVESTIGATORS {
            return Err(format!(
                "a chat report's identity block holds a name sealed to at most {MAX_INVESTIGATORS} investigator keys; remove keys from keys/ or turn the channel off"
            ));
        }
        if let Some(w) = version::warning(
            &config.graph_api_version,
            &crate::protocol::day::Day::today(),
        ) {
            tracing::warn!("whatsapp: {w}");
        }
        let graph = Arc::new(graph::Graph::new(&config)?);
        let counters = Arc::new(Counters::default());
        let marker = intake.clone();
        let on_undelivered: outbox::OnUndelivered = Box::new(move |case, code| {
            let intake = marker.clone();
            // Called from the outbox's tasks: the store write blocks (flush).
            tokio::task::spawn_blocking(move || mark_undelivered(intake.dialogues(), &case, &code));
        });
        let (media_tx, media_rx) = mpsc::channel(MEDIA_QUEUE);
        Ok(Arc::new(WhatsApp {
            outbox: Arc::new(outbox::Outbox::new(
                graph.clone(),
                counters.clone(),
                on_undelivered,
            )),
            config,
            intake,
            graph,
            state: state::State::with_key_file(data_dir),
            media_tx,
            media_rx: Mutex::new(Some(media_rx)),
            counters,
            max_upload_bytes,
            max_attachments,
        }))
    }

    /// Starts the media workers, the hourly count and the expiry of old dialogues. Call once, inside
    /// the runtime.
    pub(crate) fn start(self: &Arc<Self>) {
        let rx = self.media_rx.lock().ok().and_then(|mut r| r.take());
        if let Some(rx) = rx {
            let rx = Arc::new(tokio::sync::Mutex::new(rx));
            for _ in 0..MEDIA_WORKERS {
                tokio::spawn(media::worker(self.clone(), rx.clone()));
            }
        }
        let this = self.clone();
        tokio::spawn(async move {
            let mut prune = tokio::time::interval(PRUNE_EVERY);
            let mut hours = 0u32;
            loop {
                prune.tick().await;
                let worker = this.clone();
                let _ = tokio::task::spawn_blocking(move || worker.prune(unix_now())).await;
                hours += 1;
                if hours.is_multiple_of(6) {
                    this.counters.report();
                }
            }
        });
    }

    /// At shutdown: waits (at most `max`) for the replies still queued, which live only in memory.
    pub(crate) async fn wind_down(&self, max: Duration) {
        let deadline = tokio::time::Instant::now() + max;
        while self.outbox.unsent() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.counters.report();
    }

    /// Deletes dialogues without activity for `DIALOGUE_TTL_SECS` (their blobs too), forgets old
    /// message ids and wipes summary keys that outlived their dialogue.
    fn prune(&self, now: u64) {
        let store = self.intake.dialogues();
        let today = Day::from_unix(now);
        // Overwrites the key of the day before yesterday even on a day without messages.
        if self.state.rotate(store, today.clone()).is_err() {
            Counters::add(&self.counters.faults);
        }
        let Ok(records) = store.dialogues() else {
            Counters::add(&self.counters.faults);
            return;
        };
        for (index, bytes) in records {
            // A record whose day key is gone cannot be read, nor reached: it goes too.
            let record = self
                .state
                .open_stored(store, &index, &bytes, today.clone())
                .ok()
                .flatten();
            // A margin past the expiry: a message handled at this moment treats the record as gone.
            let expired = record
                .as_ref()
                .is_none_or(|d| d.updated + state::DIALOGUE_TTL_SECS + 600 < now);
            if !expired {
                continue;
            }
            let write = crate::store::DialogueWrite {
                index,
                ..Default::default()
            };
            if store.dialogue_write(&write).is_err() {
                Counters::add(&self.counters.faults);
                continue;
            }
            Counters::add(&self.counters.expired);
            if let Some(d) = record {
                self.state.forget(&d.id);
                for b in d.blobs() {
                    let _ = self.intake.blobs().remove(&b.id);
                }
            }
        }
        // Files of dialogues deleted when their day's key was overwritten.
        for id in self.state.take_orphans() {
            let _ = self.intake.blobs().remove(&id);
        }
        self.state.expire(now);
        if store.forget_seen(now).is_err() {
            Counters::add(&self.counters.faults);
        }
    }
}

const UNDELIVERED_PREFIX: &str = "whatsapp/undelivered/";

/// Notes on the case that its chat receipt was not delivered: the day and the error code, nothing
/// about the reporter. The first failure is kept.
fn mark_undelivered(store: &dyn MetaStore, case: &CaseId, code: &str) {
    let value = format!("{} {code}", Day::today().as_str());
    let key = format!("{UNDELIVERED_PREFIX}{}", case.as_str());
    if store.meta_init(&key, value.as_bytes()).is_err() {
        tracing::warn!("whatsapp: could not note an undelivered chat receipt on its case");
    }
}

/// Whether a case's chat receipt was not delivered (for the investigators' view of the case).
pub(crate) fn undelivered(store: &dyn MetaStore, case: &CaseId) -> Option<ChatUndelivered> {
    let bytes = store
        .meta(&format!("{UNDELIVERED_PREFIX}{}", case.as_str()))
        .ok()??;
    let text = String::from_utf8(bytes).ok()?;
    let (day, code) = text.split_once(' ')?;
    Some(ChatUndelivered {
        day: Day::parse(day)?,
        code: code.to_owned(),
    })
}

/// At start-up, before orphaned blobs are swept: deletes expired or unreadable dialogue records and
/// returns the blobs the remaining ones hold (photos fetched for dialogues still in progress). Sealed
/// records are opened with the daily keys of `data_dir`'s key file.
///
/// What an earlier version left is migrated here: its daily keys move from sled to the key file, and
/// its plain records are sealed (or deleted when expired). Both are then only gone from sled's trees,
/// not its log, so the migration asks for a compaction, which `server::prepare` runs before serving
/// (docs/design.md §7, §9).
pub(crate) fn prepare_store(
    store: &dyn DialogueStore,
    data_dir: &std::path::Path,
    now: u64,
) -> Result<HashSet<String>, StoreError> {
    let mut keep = HashSet::new();
    let records = store.dialogues()?;
    let today = Day::from_unix(now);
    let legacy_keys = state::State::legacy_keys_in(store)?;
    // No key file is made for a server without dialogues (WhatsApp may be off), unless an earlier
    // version's keys are to be moved into one.
    let keys = (!records.is_empty() || legacy_keys).then(|| state::State::with_key_file(data_dir));
    if let (Some(k), true) = (&keys, legacy_keys) {
        k.rotate(store, today.clone())?;
    }
    let mut migrated = false;
    for (index, bytes) in records {
        let plain = matches!(record::parse_stored(&bytes), Some(record::Stored::Plain(_)));
        migrated |= plain;
        let record = match &keys {
            Some(k) => k.open_stored(store, &index, &bytes, today.clone())?,
            None => None,
        };
        match (record, &keys) {
            (Some(d), Some(k)) if d.updated + state::DIALOGUE_TTL_SECS >= now => {
                keep.extend(d.blobs().map(|b| b.id.clone()));
                if plain {
                    let sealed = k.reseal_at(store, &index, &d, today.clone())?;
                    store.dialogue_write(&crate::store::DialogueWrite {
                        index,
                        record: Some(&sealed),
                        ..Default::default()
                    })?;
                }
            }
            _ => store.dialogue_write(&crate::store::DialogueWrite {
                index,
                ..Default::default()
            })?,
        }
    }
    if migrated {
        store.request_compaction()?;
    }
    store.forget_seen(now)?;
    Ok(keep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::Lang;
    use crate::store::{files_with, AttachmentRefV1, DialogueStore, DialogueWrite, SledStore};

    #[test]
    fn start_up_keeps_the_blobs_of_live_dialogues_and_deletes_expired_ones() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = SledStore::open(dir.path(), 1 << 20).expect("store");
        let now = 10 * state::DIALOGUE_TTL_SECS;
        let mut live = state::DialogueV1::new(Lang::Id, 1, now - 60);
        live.answers.push(state::AnswerV1 {
            field: crate::intake::answers::Field::Attachment,
            sealed: String::new(),
            summary: String::new(),
            blob: Some(AttachmentRefV1 {
                id: "live".into(),
                ciphertext_len: 1,
                ciphertext_sha256: String::new(),
            }),
        });
        let mut old = live.clone();
        old.updated = now - state::DIALOGUE_TTL_SECS - 1;
        old.answers[0].blob.as_mut().expect("blob").id = "old".into();
        for (i, d) in [(1u8, &live), (2, &old)] {
            let bytes = d.encode().expect("encode");
            let write = DialogueWrite {
                index: [i; 32],
                record: Some(&bytes),
                ..Default::default()
            };
            store.dialogue_write(&write).expect("write");
        }
        let keep = prepare_store(&store, dir.path(), now).expect("prepare");
        assert_eq!(
            keep.into_iter().collect::<Vec<_>>(),
            vec!["live".to_owned()]
        );
        assert_eq!(store.dialogues().expect("list").len(), 1);
    }

    #[test]
    fn start_up_seals_an_earlier_versions_records_and_compaction_removes_their_old_bytes() {
        let dir = tempfile::tempdir().expect("tmp");
        let store_dir = dir.path().join("store");
        let store = crate::store::LiveStore::open(&store_dir, 1 << 20).expect("store");
        let now = unix_now();
        let (today, yesterday) = (Day::from_unix(now), Day::from_unix(now).plus_days(-1));
        // An earlier version, yesterday: its daily key in sled, a plain record at the sender's index.
        let phone = "6281234567890";
        let old = state::State::default()
            .indexes_on(&store, phone, yesterday)
            .expect("legacy index");
        let mut d = state::DialogueV1::new(Lang::Id, now - 120, now - 60);
        d.answers.push(state::AnswerV1 {
            field: crate::intake::answers::Field::Attachment,
            sealed: String::new(),
            summary: String::new(),
            blob: Some(AttachmentRefV1 {
                id: "legacyblob3c9e".into(),
                ciphertext_len: 1,
                ciphertext_sha256: String::new(),
            }),
        });
        let plain = d.encode().expect("v1");
        store
            .dialogue_write(&DialogueWrite {
                index: old.today,
                record: Some(&plain),
                ..Default::default()
            })
            .expect("write");
        let key_names = store.meta_keys("whatsapp/sender-key/").expect("keys");
        assert_eq!(key_names.len(), 1);
        let legacy_key = store.meta(&key_names[0]).expect("key").expect("there");
        assert!(!files_with(&store_dir, b"legacyblob3c9e").is_empty());
        assert!(!files_with(&store_dir, &legacy_key).is_empty());

        let keep = prepare_store(&store, dir.path(), now).expect("prepare");
        assert_eq!(
            keep.into_iter().collect::<Vec<_>>(),
            vec!["legacyblob3c9e".to_owned()]
        );
        assert!(store
            .meta_keys("whatsapp/sender-key/")
            .expect("keys")
            .is_empty());
        assert!(store.compaction_pending().expect("pending"));
        store.compact_now().expect("compact");
        // Neither the plain record nor the key that tests a number against its index is left in
        // sled's files (the key now lives only in the key file, overwritten in place).
        assert_eq!(
            files_with(&store_dir, b"legacyblob3c9e"),
            Vec::<std::path::PathBuf>::new()
        );
        assert_eq!(
            files_with(&store_dir, &legacy_key),
            Vec::<std::path::PathBuf>::new()
        );
        // The sender still finds the dialogue, at yesterday's index, sealed under today's key.
        let state = state::State::with_key_file(dir.path());
        let idx = state.indexes_on(&store, phone, today).expect("index");
        assert_eq!(idx.yesterday, Some(old.today));
        let (at, found) = state.load(&store, &idx).expect("load").expect("found");
        assert_eq!((at, found.id), (old.today, d.id));
    }
}
