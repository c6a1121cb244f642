//! Plain pages: home, stylesheet, health, not found.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::error::{render, WebError};
use super::extract::QueryLang;
use super::AppState;
use crate::intake::report::{Category, CATEGORIES};
use crate::intake::Lang;

/// What every page's frame needs.
pub(crate) struct Page {
    pub l: Lang,
    pub demo: bool,
    /// This page's path, for the language switch.
    pub path: &'static str,
}

impl Page {
    pub fn new(l: Lang, demo: bool, path: &'static str) -> Self {
        Page { l, demo, path }
    }

    pub(crate) fn en(&self) -> bool {
        self.l == Lang::En
    }

    /// A link to `path` in the current language.
    pub(crate) fn link(&self, path: &str) -> String {
        if self.en() {
            format!("{path}?lang=en")
        } else {
            path.to_owned()
        }
    }

    pub(crate) fn cat(&self, c: &Category) -> &'static str {
        c.label(self.l)
    }

    /// The message `id` in the page's language (`locales/*/*.ftl`).
    pub(crate) fn t(&self, id: &'static str) -> &'static str {
        self.l.text(id)
    }
}

/// The language from a raw query string (`lang=en`), ignoring everything else.

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTemplate {
    page: Page,
    categories: &'static [Category],
    /// The WhatsApp channel: `None` when it is off, else the published number if configured.
    whatsapp: Option<Option<String>>,
}

pub(crate) async fn home(
    State(state): State<Arc<AppState>>,
    QueryLang(query_lang): QueryLang,
) -> Response {
    let l = query_lang;
    render(&HomeTemplate {
        page: Page::new(l, state.demo, "/"),
        categories: CATEGORIES,
        whatsapp: state.whatsapp.clone(),
    })
}

pub(crate) async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../static/style.css"),
    )
        .into_response()
}

pub(crate) async fn health() -> Response {
    (StatusCode::OK, "ok").into_response()
}

pub(crate) async fn not_found(
    State(state): State<Arc<AppState>>,
    QueryLang(query_lang): QueryLang,
) -> Response {
    WebError::NotFound.page(query_lang, state.demo)
}
