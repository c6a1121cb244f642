//! One webhook delivery, message by message, under each sender's lock: forget duplicates, run the
//! dialogue step, seal and store (flushed) — and only then hand back what to send and fetch. A message
//! whose effects could not be stored makes the delivery fail (500), so Meta delivers it again.

use std::sync::Arc;

use super::dialogue::{self, Ctx, End, MediaRequest};
use super::media::MediaJob;
use super::outbox::Outgoing;
use super::payload::{Address, InKind, Inbound};
use super::prompts::PromptInfo;
use super::reply::{merge, Reply};
use super::state::{DialogueV1, DIALOGUE_TTL_SECS, SEEN_TTL_SECS};
use super::texts as t;
use super::{finish, Counters, WhatsApp};
use crate::intake::submit::IntakeError;
use crate::protocol::day::{unix_now, Day};
use crate::protocol::CaseId;
use crate::store::DialogueWrite;

/// Meta accepts free-form messages for 24 hours after the user's last message.
pub(crate) const WINDOW_SECS: u64 = 24 * 3600;

/// When a message id may be forgotten: 7 days on, rounded up to the next midnight (UTC), so that the
/// stored expiry says no more than the day the message was handled (issue 11).
pub(crate) fn seen_expiry(now: u64) -> u64 {
    const DAY: u64 = 24 * 3600;
    (now + SEEN_TTL_SECS).div_ceil(DAY) * DAY
}

/// Replies to one sender, from one message.
pub(crate) struct Sends {
    pub to: Address,
    pub group: [u8; 32],
    pub window_until: u64,
    pub replies: Vec<Reply>,
    /// The case whose chat receipt these replies carry.
    pub case: Option<CaseId>,
}

/// What stored messages leave to do.
#[derive(Default)]
pub(crate) struct Effects {
    pub sends: Vec<Sends>,
    pub media: Vec<MediaJob>,
}

impl WhatsApp {
    fn info(&self) -> PromptInfo {
        PromptInfo {
            max_attachments: self.max_attachments,
            max_upload_mb: self.max_upload_bytes / (1024 * 1024),
        }
    }

    pub(super) fn form_url(&self) -> String {
        t::site(
            self.config.public_url.as_deref(),
            "/lapor",
            crate::intake::Lang::Id,
        )
    }

    /// Processes a delivery's messages in order (blocking: sealing, Argon2, fsync). Returns the
    /// effects of every message that was stored, and whether all were.
    pub(super) fn process(&self, messages: Vec<Inbound>) -> (Effects, bool) {
        let mut fx = Effects::default();
        let mut all = true;
        for msg in &messages {
            Counters::add(&self.counters.messages);
            if self.process_one(msg, &mut fx).is_err() {
                Counters::add(&self.counters.faults);
                all = false;
            }
        }
        (fx, all)
    }

    fn process_one(&self, msg: &Inbound, fx: &mut Effects) -> Result<(), IntakeError> {
        let store = self.intake.dialogues();
        let now = unix_now();
        let today = Day::today();
        if msg.ts.saturating_add(SEEN_TTL_SECS) < now {
            // Older than the ids we remember: a replayed delivery. Nothing to do or answer.
            Counters::add(&self.counters.duplicates);
            return Ok(());
        }
        let _sender = self.state.lock_sender(&msg.from);
        let seen = self.state.seen_hash(store, &msg.id)?;
        if store.seen(&seen)? {
            Counters::add(&self.counters.duplicates);
            return Ok(());
        }
        let marks = [(seen, seen_expiry(now))];
        let idx = self.state.indexes(store, &msg.from)?;
        let mut found = self.state.load(store, &idx)?;
        if let InKind::UserIdChanged(new_id) = &msg.kind {
            // Meta gave the user a new business-scoped id: the dialogue moves to the new id's
            // index (keyed like every index, so nothing about either id is stored in clear).
            if let Some((at, d)) = found {
                let to = self.state.indexes(store, new_id)?;
                self.write(&to.today, Some(&to.seal(&d)?), Some(at), &marks)?;
            }
            return Ok(());
        }
        if let Some((at, d)) = found.take() {
            if d.updated + DIALOGUE_TTL_SECS < now {
                // Expired (its window closed): deleted now; this message starts afresh.
                self.write(&at, None, None, &[])?;
                self.state.forget(&d.id);
                Counters::add(&self.counters.expired);
                for b in d.blobs() {
                    let _ = self.intake.blobs().remove(&b.id);
                }
            } else {
                found = Some((at, d));
            }
        }
        let old_index = found.as_ref().map(|(i, _)| *i);
        if found.as_ref().is_some_and(|(_, d)| msg.ts < d.last_ts) {
            Counters::add(&self.counters.late);
        }
        let recipients: Vec<_> = self
            .intake
            .investigators()
            .iter()
            .map(|i| i.recipient.clone())
            .collect();
        let ctx = Ctx {
            intake: &self.intake,
            state: &self.state,
            recipients: &recipients,
            today: &today,
            now,
            max_attachments: self.max_attachments,
            max_upload_bytes: self.max_upload_bytes,
            media_room: self.media_tx.capacity(),
            form_url: self.form_url(),
            stale_choice: matches!(msg.kind, InKind::Choice(_))
                && msg
                    .context
                    .as_deref()
                    .is_some_and(|c| self.outbox.is_stale(&self.state.local_hash(&msg.from), c)),
        };
        let record = found.as_ref().map(|(_, d)| d.clone());
        let turn = dialogue::handle(&ctx, record, msg, &self.info())?;
        let moved = old_index.filter(|i| *i != idx.today);
        let mut replies = turn.replies;
        let mut jobs = Vec::new();
        let mut case = None;
        match turn.end {
            End::Unchanged => {
                let bytes = match &found {
                    Some((_, d)) => Some(idx.seal(d)?),
                    None => None,
                };
                self.write(&idx.today, bytes.as_deref(), moved, &marks)?;
            }
            End::Keep(d) => {
                self.write(&idx.today, Some(&idx.seal(&d)?), moved, &marks)?;
                jobs = self.jobs(msg, &d, turn.media);
            }
            End::Delete(d) => {
                self.write(&idx.today, None, moved, &marks)?;
                self.state.forget(&d.id);
                Counters::add(&self.counters.cancelled);
            }
            End::Confirm(d) => {
                let write = DialogueWrite {
                    index: idx.today,
                    record: None,
                    remove: moved,
                    seen: &marks,
                };
                match finish::create_case(self, &d, &msg.to, &today, &write) {
                    Ok(done) => {
                        self.state.forget(&d.id);
                        Counters::add(&self.counters.cases);
                        let l = d.lang();
                        let pantau = t::site(self.config.public_url.as_deref(), "/pantau", l);
                        let mut text = t::stored(
                            l,
                            done.case_id.as_str(),
                            &done.receipt.grouped(),
                            &pantau,
                            self.config.acknowledge_working_days,
                        );
                        if d.anonymous == Some(true) {
                            text.push_str("\n\n");
                            text.push_str(t::anonymous_note(l));
                        }
                        text.push_str("\n\n");
                        text.push_str(t::history_warning(l));
                        replies = vec![Reply::Text(text)];
                        case = Some(done.case_id.clone());
                    }
                    Err(_) => {
                        // Nothing was stored: the answers stay, the reporter may try again.
                        Counters::add(&self.counters.faults);
                        self.write(&idx.today, Some(&idx.seal(&d)?), moved, &marks)?;
                        replies = vec![Reply::text(t::store_failed(d.lang()))];
                    }
                }
            }
        }
        for id in &turn.drop_blobs {
            let _ = self.intake.blobs().remove(id);
        }
        if !replies.is_empty() {
            fx.sends.push(Sends {
                to: msg.to.clone(),
                group: self.state.local_hash(&msg.from),
                window_until: msg.ts.saturating_add(WINDOW_SECS),
                replies,
                case,
            });
        }
        fx.media.extend(jobs);
        Ok(())
    }

    fn write(
        &self,
        index: &[u8; 32],
        record: Option<&[u8]>,
        remove: Option<[u8; 32]>,
        seen: &[([u8; 32], u64)],
    ) -> Result<(), IntakeError> {
        let write = DialogueWrite {
            index: *index,
            record,
            remove,
            seen,
        };
        Ok(self.intake.dialogues().dialogue_write(&write)?)
    }

    fn jobs(&self, msg: &Inbound, d: &DialogueV1, media: Vec<MediaRequest>) -> Vec<MediaJob> {
        media
            .into_iter()
            .map(|request| MediaJob {
                from: msg.from.clone(),
                to: msg.to.clone(),
                dialogue: d.id.clone(),
                lang: d.lang(),
                window_until: msg.ts.saturating_add(WINDOW_SECS),
                request,
            })
            .collect()
    }

    /// Queues what stored messages left to do: replies (merged per sender) and media fetches.
    pub(super) fn dispatch(self: &Arc<Self>, fx: Effects) {
        let mut merged: Vec<Sends> = Vec::new();
        for s in fx.sends {
            match merged.iter_mut().find(|m| m.group == s.group) {
                Some(m) => {
                    m.replies.extend(s.replies);
                    m.case = m.case.take().or(s.case);
                    m.window_until = m.window_until.max(s.window_until);
                }
                None => merged.push(s),
            }
        }
        for s in merged {
            for reply in merge(s.replies) {
                let mut out = Outgoing::new(s.to.clone(), s.group, reply, s.window_until);
                // Any message carrying the receipt text is the receipt (merging may join it).
                out.case = s.case.clone();
                self.outbox.push(out);
            }
        }
        for job in fx.media {
            if let Err(e) = self.media_tx.try_send(job) {
                let job = match e {
                    tokio::sync::mpsc::error::TrySendError::Full(j)
                    | tokio::sync::mpsc::error::TrySendError::Closed(j) => j,
                };
                let this = Arc::clone(self);
                tokio::spawn(async move { this.refuse_busy(job).await });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_expiries_say_only_the_day() {
        let day = 24 * 3600;
        let a = seen_expiry(20_000 * day + 5);
        let b = seen_expiry(20_000 * day + day - 5);
        assert_eq!(a, b, "two times of one day store the same expiry");
        assert_eq!(a % day, 0);
        assert!(a >= 20_000 * day + 5 + SEEN_TTL_SECS);
    }
}
