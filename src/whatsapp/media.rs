//! The media worker: fetches a photo or document as soon as its message is stored (the download URL
//! lives five minutes; the media id is a capability at Meta for seven days, so it is never written
//! down), streams it through padding and age into a blob, checks Meta's sha256, and records it in the
//! dialogue — the digest only inside the sealed manifest entry. Then it tells the reporter.

use std::sync::Arc;

use zeroize::Zeroizing;

use super::dialogue::MediaRequest;
use super::graph::{digest_matches, with_retries};
use super::outbox::Outgoing;
use super::payload::Address;
use super::reply::Reply;
use super::state::{seal_summary, AnswerV1, Step};
use super::texts as t;
use super::{Counters, WhatsApp};
use crate::intake::answers::{seal_fragment, Field, Fragment};
use crate::intake::attachment::{AttachmentProblem, AttachmentSink, SealedAttachment};
use crate::intake::report::clean;
use crate::intake::submit::IntakeError;
use crate::intake::Lang;
use crate::protocol::day::{unix_now, Day};
use crate::store::{AttachmentRefV1, DialogueWrite};

/// A file to fetch for a dialogue. Held in memory only.
pub(crate) struct MediaJob {
    /// Whose dialogue it is (the identity `Inbound::from`).
    pub from: Zeroizing<String>,
    /// Where the answer goes.
    pub to: Address,
    pub dialogue: String,
    pub lang: Lang,
    pub window_until: u64,
    pub request: MediaRequest,
}

/// How a fetch ended.
pub(crate) enum Fetched {
    Stored(Box<SealedAttachment>),
    TooLarge,
    WrongType,
    /// The bytes do not match Meta's digest.
    Damaged,
    Failed,
    /// The queue was full: not fetched.
    Busy,
    /// A PDF or Office document while the server's document memory was in use
    /// (`[limits] document_memory_mb`).
    DocumentsBusy,
}

pub(crate) async fn worker(
    wa: Arc<WhatsApp>,
    rx: Arc<tokio::sync::Mutex<tokio::sync::mpsc::Receiver<MediaJob>>>,
) {
    loop {
        let job = { rx.lock().await.recv().await };
        let Some(job) = job else { return };
        let fetched = wa.fetch(&job).await;
        wa.complete(job, fetched).await;
    }
}

impl WhatsApp {
    /// Graph errors are logged by code only (never a number, url or content), once per code an hour.
    fn log_fetch_failure(&self, code: &str) {
        if self.counters.first_this_hour(code) {
            tracing::warn!(
                code = %code,
                "whatsapp: a file could not be fetched (further failures this hour are only counted)"
            );
        }
    }

    async fn fetch(&self, job: &MediaJob) -> Fetched {
        let r = &job.request;
        let info = match with_retries(|| self.graph.media_info(&r.media.media_id)).await {
            Ok(info) => info,
            Err(e) => {
                self.log_fetch_failure(&e.code());
                return Fetched::Failed;
            }
        };
        if info.file_size.is_some_and(|n| n > r.limit) {
            return Fetched::TooLarge;
        }
        let mut response = match with_retries(|| self.graph.download(&info.url)).await {
            Ok(r) => r,
            Err(e) => {
                self.log_fetch_failure(&e.code());
                return Fetched::Failed;
            }
        };
        if response.content_length().is_some_and(|n| n > r.limit) {
            return Fetched::TooLarge;
        }
        let mut sink = AttachmentSink::new(&self.intake, &r.name, r.limit);
        let mut received: u64 = 0;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    received += chunk.len() as u64;
                    if received > r.limit {
                        // Stop downloading at once; dropping the sink deletes its temporary file.
                        return Fetched::TooLarge;
                    }
                    // Padding, age and the file write: keep them off the async threads' schedule.
                    tokio::task::block_in_place(|| sink.write(&chunk));
                }
                Ok(None) => break,
                Err(_) => return Fetched::Failed,
            }
        }
        let sealed = match tokio::task::spawn_blocking(move || sink.finish()).await {
            Ok(Ok(s)) => s,
            Ok(Err((_, AttachmentProblem::TooLarge))) => return Fetched::TooLarge,
            Ok(Err((_, AttachmentProblem::Type))) => return Fetched::WrongType,
            Ok(Err((_, AttachmentProblem::DocumentsBusy))) => return Fetched::DocumentsBusy,
            _ => return Fetched::Failed,
        };
        // Meta's digest is of the file as sent, before photo metadata was removed.
        let ours = sealed.original_sha256;
        let meta = if r.media.sha256.trim().is_empty() {
            info.sha256.unwrap_or_default()
        } else {
            r.media.sha256.clone()
        };
        if !digest_matches(&meta, &ours) {
            return Fetched::Damaged;
        }
        Fetched::Stored(Box::new(sealed))
    }

    pub(super) async fn refuse_busy(self: Arc<Self>, job: MediaJob) {
        self.complete(job, Fetched::Busy).await;
    }

    /// Records the outcome in the dialogue and tells the reporter.
    async fn complete(self: &Arc<Self>, job: MediaJob, fetched: Fetched) {
        let this = Arc::clone(self);
        let to = job.to.clone();
        let group = self.state.local_hash(&job.from);
        let window_until = job.window_until;
        let reply = tokio::task::spawn_blocking(move || this.record(&job, fetched)).await;
        let reply = match reply {
            Ok(Ok(r)) => r,
            _ => {
                Counters::add(&self.counters.faults);
                None
            }
        };
        if let Some(reply) = reply {
            self.outbox
                .push(Outgoing::new(to, group, reply, window_until));
        }
    }

    /// Blocking: under the sender's lock, commits the blob and adds it to the dialogue (or drops it
    /// when the dialogue ended meanwhile). Returns what to tell the reporter.
    fn record(&self, job: &MediaJob, fetched: Fetched) -> Result<Option<Reply>, IntakeError> {
        let store = self.intake.dialogues();
        let now = unix_now();
        let today = Day::today();
        let _sender = self.state.lock_sender(&job.from);
        let idx = self.state.indexes(store, &job.from)?;
        let Some((at, mut d)) = self
            .state
            .load(store, &idx)?
            .filter(|(_, d)| d.id == job.dialogue)
        else {
            // Cancelled, confirmed or expired meanwhile: the file is not kept.
            return Ok(None);
        };
        d.pending_media = d.pending_media.saturating_sub(1);
        d.updated = now;
        let l = job.lang;
        let name = &job.request.name;
        let left_mb = self.max_upload_bytes.saturating_sub(d.attachment_bytes()) / (1024 * 1024);
        let mut committed = None;
        let text = match fetched {
            Fetched::Stored(sealed)
                if d.attachment_bytes() + sealed.entry.ciphertext_len > self.max_upload_bytes =>
            {
                Counters::add(&self.counters.media_refused);
                t::file_too_large(l, name, left_mb)
            }
            Fetched::Stored(sealed) => {
                let sealed = *sealed;
                let entry = sealed.entry.clone();
                let id = sealed
                    .blob
                    .commit(&today)
                    .map_err(crate::store::StoreError::Io)?;
                committed = Some(id.clone());
                let (key, _) = self.state.summary_key(&d.id, now);
                let mut f = Fragment::new(&d.id, Field::Attachment, &today);
                let summary = format!("{} ({} KB)", entry.name, entry.size.div_ceil(1024));
                f.attachment = Some(entry.clone());
                let fragment = seal_fragment(&f, &self.recipients()).map_err(|_| IntakeError::Seal);
                let fragment = match fragment {
                    Ok(f) => f,
                    Err(e) => {
                        let _ = self.intake.blobs().remove(&id);
                        return Err(e);
                    }
                };
                // Sealed before the file is recorded, so that a failure leaves neither.
                let caption = job.request.media.caption.as_deref().map(clean);
                let mut caption_note = None;
                if let Some(caption) = caption.filter(|c| !c.is_empty()) {
                    let text = format!("{}: {caption}", job.request.name);
                    let mut f = Fragment::new(&d.id, Field::Evidence, &today);
                    f.text = text.clone();
                    let Ok(sealed) = seal_fragment(&f, &self.recipients()) else {
                        let _ = self.intake.blobs().remove(&id);
                        return Err(IntakeError::Seal);
                    };
                    caption_note = Some(AnswerV1 {
                        field: Field::Evidence,
                        sealed: data_encoding::BASE64.encode(&sealed),
                        summary: seal_summary(&key, &d.id, &text),
                        blob: None,
                    });
                }
                d.answers.push(AnswerV1 {
                    field: Field::Attachment,
                    sealed: data_encoding::BASE64.encode(&fragment),
                    summary: seal_summary(&key, &d.id, &summary),
                    blob: Some(AttachmentRefV1 {
                        id,
                        ciphertext_len: entry.ciphertext_len,
                        ciphertext_sha256: entry.ciphertext_sha256,
                    }),
                });
                if let Some(note) = caption_note {
                    d.answers.push(note);
                }
                Counters::add(&self.counters.media_stored);
                t::file_stored(l, &entry.name, d.count(Field::Attachment))
            }
            Fetched::TooLarge => {
                Counters::add(&self.counters.media_refused);
                t::file_too_large(l, name, left_mb)
            }
            Fetched::WrongType => {
                Counters::add(&self.counters.media_refused);
                t::file_wrong_type(l, name)
            }
            Fetched::Damaged => {
                Counters::add(&self.counters.media_failed);
                t::file_damaged(l, name)
            }
            Fetched::Failed => {
                Counters::add(&self.counters.media_failed);
                t::file_failed(l, name)
            }
            Fetched::Busy => {
                Counters::add(&self.counters.media_refused);
                t::busy(l).to_owned()
            }
            // The dialogue goes on: the reporter sends the file again later.
            Fetched::DocumentsBusy => {
                Counters::add(&self.counters.media_busy);
                t::busy(l).to_owned()
            }
        };
        let bytes = idx.seal(&d)?;
        let write = DialogueWrite {
            index: idx.today,
            record: Some(&bytes),
            remove: Some(at).filter(|a| *a != idx.today),
            seen: &[],
        };
        if let Err(e) = store.dialogue_write(&write) {
            if let Some(id) = committed {
                let _ = self.intake.blobs().remove(&id);
            }
            return Err(e.into());
        }
        Ok(Some(if d.step == Step::Evidence {
            Reply::buttons(text, &[t::next_button(l)])
        } else {
            Reply::Text(text)
        }))
    }

    pub(super) fn recipients(&self) -> Vec<age::x25519::Recipient> {
        self.intake
            .investigators()
            .iter()
            .map(|i| i.recipient.clone())
            .collect()
    }
}
