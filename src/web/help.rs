//! Help a reporter needs, served by WBS itself (docs/design.md §13): `/bantuan` (lost receipt, which
//! code to keep, removing metadata, what the team sees of a file, who handles reports and where to go
//! if they are implicated, recognising the genuine site, Tor), `/privasi` (the privacy notice under
//! UU 27/2022, worded around the configured retention) and `/panduan` (the reporter guide,
//! docs/panduan-pelapor.md, or docs/reporter-guide.md in English, rendered once from the copies
//! compiled into the binary).

use std::sync::{Arc, LazyLock};

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use pulldown_cmark::{Event, Options, Parser};

use super::error::render;
use super::extract::QueryLang;
use super::pages::Page;
use super::AppState;
use crate::config::SiteConfig;

#[derive(Template)]
#[template(path = "bantuan.html")]
struct HelpTemplate<'a> {
    page: Page,
    site: &'a SiteConfig,
    /// The idle limit of a `/pantau` session, in minutes.
    session_minutes: u64,
}

#[derive(Template)]
#[template(path = "privasi.html")]
struct PrivacyTemplate<'a> {
    page: Page,
    site: &'a SiteConfig,
}

#[derive(Template)]
#[template(path = "panduan.html")]
struct GuideTemplate {
    page: Page,
    /// The guide as HTML, made by `pulldown-cmark` from our own file (raw HTML in it is shown as text).
    guide: &'static str,
}

pub(crate) async fn help(State(state): State<Arc<AppState>>, QueryLang(l): QueryLang) -> Response {
    render(&HelpTemplate {
        page: Page::new(l, state.demo, "/bantuan"),
        site: &state.site,
        session_minutes: state.session_idle_secs.div_ceil(60),
    })
}

pub(crate) async fn privacy(
    State(state): State<Arc<AppState>>,
    QueryLang(l): QueryLang,
) -> Response {
    render(&PrivacyTemplate {
        page: Page::new(l, state.demo, "/privasi"),
        site: &state.site,
    })
}

/// The guide in the page's language: the office's Indonesian document, or its English version
/// (docs/reporter-guide.md), which says the Indonesian one applies where they differ.
pub(crate) async fn guide(State(state): State<Arc<AppState>>, QueryLang(l): QueryLang) -> Response {
    let guide: &'static str = match l {
        crate::protocol::Lang::En => &GUIDE_EN,
        crate::protocol::Lang::Id => &GUIDE,
    };
    render(&GuideTemplate {
        page: Page::new(l, state.demo, "/panduan"),
        guide,
    })
}

/// `Onion-Location` on every page when an onion address is configured: Tor Browser then offers it.
pub(crate) async fn onion_location(
    State(state): State<Arc<AppState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if let (Some(onion), true) = (&state.site.onion_address, html) {
        if let Ok(v) = axum::http::HeaderValue::from_str(&format!("http://{onion}{path}")) {
            response.headers_mut().insert("onion-location", v);
        }
    }
    response
}

static GUIDE: LazyLock<String> =
    LazyLock::new(|| guide_html(include_str!("../../docs/panduan-pelapor.md")));

static GUIDE_EN: LazyLock<String> =
    LazyLock::new(|| guide_html(include_str!("../../docs/reporter-guide.md")));

/// Markdown to HTML. Raw HTML in the file is escaped, the title is left to the page, and links into
/// the repository (`../SECURITY.md`) become the served pages they describe.
fn guide_html(markdown: &str) -> String {
    let events = Parser::new_ext(markdown, Options::ENABLE_TABLES)
        .map(|e| match e {
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            Event::Start(pulldown_cmark::Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = if dest_url.ends_with("SECURITY.md") {
                    "/privasi".into()
                } else {
                    dest_url
                };
                Event::Start(pulldown_cmark::Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            e => e,
        })
        // The page has its own <h1>.
        .skip_while(|e| !matches!(e, Event::End(pulldown_cmark::TagEnd::Heading(_))))
        .skip(1);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guide_is_html_without_raw_html_or_repository_links() {
        let g = guide_html("# T\n\nText <script>x</script> [s](../SECURITY.md)\n\n## 1. A\n");
        assert!(!g.contains("<h1>"), "{g}");
        assert!(g.contains("&lt;script&gt;"), "{g}");
        assert!(g.contains("href=\"/privasi\""), "{g}");
        assert!(g.contains("<h2>1. A</h2>"), "{g}");
        assert!(GUIDE.contains("<h2>"), "the real guide renders");
    }
}
