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
    /// The page has no link that leaves it (the receipt page, until "I have saved it").
    pub locked: bool,
    /// The page holds typing (the report form, a follow-up): its links open a new tab, so leaving
    /// through them loses nothing.
    pub typing: bool,
}

impl Page {
    pub fn new(l: Lang, demo: bool, path: &'static str) -> Self {
        Page {
            l,
            demo,
            path,
            locked: false,
            typing: false,
        }
    }

    /// A page where the reporter types: see `typing`.
    pub(crate) fn for_typing(mut self) -> Self {
        self.typing = true;
        self
    }

    /// Without the header's links: the only way on is the page's own form.
    pub(crate) fn lock(mut self) -> Self {
        self.locked = true;
        self
    }

    pub(crate) fn typing(&self) -> bool {
        self.typing
    }

    /// On the report form the language switch submits the form, so the page comes back in the other
    /// language with everything typed (web::form, action `switch_lang`).
    pub(crate) fn form_switch(&self) -> bool {
        self.typing && self.path == "/lapor"
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
