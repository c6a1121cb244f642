//! The public web server: pages for reporters, the JSON intake API, and the defences around them
//! (docs/design.md §6). Handlers are thin: they parse, call `intake`, and render.

pub mod api;
mod dates;
pub(crate) mod desk_api;
mod drafts;
mod error;
mod extract;
mod followup_api;
mod form;
mod help;
mod middleware;
mod pages;
mod pantau;
mod receipt;
mod refusal;
mod rekey;
mod session;
mod tokens;
mod upload;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::intake::deadline::DeadlinePolicy;
use crate::intake::submit::Intake;

pub(crate) use middleware::Counters;

/// Limits for JSON bodies; form uploads get theirs from the configuration.
pub(crate) const API_BODY_LIMIT: usize = 256 * 1024;
/// Room for the text fields and multipart framing on top of the attachments.
const FORM_OVERHEAD: usize = 1024 * 1024;

/// What every handler can reach. No secret here is ever written to disk.
pub(crate) struct AppState {
    pub intake: Arc<Intake>,
    pub demo: bool,
    pub max_upload_bytes: u64,
    pub max_attachments: usize,
    pub forms: tokens::FormTokens,
    /// Answers to forms, shown again on a repeated POST for a short window (memory only).
    pub replay: receipt::Replay,
    pub sessions: session::Sessions,
    /// The idle limit of a session, as the pages state it.
    pub session_idle_secs: u64,
    /// Follow-up text that arrived after its session ended (memory only).
    pub drafts: drafts::Drafts,
    pub deadlines: crate::intake::deadline::DeadlinePolicy,
    pub counters: Counters,
    /// The WhatsApp channel as the home page presents it: `None` when it is off, else the number the
    /// office publishes, if configured.
    pub whatsapp: Option<Option<String>>,
    /// The office's identity and the privacy notice's figures.
    pub site: crate::config::SiteConfig,
}

/// What the server hands the web layer at start-up.
pub(crate) struct WebSettings {
    pub intake: Arc<Intake>,
    pub demo: bool,
    pub max_upload_bytes: u64,
    pub max_attachments: usize,
    pub session_idle_secs: u64,
    /// The public address is https: `__Host-` `Secure` session cookies.
    pub secure_cookies: bool,
    pub deadlines: DeadlinePolicy,
    pub whatsapp: Option<Option<String>>,
    pub site: crate::config::SiteConfig,
}

impl AppState {
    pub fn new(settings: WebSettings) -> Arc<Self> {
        pages::set_site(&settings.site);
        Arc::new(AppState {
            demo: settings.demo,
            max_upload_bytes: settings.max_upload_bytes,
            max_attachments: settings.max_attachments,
            intake: settings.intake,
            forms: tokens::FormTokens::new(),
            replay: receipt::Replay::default(),
            sessions: session::Sessions::new(settings.session_idle_secs, settings.secure_cookies),
            session_idle_secs: settings.session_idle_secs.min(session::ABSOLUTE_SECS),
            drafts: drafts::Drafts::default(),
            deadlines: settings.deadlines,
            counters: Counters::default(),
            whatsapp: settings.whatsapp,
            site: settings.site,
        })
    }
}

/// The router with every route and layer; `channels` are the routes of other intake channels (the
/// WhatsApp webhook), which get the same layers. Tests drive this in-process and over a listener.
pub(crate) fn app(state: Arc<AppState>, channels: Router<Arc<AppState>>) -> Router {
    // Twice the attachment budget: files over the budget are read and discarded (so the reporter gets
    // a page naming them, not a reset connection); only beyond this is the upload cut off.
    let form_limit = usize::try_from(state.max_upload_bytes)
        .unwrap_or(usize::MAX)
        .saturating_mul(2)
        .saturating_add(FORM_OVERHEAD);
    middleware::spawn_hourly_report(state.clone());
    Router::new()
        .route("/", get(pages::home))
        .route(
            "/lapor",
            get(form::show)
                .post(form::submit)
                .layer(DefaultBodyLimit::max(form_limit)),
        )
        .route("/lapor/selesai", post(form::saved))
        .route("/pantau", get(pantau::show).post(pantau::login))
        .route(
            "/pantau/pesan",
            post(pantau::followup).layer(DefaultBodyLimit::max(form_limit)),
        )
        .route("/pantau/keluar", post(pantau::logout))
        .route(
            "/api/v1/reports",
            post(api::create_report).layer(DefaultBodyLimit::max(API_BODY_LIMIT)),
        )
        .route(
            "/api/v1/followup",
            post(followup_api::case).layer(DefaultBodyLimit::max(API_BODY_LIMIT)),
        )
        .route(
            "/api/v1/followup/messages",
            post(followup_api::add_message).layer(DefaultBodyLimit::max(API_BODY_LIMIT)),
        )
        .merge(channels)
        .route("/static/style.css", get(pages::stylesheet))
        .route("/static/logo", get(pages::logo))
        .route("/favicon.ico", get(pages::logo))
        .route("/bantuan", get(help::help))
        .route("/privasi", get(help::privacy))
        .route("/panduan", get(help::guide))
        .route("/healthz", get(pages::health))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            extract::require_same_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::count_and_harden,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            help::onion_location,
        ))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .with_state(state)
}
