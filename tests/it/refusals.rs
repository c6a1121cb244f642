//! Oversized, malformed, unknown and non-UTF-8 requests to the form and the JSON API: refused politely,
//! never a 5xx, nothing stored.

use serde_json::{json, Value};

use crate::support::http::*;
use crate::support::*;

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

/// Issue 11: an unknown field is refused at the nearest path the schema knows; its name (input, which
/// may be a canary or personal data) is never sent back, nor its value.
#[tokio::test]
async fn api_unknown_fields_are_rejected_at_a_known_path_without_echo() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();

    let mut b = valid_api();
    b["priority_CANARY"] = json!("high");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(error_keys(&v), ["body"]);
    assert_eq!(error_of(&v, "body"), "kolom tidak dikenal");
    assert!(!v.to_string().contains("CANARY"), "{v}");

    let mut b = valid_api();
    b["reporter"]["nik_CANARY"] = json!("6471000000000000");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["reporter"]);
    assert!(
        !v.to_string().contains("6471000000000000") && !v.to_string().contains("CANARY"),
        "neither values nor unknown names are echoed: {v}"
    );

    let mut b = valid_api();
    b["parties"][0]["email_CANARY"] = json!("budi@example.org");
    let (st, v) = api(&c, &s, &b).await;
    assert_eq!(st, 422);
    assert_eq!(error_keys(&v), ["parties[0]"]);
    assert!(!v.to_string().contains("CANARY"), "{v}");

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
    assert_eq!(error_keys(&v), ["incident"]);
    assert_eq!(error_of(&v, "incident"), "unknown field");
    assert!(!v.to_string().contains("timezone"), "{v}");

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
