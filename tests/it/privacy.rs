//! Issue 11, privacy follow-through: session cookies that cannot be planted, private file modes.

use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use crate::support::{client, marker, token_in, Env, Report, Server};

/// Submits a report through the API; returns (receipt, case id).
async fn submit(c: &reqwest::Client, s: &Server) -> (String, String) {
    let r = c
        .post(s.url("/api/v1/reports"))
        .json(&Report::valid().json())
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

/// Logs in with a receipt; returns the whole `Set-Cookie` line.
async fn login(c: &reqwest::Client, s: &Server, receipt: &str) -> String {
    let html = c
        .get(s.url("/pantau"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = token_in(&html).expect("token");
    let r = c
        .post(s.url("/pantau"))
        .form(&[("receipt", receipt), ("form_token", &token), ("lang", "id")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    r.headers()["set-cookie"].to_str().unwrap().to_owned()
}

async fn page(c: &reqwest::Client, s: &Server, cookie: &str) -> String {
    c.get(s.url("/pantau"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Behind https, the session cookie is `__Host-` and `Secure`, holds nothing readable, and has no
/// `Max-Age`; a cookie planted next to the victim's (a plain `wbs_sesi` from a sibling subdomain, or a
/// second `__Host-` one) never takes the victim's follow-up to the attacker's case.
#[tokio::test]
async fn a_planted_session_cookie_never_reaches_another_case() {
    let env = Env::with_config("public_url = \"https://lapor.example.go.id\"\n");
    let mut s = env.start();
    let c = client();
    let (attacker_receipt, attacker_case) = submit(&c, &s).await;
    let (victim_receipt, victim_case) = submit(&c, &s).await;
    let set = login(&c, &s, &attacker_receipt).await;
    assert!(set.starts_with("__Host-wbs_sesi="), "{set}");
    assert!(set.contains("; Secure") && set.contains("Path=/"), "{set}");
    assert!(!set.contains("Max-Age"), "a browser-session cookie: {set}");
    let attacker = set.split(';').next().unwrap().to_owned();
    let attacker_value = attacker.split_once('=').unwrap().1.to_owned();
    assert!(
        !attacker_value.contains(&attacker_case) && !attacker.contains("WBS"),
        "{attacker}"
    );
    let victim = login(&c, &s, &victim_receipt)
        .await
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    // Planted under the plain name: ignored, the victim stays in their own case.
    let planted = format!("wbs_sesi={attacker_value}; {victim}");
    let html = page(&c, &s, &planted).await;
    assert!(html.contains(&victim_case) && !html.contains(&attacker_case));

    // Planted under the same name (before or after the victim's): no session at all.
    for both in [
        format!("{attacker}; {victim}"),
        format!("{victim}; {attacker}"),
    ] {
        let html = page(&c, &s, &both).await;
        assert!(
            html.contains("name=\"receipt\""),
            "back to the receipt form"
        );
        assert!(!html.contains(&attacker_case) && !html.contains(&victim_case));
    }

    // The victim's follow-up sent with both cookies lands nowhere, least of all in the attacker's case.
    let own = page(&c, &s, &victim).await;
    let mark = marker();
    let form = reqwest::multipart::Form::new()
        .text("form_token", token_in(&own).unwrap())
        .text("lang", "id")
        .text("body", format!("Tambahan {mark}"));
    let r = c
        .post(s.url("/pantau/pesan"))
        .header("cookie", format!("{victim}; {attacker}"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 303, "not accepted as sent");
    assert!(!page(&c, &s, &attacker).await.contains(&mark));
    assert!(!page(&c, &s, &victim).await.contains(&mark));
    s.stop();
}

/// Every file the server leaves in the data directory is readable by its owner only, sled's too.
#[tokio::test]
async fn store_files_are_private() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    submit(&c, &s).await;
    let r = crate::support::http::submit(
        &c,
        &s,
        &crate::support::http::valid_fields(),
        &[("bukti.pdf", crate::support::pdf_with("x"))],
    )
    .await;
    crate::support::http::assert_receipt_page(&r);
    s.stop();
    let files = env.data_files();
    assert!(files.len() > 3, "{files:?}");
    for f in files {
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
    }
}
