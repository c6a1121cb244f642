//! Security headers on every response of the real server.

use crate::support::http::*;
use crate::support::*;

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
