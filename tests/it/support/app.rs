//! The router in-process: the same `Router` `wbs serve` puts behind its public listener, over a demo
//! data directory of its own, driven one request at a time with `tower::ServiceExt::oneshot`. For
//! handler behaviour that needs no process (headers, refusals, error shapes, languages, limits).

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::http::assert_hardened;
use super::internal;

/// A demo-mode app and the temporary directory its data lives in.
pub struct App {
    router: Router,
    _dir: tempfile::TempDir,
}

/// What the app answered.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The value of header `name`, or "" when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// A fresh app in demo mode (no investigator keys) over a new temporary data directory.
pub fn router() -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let prepared = internal::prepare(&dir.path().join("data"), &dir.path().join("keys"));
    App {
        router: internal::router(prepared),
        _dir: dir,
    }
}

impl App {
    /// Sends one request through the router. Like `http::reply` for the real server, it checks every
    /// answer on the way: never a 5xx, always the security headers.
    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("the whole body")
            .to_bytes()
            .to_vec();
        let answer = Answer {
            status,
            headers,
            body,
        };
        assert!(
            status.as_u16() < 500,
            "server error {status}; body:\n{}",
            &answer.text()[..answer.text().len().min(2000)]
        );
        assert_hardened(&answer.headers, &format!("response {status}"));
        answer
    }

    /// `GET path` with these extra headers.
    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        self.send(request("GET", path, headers, Vec::new())).await
    }

    /// `POST path` with these headers and body.
    pub async fn post(&self, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Answer {
        self.send(request("POST", path, headers, body)).await
    }
}

/// A request as a browser on `127.0.0.1` would send it (`Host` set), plus `headers`.
pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::from(body)).expect("request")
}
