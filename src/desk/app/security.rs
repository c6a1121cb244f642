//! The desk's guards, as one middleware over every route, so a new page cannot forget them:
//!
//! - **`Host`** must be `127.0.0.1:PORT` or `localhost:PORT` (or `[::1]:PORT`) of the port the desk
//!   listens on: a DNS-rebinding page, whose requests carry its own host name, gets 421.
//! - **The local secret.** At start the desk prints `http://127.0.0.1:PORT/?key=K`, K random and good
//!   for one visit. That visit sets the cookie `wbs_desk` (another random 32-byte value, in memory only,
//!   `HttpOnly; SameSite=Strict`) and redirects to `/`. Every other request without that cookie gets a
//!   403 page; only the stylesheet is public. Another local user or another site cannot guess either.
//! - **Same origin.** Every state change is a POST; a POST whose `Sec-Fetch-Site` is not `same-origin`,
//!   or whose `Origin` is not the desk's own, is refused (403).
//! - **Headers** on every answer: a CSP with no script (`default-src 'none'`), `no-store`, `nosniff`,
//!   no referrer, no framing.

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use rand::rngs::OsRng;
use rand::RngCore;
use subtle::ConstantTimeEq;

use super::page::{refusal, DeskLang};
use super::State;
use crate::crypto::hex;

pub(super) const COOKIE: &str = "wbs_desk";

/// The desk's Content-Security-Policy: no script, styles and images from the desk itself only.
pub(super) const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The secrets of one desk run.
pub(super) struct Guard {
    port: u16,
    ipv6: bool,
    /// The key of the one-time link; `None` once used.
    link_key: Mutex<Option<String>>,
    cookie: String,
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl Guard {
    pub(super) fn new(bound: std::net::SocketAddr) -> Guard {
        Guard {
            port: bound.port(),
            ipv6: bound.is_ipv6(),
            link_key: Mutex::new(Some(random_hex())),
            cookie: random_hex(),
        }
    }

    /// The link to open, printed once at start.
    pub(super) fn link(&self) -> String {
        let key = self
            .link_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .unwrap_or_default();
        if self.ipv6 {
            format!("http://[::1]:{}/?key={key}", self.port)
        } else {
            format!("http://127.0.0.1:{}/?key={key}", self.port)
        }
    }

    /// Whether `host` names this desk.
    pub(super) fn host_ok(&self, host: &str) -> bool {
        let p = self.port;
        host == format!("127.0.0.1:{p}")
            || host == format!("localhost:{p}")
            || (self.ipv6 && host == format!("[::1]:{p}"))
    }

    /// Uses the one-time key: true once, for the right key.
    fn redeem(&self, key: &str) -> bool {
        let mut slot = self.link_key.lock().unwrap_or_else(PoisonError::into_inner);
        match slot.as_deref() {
            Some(k) if same(k, key) => {
                *slot = None;
                true
            }
            _ => false,
        }
    }

    fn cookie_ok(&self, headers: &HeaderMap) -> bool {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .any(|(k, v)| k == COOKIE && same(v, &self.cookie))
    }
}

/// A POST from the desk's own pages: `Sec-Fetch-Site: same-origin` when the browser sends it, else an
/// `Origin` equal to the desk's; a program that sends neither still needs the cookie.
fn same_origin(headers: &HeaderMap, host: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site.as_bytes() == b"same-origin";
    }
    match headers.get(header::ORIGIN) {
        Some(origin) => origin.to_str().ok() == Some(&format!("http://{host}")),
        None => true,
    }
}

fn key_param(query: Option<&str>) -> Option<&str> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "key")
        .map(|(_, v)| v)
}

/// The middleware over every route.
pub(super) async fn guard(
    AxState(state): AxState<Arc<State>>,
    request: Request,
    next: Next,
) -> Response {
    let l = DeskLang::from_query(request.uri().query()).0;
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let g = &state.guard;
    let response = if !g.host_ok(&host) {
        refusal(l, StatusCode::MISDIRECTED_REQUEST, "desk-refused-host")
    } else if request.uri().path() == "/desk.css" {
        next.run(request).await
    } else if let Some(key) = key_param(request.uri().query()).map(str::to_owned) {
        if request.method() == Method::GET && request.uri().path() == "/" && g.redeem(&key) {
            let mut r = Redirect::to("/").into_response();
            let cookie = format!("{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/", g.cookie);
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        } else {
            refusal(l, StatusCode::FORBIDDEN, "desk-refused-link")
        }
    } else if !g.cookie_ok(request.headers()) {
        refusal(l, StatusCode::FORBIDDEN, "desk-refused-secret")
    } else if request.method() != Method::GET && request.method() != Method::HEAD {
        if request.method() == Method::POST && same_origin(request.headers(), &host) {
            next.run(request).await
        } else {
            refusal(l, StatusCode::FORBIDDEN, "desk-refused-origin")
        }
    } else {
        next.run(request).await
    };
    with_headers(response)
}

fn with_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_desks_own_host_and_one_use_of_the_key() {
        let g = Guard::new("127.0.0.1:4321".parse().expect("an address"));
        assert!(g.host_ok("127.0.0.1:4321"));
        assert!(g.host_ok("localhost:4321"));
        assert!(!g.host_ok("evil.example:4321"));
        assert!(!g.host_ok("127.0.0.1:4322"));
        assert!(!g.host_ok("127.0.0.1"));
        let link = g.link();
        let key = link.rsplit_once("key=").map(|(_, k)| k.to_owned());
        let key = key.unwrap_or_default();
        assert_eq!(key.len(), 64);
        assert!(!g.redeem("00"));
        assert!(g.redeem(&key));
        assert!(!g.redeem(&key), "the link works once");
    }

    #[test]
    fn a_cross_site_post_is_not_same_origin() {
        let mut h = HeaderMap::new();
        assert!(same_origin(&h, "127.0.0.1:1"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(!same_origin(&h, "127.0.0.1:1"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:1"),
        );
        assert!(same_origin(&h, "127.0.0.1:1"));
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&h, "127.0.0.1:1"));
    }
}
