//! Reporter sessions on the web: a sealed cookie (crypto::session), renewed on use, revocable in
//! memory. Nothing about a session is written to disk; all sessions end when the process stops.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::{header, HeaderMap, HeaderValue};
use rand::{rngs::OsRng, RngCore};
use zeroize::Zeroizing;

use crate::crypto::session::{Session, SessionSealer};
use crate::protocol::day::unix_now;
use crate::protocol::CaseId;

pub(crate) const COOKIE: &str = "wbs_sesi";
/// A session ends after this long in any case (the idle limit is configuration).
pub(crate) const ABSOLUTE_SECS: u64 = 2 * 3600;
const MAX_REVOKED: usize = 100_000;

pub(crate) struct Sessions {
    sealer: SessionSealer,
    idle_secs: u64,
    /// Logged-out session ids, until their absolute expiry.
    revoked: Mutex<HashMap<[u8; 16], u64>>,
}

impl Sessions {
    pub fn new(idle_secs: u64) -> Self {
        let mut root = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(root.as_mut());
        Sessions {
            sealer: SessionSealer::new(&root),
            idle_secs: idle_secs.min(ABSOLUTE_SECS),
            revoked: Mutex::new(HashMap::new()),
        }
    }

    /// A new session for a case, opened with the receipt's master key.
    pub(crate) fn start(&self, case_id: CaseId, master: &[u8; 32]) -> Session {
        let mut id = [0u8; 16];
        OsRng.fill_bytes(&mut id);
        let now = unix_now();
        Session {
            id,
            case_id,
            idle_expiry: now + self.idle_secs,
            absolute_expiry: now + ABSOLUTE_SECS,
            master: Zeroizing::new(*master),
        }
    }

    /// The `Set-Cookie` value for a session, with a renewed idle expiry.
    pub(crate) fn cookie(&self, s: &mut Session) -> Option<HeaderValue> {
        s.idle_expiry = (unix_now() + self.idle_secs).min(s.absolute_expiry);
        let value = self.sealer.seal(s, &mut OsRng)?;
        let max_age = s.idle_expiry.saturating_sub(unix_now());
        HeaderValue::from_str(&format!(
            "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}"
        ))
        .ok()
    }

    /// The cookie that removes the session from the browser.
    pub(crate) fn clear_cookie() -> HeaderValue {
        HeaderValue::from_static("wbs_sesi=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
    }

    /// The session the request carries, if it is authentic, current and not logged out.
    pub(crate) fn current(&self, headers: &HeaderMap) -> Option<Session> {
        let value = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == COOKIE)
            .map(|(_, v)| v)?;
        let session = self.sealer.open(value, unix_now())?;
        let revoked = self.revoked.lock().ok()?.contains_key(&session.id);
        (!revoked).then_some(session)
    }

    /// Logs a session out for good (in memory, until it would have expired anyway).
    pub(crate) fn revoke(&self, s: &Session) {
        if let Ok(mut r) = self.revoked.lock() {
            if r.len() >= MAX_REVOKED {
                let now = unix_now();
                r.retain(|_, until| *until >= now);
            }
            r.insert(s.id, s.absolute_expiry);
        }
    }
}
