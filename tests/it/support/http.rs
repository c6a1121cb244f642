//! The form and JSON-API helpers the public-route tests share: a form as a browser sends it, a reply
//! checked for 5xx and security headers on the way, the JSON API with its error shape, and the
//! assertions every receipt page and 422 page must pass.

use reqwest::header::HeaderMap;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::Value;

use super::fixtures::{Fields, Report};
use super::*;

/// A complete, valid form submission (without token or files).
pub fn valid_fields() -> Fields {
    Report::valid_form().form_fields()
}

pub fn set(fields: &mut Fields, key: &str, value: &str) {
    match fields.iter_mut().find(|(k, _)| k == key) {
        Some(f) => f.1 = value.to_owned(),
        None => fields.push((key.to_owned(), value.to_owned())),
    }
}

/// A multipart body as a browser sends it: the token, the fields, then the files (names sent raw).
pub fn multipart(token: Option<&str>, fields: &Fields, files: &[(&str, Vec<u8>)]) -> Form {
    let mut form = Form::new().percent_encode_noop();
    if let Some(t) = token {
        form = form.text("form_token", t.to_owned());
    }
    for (k, v) in fields {
        form = form.text(k.clone(), v.clone());
    }
    for (name, bytes) in files {
        let part = Part::bytes(bytes.clone())
            .file_name((*name).to_owned())
            .mime_str("application/octet-stream")
            .expect("mime");
        form = form.part("attachments", part);
    }
    form
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

pub async fn reply(r: reqwest::Response) -> Reply {
    let status = r.status();
    let headers = r.headers().clone();
    let body = r.text().await.expect("body");
    assert!(
        status.as_u16() < 500,
        "server error {status}; body:\n{}",
        &body[..body.len().min(2000)]
    );
    assert_hardened(&headers, &format!("response {status}"));
    Reply {
        status,
        headers,
        body,
    }
}

pub async fn post_form(c: &reqwest::Client, s: &Server, form: Form) -> Reply {
    reply(
        c.post(s.url("/lapor"))
            .multipart(form)
            .send()
            .await
            .expect("POST /lapor"),
    )
    .await
}

/// Posts the fields with a fresh token.
pub async fn submit(
    c: &reqwest::Client,
    s: &Server,
    fields: &Fields,
    files: &[(&str, Vec<u8>)],
) -> Reply {
    let token = form_token(c, s).await;
    post_form(c, s, multipart(Some(&token), fields, files)).await
}

/// Checks a reply read off the socket like `reply` does.
pub fn raw_reply(r: RawReply) -> Reply {
    let mut headers = HeaderMap::new();
    for (k, v) in &r.headers {
        if let (Ok(k), Ok(v)) = (
            reqwest::header::HeaderName::from_bytes(k.as_bytes()),
            reqwest::header::HeaderValue::from_str(v),
        ) {
            headers.append(k, v);
        }
    }
    let status = StatusCode::from_u16(r.status).expect("status");
    let body = r.text();
    assert!(
        status.as_u16() < 500,
        "server error {status}; body:\n{}",
        &body[..body.len().min(2000)]
    );
    assert_hardened(&headers, &format!("response {status}"));
    Reply {
        status,
        headers,
        body,
    }
}

/// The form as raw multipart bytes (boundary `XyZ`), token first, files last.
pub fn form_bytes(token: Option<&str>, fields: &Fields, files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut f: Vec<(&[u8], &[u8])> = Vec::new();
    if let Some(t) = token {
        f.push((b"form_token", t.as_bytes()));
    }
    for (k, v) in fields {
        f.push((k.as_bytes(), v.as_bytes()));
    }
    let files: Vec<(&[u8], &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_bytes(), b.as_slice()))
        .collect();
    multipart_bytes(&f, &files)
}

/// A POST written whole before the answer is read (see `raw_request`), for refusals the server may
/// send before it has read the body.
pub fn raw_post(s: &Server, path: &str, head: &str, body: &[u8]) -> Reply {
    raw_reply(raw_request(s.port, "POST", path, head, body))
}

/// A complete, valid body for `POST /api/v1/reports`.
/// Submits a valid report through the public JSON API; returns (case id, receipt).
pub async fn api_submit(s: &Server) -> (String, String) {
    let r = client()
        .post(s.url("/api/v1/reports"))
        .json(&Report::valid().json())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    (
        v["case_id"].as_str().unwrap().to_owned(),
        v["receipt"].as_str().unwrap().to_owned(),
    )
}

pub fn valid_api() -> Value {
    Report::valid().json()
}

pub async fn api_raw(
    c: &reqwest::Client,
    s: &Server,
    content_type: Option<&str>,
    body: Vec<u8>,
    accept_language: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = c.post(s.url("/api/v1/reports")).body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    if let Some(l) = accept_language {
        req = req.header("accept-language", l);
    }
    let r = reply(req.send().await.expect("POST api")).await;
    let v = serde_json::from_str(&r.body).unwrap_or(Value::Null);
    (r.status, v)
}

pub async fn api(c: &reqwest::Client, s: &Server, body: &Value) -> (StatusCode, Value) {
    api_raw(
        c,
        s,
        Some("application/json"),
        serde_json::to_vec(body).expect("json"),
        None,
    )
    .await
}

/// The keys of `{"errors": {…}}`.
pub fn error_keys(v: &Value) -> Vec<String> {
    v.get("errors")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

pub fn error_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.pointer("/errors")
        .and_then(|e| e.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

pub fn assert_hardened(h: &HeaderMap, what: &str) {
    let hv = |name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let csp = hv("content-security-policy");
    assert!(
        csp.split(';').any(|d| d.trim() == "default-src 'none'"),
        "{what}: CSP without default-src 'none': {csp:?}"
    );
    assert!(
        csp.contains("frame-ancestors 'none'"),
        "{what}: CSP without frame-ancestors 'none': {csp:?}"
    );
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: CSP allows unsafe code: {csp:?}"
    );
    assert_eq!(
        hv("referrer-policy"),
        "no-referrer",
        "{what}: Referrer-Policy"
    );
    assert_eq!(hv("x-frame-options"), "DENY", "{what}: X-Frame-Options");
    assert_eq!(hv("x-content-type-options"), "nosniff", "{what}: nosniff");
    assert!(
        hv("cache-control").contains("no-store"),
        "{what}: Cache-Control: {:?}",
        hv("cache-control")
    );
}

/// A 422 page that keeps every value of `fields` (as typed) and names each problem.
pub fn assert_values_kept(html: &str, fields: &Fields) {
    for (k, v) in fields {
        match k.as_str() {
            "chronology" | "evidence" => assert_eq!(
                textarea_value(html, k).as_deref(),
                Some(v.as_str()),
                "textarea {k} lost its value"
            ),
            "reporter.kind" => assert!(is_checked(html, k, v), "radio {k}={v} not kept"),
            "category" => assert!(is_selected(html, v), "category {v} not kept"),
            "reporter.anonymous" | "good_faith" => {
                assert!(is_checked(html, k, "1"), "checkbox {k} not kept")
            }
            "lang" | "party_rows" | "action" => {}
            _ => assert_eq!(
                input_value(html, k).as_deref(),
                Some(v.as_str()),
                "input {k} lost its value"
            ),
        }
    }
}

pub fn assert_receipt_page(r: &Reply) -> (String, String) {
    assert_eq!(r.status, 200, "expected a receipt; got:\n{}", r.body);
    let receipt = receipt_in(&r.body).expect("receipt on the page");
    assert!(looks_like_receipt(&receipt), "receipt format: {receipt}");
    let case_id = case_id_in(&r.body).expect("case id on the page");
    assert!(looks_like_case_id(&case_id), "case id format: {case_id}");
    assert!(
        r.headers.get("location").is_none(),
        "the receipt must not be a redirect"
    );
    assert!(
        r.headers.get("set-cookie").is_none(),
        "the receipt page sets no cookie"
    );
    (receipt, case_id)
}
