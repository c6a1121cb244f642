//! The public web server: pages for reporters, the JSON intake API, and the defences around them
//! (docs/design.md §6). Handlers are thin: they parse, call `intake`, and render.

pub mod api;
pub mod desk_api;
mod error;
mod followup_api;
mod form;
mod middleware;
mod pages;
mod pantau;
mod rekey;
mod session;
mod tokens;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::intake::submit::Intake;
use crate::server::Prepared;

pub use error::WebError;
pub use middleware::Counters;

/// Limits for JSON bodies; form uploads get theirs from the configuration.
pub const API_BODY_LIMIT: usize = 256 * 1024;
/// Room for the text fields and multipart framing on top of the attachments.
const FORM_OVERHEAD: usize = 1024 * 1024;

/// What every handler can reach. No secret here is ever written to disk.
pub struct AppState {
    pub intake: Arc<Intake>,
    pub demo: bool,
    pub max_upload_bytes: u64,
    pub max_attachments: usize,
    pub forms: tokens::FormTokens,
    pub sessions: session::Sessions,
    pub deadlines: crate::intake::deadline::DeadlinePolicy,
    pub counters: Counters,
    /// The WhatsApp channel, when configured (its routes answer 404 otherwise).
    pub whatsapp: Option<Arc<crate::whatsapp::WhatsApp>>,
}

impl AppState {
    pub fn new(prepared: Prepared) -> Arc<Self> {
        Arc::new(AppState {
            demo: prepared.demo,
            max_upload_bytes: prepared.config.max_upload_bytes,
            max_attachments: prepared.config.max_attachments,
            intake: prepared.intake,
            forms: tokens::FormTokens::new(),
            sessions: session::Sessions::new(prepared.config.session_idle_secs),
            deadlines: prepared.config.deadlines.clone(),
            counters: Counters::default(),
            whatsapp: prepared.whatsapp,
        })
    }
}

/// The router with every route and layer. Tests drive this over a real listener.
pub fn app(state: Arc<AppState>) -> Router {
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
        .merge(crate::whatsapp::routes(state.whatsapp.clone()))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/healthz", get(pages::health))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::count_and_harden,
        ))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .with_state(state)
}
