//! Same-origin refusals: a state-changing POST from another site is refused (403) and stores nothing.

use crate::support::app;
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

/// Every state-changing public form route refuses a request from another site, whether the browser
/// says so (`Sec-Fetch-Site`) or only sends a foreign or opaque `Origin`; the same request from our
/// own origin is not refused. In-process: this is the router's behaviour, no process needed.
#[tokio::test]
async fn every_state_changing_form_route_refuses_other_sites() {
    let app = app::router();
    let multipart = multipart_bytes(&[(b"lang", b"id"), (b"body", b"Halo")], &[]);
    let xyz = "multipart/form-data; boundary=XyZ";
    let urlencoded = "application/x-www-form-urlencoded";
    let foreign: [(&str, &str); 3] = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "http://evil.example"),
        ("origin", "null"),
    ];
    for (path, content_type) in [
        ("/lapor", xyz),
        ("/lapor/selesai", urlencoded),
        ("/pantau", urlencoded),
        ("/pantau/pesan", xyz),
        ("/pantau/keluar", urlencoded),
    ] {
        for (header, value) in foreign {
            // A fresh, valid form token each time, so only the origin can be the reason.
            let body = body_for(&app, content_type, &multipart).await;
            let r = app
                .post(
                    path,
                    &[("content-type", content_type), (header, value)],
                    body,
                )
                .await;
            assert_eq!(r.status, 403, "POST {path} with {header}: {value}");
            let page = r.text();
            assert!(page.contains("Permintaan ditolak"), "{path}: {page}");
            assert!(page.contains("WBS-CSRF"), "{path}: {page}");
        }
        // The same request from our own origin, said either way, is not refused as cross-site.
        for own in [
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://127.0.0.1"),
        ] {
            let body = body_for(&app, content_type, &multipart).await;
            let r = app
                .post(path, &[("content-type", content_type), own], body)
                .await;
            assert_ne!(r.status, 403, "POST {path} with {own:?}: {}", r.text());
        }
    }
}

/// A body for a form route: the multipart one, or a URL-encoded one with a fresh form token.
async fn body_for(app: &app::App, content_type: &str, multipart: &[u8]) -> Vec<u8> {
    if content_type.starts_with("multipart/") {
        return multipart.to_vec();
    }
    let token = token_in(&app.get("/pantau", &[]).await.text()).expect("a form token");
    format!("form_token={token}&lang=id&saved=1&receipt=1ABC").into_bytes()
}

/// The rule is a layer on the whole public router, not a call in each handler: the JSON APIs, any
/// other method and even a path no handler serves yet are refused from another site before anything
/// runs — in JSON for `/api/`, as the page elsewhere. Programs (no browser headers) are not affected.
#[tokio::test]
async fn the_same_origin_rule_covers_every_route_and_method_by_construction() {
    let app = app::router();
    let json = ("content-type", "application/json");
    let body = br#"{"receipt":"1ABC-DEFG-HJKM-NPQR-STVW"}"#.to_vec();
    for path in [
        "/api/v1/reports",
        "/api/v1/followup",
        "/api/v1/followup/messages",
    ] {
        let r = app
            .post(
                path,
                &[json, ("sec-fetch-site", "cross-site")],
                body.clone(),
            )
            .await;
        assert_eq!(r.status, 403, "POST {path}");
        let v = r.json();
        assert!(v["errors"]["body"].is_string(), "{path}: {v}");
        // Without browser headers (a program, or Meta's webhook) the request reaches its handler.
        let r = app.post(path, &[json], body.clone()).await;
        assert_ne!(r.status, 403, "POST {path} from a program: {}", r.text());
    }
    for method in ["PUT", "DELETE", "PATCH"] {
        let r = app
            .send(app::request(
                method,
                "/lapor",
                &[("origin", "http://evil.example")],
                Vec::new(),
            ))
            .await;
        assert_eq!(r.status, 403, "{method} /lapor");
    }
    let r = app
        .post(
            "/a-route-added-later?lang=en",
            &[("sec-fetch-site", "cross-site")],
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(r.text().contains("WBS-CSRF"));
    // Reading is never refused: a link from another site opens the page.
    let r = app.get("/lapor", &[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(r.status, 200);
}
