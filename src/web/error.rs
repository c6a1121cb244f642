//! One error type for the web layer: a friendly page (or JSON for the API) in the visitor's language,
//! with a short stable code. Details go to the log by code only, never to the client.

use std::collections::BTreeMap;

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;

use super::pages::Page;
use crate::intake::Lang;
use crate::protocol::wire::FieldErrors;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WebError {
    NotFound,
    /// Not a form our pages send (wrong encoding, broken multipart).
    BadForm,
    /// A state-changing request from another site.
    CrossSite,
    /// Too many submissions at once: try again shortly.
    Busy,
    /// Storage or sealing failed: nothing was stored.
    Unavailable,
}

impl WebError {
    pub(crate) fn code(self) -> &'static str {
        match self {
            WebError::NotFound => "WBS-404",
            WebError::BadForm => "WBS-FORM",
            WebError::CrossSite => "WBS-CSRF",
            WebError::Busy => "WBS-BUSY",
            WebError::Unavailable => "WBS-STORE",
        }
    }

    pub(crate) fn status(self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadForm => StatusCode::BAD_REQUEST,
            WebError::CrossSite => StatusCode::FORBIDDEN,
            WebError::Busy | WebError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub(crate) fn title(self, l: Lang) -> &'static str {
        match self {
            WebError::NotFound => l.text("error-not-found-title"),
            WebError::BadForm => l.text("error-bad-form-title"),
            WebError::CrossSite => l.text("error-cross-site-title"),
            WebError::Busy => l.text("error-busy-title"),
            WebError::Unavailable => l.text("error-unavailable-title"),
        }
    }

    pub(crate) fn message(self, l: Lang) -> &'static str {
        match self {
            WebError::NotFound => l.text("error-not-found-message"),
            WebError::BadForm => l.text("error-bad-form-message"),
            WebError::CrossSite => l.text("error-cross-site-message"),
            WebError::Busy => l.text("error-busy-message"),
            WebError::Unavailable => l.text("error-unavailable-message"),
        }
    }

    /// The page, in `lang`.
    pub(crate) fn page(self, lang: Lang, demo: bool) -> Response {
        // Refusals of visitors' requests are counted hourly, never logged one by one (docs/design.md §6),
        // busy answers included (§11): a login flood must not become a log flood. Only server-side
        // faults are worth a line.
        if matches!(self, WebError::Unavailable) {
            tracing::warn!(code = self.code(), "request refused");
        }
        let t = MessageTemplate {
            page: Page::new(lang, demo, "/"),
            title: self.title(lang),
            message: self.message(lang),
            code: self.code(),
        };
        (self.status(), render(&t)).into_response()
    }
}

/// A refusal of the public JSON API: `{"errors": {"<field path>": "<message>"}}`, messages in the
/// caller's language, never echoing input. (`Retry-After` on 503 and 429 is the router's, see
/// `retry_after_when_busy`.)
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    errors: FieldErrors,
}

impl ApiError {
    pub(crate) fn field(status: StatusCode, field: &str, message: &str) -> Self {
        ApiError {
            status,
            errors: FieldErrors {
                errors: [(field.to_owned(), message.to_owned())].into(),
            },
        }
    }

    pub(crate) fn fields(status: StatusCode, errors: BTreeMap<String, String>) -> Self {
        ApiError {
            status,
            errors: FieldErrors { errors },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.errors)).into_response()
    }
}

/// Every 503 and 429 tells the client when to come back: one rule for pages, the JSON APIs and the
/// desk API, applied by the routers' response layers (no handler sets it). A 429 is a refusal that
/// passes within seconds (documents being scrubbed, `[limits] document_memory_mb`), as is a 503.
pub(crate) fn retry_after_when_busy(response: &mut Response) {
    let busy = matches!(
        response.status(),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS
    );
    if busy && !response.headers().contains_key(header::RETRY_AFTER) {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.page(Lang::Id, false)
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessageTemplate {
    pub page: Page,
    pub title: &'static str,
    pub message: &'static str,
    pub code: &'static str,
}

/// Renders a template; a rendering failure (a bug) becomes a plain page with a code, never a trace.
pub(crate) fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => {
            tracing::error!(code = "WBS-RENDER", "template failed to render");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Html("<!doctype html><title>WBS</title><p>Maaf, terjadi gangguan (WBS-RENDER). Sorry, something went wrong.</p>"),
            )
                .into_response()
        }
    }
}
