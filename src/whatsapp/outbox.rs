//! Outgoing messages wait here, in memory only (they name a phone number): one ordered queue per
//! sender, a bounded total, a few sends at a time, each retried with backoff. A message whose 24-hour
//! customer-service window has closed is dropped and counted, never sent.
//!
//! A sent message is remembered (memory only, for an hour) by Meta's id, so that a later `failed`
//! delivery status can be acted on: logged by error code, sent once more when Meta's error allows
//! it, and — for the chat receipt — shown to investigators on the case (`WhatsApp::mark_undelivered`).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use super::graph::{with_retries, Graph, GraphError};
use super::payload::Address;
use super::reply::Reply;
use super::Counters;
use crate::protocol::day::unix_now;
use crate::protocol::CaseId;

/// Messages waiting in all queues together; beyond this, new ones are dropped (and counted).
pub(crate) const MAX_QUEUED: usize = 10_000;
const CONCURRENT_SENDS: usize = 4;
/// Margin before the end of the 24-hour window: a message that could not make it in time is dropped.
const WINDOW_MARGIN_SECS: u64 = 60;

/// How long a sent message is remembered for its delivery status.
const TRACK_SECS: u64 = 3600;
/// Sent messages remembered at once; beyond this the oldest are forgotten.
const MAX_TRACKED: usize = 10_000;
/// Times a message whose delivery failed for a passing reason is sent again.
const MAX_RESENDS: u32 = 1;

/// Meta's ids of the messages with buttons sent to one sender (newest last), and when the last was.
type Interactive = (Vec<String>, u64);

/// What to do when a case's chat message was not delivered: `(case, error code)`.
pub(crate) type OnUndelivered = Box<dyn Fn(CaseId, String) + Send + Sync>;

/// One message to one reporter.
#[derive(Clone)]
pub(crate) struct Outgoing {
    /// The reporter's address: memory only.
    pub to: Address,
    /// Orders messages to the same sender (a process-local hash of `to`).
    pub group: [u8; 32],
    pub reply: Reply,
    /// Unix seconds after which Meta no longer accepts free-form messages to this user.
    pub window_until: u64,
    /// The case this message is the chat receipt of: a failed delivery is shown on it.
    pub case: Option<CaseId>,
    /// How often it was sent again after a failed delivery.
    pub resends: u32,
}

impl Outgoing {
    pub(crate) fn new(to: Address, group: [u8; 32], reply: Reply, window_until: u64) -> Self {
        Outgoing {
            to,
            group,
            reply,
            window_until,
            case: None,
            resends: 0,
        }
    }
}

pub(crate) struct Outbox {
    graph: Arc<Graph>,
    counters: Arc<Counters>,
    queues: Mutex<HashMap<[u8; 32], VecDeque<Outgoing>>>,
    queued: AtomicUsize,
    /// Queued plus being sent: what a shutdown waits for.
    unsent: AtomicUsize,
    sends: Semaphore,
    /// Sent messages by Meta's id, with when they were sent.
    tracked: Mutex<HashMap<String, (Outgoing, u64)>>,
    /// Meta's ids of the messages with buttons or a list sent to each sender (by group), newest last,
    /// so that a tap on an older one is recognised as stale.
    last_interactive: Mutex<HashMap<[u8; 32], Interactive>>,
    on_undelivered: OnUndelivered,
}

impl Outbox {
    pub fn new(graph: Arc<Graph>, counters: Arc<Counters>, on_undelivered: OnUndelivered) -> Self {
        Outbox {
            tracked: Mutex::new(HashMap::new()),
            last_interactive: Mutex::new(HashMap::new()),
            on_undelivered,
            graph,
            counters,
            queues: Mutex::new(HashMap::new()),
            queued: AtomicUsize::new(0),
            unsent: AtomicUsize::new(0),
            sends: Semaphore::new(CONCURRENT_SENDS),
        }
    }

    /// Queues a message behind the sender's earlier ones. Call from within the async runtime.
    pub fn push(self: &Arc<Self>, message: Outgoing) {
        if self.queued.load(Ordering::Relaxed) >= MAX_QUEUED {
            Counters::add(&self.counters.dropped_full);
            return;
        }
        let group = message.group;
        let start = {
            let Ok(mut queues) = self.queues.lock() else {
                return;
            };
            self.queued.fetch_add(1, Ordering::Relaxed);
            self.unsent.fetch_add(1, Ordering::Relaxed);
            match queues.get_mut(&group) {
                Some(q) => {
                    q.push_back(message);
                    false
                }
                None => {
                    queues.insert(group, VecDeque::from([message]));
                    true
                }
            }
        };
        if start {
            let this = Arc::clone(self);
            tokio::spawn(async move { this.drain(group).await });
        }
    }

    /// Sends one sender's messages in order; the queue entry stays while a message is in flight, so
    /// messages pushed meanwhile are picked up here.
    async fn drain(self: Arc<Self>, group: [u8; 32]) {
        loop {
            let next = {
                let Ok(mut queues) = self.queues.lock() else {
                    return;
                };
                match queues.get_mut(&group).and_then(VecDeque::pop_front) {
                    Some(m) => m,
                    None => {
                        queues.remove(&group);
                        return;
                    }
                }
            };
            self.queued.fetch_sub(1, Ordering::Relaxed);
            self.send(next).await;
            self.unsent.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Messages not yet sent (or given up).
    pub(crate) fn unsent(&self) -> usize {
        self.unsent.load(Ordering::Relaxed)
    }

    async fn send(&self, m: Outgoing) {
        if unix_now() + WINDOW_MARGIN_SECS > m.window_until {
            Counters::add(&self.counters.dropped_window);
            return;
        }
        let Ok(_permit) = self.sends.acquire().await else {
            return;
        };
        let body = m.reply.to_json(&m.to);
        match with_retries(|| self.graph.send(&body)).await {
            Ok(id) => {
                Counters::add(&self.counters.sent);
                if let Some(id) = id {
                    if m.reply.is_interactive() {
                        self.note_interactive(m.group, &id);
                    }
                    self.track(id, m);
                }
            }
            Err(e) => {
                Counters::add(&self.counters.send_failed);
                let code = e.code();
                if self.counters.first_this_hour(&code) {
                    tracing::warn!(
                        code = %code,
                        "whatsapp: a message could not be sent (further failures this hour are only counted)"
                    );
                }
                if let Some(case) = m.case {
                    (self.on_undelivered)(case, code);
                }
            }
        }
    }

    fn note_interactive(&self, group: [u8; 32], id: &str) {
        let now = unix_now();
        if let Ok(mut last) = self.last_interactive.lock() {
            last.retain(|_, (_, at)| *at + TRACK_SECS * 24 >= now);
            if last.len() < MAX_TRACKED || last.contains_key(&group) {
                let entry = last.entry(group).or_insert_with(|| (Vec::new(), now));
                entry.0.push(id.to_owned());
                if entry.0.len() > 32 {
                    entry.0.remove(0);
                }
                entry.1 = now;
            }
        }
    }

    /// Whether a tap on message `context` is on a message with buttons that a newer one has replaced.
    /// An id we do not know (after a restart, or a message whose send is still being answered) is not
    /// stale.
    pub(crate) fn is_stale(&self, group: &[u8; 32], context: &str) -> bool {
        self.last_interactive
            .lock()
            .ok()
            .and_then(|last| {
                last.get(group).map(|(ids, _)| {
                    ids.split_last()
                        .is_some_and(|(_, older)| older.iter().any(|id| id == context))
                })
            })
            .unwrap_or(false)
    }

    fn track(&self, id: String, m: Outgoing) {
        let now = unix_now();
        let Ok(mut tracked) = self.tracked.lock() else {
            return;
        };
        tracked.retain(|_, (_, at)| *at + TRACK_SECS >= now);
        if tracked.len() >= MAX_TRACKED {
            let oldest = tracked
                .iter()
                .min_by_key(|(_, (_, at))| *at)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                tracked.remove(&k);
            }
        }
        tracked.insert(id, (m, now));
    }

    /// Meta reported that message `id` was not delivered (`code`: its first error code): logged by
    /// code, sent once more when the error is a passing one, else shown on the case it was the
    /// receipt of.
    pub(crate) fn failed(self: &Arc<Self>, id: &str, code: Option<i64>) {
        Counters::add(&self.counters.delivery_failed);
        let error = GraphError::Api { status: 200, code };
        let log_code = format!(
            "delivery-{}",
            code.map_or("unknown".to_owned(), |c| c.to_string())
        );
        if self.counters.first_this_hour(&log_code) {
            tracing::warn!(
                code = %log_code,
                "whatsapp: Meta reports a message as not delivered (further failures this hour are only counted)"
            );
        }
        let found = self.tracked.lock().ok().and_then(|mut t| t.remove(id));
        let Some((mut m, _)) = found else {
            return;
        };
        if error.retryable() && m.resends < MAX_RESENDS && unix_now() < m.window_until {
            m.resends += 1;
            self.push(m);
            return;
        }
        if let Some(case) = m.case {
            (self.on_undelivered)(case, log_code);
        }
    }
}
