//! The reporter's JSON follow-up API (`POST /api/v1/followup`, `/api/v1/followup/messages`),
//! in-process (`tower::ServiceExt::oneshot`): its error shape `{"errors": {field: message}}` for each
//! refusal, in the language `Accept-Language` asks for, and its body limit. The conversation through
//! it, against the real server, is in `pantau` and `conversation`.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::app::{self, Answer, App};
use crate::support::Report;

const JSON: (&str, &str) = ("content-type", "application/json");

async fn post(app: &App, path: &str, headers: &[(&str, &str)], body: &Value) -> Answer {
    app.post(path, headers, serde_json::to_vec(body).unwrap())
        .await
}

/// The one error of an `{"errors": {field: message}}` answer.
fn only_error(a: &Answer) -> (String, String) {
    let v = a.json();
    let errors = v["errors"].as_object().unwrap_or_else(|| panic!("{v}"));
    assert_eq!(errors.len(), 1, "{v}");
    let (k, m) = errors.iter().next().unwrap();
    (
        k.clone(),
        m.as_str().unwrap_or_else(|| panic!("{v}")).to_owned(),
    )
}

/// Submits the valid report through the app's JSON API; returns its receipt.
async fn receipt(app: &App) -> String {
    let r = post(app, "/api/v1/reports", &[JSON], &Report::valid().json()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["receipt"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn followup_refusals_have_one_error_shape_in_the_askers_language() {
    let app = app::router();
    let en = ("accept-language", "fr-FR, en;q=0.8");
    for path in ["/api/v1/followup", "/api/v1/followup/messages"] {
        // Not JSON: 415, in Indonesian unless English is asked for.
        let r = app
            .post(path, &[("content-type", "text/plain")], b"{}".to_vec())
            .await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{path}");
        assert_eq!(
            only_error(&r),
            ("body".into(), "kirim sebagai application/json".into())
        );
        let r = app
            .post(path, &[("content-type", "text/plain"), en], b"{}".to_vec())
            .await;
        assert_eq!(
            only_error(&r),
            ("body".into(), "send as application/json".into())
        );

        // Not JSON of the expected shape: broken, unknown fields, missing fields.
        for body in [
            &b"{"[..],
            b"{\"receipt\": \"1ABC\", \"extra\": 1}",
            b"{}",
            b"[]",
        ] {
            let r = app.post(path, &[JSON], body.to_vec()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} {}",
                String::from_utf8_lossy(body)
            );
            let (field, message) = only_error(&r);
            assert_eq!(field, "body");
            assert!(
                message.contains("JSON"),
                "{path}: {message:?} names the problem"
            );
            assert!(!message.contains("extra"), "the input is not echoed");
        }

        // Over the API's body limit (256 KiB): 413, the same shape.
        let r = app.post(path, &[JSON], vec![b' '; 300 * 1024]).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_eq!(
            only_error(&r),
            (
                "body".into(),
                "terlalu besar (paling banyak 256 KiB)".into()
            )
        );
    }
}

#[tokio::test]
async fn followup_names_a_mistyped_or_unknown_receipt_without_echoing_it() {
    let app = app::router();
    let other = app::router();
    let mine = receipt(&app).await;

    // Its own installation knows it.
    let r = post(
        &app,
        "/api/v1/followup",
        &[JSON],
        &json!({ "receipt": mine }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["messages"].is_array(), "{}", r.text());

    // A well-formed receipt another installation issued is unknown here: 404 on the receipt field.
    let r = post(
        &other,
        "/api/v1/followup",
        &[JSON],
        &json!({ "receipt": mine }),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    assert_eq!(
        only_error(&r),
        ("receipt".into(), "kode resi tidak dikenal".into())
    );
    let r = post(
        &other,
        "/api/v1/followup",
        &[JSON, ("accept-language", "en")],
        &json!({ "receipt": mine }),
    )
    .await;
    assert_eq!(
        only_error(&r),
        ("receipt".into(), "unknown receipt code".into())
    );
    let r = post(
        &other,
        "/api/v1/followup/messages",
        &[JSON],
        &json!({ "receipt": mine, "body": "Saya punya salinan kuitansinya." }),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    assert_eq!(only_error(&r).0, "receipt");

    // A mistyped one (a symbol changed, so the check symbol fails): 422 on the receipt field.
    let typo = format!(
        "{}{}",
        &mine[..mine.len() - 1],
        flip(mine.chars().last().unwrap())
    );
    let r = post(
        &app,
        "/api/v1/followup",
        &[JSON],
        &json!({ "receipt": typo }),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let (field, message) = only_error(&r);
    assert_eq!(field, "receipt");
    assert!(
        !message.contains(&typo),
        "the receipt is not echoed: {message}"
    );
}

#[tokio::test]
async fn a_bad_page_cursor_is_named_and_not_echoed() {
    let app = app::router();
    let mine = receipt(&app).await;
    let odd = "<b>sebelum</b>";
    for before in [
        json!(odd),
        json!(-1),
        json!(0),
        json!(1.5),
        json!(1u64 << 40),
        json!({}),
    ] {
        let r = post(
            &app,
            "/api/v1/followup",
            &[JSON],
            &json!({ "receipt": mine, "before": before }),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{before}: {}",
            r.text()
        );
        let (field, message) = only_error(&r);
        assert_eq!(field, "before", "{before}");
        assert!(message.contains("bilangan bulat positif"), "{message}");
        assert!(!r.text().contains("sebelum</b>"), "the input is not echoed");
    }
    let r = post(
        &app,
        "/api/v1/followup",
        &[JSON, ("accept-language", "en")],
        &json!({ "receipt": mine, "before": "x" }),
    )
    .await;
    assert_eq!(only_error(&r).0, "before");
    assert!(only_error(&r).1.contains("positive whole number"));
    // A good one past the end is the newest page; `null` is no cursor.
    for before in [json!(1000), Value::Null] {
        let r = post(
            &app,
            "/api/v1/followup",
            &[JSON],
            &json!({ "receipt": mine, "before": before }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{before}: {}", r.text());
        assert!(r.json().get("older").is_none(), "{}", r.text());
    }
}

/// Another Crockford symbol in place of `c`.
fn flip(c: char) -> char {
    if c == '0' {
        '1'
    } else {
        '0'
    }
}
