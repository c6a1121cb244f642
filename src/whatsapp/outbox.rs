//! Outgoing messages wait here, in memory only (they name a phone number): one ordered queue per
//! sender, a bounded total, a few sends at a time, each retried with backoff. A message whose 24-hour
//! customer-service window has closed is dropped and counted, never sent.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;
use zeroize::Zeroizing;

use super::graph::{with_retries, Graph};
use super::reply::Reply;
use super::Counters;
use crate::protocol::day::unix_now;

/// Messages waiting in all queues together; beyond this, new ones are dropped (and counted).
pub(crate) const MAX_QUEUED: usize = 10_000;
const CONCURRENT_SENDS: usize = 4;
/// Margin before the end of the 24-hour window: a message that could not make it in time is dropped.
const WINDOW_MARGIN_SECS: u64 = 60;

/// One message to one reporter.
pub(crate) struct Outgoing {
    /// The WhatsApp id (phone number): memory only.
    pub to: Zeroizing<String>,
    /// Orders messages to the same sender (a process-local hash of `to`).
    pub group: [u8; 32],
    pub reply: Reply,
    /// Unix seconds after which Meta no longer accepts free-form messages to this user.
    pub window_until: u64,
}

pub(crate) struct Outbox {
    graph: Arc<Graph>,
    counters: Arc<Counters>,
    queues: Mutex<HashMap<[u8; 32], VecDeque<Outgoing>>>,
    queued: AtomicUsize,
    /// Queued plus being sent: what a shutdown waits for.
    unsent: AtomicUsize,
    sends: Semaphore,
}

impl Outbox {
    pub fn new(graph: Arc<Graph>, counters: Arc<Counters>) -> Self {
        Outbox {
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
            Ok(()) => Counters::add(&self.counters.sent),
            Err(e) => {
                Counters::add(&self.counters.send_failed);
                let code = e.code();
                if self.counters.first_this_hour(&code) {
                    tracing::warn!(
                        code = %code,
                        "whatsapp: a message could not be sent (further failures this hour are only counted)"
                    );
                }
            }
        }
    }
}
