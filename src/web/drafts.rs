//! Follow-up text typed while the session ended (docs/design.md §5, "Sessions"). Without JavaScript,
//! typing is no activity, so a long message can outlive the idle limit. The text that arrives with an
//! expired session is held in memory only — never on disk — under a random id that only the login page
//! shown in answer carries; logging in again with it puts the text back in the message box, once.

use std::collections::HashMap;
use std::sync::Mutex;

use rand::{rngs::OsRng, RngCore};
use zeroize::Zeroizing;

use crate::protocol::day::unix_now;

/// How long a draft waits for the reporter to log in again.
pub(crate) const DRAFT_SECS: u64 = 30 * 60;
/// Bound on held drafts (memory only); beyond it the oldest are dropped.
const MAX_DRAFTS: usize = 2_000;

/// A held text and the second its hold ends.
type Held = (Zeroizing<String>, u64);

#[derive(Default)]
pub(crate) struct Drafts {
    held: Mutex<HashMap<[u8; 16], Held>>,
}

impl Drafts {
    /// Holds `text` and returns the id the login form carries (hex), or `None` if there is nothing to
    /// hold.
    pub(crate) fn keep(&self, text: Zeroizing<String>) -> Option<String> {
        if text.trim().is_empty() {
            return None;
        }
        let mut id = [0u8; 16];
        OsRng.fill_bytes(&mut id);
        let now = unix_now();
        let mut held = self.held.lock().ok()?;
        held.retain(|_, (_, until)| *until > now);
        if held.len() >= MAX_DRAFTS {
            let oldest = held
                .iter()
                .min_by_key(|(_, (_, until))| *until)
                .map(|(k, _)| *k);
            if let Some(k) = oldest {
                held.remove(&k);
            }
        }
        held.insert(id, (text, now + DRAFT_SECS));
        Some(data_encoding::HEXLOWER.encode(&id))
    }

    /// The draft held under `id`, removed: it comes back once.
    pub(crate) fn take(&self, id: &str) -> Option<Zeroizing<String>> {
        let key: [u8; 16] = data_encoding::HEXLOWER
            .decode(id.as_bytes())
            .ok()?
            .try_into()
            .ok()?;
        let (text, until) = self.held.lock().ok()?.remove(&key)?;
        (until > unix_now()).then_some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_comes_back_once_and_only_with_its_id() {
        let d = Drafts::default();
        assert_eq!(d.keep(Zeroizing::new("  ".into())), None, "nothing to hold");
        let id = d
            .keep(Zeroizing::new("Saya punya bukti baru.".into()))
            .unwrap();
        assert!(d.take("00000000000000000000000000000000").is_none());
        assert!(d.take("not hex").is_none());
        assert_eq!(
            d.take(&id).as_deref().map(String::as_str),
            Some("Saya punya bukti baru.")
        );
        assert!(d.take(&id).is_none(), "taken once");
    }
}
