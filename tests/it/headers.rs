//! Security headers, the 404 page and the stylesheet, in-process (`tower::ServiceExt::oneshot`): the
//! headers come from the router's own layer, so no process is needed to see them. `App::send` checks
//! every answer for the headers and for 5xx, as `reply` does against the real server.

use axum::http::StatusCode;

use crate::support::app::{self, request};

#[tokio::test]
async fn security_headers_on_every_response() {
    let app = app::router();

    // `send` checks the headers of every response it sees; this walks the remaining kinds.
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
        let r = app.get(path, &[]).await;
        assert!(r.status.as_u16() < 500, "{path}");
    }
    let home = app.get("/", &[]).await;
    let body = home.text();
    assert!(home.header("content-type").starts_with("text/html"));
    assert!(!body.contains("<script"), "no JavaScript");
    for attr in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "action=\"http",
    ] {
        assert!(!body.contains(attr), "nothing from other origins: {attr}");
    }
    let r = app.get("/tidak-ada", &[]).await;
    assert_eq!(r.status, 404);
    let r = app.post("/", &[], Vec::new()).await;
    assert!(r.status.is_client_error());
    let r = app
        .post(
            "/lapor/selesai",
            &[("content-type", "application/x-www-form-urlencoded")],
            b"saved=1".to_vec(),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.headers.get("clear-site-data").is_some());
    // 4xx from the API, including a body over the limit.
    let r = app
        .post(
            "/api/v1/reports",
            &[("content-type", "application/json")],
            b"{".to_vec(),
        )
        .await;
    assert_eq!(r.status, 422);
    let r = app
        .post(
            "/api/v1/reports",
            &[("content-type", "application/json")],
            vec![b' '; 300 * 1024],
        )
        .await;
    assert_eq!(r.status, 413);
}

/// An unknown path gets the friendly 404 page in the visitor's language, with its stable code and
/// nothing of the path echoed back.
#[tokio::test]
async fn unknown_paths_get_the_404_page_in_the_visitors_language() {
    let app = app::router();
    let r = app.get("/tidak-ada/%3Cb%3Ex%3C/b%3E", &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.header("content-type").starts_with("text/html"));
    let page = r.text();
    assert!(page.contains("Halaman tidak ditemukan"), "{page}");
    assert!(page.contains("WBS-404"), "{page}");
    assert!(
        !page.contains("<b>x</b>") && !page.contains("%3Cb%3E"),
        "the path is not echoed: {page}"
    );
    assert!(page.contains("<html lang=\"id\">"), "{page}");

    let r = app.get("/tidak-ada?lang=en", &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let page = r.text();
    assert!(page.contains("Page not found"), "{page}");
    assert!(page.contains("<html lang=\"en\">"), "{page}");

    // A method a route does not have is a client error too, never a 5xx.
    let r = app.send(request("DELETE", "/lapor", &[], Vec::new())).await;
    assert!(r.status.is_client_error(), "{}", r.status);
}

/// The one stylesheet is served as CSS from our own origin, and the pages link to it.
#[tokio::test]
async fn the_stylesheet_is_served_as_css_and_linked_from_the_pages() {
    let app = app::router();
    let r = app.get("/static/style.css", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "text/css; charset=utf-8");
    assert!(!r.body.is_empty());
    assert!(r.text().contains('{'), "looks like CSS");
    for path in ["/", "/lapor", "/pantau"] {
        let page = app.get(path, &[]).await.text();
        assert!(
            page.contains("href=\"/static/style.css\""),
            "{path} links the stylesheet:\n{page}"
        );
    }
}
