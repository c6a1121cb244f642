//! HTTP integration tests: the real `wbs` binary on a free loopback port, driven over HTTP like a browser
//! (the form at `/lapor`) and like an integrator (`POST /api/v1/reports`). Every test has its own temporary
//! data directory and server. See issue 2, "Done means".

use crate::support;
use std::ffi::OsStr;
use std::fs;
use std::time::Duration;

use crate::support::*;
use reqwest::header::HeaderMap;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

type Fields = Vec<(String, String)>;

/// A complete, valid form submission (without token or files).
fn valid_fields() -> Fields {
    [
        ("lang", "id"),
        ("reporter.kind", "staff"),
        ("category", "PUNGLI"),
        (
            "chronology",
            "Petugas loket meminta uang Rp500.000 agar izin usaha cepat terbit.",
        ),
        ("parties[0].name", "Budi Santoso"),
        ("parties[0].position", "Staf Perizinan"),
        ("parties[0].unit", "Bidang Perizinan"),
        ("parties[1].name", ""),
        ("parties[1].position", ""),
        ("parties[1].unit", ""),
        ("party_rows", "2"),
        ("incident.when", "3 Maret 2026 sekitar pukul 10.00"),
        ("incident.place", "Loket 2, lantai 1"),
        ("reporter.name", "Melati"),
        ("reporter.contact", "melati@example.org"),
        ("evidence", "Kuitansi tanpa kop"),
        ("good_faith", "1"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

fn set(fields: &mut Fields, key: &str, value: &str) {
    match fields.iter_mut().find(|(k, _)| k == key) {
        Some(f) => f.1 = value.to_owned(),
        None => fields.push((key.to_owned(), value.to_owned())),
    }
}

fn unset(fields: &mut Fields, key: &str) {
    fields.retain(|(k, _)| k != key);
}

/// A multipart body as a browser sends it: the token, the fields, then the files (names sent raw).
fn multipart(token: Option<&str>, fields: &Fields, files: &[(&str, Vec<u8>)]) -> Form {
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

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn reply(r: reqwest::Response) -> Reply {
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

async fn post_form(c: &reqwest::Client, s: &Server, form: Form) -> Reply {
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
async fn submit(
    c: &reqwest::Client,
    s: &Server,
    fields: &Fields,
    files: &[(&str, Vec<u8>)],
) -> Reply {
    let token = form_token(c, s).await;
    post_form(c, s, multipart(Some(&token), fields, files)).await
}

/// Checks a reply read off the socket like `reply` does.
fn raw_reply(r: RawReply) -> Reply {
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
fn form_bytes(token: Option<&str>, fields: &Fields, files: &[(&str, Vec<u8>)]) -> Vec<u8> {
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
fn raw_post(s: &Server, path: &str, head: &str, body: &[u8]) -> Reply {
    raw_reply(raw_request(s.port, "POST", path, head, body))
}

fn valid_api() -> Value {
    json!({
        "reporter": {"kind": "public", "name": "Melati", "contact": "melati@example.org", "anonymous": false},
        "category": "PUNGLI",
        "chronology": "Petugas loket meminta uang Rp500.000 agar izin usaha cepat terbit.",
        "parties": [{"name": "Budi Santoso", "position": "Staf Perizinan", "unit": "Bidang Perizinan"}],
        "incident": {"when": "3 Maret 2026", "place": "Loket 2"},
        "evidence": "Kuitansi tanpa kop"
    })
}

async fn api_raw(
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

async fn api(c: &reqwest::Client, s: &Server, body: &Value) -> (StatusCode, Value) {
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
fn error_keys(v: &Value) -> Vec<String> {
    v.get("errors")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn error_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.pointer("/errors")
        .and_then(|e| e.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn assert_hardened(h: &HeaderMap, what: &str) {
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
fn assert_values_kept(html: &str, fields: &Fields) {
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

fn assert_receipt_page(r: &Reply) -> (String, String) {
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

fn no_dashes(s: &str) -> String {
    s.replace('-', "")
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

// ---------------------------------------------------------------------------------------------------
// Valid submissions
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn form_valid_with_attachment_gives_receipt() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    let page = reply(c.get(s.url("/lapor")).send().await.expect("GET")).await;
    assert_eq!(page.status, 200);
    for name in [
        "form_token",
        "lang",
        "reporter.kind",
        "category",
        "chronology",
        "parties[0].name",
        "parties[0].position",
        "parties[0].unit",
        "incident.when",
        "incident.place",
        "reporter.name",
        "reporter.contact",
        "reporter.anonymous",
        "evidence",
        "attachments",
        "good_faith",
    ] {
        assert!(
            page.body.contains(&format!("name=\"{name}\"")),
            "form lacks {name}"
        );
    }
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    assert!(
        !page.body.contains("<script"),
        "the form needs no JavaScript"
    );
    assert!(page.body.contains("DEMO"), "demo mode shows a banner");

    let r = submit(
        &c,
        &s,
        &valid_fields(),
        &[("bukti-kuitansi.pdf", pdf_with("kuitansi"))],
    )
    .await;
    let (_receipt, _case) = assert_receipt_page(&r);
    assert!(
        r.body.contains("1 lampiran"),
        "the receipt page counts the attachment"
    );
    assert!(!r.body.contains("Laporan anonim"), "not anonymous");

    s.stop();
    assert_eq!(env.case_count(), 1);
    let blobs = env.blob_files();
    assert_eq!(blobs.len(), 1, "one attachment blob: {blobs:?}");
    assert!(blobs[0].ends_with(".age"), "committed blob: {blobs:?}");
    // DESIGN.md §6: attachment file times are set to midnight.
    let modified = fs::metadata(env.data.join("blobs").join(&blobs[0]))
        .and_then(|m| m.modified())
        .expect("mtime")
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    assert_eq!(
        modified % 86_400,
        0,
        "blob mtime {modified} is not midnight UTC"
    );
}

#[tokio::test]
async fn api_valid_gives_201() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let r = c
        .post(s.url("/api/v1/reports"))
        .json(&valid_api())
        .send()
        .await
        .expect("POST");
    let r = reply(r).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json")));
    let v: Value = serde_json::from_str(&r.body).expect("json");
    let receipt = v["receipt"].as_str().expect("receipt");
    let case_id = v["case_id"].as_str().expect("case_id");
    assert!(looks_like_receipt(receipt), "{receipt}");
    assert!(looks_like_case_id(case_id), "{case_id}");
    s.stop();
    assert_eq!(env.case_count(), 1);
}

// ---------------------------------------------------------------------------------------------------
// The four criteria
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn form_each_missing_criterion_is_named() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    // Criterion 1: no name and not anonymous.
    let mut f = valid_fields();
    set(&mut f, "reporter.name", "");
    set(&mut f, "reporter.contact", "");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    let e = field_error(&r.body, "reporter.name").expect("error beside reporter.name");
    assert!(e.contains("nama samaran") && e.contains("anonim"), "{e}");
    assert!(
        r.body.contains("href=\"#reporter-name\""),
        "the summary links to the field"
    );
    assert_values_kept(&r.body, &f);

    // Criterion 2: no chronology; then one too short.
    let mut f = valid_fields();
    set(&mut f, "chronology", "");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        field_error(&r.body, "chronology").as_deref(),
        Some("Wajib diisi.")
    );
    assert_values_kept(&r.body, &f);
    set(&mut f, "chronology", "Minta uang.");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    let e = field_error(&r.body, "chronology").expect("too short");
    assert!(e.contains("Terlalu singkat") && e.contains("20"), "{e}");
    assert_values_kept(&r.body, &f);
    // Too long: named, and the whole text is kept to be shortened.
    let long = format!(
        "Awal. {} Akhir.",
        "Rincian kejadian yang panjang. ".repeat(700)
    );
    set(&mut f, "chronology", &long);
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    let e = field_error(&r.body, "chronology").expect("too long");
    assert!(e.contains("Terlalu panjang") && e.contains("20000"), "{e}");
    assert_values_kept(&r.body, &f);

    // Criterion 3: nobody named; then a person without position and unit.
    let mut f = valid_fields();
    for p in ["name", "position", "unit"] {
        set(&mut f, &format!("parties[0].{p}"), "");
    }
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("href=\"#parties\""),
        "summary names the parties"
    );
    assert!(
        r.body
            .contains("<p class=\"error\">Sebutkan sedikitnya satu orang yang dilaporkan"),
        "error beside the parties"
    );
    assert_values_kept(&r.body, &f);
    let mut f = valid_fields();
    set(&mut f, "parties[0].position", "");
    set(&mut f, "parties[0].unit", "  ");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        field_error(&r.body, "parties[0].position").as_deref(),
        Some("Wajib diisi.")
    );
    assert_eq!(
        field_error(&r.body, "parties[0].unit").as_deref(),
        Some("Wajib diisi.")
    );
    assert_eq!(field_error(&r.body, "parties[0].name"), None);
    assert_values_kept(&r.body, &f);

    // Criterion 4: neither time nor place.
    let mut f = valid_fields();
    set(&mut f, "incident.when", "");
    set(&mut f, "incident.place", "");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        field_error(&r.body, "incident.when").as_deref(),
        Some("Wajib diisi.")
    );
    assert_eq!(
        field_error(&r.body, "incident.place").as_deref(),
        Some("Wajib diisi.")
    );
    assert_values_kept(&r.body, &f);

    // Everything missing, in English.
    let mut f: Fields = vec![("lang".into(), "en".into())];
    set(&mut f, "party_rows", "2");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("<html lang=\"en\""));
    assert_eq!(
        field_error(&r.body, "chronology").as_deref(),
        Some("Required.")
    );
    assert_eq!(
        field_error(&r.body, "incident.when").as_deref(),
        Some("Required.")
    );
    assert!(field_error(&r.body, "reporter.name").is_some_and(|e| e.contains("pseudonym")));
    assert!(field_error(&r.body, "good_faith").is_some());
    assert!(field_error(&r.body, "category").is_some());

    // The good-faith declaration is required on the form.
    let mut f = valid_fields();
    unset(&mut f, "good_faith");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    assert!(field_error(&r.body, "good_faith").is_some_and(|e| e.contains("Centang")));

    s.stop();
    assert_eq!(env.case_count(), 0, "no half-report is stored");
    assert!(env.blob_files().is_empty());
}

#[tokio::test]
async fn api_each_missing_criterion_is_named() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    // Criterion 1.
    let mut b = valid_api();
    b["reporter"]["name"] = json!("");
    b["reporter"]["contact"] = json!("");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(error_keys(&v), ["reporter.name"]);
    assert!(error_of(&v, "reporter.name").contains("anonim"), "{v}");
    // `name` left out entirely is the same.
    b["reporter"].as_object_mut().expect("obj").remove("name");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(error_keys(&v), ["reporter.name"]);

    // Criterion 2.
    let mut b = valid_api();
    b["chronology"] = json!("   ");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["chronology"]);
    assert_eq!(error_of(&v, "chronology"), "Wajib diisi.");
    b["chronology"] = json!("Terlalu pendek.");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert!(
        error_of(&v, "chronology").contains("Terlalu singkat"),
        "{v}"
    );

    // Criterion 3.
    let mut b = valid_api();
    b["parties"] = json!([]);
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["parties"]);
    b.as_object_mut().expect("obj").remove("parties");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["parties"]);
    let mut b = valid_api();
    b["parties"] = json!([
        {"name": "Budi", "position": "Staf", "unit": "Perizinan"},
        {"name": "Ani", "position": "Kepala Seksi"}
    ]);
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["parties[1].unit"]);
    assert_eq!(error_of(&v, "parties[1].unit"), "Wajib diisi.");

    // Criterion 4.
    let mut b = valid_api();
    b["incident"] = json!({"when": "", "place": ""});
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["incident.place", "incident.when"]);

    // English on request.
    let mut b = valid_api();
    b["incident"] = json!({"when": "kemarin"});
    let (st, v) = api_raw(
        &c,
        &s,
        Some("application/json"),
        serde_json::to_vec(&b).expect("json"),
        Some("en-US,en;q=0.9"),
    )
    .await;
    assert_eq!(st, 422);
    assert_eq!(error_of(&v, "incident.place"), "Required.");

    // Unknown category and reporter kind.
    let mut b = valid_api();
    b["category"] = json!("NOT_A_CODE");
    b["reporter"]["kind"] = json!("alien");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["category", "reporter.kind"]);

    s.stop();
    assert_eq!(env.case_count(), 0, "no half-report is stored");
}

#[tokio::test]
async fn anonymous_reports_are_accepted_without_criterion_one() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    let mut f = valid_fields();
    set(&mut f, "reporter.name", "");
    set(&mut f, "reporter.contact", "");
    set(&mut f, "reporter.anonymous", "1");
    // As a browser sends it when no file is chosen: an empty file part with an empty name.
    let r = submit(&c, &s, &f, &[("", Vec::new())]).await;
    assert_receipt_page(&r);
    assert!(r.body.contains("Laporan anonim"), "{}", r.body);
    assert!(r.body.contains("kriteria 1"), "the page names criterion 1");
    assert!(r.body.contains("mungkin tidak dapat ditindaklanjuti"));
    assert!(
        !r.body.contains("lampiran sudah"),
        "no attachment was stored"
    );

    set(&mut f, "lang", "en");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Anonymous report"), "{}", r.body);
    assert!(r.body.contains("criterion 1"));

    let mut b = valid_api();
    b["reporter"] = json!({"kind": "staff", "anonymous": true});
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["criteria_missing"], json!([1]), "{v}");

    // Anonymous, yet a name typed: asked to choose, and the choice is kept on the page.
    let mut f = valid_fields();
    set(&mut f, "reporter.anonymous", "1");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422);
    assert!(field_error(&r.body, "reporter.name").is_some_and(|e| e.contains("anonim")));
    assert_values_kept(&r.body, &f);
    let mut b = valid_api();
    b["reporter"]["anonymous"] = json!(true);
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["reporter.contact", "reporter.name"]);

    s.stop();
    assert_eq!(env.case_count(), 3);
}

// ---------------------------------------------------------------------------------------------------
// Making mistakes safely
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn form_invalid_submission_keeps_every_typed_value() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    let mut f = valid_fields();
    set(&mut f, "reporter.kind", "public");
    set(&mut f, "category", "GRATIFIKASI");
    set(
        &mut f,
        "chronology",
        "Baris satu <b>tebal</b> & \"kutip\" 'tunggal'\nBaris dua: uang Rp 1.000.000 — ñ 日本 </textarea><script>alert(1)</script>",
    );
    set(&mut f, "parties[0].name", "Budi \"Bos\" <i>Santoso</i>");
    set(&mut f, "parties[1].name", "Ani & Co");
    set(&mut f, "parties[1].position", "Kepala Seksi");
    set(&mut f, "parties[1].unit", "Pelayanan");
    set(&mut f, "parties[2].name", "Cici");
    set(&mut f, "parties[2].position", "Kasir");
    set(&mut f, "parties[2].unit", "Keuangan");
    set(&mut f, "party_rows", "3");
    set(&mut f, "incident.place", "Loket \"2\" > lantai 1");
    set(&mut f, "reporter.name", "Melati' onmouseover='x");
    set(&mut f, "evidence", "Foto & kuitansi <img src=x>");
    unset(&mut f, "good_faith"); // the only problem
    let r = submit(&c, &s, &f, &[("foto bukti.pdf", pdf_with("foto"))]).await;
    assert_eq!(r.status, 422);
    assert_values_kept(&r.body, &f);
    assert!(r.body.contains("class=\"error\""));
    assert!(field_error(&r.body, "good_faith").is_some());
    assert!(
        !r.body.contains("<script>alert(1)"),
        "typed text is escaped"
    );
    assert!(!r.body.contains("<b>tebal"), "typed text is escaped");
    assert!(!r.body.contains("<img src=x>"), "typed text is escaped");
    assert!(
        !r.body.contains("onmouseover='x"),
        "typed text is escaped in attributes"
    );
    assert!(
        input_value(&r.body, "parties[3].name").is_none(),
        "exactly the rows sent"
    );
    // The file must be chosen again, and the page says which.
    assert!(r.body.contains("perlu dipilih lagi"), "{}", r.body);
    assert!(r.body.contains("<li>foto bukti.pdf</li>"));
    // A new token lets the reporter send the corrected form.
    let token = token_in(&r.body).expect("token");
    set(&mut f, "good_faith", "1");
    let r = post_form(&c, &s, multipart(Some(&token), &f, &[])).await;
    assert_receipt_page(&r);

    s.stop();
    assert_eq!(env.case_count(), 1);
    assert!(
        env.blob_files().is_empty(),
        "the refused upload left nothing behind"
    );
}

#[tokio::test]
async fn form_add_party_keeps_values_and_names_files() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let mut f = valid_fields();
    set(&mut f, "action", "add_party");
    let r = submit(&c, &s, &f, &[("surat.pdf", pdf_with("surat"))]).await;
    assert_eq!(r.status, 200);
    assert!(
        receipt_in(&r.body).is_none(),
        "adding a row does not submit"
    );
    assert_values_kept(&r.body, &f);
    assert_eq!(input_value(&r.body, "parties[2].name").as_deref(), Some(""));
    assert_eq!(input_value(&r.body, "party_rows").as_deref(), Some("3"));
    assert!(
        r.body.contains("<li>surat.pdf</li>"),
        "the file must be chosen again"
    );
    s.stop();
    assert_eq!(env.case_count(), 0);
    assert!(env.blob_files().is_empty());
}

#[tokio::test]
async fn missing_or_forged_form_token_keeps_values() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let f = valid_fields();

    for token in [
        None,
        Some("forged"),
        Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ] {
        let r = post_form(&c, &s, multipart(token, &f, &[])).await;
        assert_eq!(r.status, 422, "token {token:?}");
        assert!(r.body.contains("class=\"notice\""), "a notice explains it");
        assert!(r.body.contains("Isian Anda masih ada"));
        assert_values_kept(&r.body, &f);
        assert!(receipt_in(&r.body).is_none());
    }
    // The page it shows carries a good token.
    let r = post_form(&c, &s, multipart(None, &f, &[])).await;
    let token = token_in(&r.body).expect("new token");
    let r = post_form(&c, &s, multipart(Some(&token), &f, &[])).await;
    assert_receipt_page(&r);
    s.stop();
    assert_eq!(env.case_count(), 1);
}

#[tokio::test]
async fn form_token_reuse_is_409_and_stores_one_case() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let f = valid_fields();
    let token = form_token(&c, &s).await;
    let files = [("bukti.pdf", pdf_with("bukti"))];

    // A double click: the same form twice at once.
    let (a, b) = tokio::join!(
        post_form(&c, &s, multipart(Some(&token), &f, &files)),
        post_form(&c, &s, multipart(Some(&token), &f, &files)),
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 409],
        "exactly one of two simultaneous sends is stored"
    );
    let conflict = if a.status == 409 { &a } else { &b };
    assert!(
        conflict.body.contains("sudah terkirim"),
        "{}",
        conflict.body
    );
    assert!(receipt_in(&conflict.body).is_none());

    // The back button and send again.
    let r = post_form(&c, &s, multipart(Some(&token), &f, &files)).await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("sudah terkirim"));
    assert!(
        receipt_in(&r.body).is_none(),
        "the receipt is never shown again"
    );

    s.stop();
    assert_eq!(env.case_count(), 1, "only one case is stored");
    let blobs = env.blob_files();
    assert_eq!(blobs.len(), 1, "only one attachment is stored: {blobs:?}");
}

#[tokio::test]
async fn cross_site_posts_are_403() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let f = valid_fields();

    let token = form_token(&c, &s).await;
    let body = form_bytes(Some(&token), &f, &[]);
    let r = raw_post(
        &s,
        "/lapor",
        &format!("{MULTIPART_XYZ}Sec-Fetch-Site: cross-site\r\n"),
        &body,
    );
    assert_eq!(r.status, 403);
    assert!(r.body.contains("Permintaan ditolak"));
    let r = raw_post(
        &s,
        "/lapor?lang=en",
        &format!("{MULTIPART_XYZ}Origin: http://evil.example\r\n"),
        &body,
    );
    assert_eq!(r.status, 403);
    assert!(r.body.contains("Request refused"));
    let r = raw_post(
        &s,
        "/lapor",
        &format!("{MULTIPART_XYZ}Origin: null\r\n"),
        &body,
    );
    assert_eq!(r.status, 403);
    let r = raw_post(
        &s,
        "/lapor/selesai",
        "Content-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: cross-site\r\n",
        b"saved=1",
    );
    assert_eq!(r.status, 403);

    // The same form from our own origin is accepted: the token was not used up by the refusals.
    let r = c
        .post(s.url("/lapor"))
        .header("sec-fetch-site", "same-origin")
        .header("origin", s.base.clone())
        .multipart(multipart(Some(&token), &f, &[]))
        .send()
        .await
        .expect("POST");
    assert_receipt_page(&reply(r).await);

    s.stop();
    assert_eq!(env.case_count(), 1);
}

/// DESIGN.md §6: only padded sizes are stored, so a short and a long report, or two files of nearly the
/// same size, look the same on disk (up to the random size of age's header, which says nothing).
#[tokio::test]
async fn stored_sizes_are_padded() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    let mut short = valid_api();
    short["chronology"] = json!("Minta uang untuk izin usaha.");
    short["reporter"]["name"] = json!("A");
    short["reporter"]["contact"] = json!("");
    let mut long = valid_api();
    long["chronology"] = json!("Petugas meminta uang tambahan. ".repeat(60));
    long["reporter"]["name"] = json!("N".repeat(120));
    long["reporter"]["contact"] = json!("c".repeat(200));
    for b in [&short, &long] {
        let (st, v) = api(&c, &s, b).await;
        assert_eq!(st, 201, "{v}");
    }
    for len in [1000, 1010] {
        let r = submit(&c, &s, &valid_fields(), &[("bukti.pdf", pdf_of_len(len))]).await;
        assert_receipt_page(&r);
    }
    s.stop();

    let sizes = env.item_sizes();
    assert_eq!(sizes.len(), 4);
    let first = &sizes[0].1;
    assert_eq!(first.len(), 3, "report, identity, manifest");
    for (id, sz) in &sizes {
        assert_eq!(sz, first, "case {id} stores other sizes: {sizes:?}");
    }
    let blob_sizes: Vec<u64> = files_under(&env.data.join("blobs"))
        .iter()
        .map(|f| age_payload_len(&fs::read(f).expect("blob")) as u64)
        .collect();
    assert_eq!(blob_sizes.len(), 2);
    assert_eq!(
        blob_sizes[0], blob_sizes[1],
        "1000 and 1010 bytes share a bucket"
    );
}

/// DESIGN.md §5: Argon2 runs behind a semaphore and a bounded queue; a flood gets 503 + Retry-After, and
/// exactly the acknowledged reports are stored.
#[tokio::test]
async fn a_flood_gets_503_and_stores_exactly_what_it_acknowledged() {
    let env = Env::with_config("kdf_concurrency = 1\n");
    let mut s = env.start();
    let c = client();
    let body = valid_api();
    let sends = (0..48).map(|_| {
        let c = c.clone();
        let url = s.url("/api/v1/reports");
        let body = body.clone();
        async move {
            let r = c.post(url).json(&body).send().await.expect("POST");
            let status = r.status().as_u16();
            let retry = r.headers().get("retry-after").is_some();
            let v: Value = r.json().await.unwrap_or(Value::Null);
            (status, retry, v)
        }
    });
    let results = futures_join_all(sends).await;
    let mut created = 0;
    for (status, retry, v) in &results {
        match status {
            201 => created += 1,
            503 => {
                assert!(*retry, "503 without Retry-After");
                assert_eq!(error_keys(v), ["body"], "{v}");
            }
            other => panic!("unexpected {other}: {v}"),
        }
    }
    assert!(created > 0);
    s.stop();
    assert_eq!(
        env.case_count(),
        created,
        "stored exactly the acknowledged reports"
    );
}

/// `join_all` without the futures crate: spawns each on the test's runtime.
async fn futures_join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

/// The JSON API names each problem by its field path, also when a field is left out entirely (the
/// same as when it is sent empty).
#[tokio::test]
async fn api_missing_fields_are_named_by_their_path() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    let mut b = valid_api();
    b.as_object_mut().expect("obj").remove("category");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["category"], "{v}");

    let mut b = valid_api();
    b["reporter"].as_object_mut().expect("obj").remove("kind");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["reporter.kind"], "{v}");

    let mut b = valid_api();
    b.as_object_mut().expect("obj").remove("incident");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    let keys = error_keys(&v);
    assert!(
        !keys.is_empty() && keys.iter().all(|k| k.starts_with("incident")),
        "{v}"
    );

    let mut b = valid_api();
    b.as_object_mut().expect("obj").remove("reporter");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    let keys = error_keys(&v);
    assert!(
        !keys.is_empty() && keys.iter().all(|k| k.starts_with("reporter")),
        "{v}"
    );
    s.stop();
}

// ---------------------------------------------------------------------------------------------------
// Oversized, malformed, unknown, non-UTF-8
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn form_attachments_over_the_limit_are_named() {
    let env = Env::with_config("max_upload_mb = 1\n");
    let mut s = env.start();
    let c = client();
    let f = valid_fields();

    // One file over the 1 MB total.
    let r = submit(&c, &s, &f, &[("rekaman-besar.pdf", pdf_of_len(1_500_000))]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("rekaman-besar.pdf"), "the file is named");
    assert!(
        r.body.contains("melebihi batas ukuran lampiran (1 MB"),
        "{}",
        r.body
    );
    assert_values_kept(&r.body, &f);

    // Two files that fit alone but not together: the second one is named.
    let r = submit(
        &c,
        &s,
        &f,
        &[
            ("pertama.pdf", pdf_of_len(600_000)),
            ("kedua.pdf", pdf_of_len(600_000)),
        ],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Lampiran: kedua.pdf"), "{}", r.body);
    assert!(
        r.body.contains("<li>pertama.pdf</li>"),
        "every file must be chosen again"
    );
    assert_values_kept(&r.body, &f);

    // A body over the whole request limit (attachments + 1 MiB of room): still a page, naming it.
    let token = form_token(&c, &s).await;
    let body = form_bytes(
        Some(&token),
        &f,
        &[("video.pdf", pdf_of_len(3 * 1024 * 1024))],
    );
    let r = raw_post(&s, "/lapor", MULTIPART_XYZ, &body);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Lampiran: video.pdf"), "{}", r.body);
    assert_values_kept(&r.body, &f);

    s.stop();
    assert_eq!(env.case_count(), 0);
    assert!(
        env.blob_files().is_empty(),
        "refused uploads leave nothing: {:?}",
        env.blob_files()
    );
}

/// The form as a browser sends it: in the page's order, where the file input comes before the
/// good-faith declaration.
/// The body a browser sends for the form served at `/lapor`: fields in the order their inputs appear
/// in the page's HTML, with the files where the `attachments` input is.
fn browser_order_bytes(
    form_html: &str,
    token: &str,
    fields: &Fields,
    files: &[(&str, Vec<u8>)],
) -> Vec<u8> {
    let pos = |name: &str| {
        form_html
            .find(&format!("name=\"{name}\""))
            .unwrap_or_else(|| panic!("the form has no input named {name}"))
    };
    let files_at = pos("attachments");
    let (after, before): (Fields, Fields) =
        fields.iter().cloned().partition(|(k, _)| pos(k) > files_at);
    let mut head = form_bytes(Some(token), &before, files);
    head.truncate(head.len() - b"--XyZ--\r\n".len());
    let tail: Vec<(&[u8], &[u8])> = after
        .iter()
        .map(|(k, v)| (k.as_bytes(), v.as_bytes()))
        .collect();
    head.extend_from_slice(&multipart_bytes(&tail, &[]));
    head
}

/// A reporter picks a file far over the limit: the page names it and keeps everything typed, including
/// what the browser sends after the file (the good-faith declaration).
#[tokio::test]
async fn form_over_the_request_limit_keeps_fields_sent_after_the_file() {
    let env = Env::with_config("max_upload_mb = 1\n");
    let mut s = env.start();
    let c = client();
    let f = valid_fields();

    // Within the request limit: the file is refused by the attachment budget and the body read to its end.
    let form_html = c
        .get(s.url("/lapor"))
        .send()
        .await
        .expect("GET /lapor")
        .text()
        .await
        .expect("html");
    let token = form_token(&c, &s).await;
    let body = browser_order_bytes(
        &form_html,
        &token,
        &f,
        &[("video.pdf", pdf_of_len(1_500_000))],
    );
    let r = raw_post(&s, "/lapor", MULTIPART_XYZ, &body);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Lampiran: video.pdf"), "{}", r.body);
    assert_values_kept(&r.body, &f);
    assert_eq!(field_error(&r.body, "good_faith"), None);

    // Over the request limit (1 MB of attachments + 1 MiB of room).
    let token = form_token(&c, &s).await;
    let body = browser_order_bytes(
        &form_html,
        &token,
        &f,
        &[("video.pdf", pdf_of_len(3 * 1024 * 1024))],
    );
    let r = raw_post(&s, "/lapor", MULTIPART_XYZ, &body);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Lampiran: video.pdf"), "{}", r.body);
    assert_eq!(
        field_error(&r.body, "good_faith"),
        None,
        "the reporter ticked the declaration; the page must not say otherwise"
    );
    assert_values_kept(&r.body, &f);

    s.stop();
    assert_eq!(env.case_count(), 0);
}

#[tokio::test]
async fn api_body_over_256_kib_is_413() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    let mut b = valid_api();
    b["chronology"] = json!("a".repeat(300 * 1024));
    let r = raw_post(
        &s,
        "/api/v1/reports",
        "Content-Type: application/json\r\n",
        &serde_json::to_vec(&b).expect("json"),
    );
    assert_eq!(r.status, 413);
    let v: Value = serde_json::from_str(&r.body).expect("a JSON error");
    assert_eq!(error_keys(&v), ["body"], "{v}");
    // Just under the limit is read (and refused for what it says, not for its size).
    let mut b = valid_api();
    b["evidence"] = json!("");
    let room = 256 * 1024 - serde_json::to_vec(&b).expect("json").len();
    b["evidence"] = json!("e".repeat(room));
    let body = serde_json::to_vec(&b).expect("json");
    assert_eq!(body.len(), 256 * 1024);
    let (st, v) = api_raw(&c, &s, Some("application/json"), body, None).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["evidence"], "{v}");

    // Under the body limit but over the chronology's limit: a field error.
    let mut b = valid_api();
    b["chronology"] = json!("a".repeat(100 * 1024));
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert!(
        error_of(&v, "chronology").contains("Terlalu panjang"),
        "{v}"
    );

    // Too many parties.
    let mut b = valid_api();
    b["parties"] = json!(vec![json!({"name": "A", "position": "B", "unit": "C"}); 11]);
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["parties"]);

    s.stop();
    assert_eq!(env.case_count(), 0);
}

#[tokio::test]
async fn malformed_api_bodies_are_refused() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let json_ct = Some("application/json");

    for body in [
        &b"{\"reporter\": "[..],
        b"{not json}",
        b"",
        b"[]",
        b"null",
        b"{\"category\": \"PUNGLI\",}",
    ] {
        let (st, v) = api_raw(&c, &s, json_ct, body.to_vec(), None).await;
        assert_eq!(st, 422, "{:?}", String::from_utf8_lossy(body));
        assert!(!error_keys(&v).is_empty(), "errors named: {v}");
    }
    // A valid report followed by garbage.
    let mut body = serde_json::to_vec(&valid_api()).expect("json");
    body.extend_from_slice(b" trailing");
    let (st, v) = api_raw(&c, &s, json_ct, body, None).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["body"]);
    // Values of the wrong type name their path.
    let mut b = valid_api();
    b["parties"] = json!("Budi");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["parties"]);
    let mut b = valid_api();
    b["reporter"]["anonymous"] = json!("yes");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["reporter.anonymous"]);
    // Error messages do not echo the input.
    let mut b = valid_api();
    b["category"] = json!(["SECRET-ECHO"]);
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert!(!v.to_string().contains("SECRET-ECHO"), "{v}");

    // Not JSON at all.
    let body = serde_json::to_vec(&valid_api()).expect("json");
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let (st, v) = api_raw(&c, &s, ct, body.clone(), None).await;
        assert_eq!(st, 415, "content type {ct:?}");
        assert_eq!(error_keys(&v), ["body"]);
    }
    // With a charset parameter it is still JSON.
    let (st, v) = api_raw(&c, &s, Some("application/json; charset=utf-8"), body, None).await;
    assert_eq!(st, 201, "{v}");

    s.stop();
    assert_eq!(env.case_count(), 1);
}

#[tokio::test]
async fn malformed_form_posts_are_refused_politely() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let token = form_token(&c, &s).await;

    // Not multipart.
    let r = raw_post(
        &s,
        "/lapor",
        "Content-Type: application/x-www-form-urlencoded\r\n",
        format!("form_token={token}&chronology=Kronologi+yang+cukup+panjang+sekali").as_bytes(),
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Formulir tidak dapat dibaca"), "{}", r.body);
    assert!(r.body.contains("<html"), "a friendly page");
    let r = raw_post(&s, "/lapor", "Content-Type: text/plain\r\n", b"hello");
    assert_eq!(r.status, 400);
    let r = raw_post(&s, "/lapor", "", b"no content type");
    assert_eq!(r.status, 400);
    let r = raw_post(
        &s,
        "/lapor?lang=en",
        "Content-Type: multipart/form-data\r\n",
        b"no boundary",
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("The form could not be read"));

    // Multipart that breaks off or is garbage: refused without a server error.
    for body in [
        "garbage without any boundary".to_owned(),
        format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"form_token\"\r\n\r\n{token}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"chronology\"\r\n\r\nputus di tengah"
        ),
        "--XyZ\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--XyZ--\r\n".to_owned(),
    ] {
        let r = reply(
            c.post(s.url("/lapor"))
                .header("content-type", "multipart/form-data; boundary=XyZ")
                .body(body)
                .send()
                .await
                .expect("POST"),
        )
        .await;
        assert!(matches!(r.status.as_u16(), 400 | 422), "{}", r.status);
        assert!(receipt_in(&r.body).is_none());
    }

    s.stop();
    assert_eq!(env.case_count(), 0);
}

#[tokio::test]
async fn api_unknown_fields_are_rejected_with_their_path() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    let mut b = valid_api();
    b["priority"] = json!("high");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(error_keys(&v), ["priority"]);
    assert_eq!(error_of(&v, "priority"), "kolom tidak dikenal");

    let mut b = valid_api();
    b["reporter"]["nik"] = json!("6471000000000000");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["reporter.nik"]);
    assert!(
        !v.to_string().contains("6471000000000000"),
        "values are not echoed"
    );

    let mut b = valid_api();
    b["parties"][0]["email"] = json!("budi@example.org");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["parties[0].email"]);

    let mut b = valid_api();
    b["incident"]["timezone"] = json!("WITA");
    let (st, v) = api_raw(
        &c,
        &s,
        Some("application/json"),
        serde_json::to_vec(&b).expect("json"),
        Some("en"),
    )
    .await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["incident.timezone"]);
    assert_eq!(error_of(&v, "incident.timezone"), "unknown field");

    s.stop();
    assert_eq!(env.case_count(), 0);
}

#[tokio::test]
async fn form_unknown_fields_do_not_break_it() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let mut f = valid_fields();
    set(&mut f, "good_faith", "");
    set(
        &mut f,
        "<script>x</script>",
        "<script>alert('injected')</script>",
    );
    set(&mut f, "parties[99].name", "Jauh");
    let r = submit(&c, &s, &f, &[]).await;
    assert_eq!(r.status, 422, "the good-faith box is missing");
    assert!(
        !r.body.contains("<script>"),
        "unknown fields are not reflected"
    );
    assert!(
        !r.body.contains("Jauh"),
        "rows beyond the limit are not read"
    );
    s.stop();
    assert_eq!(env.case_count(), 0);
}

#[tokio::test]
async fn non_utf8_bodies_are_refused_without_5xx() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    // API: raw bytes that are not UTF-8.
    let (st, v) = api_raw(
        &c,
        &s,
        Some("application/json"),
        vec![0xff, 0xfe, 0x7b, 0x7d],
        None,
    )
    .await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["body"]);
    // API: a JSON document with an invalid byte inside a string.
    let text = serde_json::to_string(&valid_api()).expect("json");
    let mut bytes = text.replace("Melati", "Mel\u{1}ti").into_bytes();
    let at = bytes.iter().position(|&b| b == 1).expect("marker byte");
    bytes[at] = 0xC3; // a lead byte followed by ASCII: invalid
    let (st, v) = api_raw(&c, &s, Some("application/json"), bytes, None).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["body"]);
    // API: UTF-16.
    let utf16: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let (st, _) = api_raw(&c, &s, Some("application/json"), utf16, None).await;
    assert_eq!(st, 422);

    // Form: text fields, a field name and a file name with invalid UTF-8.
    let token = form_token(&c, &s).await;
    let mut body: Vec<u8> = Vec::new();
    let mut field = |name: &[u8], value: &[u8]| {
        body.extend_from_slice(b"--XyZ\r\nContent-Disposition: form-data; name=\"");
        body.extend_from_slice(name);
        body.extend_from_slice(b"\"\r\n\r\n");
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    };
    for (k, v) in valid_fields() {
        let value: Vec<u8> = match k.as_str() {
            "chronology" => {
                b"Petugas meminta uang \xff\xfe\xc3\x28 agar izin cepat terbit, bukti ada.".to_vec()
            }
            "parties[0].name" => b"Budi \xed\xa0\x80".to_vec(), // an encoded surrogate
            "incident.place" => b"Loket \xc0\xaf".to_vec(),     // an overlong encoding
            _ => v.into_bytes(),
        };
        field(k.as_bytes(), &value);
    }
    field(b"form_token", token.as_bytes());
    field(b"bad\xffname", b"x");
    body.extend_from_slice(
        b"--XyZ\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"bukti-\xff\xfe.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\nisi\r\n--XyZ--\r\n",
    );
    let r = reply(
        c.post(s.url("/lapor"))
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .body(body)
            .send()
            .await
            .expect("POST"),
    )
    .await;
    assert!(matches!(r.status.as_u16(), 200 | 400 | 422), "{}", r.status);
    assert!(r.body.contains("<html"), "a page");

    s.stop();
}

#[tokio::test]
async fn disallowed_attachment_types_are_named() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let f = valid_fields();

    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    exe.extend_from_slice(&[0u8; 2000]);
    let cases: [(&str, Vec<u8>); 5] = [
        ("<img src=x onerror=alert(1)>.exe", exe.clone()),
        ("program.exe", exe.clone()),
        ("laporan.pdf", exe.clone()), // a lying extension
        (
            "arsip.zip",
            b"PK\x03\x04\x14\x00\x00\x00rest-of-zip".to_vec(),
        ),
        (
            "halaman.html",
            b"<html><script>alert(1)</script></html>".to_vec(),
        ),
    ];
    for (name, bytes) in cases {
        let r = submit(
            &c,
            &s,
            &f,
            &[
                ("foto.png", b"\x89PNG\r\n\x1a\nrest".to_vec()),
                (name, bytes),
            ],
        )
        .await;
        assert_eq!(r.status, 422, "{name}");
        assert!(
            unescape(&r.body).contains(&format!("Lampiran: {name}")),
            "{name} is named:\n{}",
            r.body
        );
        assert!(!r.body.contains("<img src=x"), "file names are escaped");
        assert!(r.body.contains("jenis berkas tidak diterima"), "{name}");
        assert!(
            r.body.contains("<li>foto.png</li>"),
            "the good file must be chosen again too"
        );
        assert_values_kept(&r.body, &f);
    }

    // More files than allowed (default 10): the extra one is named.
    let names: Vec<String> = (1..=11).map(|i| format!("halaman-{i:02}.pdf")).collect();
    let files: Vec<(&str, Vec<u8>)> = names.iter().map(|n| (n.as_str(), pdf_with(n))).collect();
    let r = submit(&c, &s, &f, &files).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Lampiran: halaman-11.pdf"), "{}", r.body);
    assert!(r.body.contains("terlalu banyak berkas (paling banyak 10)"));
    assert!(!r.body.contains("Lampiran: halaman-10.pdf"));
    assert_values_kept(&r.body, &f);

    s.stop();
    assert_eq!(env.case_count(), 0);
    assert!(env.blob_files().is_empty(), "{:?}", env.blob_files());
}

/// Waits up to 20 s for `cond`.
fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts a form upload of `body` over a raw socket and sends only its first `sent` bytes.
fn partial_upload(s: &Server, body: &[u8], sent: usize) -> std::net::TcpStream {
    use std::io::Write;
    let mut sock = std::net::TcpStream::connect(("127.0.0.1", s.port)).expect("connect");
    let head = format!(
        "POST /lapor HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{MULTIPART_XYZ}Content-Length: {}\r\n\r\n",
        s.port,
        body.len()
    );
    sock.write_all(head.as_bytes()).expect("head");
    sock.write_all(&body[..sent]).expect("part of the body");
    sock.flush().expect("flush");
    sock
}

/// DESIGN.md §4 and §7: an upload that never completes leaves no file behind, neither when the reporter
/// goes away nor when the server dies; what is on disk meanwhile is ciphertext.
#[tokio::test]
async fn interrupted_uploads_leave_nothing_behind() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let m = marker();
    let mut pdf = b"%PDF-1.4\n".to_vec();
    while pdf.len() < 2_000_000 {
        pdf.extend_from_slice(format!("{m} rahasia\n").as_bytes());
    }
    let tmp_files = |env: &Env| -> Vec<String> {
        env.blob_files()
            .into_iter()
            .filter(|n| n.starts_with(".tmp-"))
            .collect()
    };

    // The reporter's connection drops in the middle of a file.
    let token = form_token(&c, &s).await;
    let body = form_bytes(
        Some(&token),
        &valid_fields(),
        &[("rekaman.pdf", pdf.clone())],
    );
    let sock = partial_upload(&s, &body, body.len() / 2);
    wait_for("the upload's temporary file", || {
        !tmp_files(&env).is_empty()
    });
    wait_for("part of the upload on disk", || {
        files_under(&env.data.join("blobs"))
            .iter()
            .any(|f| fs::metadata(f).map(|m| m.len()).unwrap_or(0) > 100_000)
    });
    let hits = files_containing(&env.data, &[m.as_bytes()]);
    assert!(hits.is_empty(), "plaintext of an upload on disk: {hits:?}");
    drop(sock);
    wait_for("the temporary file to go", || env.blob_files().is_empty());

    // The server dies in the middle of a file: the next start sweeps it.
    let token = form_token(&c, &s).await;
    let body = form_bytes(Some(&token), &valid_fields(), &[("rekaman.pdf", pdf)]);
    let sock = partial_upload(&s, &body, body.len() / 2);
    wait_for("the upload's temporary file", || {
        !tmp_files(&env).is_empty()
    });
    s.kill();
    drop(sock);
    let mut s = env.start();
    assert!(
        env.blob_files().is_empty(),
        "orphans swept at start-up: {:?}",
        env.blob_files()
    );
    s.stop();
    assert_eq!(env.case_count(), 0);
}

// ---------------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn security_headers_on_every_response() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    // `reply` checks the headers of every response it sees; this walks the remaining kinds.
    for path in [
        "/",
        "/?lang=en",
        "/lapor",
        "/lapor?lang=en",
        "/static/style.css",
        "/healthz",
        "/tidak-ada",
        "/api/v1/reports",
    ] {
        let r = reply(c.get(s.url(path)).send().await.expect("GET")).await;
        assert!(r.status.as_u16() < 500, "{path}");
    }
    let home = reply(c.get(s.url("/")).send().await.expect("GET")).await;
    assert!(home
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html")));
    assert!(!home.body.contains("<script"), "no JavaScript");
    for attr in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "action=\"http",
    ] {
        assert!(
            !home.body.contains(attr),
            "nothing from other origins: {attr}"
        );
    }
    let r = reply(c.get(s.url("/tidak-ada")).send().await.expect("GET")).await;
    assert_eq!(r.status, 404);
    let r = reply(c.post(s.url("/")).send().await.expect("POST")).await;
    assert!(r.status.is_client_error());
    let r = reply(
        c.post(s.url("/lapor/selesai"))
            .form(&[("saved", "1")])
            .send()
            .await
            .expect("POST"),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.headers.get("clear-site-data").is_some());
    // 4xx from the API, including a body over the limit.
    let (st, _) = api_raw(&c, &s, Some("application/json"), b"{".to_vec(), None).await;
    assert_eq!(st, 422);
    let r = raw_post(
        &s,
        "/api/v1/reports",
        "Content-Type: application/json\r\n",
        &vec![b' '; 300 * 1024],
    );
    assert_eq!(r.status, 413);
    s.stop();
}

// ---------------------------------------------------------------------------------------------------
// The canary: plaintext never reaches disk or the logs, yet the investigator can read it
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn canary_never_reaches_disk_or_logs_but_decrypts() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let mf = marker(); // the form's
    let ma = marker(); // the API's

    let mut f = valid_fields();
    set(
        &mut f,
        "chronology",
        &format!("Petugas meminta uang pelicin {mf} di loket."),
    );
    set(&mut f, "parties[0].name", &format!("Budi {mf}"));
    set(&mut f, "parties[0].position", &format!("Staf {mf}"));
    set(&mut f, "parties[0].unit", &format!("Unit {mf}"));
    set(&mut f, "incident.when", &format!("Maret {mf}"));
    set(&mut f, "incident.place", &format!("Loket {mf}"));
    set(&mut f, "reporter.name", &format!("Melati {mf}"));
    set(&mut f, "reporter.contact", &format!("{mf}@example.org"));
    set(&mut f, "evidence", &format!("Kuitansi {mf}"));
    let att_name = format!("bukti-{mf}.pdf");
    let r = submit(&c, &s, &f, &[(att_name.as_str(), pdf_with(&mf))]).await;
    let (receipt_f, case_f) = assert_receipt_page(&r);
    assert!(
        !r.body.contains(&mf),
        "the receipt page does not show the report back"
    );

    let b = json!({
        "reporter": {"kind": "public", "name": format!("Mawar {ma}"), "contact": format!("{ma}@example.org"), "anonymous": false},
        "category": "SUAP",
        "chronology": format!("Ada permintaan suap {ma} untuk izin."),
        "parties": [{"name": format!("Andi {ma}"), "position": format!("Kasi {ma}"), "unit": format!("Seksi {ma}")}],
        "incident": {"when": format!("April {ma}"), "place": format!("Kantor {ma}")},
        "evidence": format!("Foto {ma}")
    });
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 201, "{v}");
    assert!(
        !v.to_string().contains(&ma),
        "the API does not echo the report: {v}"
    );
    let receipt_a = v["receipt"].as_str().expect("receipt").to_owned();
    let case_a = v["case_id"].as_str().expect("case").to_owned();
    s.stop();

    let secrets: Vec<String> = vec![
        mf.clone(),
        ma.clone(),
        mf.to_lowercase(),
        ma.to_lowercase(),
        receipt_f.clone(),
        no_dashes(&receipt_f),
        receipt_f.to_lowercase(),
        no_dashes(&receipt_f).to_lowercase(),
        receipt_a.clone(),
        no_dashes(&receipt_a),
        receipt_a.to_lowercase(),
        no_dashes(&receipt_a).to_lowercase(),
        "Melati".to_owned(),
        "Mawar".to_owned(),
    ];
    let needles: Vec<&[u8]> = secrets.iter().map(|s| s.as_bytes()).collect();

    let files = env.data_files();
    assert!(
        files.len() >= 3,
        "the data directory holds the store: {files:?}"
    );
    let hits = files_containing(&env.data, &needles);
    assert!(hits.is_empty(), "plaintext or a receipt on disk: {hits:?}");
    let hits = files_containing(&env.data, &[USER_AGENT.as_bytes(), b"127.0.0.1"]);
    assert!(hits.is_empty(), "a user agent or address on disk: {hits:?}");
    let log = env.log_bytes();
    for (n, text) in needles.iter().zip(&secrets) {
        assert!(
            !contains(&log, n),
            "the server printed {text}:\n{}",
            env.log_text()
        );
    }
    assert!(!env.log_text().contains(USER_AGENT));

    // The investigator, offline, with the demo identity: export, then decrypt.
    let (out, o) = env.export("export");
    assert!(
        o.status.success(),
        "wbs export failed ({}): {}{}",
        o.status,
        stdout(&o),
        stderr(&o)
    );
    let index: Value =
        serde_json::from_slice(&fs::read(out.join("index.json")).expect("index.json"))
            .expect("json");
    let ids: Vec<&str> = index
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|e| e["case_id"].as_str())
        .collect();
    assert!(
        ids.contains(&case_f.as_str()) && ids.contains(&case_a.as_str()),
        "{index}"
    );
    let hits = files_containing(&out, &needles);
    assert!(hits.is_empty(), "plaintext in the export: {hits:?}");

    let att = env.path().join("attachments");
    let o = env.wbs([
        OsStr::new("decrypt"),
        OsStr::new("--identity"),
        env.demo_identity().as_os_str(),
        OsStr::new("--keys"),
        env.keys.as_os_str(),
        OsStr::new("--reveal-identity"),
        OsStr::new("--attachments"),
        att.as_os_str(),
        out.as_os_str(),
    ]);
    let text = stdout(&o);
    assert!(
        o.status.success(),
        "wbs decrypt failed ({}):\n{text}\n{}",
        o.status,
        stderr(&o)
    );
    for (k, v) in &f {
        if v.contains(&mf) {
            assert!(
                text.contains(v.as_str()),
                "decrypted output lacks {k} = {v}:\n{text}"
            );
        }
    }
    for v in [
        format!("Mawar {ma}"),
        format!("{ma}@example.org"),
        format!("Ada permintaan suap {ma} untuk izin."),
        format!("Andi {ma}"),
        format!("Kasi {ma}"),
        format!("Seksi {ma}"),
        format!("April {ma}"),
        format!("Kantor {ma}"),
        format!("Foto {ma}"),
    ] {
        assert!(text.contains(&v), "decrypted output lacks {v}:\n{text}");
    }
    assert!(
        text.contains(&att_name),
        "the attachment's name is in the manifest:\n{text}"
    );
    let written = files_containing(&att, &[mf.as_bytes()]);
    assert_eq!(
        written.len(),
        1,
        "the attachment is written and carries the marker: {written:?}"
    );
    assert_eq!(
        fs::read(&written[0].0).expect("attachment"),
        pdf_with(&mf),
        "the attachment decrypts to its exact bytes"
    );
    assert!(
        written[0]
            .0
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains(&mf)),
        "the attachment keeps its name: {:?}",
        written[0].0
    );

    // Without --reveal-identity the reporter's name stays hidden.
    let o = env.wbs([
        OsStr::new("decrypt"),
        OsStr::new("--identity"),
        env.demo_identity().as_os_str(),
        OsStr::new("--keys"),
        env.keys.as_os_str(),
        out.as_os_str(),
    ]);
    let text = stdout(&o);
    assert!(o.status.success(), "{text}{}", stderr(&o));
    assert!(text.contains(&format!("Petugas meminta uang pelicin {mf} di loket.")));
    assert!(
        !text.contains(&format!("Melati {mf}")),
        "identity hidden:\n{text}"
    );
    assert!(
        !text.contains(&format!("Mawar {ma}")),
        "identity hidden:\n{text}"
    );
}

// ---------------------------------------------------------------------------------------------------
// The crash: an acknowledged report survives SIGKILL
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn report_acknowledged_before_sigkill_survives() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let m = marker();
    let mut b = valid_api();
    b["chronology"] = json!(format!("Laporan sebelum mati mendadak {m}."));

    let r = c
        .post(s.url("/api/v1/reports"))
        .json(&b)
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), 201);
    s.kill(); // SIGKILL as soon as the status line arrived
    let v: Value = r.json().await.unwrap_or(Value::Null);
    let case_id = v["case_id"]
        .as_str()
        .expect("case id in the 201")
        .to_owned();

    // The server comes back on the same data and keeps working.
    let mut s = env.start();
    let r = reply(c.get(s.url("/lapor")).send().await.expect("GET")).await;
    assert_eq!(r.status, 200);
    let (st, v) = api(&c, &s, &valid_api()).await;
    assert_eq!(st, 201, "{v}");
    let second = v["case_id"].as_str().expect("case").to_owned();
    s.stop();

    let (out, o) = env.export("export");
    assert!(
        o.status.success(),
        "wbs export failed: {}{}",
        stdout(&o),
        stderr(&o)
    );
    let index: Value =
        serde_json::from_slice(&fs::read(out.join("index.json")).expect("index.json"))
            .expect("json");
    let ids: Vec<&str> = index
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|e| e["case_id"].as_str())
        .collect();
    assert!(
        ids.contains(&case_id.as_str()),
        "{case_id} survived the kill: {index}"
    );
    assert!(ids.contains(&second.as_str()), "{index}");

    let o = env.wbs([
        OsStr::new("decrypt"),
        OsStr::new("--identity"),
        env.demo_identity().as_os_str(),
        OsStr::new("--keys"),
        env.keys.as_os_str(),
        out.join(&case_id).as_os_str(),
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains(&format!("Laporan sebelum mati mendadak {m}.")));
}

// ---------------------------------------------------------------------------------------------------
// No per-request logging
// ---------------------------------------------------------------------------------------------------

/// A mix of what a day brings: pages, a report, refusals of every kind.
async fn a_day_of_requests(c: &reqwest::Client, s: &Server) {
    let _ = reply(c.get(s.url("/")).send().await.expect("GET")).await;
    let _ = reply(c.get(s.url("/lapor?lang=en")).send().await.expect("GET")).await;
    let _ = reply(c.get(s.url("/static/style.css")).send().await.expect("GET")).await;
    let _ = reply(
        c.get(s.url("/wp-login.php?user=admin"))
            .send()
            .await
            .expect("GET"),
    )
    .await;
    let r = submit(c, s, &valid_fields(), &[]).await;
    assert_eq!(r.status, 200);
    let mut f = valid_fields();
    set(&mut f, "chronology", "");
    let r = submit(c, s, &f, &[]).await;
    assert_eq!(r.status, 422);
    let r = post_form(c, s, multipart(Some("forged"), &valid_fields(), &[])).await;
    assert_eq!(r.status, 422);
    let r = raw_post(
        s,
        "/lapor",
        "Content-Type: application/x-www-form-urlencoded\r\n",
        b"chronology=x",
    );
    assert_eq!(r.status, 400);
    let body = form_bytes(None, &valid_fields(), &[]);
    let r = raw_post(
        s,
        "/lapor",
        &format!("{MULTIPART_XYZ}Sec-Fetch-Site: cross-site\r\n"),
        &body,
    );
    assert_eq!(r.status, 403);
    let (st, _) = api(c, s, &valid_api()).await;
    assert_eq!(st, 201);
    let (st, _) = api(c, s, &json!({"extra": 1})).await;
    assert_eq!(st, 422);
    let (st, _) = api_raw(c, s, Some("text/plain"), b"x".to_vec(), None).await;
    assert_eq!(st, 415);
}

#[tokio::test]
async fn server_output_has_no_request_details() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    a_day_of_requests(&c, &s).await;
    let (port, desk_port) = (s.port, s.desk_port);
    s.stop();

    let log = env.log_text();
    for needle in [
        "/lapor",
        "/api/v1/reports",
        "/wp-login",
        "user=admin",
        USER_AGENT,
        "canary-agent",
        "Mozilla",
    ] {
        assert!(
            !log.contains(needle),
            "the server printed {needle:?}:\n{log}"
        );
    }
    // The only loopback addresses printed are the server's own listening addresses.
    let mut rest = log.as_str();
    while let Some(i) = rest.find("127.0.0.1:") {
        rest = &rest[i + "127.0.0.1:".len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        assert!(
            digits == port.to_string() || digits == desk_port.to_string(),
            "a client address was printed:\n{log}"
        );
    }
}

/// DESIGN.md §6: public routes write no per-request log lines (hourly counters instead), so nothing the
/// server prints can timestamp a visit. Refusals (404, 400, 403, 422) are requests too.
#[tokio::test]
async fn requests_add_no_log_lines() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    std::thread::sleep(Duration::from_millis(200));
    let before = env.log_text();
    a_day_of_requests(&c, &s).await;
    std::thread::sleep(Duration::from_millis(200));
    let after = env.log_text();
    s.stop();
    let added = after.strip_prefix(before.as_str()).unwrap_or(&after);
    assert!(
        added.trim().is_empty(),
        "requests made the server print (one line per request timestamps each visit):\n{added}"
    );
}

/// Photo metadata (EXIF with the GPS position, XMP, comments) is removed before the photo is sealed;
/// the picture itself arrives unchanged, and the investigator is told.
#[tokio::test]
async fn photo_metadata_is_removed_before_sealing() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let gps = marker();
    let pixels = marker();
    let segment = |m: u8, body: &[u8]| {
        let mut v = vec![0xFF, m];
        v.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        v.extend_from_slice(body);
        v
    };
    let mut photo = vec![0xFF, 0xD8];
    photo.extend(segment(0xE0, b"JFIF\0\x01\x02\0\0\x01\0\x01\0\0"));
    photo.extend(segment(0xE1, format!("Exif\0\0GPS {gps}").as_bytes()));
    photo.extend(segment(0xFE, format!("comment {gps}").as_bytes()));
    photo.extend(segment(0xDA, &[1, 1, 0, 0, 0x3F, 0]));
    photo.extend_from_slice(format!("scan data {pixels}").as_bytes());
    photo.extend_from_slice(&[0xFF, 0xD9]);
    let r = submit(&c, &s, &valid_fields(), &[("kamera.jpg", photo.clone())]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    s.stop();
    assert!(files_containing(&env.data, &[gps.as_bytes(), pixels.as_bytes()]).is_empty());

    let (out, o) = env.export("export");
    assert!(o.status.success());
    let att = env.path().join("attachments");
    let o = env.wbs([
        OsStr::new("decrypt"),
        OsStr::new("--identity"),
        env.demo_identity().as_os_str(),
        OsStr::new("--attachments"),
        att.as_os_str(),
        out.as_os_str(),
    ]);
    let text = stdout(&o);
    assert!(o.status.success(), "{text}\n{}", stderr(&o));
    assert!(text.contains("photo metadata removed on arrival"), "{text}");
    let files = support::files_under(&att);
    assert_eq!(files.len(), 1);
    let stored = std::fs::read(&files[0]).unwrap();
    assert!(
        support::contains(&stored, pixels.as_bytes()),
        "the picture is kept"
    );
    assert!(
        !support::contains(&stored, gps.as_bytes()),
        "its metadata is not"
    );
    assert!(stored.starts_with(&[0xFF, 0xD8]) && stored.ends_with(&[0xFF, 0xD9]));
}
