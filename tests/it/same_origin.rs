//! Same-origin refusals: a state-changing POST from another site is refused (403) and stores nothing.

use crate::support::http::*;
use crate::support::*;

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
