//! The receipt page, and why the browser cannot lose it (docs/design.md §4, "Receipt replay").
//!
//! The receipt is shown only in the direct response to the POST of the form. A browser repeats that
//! POST on a double tap, on reload, and on Back to the receipt page (the page is `no-store`, so Back
//! asks to send the form again). Each repeat carries the same single-use form token, so for a short
//! window the answer to that token is remembered — in memory only, never on disk — and shown again:
//! the reporter sees the same receipt, never "already sent", and no second case is stored. A repeat
//! that arrives while the first POST is still being stored waits for it. "I have saved it" ends the
//! window at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use askama::Template;
use tokio::sync::watch;
use zeroize::Zeroizing;

use super::pages::Page;
use crate::protocol::day::unix_now;
use crate::protocol::CaseId;

/// How long the answer to a form is shown again. Long enough for a reload or a Back on a slow phone,
/// short enough that a receipt does not wait in memory for whoever uses the device next.
pub(crate) const REPLAY_SECS: u64 = 15 * 60;
/// How long a repeat waits for the first POST of its form (the store is flushed within seconds).
const WAIT_FOR_FIRST: Duration = Duration::from_secs(120);
/// Bound on remembered answers (memory only): beyond it the oldest windows close early.
const MAX_REMEMBERED: usize = 10_000;

/// What the receipt page shows; the receipt itself is zeroised when the last copy goes.
pub(crate) struct Shown {
    pub receipt: Zeroizing<String>,
    pub case_id: CaseId,
    pub anonymous: bool,
    pub files: usize,
}

#[derive(Clone)]
pub(crate) enum State {
    /// The first POST of this form is being stored.
    Storing,
    /// Stored: the answer, until the window closes.
    Stored(Arc<Shown>, u64),
    /// The first POST failed: nothing was stored, the form may be sent again.
    Failed,
}

/// The remembered answers, by form token nonce.
#[derive(Default)]
pub(crate) struct Replay {
    slots: Mutex<HashMap<[u8; 16], watch::Sender<State>>>,
}

/// The result of claiming a form token for storing.
pub(crate) enum Claim<'a> {
    /// This request stores the report; it must call `Ticket::stored` or drop the ticket.
    First(Ticket<'a>),
    /// Another request with this token came first: wait for its answer.
    Repeat(watch::Receiver<State>),
}

/// What a repeated POST gets.
pub(crate) enum Repeated {
    /// The same receipt as the first answer.
    Receipt(Arc<Shown>),
    /// The first POST failed to store; nothing is stored for this form.
    Failed,
    /// No answer is remembered (the window closed, or "I have saved it" was pressed).
    Gone,
}

pub(crate) struct Ticket<'a> {
    replay: &'a Replay,
    nonce: [u8; 16],
    done: bool,
}

impl Replay {
    /// Claims the form token `nonce`: the first caller stores, later ones wait for its answer.
    pub(crate) fn claim(&self, nonce: [u8; 16]) -> Claim<'_> {
        let Ok(mut slots) = self.slots.lock() else {
            return Claim::Repeat(watch::channel(State::Failed).1);
        };
        let now = unix_now();
        slots.retain(|_, s| match &*s.borrow() {
            State::Stored(_, until) => *until > now,
            _ => true,
        });
        if let Some(s) = slots.get(&nonce) {
            return Claim::Repeat(s.subscribe());
        }
        if slots.len() >= MAX_REMEMBERED {
            // Close the windows that end soonest; a request still storing is never dropped.
            let mut stored: Vec<([u8; 16], u64)> = slots
                .iter()
                .filter_map(|(k, s)| match &*s.borrow() {
                    State::Stored(_, until) => Some((*k, *until)),
                    _ => None,
                })
                .collect();
            stored.sort_by_key(|(_, until)| *until);
            for (k, _) in stored.iter().take(MAX_REMEMBERED / 10 + 1) {
                slots.remove(k);
            }
        }
        slots.insert(nonce, watch::channel(State::Storing).0);
        Claim::First(Ticket {
            replay: self,
            nonce,
            done: false,
        })
    }

    /// Ends the window of a form ("I have saved it").
    pub(crate) fn forget(&self, nonce: [u8; 16]) {
        if let Ok(mut slots) = self.slots.lock() {
            slots.remove(&nonce);
        }
    }

    /// Number of remembered answers (for tests of the window).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.lock().map(|s| s.len()).unwrap_or(0)
    }
}

impl Ticket<'_> {
    /// Remembers the answer for the window.
    pub(crate) fn stored(mut self, shown: Arc<Shown>) {
        self.done = true;
        if let Ok(slots) = self.replay.slots.lock() {
            if let Some(s) = slots.get(&self.nonce) {
                s.send_replace(State::Stored(shown, unix_now() + REPLAY_SECS));
            }
        }
    }
}

impl Drop for Ticket<'_> {
    /// Not stored: waiting repeats learn it, and the token may be used again.
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if let Ok(mut slots) = self.replay.slots.lock() {
            if let Some(s) = slots.remove(&self.nonce) {
                s.send_replace(State::Failed);
            }
        }
    }
}

/// Waits for the first POST of the form and returns its answer.
pub(crate) async fn repeated(mut rx: watch::Receiver<State>) -> Repeated {
    let settled = tokio::time::timeout(
        WAIT_FOR_FIRST,
        rx.wait_for(|s| !matches!(s, State::Storing)),
    )
    .await;
    let state = match settled {
        Ok(Ok(s)) => s.clone(),
        // The first request's slot was removed without an answer (memory pressure) or it took too long.
        Ok(Err(_)) | Err(_) => return Repeated::Gone,
    };
    match state {
        State::Stored(shown, until) if until > unix_now() => Repeated::Receipt(shown),
        State::Stored(..) | State::Storing => Repeated::Gone,
        State::Failed => Repeated::Failed,
    }
}

/// The receipt page. It has no link that leaves it: only "I have saved it" does.
#[derive(Template)]
#[template(path = "receipt.html")]
pub(crate) struct ReceiptTemplate {
    pub page: Page,
    pub shown: Arc<Shown>,
    /// The form token, so "I have saved it" can close the window.
    pub token: String,
}

impl ReceiptTemplate {
    /// The receipt's groups, so the code wraps only between them.
    pub(crate) fn groups(&self) -> Vec<&str> {
        self.shown.receipt.split('-').collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown() -> Arc<Shown> {
        Arc::new(Shown {
            receipt: Zeroizing::new("1ABC-DEFG".into()),
            case_id: CaseId::generate(&mut rand::rngs::OsRng),
            anonymous: false,
            files: 0,
        })
    }

    #[tokio::test]
    async fn a_repeat_waits_for_the_first_and_gets_its_answer() {
        let r = Replay::default();
        let Claim::First(t) = r.claim([1; 16]) else {
            panic!("first claim")
        };
        let Claim::Repeat(rx) = r.claim([1; 16]) else {
            panic!("second claim must wait")
        };
        let waiter = tokio::spawn(repeated(rx));
        tokio::task::yield_now().await;
        t.stored(shown());
        match waiter.await.unwrap() {
            Repeated::Receipt(s) => assert_eq!(s.receipt.as_str(), "1ABC-DEFG"),
            _ => panic!("the repeat must get the same receipt"),
        }
        r.forget([1; 16]);
        assert_eq!(r.len(), 0, "'I have saved it' closes the window");
        assert!(matches!(r.claim([1; 16]), Claim::First(_)));
    }

    #[tokio::test]
    async fn a_failed_first_frees_the_form() {
        let r = Replay::default();
        let Claim::First(t) = r.claim([2; 16]) else {
            panic!()
        };
        let Claim::Repeat(rx) = r.claim([2; 16]) else {
            panic!()
        };
        drop(t);
        assert!(matches!(repeated(rx).await, Repeated::Failed));
        assert_eq!(r.len(), 0);
    }
}
