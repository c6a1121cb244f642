//! Rules every request meets by construction, as extractors and layers (docs/design.md §6): the
//! visitor's language, JSON bodies of the public API, and same-origin for every state-changing
//! request. A new route gets them by naming the extractor or by sitting behind the layer; it cannot
//! forget them.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::error::{ApiError, WebError};
use super::middleware::same_origin;
use super::AppState;
use crate::intake::Lang;

/// The language a page asks for (`?lang=en`; Indonesian otherwise).
#[derive(Debug, Clone, Copy)]
pub(crate) struct QueryLang(pub Lang);

/// `?lang=` of a query string.
pub(crate) fn lang_of(query: Option<&str>) -> Lang {
    let value = query.and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "lang")
            .map(|(_, v)| v)
    });
    Lang::from_param(value)
}

impl<S: Send + Sync> FromRequestParts<S> for QueryLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(QueryLang(lang_of(parts.uri.query())))
    }
}

/// The language an API caller asks for (`Accept-Language`; Indonesian unless English comes first).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ApiLang(pub Lang);

fn accept_language(headers: &HeaderMap) -> Lang {
    Lang::from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

impl<S: Send + Sync> FromRequestParts<S> for ApiLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ApiLang(accept_language(&parts.headers)))
    }
}

/// Whether a request says its body is JSON (`application/json`, any parameters).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

/// The raw body of a public API request that says it is JSON, within the route's body limit. The
/// refusals (415, 413, 400) are `ApiError`s in the caller's language. Parsing is the handler's (the
/// report parser names each bad field, docs/format.md).
pub(crate) struct JsonBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let l = accept_language(req.headers());
        if !is_json(req.headers()) {
            return Err(ApiError::field(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "body",
                l.text("api-send-as-application-json"),
            ));
        }
        match Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(JsonBytes(bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::field(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body",
                    l.text("api-too-large-at-most"),
                ))
            }
            Err(_) => Err(ApiError::field(
                StatusCode::BAD_REQUEST,
                "body",
                l.text("api-could-not-be-read"),
            )),
        }
    }
}

/// A public API body parsed as `T` (a `protocol::wire` type). serde's own message is never sent back:
/// it can echo input.
pub(crate) struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let l = accept_language(req.headers());
        let JsonBytes(bytes) = JsonBytes::from_request(req, state).await?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|_| {
            ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "body",
                l.text("api-not-valid-json-with"),
            )
        })
    }
}

/// Same-origin for every state-changing request of the public router (docs/design.md §6): anything
/// but GET, HEAD and OPTIONS from another site is refused here, before any handler runs — the HTML
/// refusal page for pages, an `ApiError` for `/api/`. Requests without browser headers (the JSON API
/// used by programs, Meta's webhook) carry neither `Sec-Fetch-Site` nor `Origin` and pass.
pub(crate) async fn require_same_origin(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || same_origin(request.headers()) {
        return next.run(request).await;
    }
    if request.uri().path().starts_with("/api/") {
        let l = accept_language(request.headers());
        return ApiError::field(
            WebError::CrossSite.status(),
            "body",
            WebError::CrossSite.message(l),
        )
        .into_response();
    }
    WebError::CrossSite.page(lang_of(request.uri().query()), state.demo)
}
