//! The reporter's side of the mailbox over real HTTP: receipt login (POST only), the sealed session
//! cookie, the verified thread, follow-ups, logout, receipt checks, floods and forgeries.
use crate::support;
use std::time::{Duration, Instant};

use crate::support::{client, marker, session_cookie, token_in, Env, Report, Server};
use serde_json::{json, Value};

fn report(chronology: &str) -> Value {
    Report::valid()
        .chronology(chronology)
        .party("Budi", "Staf", "Perizinan")
        .contact(None)
        .anonymous(None)
        .evidence(None)
        .json()
}

/// Submits a report through the API; returns (receipt, case id).
pub(crate) async fn submit(c: &reqwest::Client, s: &Server) -> (String, String) {
    let r = c
        .post(s.url("/api/v1/reports"))
        .json(&report("Petugas meminta uang tambahan untuk izin usaha."))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    (
        v["receipt"].as_str().unwrap().to_owned(),
        v["case_id"].as_str().unwrap().to_owned(),
    )
}

async fn login_page_token(c: &reqwest::Client, s: &Server) -> String {
    let html = c
        .get(s.url("/pantau"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    token_in(&html).expect("token on the login page")
}

/// Logs in through the form; returns the cookie (`wbs_sesi=…`).
pub(crate) async fn login(c: &reqwest::Client, s: &Server, receipt: &str) -> String {
    let token = login_page_token(c, s).await;
    let r = c
        .post(s.url("/pantau"))
        .form(&[("receipt", receipt), ("form_token", &token), ("lang", "id")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert_eq!(r.headers()["location"], "/pantau");
    let cookie = session_cookie(&r).expect("a session cookie");
    let attrs = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        attrs.contains("HttpOnly") && attrs.contains("SameSite=Strict"),
        "{attrs}"
    );
    cookie
}

pub(crate) async fn case_page(c: &reqwest::Client, s: &Server, cookie: &str) -> String {
    page_at(c, s, cookie, "/pantau").await
}

async fn page_at(c: &reqwest::Client, s: &Server, cookie: &str, path: &str) -> String {
    let r = c
        .get(s.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

#[tokio::test]
async fn a_reporter_logs_in_sees_the_status_and_answers_with_a_file() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let (receipt, case_id) = submit(&c, &s).await;
    // Typed sloppily: lower case, spaces instead of dashes.
    let cookie = login(&c, &s, &receipt.to_lowercase().replace('-', " ")).await;
    let page = case_page(&c, &s, &cookie).await;
    assert!(page.contains(&case_id));
    assert!(page.contains("Status: Diterima"), "{page}");
    assert!(
        page.contains("Diverifikasi paling lambat"),
        "the next deadline is shown"
    );
    assert!(!page.contains(&receipt), "the receipt is never echoed");

    let mark = marker();
    let text = format!("Tambahan {mark} <b>tebal</b> & \"kutip\"");
    let form = reqwest::multipart::Form::new()
        .text("form_token", token_in(&page).unwrap())
        .text("lang", "id")
        .text("body", text.clone())
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(support::pdf_with(&mark)).file_name("kuitansi.pdf"),
        );
    let r = c
        .post(s.url("/pantau/pesan"))
        .header("cookie", &cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/pantau?terkirim=1");
    let page = page_at(&c, &s, &cookie, "/pantau?terkirim=1").await;
    assert!(page.contains("sudah dienkripsi dan tersimpan"));
    assert!(
        page.contains(&format!(
            "Tambahan {mark} &#60;b&#62;tebal&#60;/b&#62; &#38; &#34;kutip&#34;"
        )),
        "the message is shown exactly, escaped:\n{page}"
    );
    assert!(page.contains("kuitansi.pdf"));
    assert!(!page.contains("<b>tebal</b>"));

    // The JSON API sees the same thread.
    let v: Value = support::followup_json(&c, &s, &receipt).await;
    assert_eq!(v["case_id"], case_id.as_str());
    assert_eq!(v["status"], "diterima");
    assert_eq!(v["status_history"][0]["status"], "diterima");
    assert_eq!(v["messages"][0]["from"], "reporter");
    assert_eq!(v["messages"][0]["body"], text.as_str());

    s.stop();
    let hits = support::files_containing(&env.data, &[mark.as_bytes()]);
    assert!(hits.is_empty(), "plaintext on disk: {hits:?}");
    assert!(!support::contains(&env.log_bytes(), mark.as_bytes()));
}

#[tokio::test]
async fn the_session_cookie_dies_at_logout() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let (receipt, _) = submit(&c, &s).await;
    let cookie = login(&c, &s, &receipt).await;
    let page = case_page(&c, &s, &cookie).await;
    let r = c
        .post(s.url("/pantau/keluar"))
        .header("cookie", &cookie)
        .form(&[
            ("form_token", token_in(&page).unwrap().as_str()),
            ("lang", "id"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["clear-site-data"]
        .to_str()
        .unwrap()
        .contains("cookies"));
    assert!(r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    // Replaying the old cookie opens nothing.
    let again = case_page(&c, &s, &cookie).await;
    assert!(
        again.contains("name=\"receipt\""),
        "back to the receipt form"
    );
    assert!(!again.contains("Percakapan"));
    s.stop();
}

#[tokio::test]
async fn the_session_cookie_dies_when_idle() {
    let env = Env::with_config("session_idle_minutes = 0\n");
    let mut s = env.start();
    let c = client();
    let (receipt, _) = submit(&c, &s).await;
    let cookie = login(&c, &s, &receipt).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let page = case_page(&c, &s, &cookie).await;
    assert!(page.contains("name=\"receipt\""), "an idle session is over");
    s.stop();
}

#[tokio::test]
async fn the_receipt_is_accepted_by_post_only_and_not_cross_site() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let (receipt, _) = submit(&c, &s).await;
    // A GET with the receipt in the URL does not log in.
    let r = c
        .get(s.url(&format!("/pantau?receipt={receipt}")))
        .send()
        .await
        .unwrap();
    assert!(session_cookie(&r).is_none());
    assert!(r.text().await.unwrap().contains("name=\"receipt\""));
    // A cross-site POST is refused.
    let token = login_page_token(&c, &s).await;
    let r = c
        .post(s.url("/pantau"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("receipt", receipt.as_str()), ("form_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(session_cookie(&r).is_none());
    let r = c
        .post(s.url("/pantau"))
        .header("origin", "http://evil.example")
        .form(&[("receipt", receipt.as_str()), ("form_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    s.stop();
}

async fn api_answer(c: &reqwest::Client, s: &Server, receipt: &str) -> (u16, String, Duration) {
    let t = Instant::now();
    let r = c
        .post(s.url("/api/v1/followup"))
        .json(&json!({ "receipt": receipt }))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap(), t.elapsed())
}

#[tokio::test]
async fn wrong_and_unknown_receipts_get_one_answer_and_typos_are_named() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let (receipt, _) = submit(&c, &s).await;
    // Two well-formed receipts that belong to no case (vectors from tests/data/vectors/receipt).
    let unknown = ["11RG-K4T8-SA9D-C5HM-GT9Q", "1ZY8-MHBX-CYAW-C10Y-4ZAN"];
    let mut answers = Vec::new();
    let mut unknown_times = Vec::new();
    let mut known_times = Vec::new();
    for _ in 0..5 {
        for u in unknown {
            let (status, body, t) = api_answer(&c, &s, u).await;
            answers.push((status, body));
            unknown_times.push(t);
        }
        known_times.push(api_answer(&c, &s, &receipt).await.2);
    }
    answers.dedup();
    assert_eq!(answers.len(), 1, "one generic answer: {answers:?}");
    assert_eq!(answers[0].0, 404);
    // Both paths are dominated by the same Argon2 derivation: no fast path for unknown receipts.
    unknown_times.sort();
    known_times.sort();
    let (u, k) = (unknown_times[5].as_secs_f64(), known_times[2].as_secs_f64());
    assert!(
        u > k * 0.5 && u < k * 2.0,
        "unknown {u:.4}s vs known {k:.4}s"
    );

    // The same through the form: one generic sentence for both unknown receipts.
    let mut pages = Vec::new();
    for u in unknown {
        let token = login_page_token(&c, &s).await;
        let r = c
            .post(s.url("/pantau"))
            .form(&[("receipt", u), ("form_token", &token)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        pages.push(support::field_error(&html, "receipt").unwrap_or_else(|| extract_error(&html)));
    }
    assert_eq!(pages[0], pages[1]);
    assert!(pages[0].contains("tidak dikenal"));

    // A mistyped receipt (one symbol changed) is told it is a typo, before any key derivation.
    let mut typo: Vec<char> = receipt.chars().collect();
    typo[3] = if typo[3] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    let (status, body, _) = api_answer(&c, &s, &typo).await;
    assert_eq!(status, 422);
    assert!(body.contains("salah ketik"), "{body}");
    s.stop();
}

fn extract_error(html: &str) -> String {
    let start = html.find("class=\"error\"").expect("an error on the page");
    html[start..].split('<').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_flood_gets_503_with_retry_after_and_no_lockout() {
    let env = Env::with_config("kdf_concurrency = 1\n");
    let mut s = env.start();
    let c = client();
    let (receipt, _) = submit(&c, &s).await;
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let c = c.clone();
        let url = s.url("/api/v1/followup");
        tasks.push(tokio::spawn(async move {
            let r = c
                .post(url)
                .json(&json!({ "receipt": "11RG-K4T8-SA9D-C5HM-GT9Q" }))
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                r.headers().get("retry-after").is_some(),
            )
        }));
    }
    let mut busy = 0;
    for t in tasks {
        let (status, retry_after) = t.await.unwrap();
        assert!(status == 404 || status == 503, "{status}");
        if status == 503 {
            busy += 1;
            assert!(retry_after);
        }
    }
    assert!(busy > 0, "a flood is shed with 503");
    // No per-receipt lockout: the real receipt works right after.
    let (status, _, _) = api_answer(&c, &s, &receipt).await;
    assert_eq!(status, 200);
    s.stop();
}

#[tokio::test]
async fn a_reply_forged_into_the_store_is_not_shown() {
    use crate::support::internal::{
        self, next_prev_digest, seal_item, Append, CaseStore, Day, ItemBody, ItemDraft,
        MessageBody, MetaStore, Receipt, Role, MESSAGE_MIN,
    };

    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let (receipt, case_id) = submit(&c, &s).await;
    s.stop();

    // A thief of the disk (or the operator) writes an investigator-looking reply into the store,
    // encrypted to the reporter, but signed with a key that is not a configured investigator.
    let forged = marker();
    {
        let store = internal::open_store(&env.data);
        let salt: [u8; 32] = store
            .meta("installation-salt")
            .unwrap()
            .unwrap()
            .try_into()
            .unwrap();
        let keys = Receipt::parse(&receipt).unwrap().derive(&salt).unwrap();
        let case_id = internal::case_id(&case_id);
        let case = store.case(&case_id).unwrap().unwrap();
        let mallory = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
        let day = Day::today();
        let body = ItemBody::Reply(MessageBody {
            text: format!("Kirim uang ke rekening {forged}"),
        });
        let draft = ItemDraft {
            case_id: &case_id,
            seq: case.item_count,
            prev_digest: &next_prev_digest(&case),
            day: &day,
            role: Role::Investigator,
            body: &body,
        };
        let ct = seal_item(
            draft,
            &mallory,
            &[keys.reporter.recipient().unwrap()],
            MESSAGE_MIN,
        )
        .unwrap();
        store
            .append(
                &case_id,
                case.item_count,
                Append {
                    items: vec![ct],
                    ..Append::default()
                },
            )
            .unwrap();
    }

    let mut s = env.start();
    let (status, body, _) = api_answer(&c, &s, &receipt).await;
    assert_eq!(status, 200);
    assert!(
        !body.contains(&forged),
        "a forged reply is never shown: {body}"
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["unverified_hidden"], 1);
    let cookie = login(&c, &s, &receipt).await;
    let page = case_page(&c, &s, &cookie).await;
    assert!(!page.contains(&forged));
    assert!(page.contains("tidak lolos pemeriksaan tanda tangan"));
    s.stop();
}

/// The idle limit the pages state is the configured one, not a fixed "15 minutes".
#[tokio::test]
async fn the_pages_state_the_configured_idle_limit() {
    let env = Env::with_config("session_idle_minutes = 30\n");
    let mut s = env.start();
    let c = client();
    let page = support::http::reply(c.get(s.url("/pantau")).send().await.unwrap()).await;
    assert!(page.body.contains("30 menit"), "{}", page.body);
    assert!(!page.body.contains("15 menit"));
    let (receipt, _) = submit(&c, &s).await;
    let cookie = login(&c, &s, &receipt).await;
    let case = case_page(&c, &s, &cookie).await;
    assert!(
        case.contains("30 menit"),
        "the case page states the limit too"
    );
    s.stop();
}

/// A typo in the receipt keeps what was typed, tied to its error; the case page's title (kept by the
/// browser's history after "Log out") does not name the case.
#[tokio::test]
async fn a_typo_keeps_the_code_and_the_title_does_not_name_the_case() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let (receipt, case_id) = submit(&c, &s).await;
    let token = login_page_token(&c, &s).await;
    let mut typo = receipt.clone();
    typo.pop();
    let r = c
        .post(s.url("/pantau"))
        .form(&[("receipt", typo.as_str()), ("form_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains(&format!("value=\"{typo}\"")), "{page}");
    assert!(page.contains("aria-describedby=\"receipt-help receipt-error\""));
    assert!(page.contains("<p class=\"error\" id=\"receipt-error\">"));
    let cookie = login(&c, &s, &receipt).await;
    let case = case_page(&c, &s, &cookie).await;
    assert!(case.contains(&case_id), "the page shows the case");
    let title = &case[case.find("<title>").unwrap()..case.find("</title>").unwrap()];
    assert!(!title.contains(&case_id), "{title}");
    s.stop();
}
