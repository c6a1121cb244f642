//! No per-request logging: public routes print nothing about a visit, refusals included.

use std::time::Duration;

use serde_json::json;

use crate::support::http::*;
use crate::support::*;

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

/// docs/design.md §6: public routes write no per-request log lines (hourly counters instead), so nothing the
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
