//! What every desk page shares: the language (`?lang=en`, Indonesian otherwise), the page frame
//! (`templates/desk/desk_base.html`), rendering, the refusal and error pages, the stylesheet.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::intake::Lang;

/// The language a desk page asks for.
#[derive(Debug, Clone, Copy)]
pub(super) struct DeskLang(pub Lang);

impl DeskLang {
    pub(super) fn from_query(query: Option<&str>) -> DeskLang {
        let value = query.and_then(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == "lang")
                .map(|(_, v)| v)
        });
        DeskLang(Lang::from_param(value))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for DeskLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(DeskLang::from_query(parts.uri.query()))
    }
}

/// The frame of every desk page.
pub(super) struct Page {
    pub l: Lang,
    /// This page's path, for the language switch.
    pub path: String,
}

impl Page {
    pub(super) fn new(l: Lang, path: impl Into<String>) -> Page {
        Page {
            l,
            path: path.into(),
        }
    }

    pub(super) fn en(&self) -> bool {
        self.l == Lang::En
    }

    /// A link to `path` in the page's language.
    pub(super) fn link(&self, path: &str) -> String {
        link(self.l, path)
    }

    /// The message `id` in the page's language (`locales/*/desk.ftl`).
    pub(super) fn t(&self, id: &'static str) -> &'static str {
        self.l.text(id)
    }
}

/// `path` with `lang=en` when the language is English.
pub(super) fn link(l: Lang, path: &str) -> String {
    if l == Lang::En {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{path}{sep}lang=en")
    } else {
        path.to_owned()
    }
}

pub(super) fn render(t: &impl Template) -> Response {
    render_status(StatusCode::OK, t)
}

pub(super) fn render_status(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Html("<!doctype html><title>WBS desk</title><p>WBS-RENDER</p>"),
        )
            .into_response(),
    }
}

#[derive(Template)]
#[template(path = "desk/message.html")]
struct MessageTemplate {
    page: Page,
    title: &'static str,
    text: String,
    back: bool,
}

/// A page that says one thing, e.g. why a request was refused.
pub(super) fn refusal(l: Lang, status: StatusCode, id: &'static str) -> Response {
    render_status(
        status,
        &MessageTemplate {
            page: Page::new(l, "/"),
            title: l.text("desk-refused-title"),
            text: l.text(id).to_owned(),
            back: false,
        },
    )
}

/// A page for an error of the desk API or of the investigator's input: one sentence, and a way back.
pub(super) fn problem(l: Lang, status: StatusCode, text: String) -> Response {
    render_status(
        status,
        &MessageTemplate {
            page: Page::new(l, "/"),
            title: l.text("desk-problem-title"),
            text,
            back: true,
        },
    )
}

pub(super) async fn not_found(DeskLang(l): DeskLang) -> Response {
    problem(
        l,
        StatusCode::NOT_FOUND,
        l.text("desk-not-found").to_owned(),
    )
}

pub(super) async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../../static/desk.css"),
    )
        .into_response()
}
