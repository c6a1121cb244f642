//! Plain pages: home, stylesheet, health, not found.

use std::sync::{Arc, OnceLock};

use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::error::{render, WebError};
use super::extract::QueryLang;
use super::AppState;
use crate::config::SiteConfig;
use crate::intake::report::{Category, CATEGORIES};
use crate::intake::Lang;

/// The office's identity on every page. One office per process: set once when the web state is made
/// (`AppState::new`), so that the many places that make a `Page` need not carry it.
static SITE: OnceLock<SiteConfig> = OnceLock::new();

pub(crate) fn set_site(site: &SiteConfig) {
    let _ = SITE.set(site.clone());
}

/// What every page's frame needs.
pub(crate) struct Page {
    pub site: &'static SiteConfig,
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
            site: SITE.get_or_init(SiteConfig::default),
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

    /// A day as people write it, in the page's language (`1 Desember 2026`).
    pub(crate) fn date(&self, day: &crate::protocol::day::Day) -> String {
        super::dates::long_date(day, self.l)
    }

    /// The message `id` in the page's language (`locales/*/*.ftl`).
    pub(crate) fn t(&self, id: &'static str) -> &'static str {
        self.l.text(id)
    }

    /// A message naming the acknowledgement period (`$days`), from the same `[deadlines]` setting the
    /// deadlines use, so no page promises a period the office did not configure.
    pub(crate) fn with_ack_days(&self, id: &'static str) -> String {
        self.l
            .text_with(id, &[("days", &self.site.acknowledge_working_days)])
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

/// The office's logo from the configuration, else a plain emblem (also the favicon, so browsers
/// asking for one get it rather than a 404).
pub(crate) async fn logo(State(state): State<Arc<AppState>>) -> Response {
    match &state.site.logo {
        Some(logo) => (
            [(header::CONTENT_TYPE, logo.content_type)],
            logo.bytes.as_slice().to_vec(),
        )
            .into_response(),
        None => (
            [(header::CONTENT_TYPE, "image/svg+xml")],
            include_str!("../../static/logo.svg"),
        )
            .into_response(),
    }
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
