//! Reporter sessions on the web: a sealed cookie (crypto::session), renewed on use, revocable in
//! memory. Nothing about a session is written to disk; all sessions end when the process stops.
//!
//! Cookies that cannot be planted (issue 11, docs/design.md §5): when the public address is https the
//! cookie is `__Host-wbs_sesi` with `Secure` — a sibling subdomain or a network attacker on plain http
//! cannot set a cookie of that name — and a plain `wbs_sesi` is then ignored. Without an https public
//! address (development on `http://127.0.0.1`, where browsers refuse `Secure` cookies over http on
//! other names) the cookie is plain `wbs_sesi`. A request carrying two session cookies is treated as
//! logged out: the server never picks one of two. No `Max-Age`: the cookie ends with the browser
//! session, and the sealed expiries end it earlier.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::{header, HeaderMap, HeaderValue};
use rand::{rngs::OsRng, RngCore};
use zeroize::Zeroizing;

use crate::crypto::session::{Session, SessionSealer};
use crate::protocol::day::unix_now;
use crate::protocol::CaseId;

pub(crate) const COOKIE: &str = "wbs_sesi";
/// The name used when the public address is https.
pub(crate) const HOST_COOKIE: &str = "__Host-wbs_sesi";
/// A session ends after this long in any case (the idle limit is configuration).
pub(crate) const ABSOLUTE_SECS: u64 = 2 * 3600;
const MAX_REVOKED: usize = 100_000;

pub(crate) struct Sessions {
    sealer: SessionSealer,
    idle_secs: u64,
    /// `__Host-` and `Secure` (the public address is https).
    secure: bool,
    /// Logged-out session ids, until their absolute expiry.
    revoked: Mutex<HashMap<[u8; 16], u64>>,
}

impl Sessions {
    pub fn new(idle_secs: u64, secure: bool) -> Self {
        let mut root = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(root.as_mut());
        Sessions {
            sealer: SessionSealer::new(&root),
            idle_secs: idle_secs.min(ABSOLUTE_SECS),
            secure,
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

    fn name(&self) -> &'static str {
        if self.secure {
            HOST_COOKIE
        } else {
            COOKIE
        }
    }

    /// The cookie's attributes: `__Host-` requires `Secure`, `Path=/` and no `Domain`.
    fn attributes(&self) -> &'static str {
        if self.secure {
            "Path=/; Secure; HttpOnly; SameSite=Strict"
        } else {
            "Path=/; HttpOnly; SameSite=Strict"
        }
    }

    /// The `Set-Cookie` value for a session, with a renewed idle expiry (sealed inside; no `Max-Age`).
    pub(crate) fn cookie(&self, s: &mut Session) -> Option<HeaderValue> {
        s.idle_expiry = (unix_now() + self.idle_secs).min(s.absolute_expiry);
        let value = self.sealer.seal(s, &mut OsRng)?;
        HeaderValue::from_str(&format!("{}={value}; {}", self.name(), self.attributes())).ok()
    }

    /// The cookie that removes the session from the browser.
    pub(crate) fn clear_cookie(&self) -> HeaderValue {
        HeaderValue::from_str(&format!(
            "{}=; {}; Max-Age=0",
            self.name(),
            self.attributes()
        ))
        .unwrap_or_else(|_| HeaderValue::from_static("wbs_sesi=; Path=/; Max-Age=0"))
    }

    /// The session the request carries, if it is authentic, current and not logged out. Exactly one
    /// session cookie of this server's name, or none is taken.
    pub(crate) fn current(&self, headers: &HeaderMap) -> Option<Session> {
        let name = self.name();
        let mut values = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v);
        let value = values.next()?;
        if values.next().is_some() {
            return None;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str) -> CaseId {
        CaseId::parse(id).expect("case id")
    }

    fn request(cookies: &[String]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for c in cookies {
            h.append(header::COOKIE, HeaderValue::from_str(c).expect("cookie"));
        }
        h
    }

    /// `name=value` of a `Set-Cookie`.
    fn pair(set: &HeaderValue) -> String {
        let text = set.to_str().expect("ascii");
        text.split(';').next().expect("pair").to_owned()
    }

    #[test]
    fn https_cookies_are_host_only_secure_and_end_with_the_browser() {
        let sessions = Sessions::new(900, true);
        let mut s = sessions.start(case("WBS-AAAA-BBBB-CCCC"), &[1; 32]);
        let set = sessions.cookie(&mut s).expect("cookie");
        let text = set.to_str().expect("ascii");
        assert!(text.starts_with("__Host-wbs_sesi="), "{text}");
        assert!(
            text.contains("; Secure") && text.contains("Path=/"),
            "{text}"
        );
        assert!(
            !text.contains("Max-Age") && !text.contains("Domain"),
            "{text}"
        );
        let opened = sessions
            .current(&request(&[pair(&set)]))
            .expect("own cookie");
        assert_eq!(opened.case_id.as_str(), "WBS-AAAA-BBBB-CCCC");
        // A plain `wbs_sesi` (which anyone on http or a sibling domain can set) is not looked at.
        let planted = pair(&set).replacen("__Host-", "", 1);
        assert!(sessions.current(&request(&[planted])).is_none());
        let plain = Sessions::new(900, false);
        let mut p = plain.start(case("WBS-AAAA-BBBB-CCCC"), &[1; 32]);
        let text = plain.cookie(&mut p).expect("cookie");
        assert!(text.to_str().expect("ascii").starts_with("wbs_sesi="));
        assert!(!text.to_str().expect("ascii").contains("Max-Age"));
    }

    /// A planted cookie next to the victim's own: the request has no session at all, so the victim's
    /// follow-up can never land in the attacker's case (nor the other way round).
    #[test]
    fn two_session_cookies_are_no_session() {
        for secure in [true, false] {
            let sessions = Sessions::new(900, secure);
            let mut attacker = sessions.start(case("WBS-AAAA-AAAA-AAAA"), &[1; 32]);
            let mut victim = sessions.start(case("WBS-BBBB-BBBB-BBBB"), &[2; 32]);
            let a = pair(&sessions.cookie(&mut attacker).expect("cookie"));
            let v = pair(&sessions.cookie(&mut victim).expect("cookie"));
            for cookies in [
                vec![format!("{a}; {v}")],
                vec![format!("{v}; {a}")],
                vec![a.clone(), v.clone()],
                vec![format!("{v}; {v}")],
            ] {
                assert!(
                    sessions.current(&request(&cookies)).is_none(),
                    "{cookies:?}"
                );
            }
            let own = sessions.current(&request(&[v])).expect("one cookie");
            assert_eq!(own.case_id.as_str(), "WBS-BBBB-BBBB-BBBB");
        }
    }
}
