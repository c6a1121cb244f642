//! The integrators' JSON API, `POST /api/v1/reports`: over real HTTP, 201 with a receipt, each problem
//! named by its field path, and a flood answered with 503 while exactly the acknowledged reports are
//! stored; in-process (`oneshot`), the language of its errors.

use serde_json::{json, Value};

use crate::support::app;
use crate::support::http::*;
use crate::support::*;

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

/// docs/design.md §5: Argon2 runs behind a semaphore and a bounded queue; a flood gets 503 + Retry-After, and
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

/// In-process: the JSON API answers in the language `Accept-Language` asks for (the first of
/// Indonesian or English it names; Indonesian otherwise), with the one `{"errors": {…}}` shape.
#[tokio::test]
async fn api_errors_follow_accept_language() {
    let app = app::router();
    let body = serde_json::to_vec(&valid_api()).unwrap();
    for (accept, expected) in [
        (None, "kirim sebagai application/json"),
        (Some("id-ID,id;q=0.9"), "kirim sebagai application/json"),
        (Some("en-GB"), "send as application/json"),
        (
            Some("fr-FR, en;q=0.8, id;q=0.5"),
            "send as application/json",
        ),
        (
            Some("fr-FR, id;q=0.8, en;q=0.5"),
            "kirim sebagai application/json",
        ),
        (Some("de"), "kirim sebagai application/json"),
    ] {
        let mut headers = vec![("content-type", "text/plain")];
        headers.extend(accept.map(|a| ("accept-language", a)));
        let r = app.post("/api/v1/reports", &headers, body.clone()).await;
        assert_eq!(r.status, 415, "{accept:?}");
        let v = r.json();
        assert_eq!(error_keys(&v), ["body"], "{accept:?}: {v}");
        assert_eq!(error_of(&v, "body"), expected, "{accept:?}");
    }

    // Field errors too: the same missing chronology, in each language.
    let mut b = valid_api();
    b["chronology"] = json!("");
    let body = serde_json::to_vec(&b).unwrap();
    let id = app
        .post(
            "/api/v1/reports",
            &[("content-type", "application/json")],
            body.clone(),
        )
        .await;
    let en = app
        .post(
            "/api/v1/reports",
            &[
                ("content-type", "application/json"),
                ("accept-language", "en"),
            ],
            body,
        )
        .await;
    assert_eq!((id.status.as_u16(), en.status.as_u16()), (422, 422));
    assert_eq!(error_of(&id.json(), "chronology"), "Wajib diisi.");
    assert_eq!(error_of(&en.json(), "chronology"), "Required.");
}
