//! Defences on every response and the only request accounting: hourly counters per route pattern and
//! status. No per-request log line, no IP, user agent, URI, query or input (docs/design.md §6).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;

pub(crate) const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                       frame-ancestors 'none'; base-uri 'none'";

#[derive(Default)]
pub(crate) struct Counters {
    counts: Mutex<BTreeMap<(String, u16), u64>>,
}

impl Counters {
    fn add(&self, route: &str, status: u16) {
        if let Ok(mut c) = self.counts.lock() {
            *c.entry((route.to_owned(), status)).or_insert(0) += 1;
        }
    }

    /// Takes the counts so far and starts again.
    pub(crate) fn take(&self) -> BTreeMap<(String, u16), u64> {
        self.counts
            .lock()
            .map(|mut c| std::mem::take(&mut *c))
            .unwrap_or_default()
    }
}

pub(crate) fn spawn_hourly_report(state: Arc<AppState>) {
    if tokio::runtime::Handle::try_current().is_err() {
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        tick.tick().await;
        loop {
            tick.tick().await;
            for ((route, status), n) in state.counters.take() {
                tracing::info!(route, status, requests = n, "hourly count");
            }
        }
    });
}

pub(crate) async fn count_and_harden(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let mut response = next.run(request).await;
    state.counters.add(&route, response.status().as_u16());
    super::error::retry_after_when_busy(&mut response);
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, name: HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(h, header::CONTENT_SECURITY_POLICY, CSP);
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Everything, the stylesheet included: a cached file on a shared device would show that someone
    // visited the WBS site.
    set(h, header::CACHE_CONTROL, "no-store");
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    );
    response
}

/// Whether a state-changing browser request comes from our own pages. Browsers that send
/// `Sec-Fetch-Site` are judged by it; otherwise an `Origin`, if present, must match `Host`.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    match headers.get(header::ORIGIN) {
        None => true,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            let origin = origin
                .to_str()
                .ok()
                .and_then(|o| o.split_once("://").map(|(_, rest)| rest));
            matches!((origin, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cross_site_posts_are_recognised() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(same_origin(&headers(&[
            ("origin", "http://a.example"),
            ("host", "a.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "a.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "null"),
            ("host", "a.example")
        ])));
        assert!(same_origin(&headers(&[])));
    }
}
