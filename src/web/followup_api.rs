//! The reporter's JSON API: `POST /api/v1/followup {"receipt"}` reads a case's status and verified
//! thread; `POST /api/v1/followup/messages {"receipt", "body"}` adds a follow-up. The receipt travels
//! only in the body. An unknown receipt gets one generic 404, after the same work as a known one.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::pantau::typo_message;
use super::AppState;
use crate::crypto::receipt::{Receipt, ReceiptKeys};
use crate::intake::mailbox::MAX_MESSAGE_CHARS;
use crate::intake::report::clean;
use crate::intake::submit::IntakeError;
use crate::intake::Lang;
use crate::protocol::wire::{
    Accepted, FieldErrors, FollowupCase, FollowupLogin, FollowupPost, ReporterDeadline,
};
use crate::protocol::{CaseId, Day};

fn error(status: StatusCode, field: &str, message: &str) -> Response {
    let body = FieldErrors {
        errors: [(field.to_owned(), message.to_owned())].into(),
    };
    let mut r = (status, Json(body)).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    r
}

fn not_found(l: Lang) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "receipt",
        l.text("api-unknown-receipt-code"),
    )
}

fn lang(headers: &HeaderMap) -> Lang {
    Lang::from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

// Handlers answer with whichever `Response` the first failing step produced; boxing it would only
// move the allocation, so the large error variant is deliberate here.
#[allow(clippy::result_large_err)]
fn parse<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    l: Lang,
) -> Result<T, Response> {
    if !super::api::is_json(headers) {
        return Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "body",
            l.text("api-send-as-application-json"),
        ));
    }
    let body = body.map_err(|_| {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body",
            l.text("api-too-large"),
        )
    })?;
    serde_json::from_slice(&body).map_err(|_| {
        error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "body",
            l.text("api-not-valid-json-with"),
        )
    })
}

/// Parses and opens a receipt: `Ok(None)` for an unknown one.
#[allow(clippy::result_large_err)]
async fn open(
    state: &AppState,
    receipt: &str,
    l: Lang,
) -> Result<Option<(CaseId, ReceiptKeys)>, Response> {
    let receipt = Receipt::parse(receipt).map_err(|e| {
        error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "receipt",
            typo_message(e, l),
        )
    })?;
    match state.intake.open_receipt(receipt).await {
        // A one-time (WhatsApp) receipt is replaced at its first use on the web page, never here.
        Ok(Some((case_id, _))) if state.intake.receipt_is_one_time(&case_id).unwrap_or(true) => {
            Err(error(
                StatusCode::FORBIDDEN,
                "receipt",
                l.text("api-one-time-receipt-code"),
            ))
        }
        Ok(found) => Ok(found),
        Err(IntakeError::Busy) => Err(error(
            StatusCode::SERVICE_UNAVAILABLE,
            "body",
            l.text("api-busy-try-again"),
        )),
        Err(_) => Err(error(
            StatusCode::SERVICE_UNAVAILABLE,
            "body",
            l.text("api-storage-fault-try-again"),
        )),
    }
}

pub async fn case(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let l = lang(&headers);
    let req: FollowupLogin = match parse(&headers, body, l) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let (case_id, keys) = match open(&state, &req.receipt, l).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(l),
        Err(r) => return r,
    };
    let view = match state.intake.reporter_view(&case_id, &keys) {
        Ok(Some(v)) => v,
        Ok(None) => return not_found(l),
        Err(_) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "body",
                l.text("api-storage-fault-try-again"),
            )
        }
    };
    let deadline = state
        .deadlines
        .next(&view.case, &Day::today())
        .map(|d| ReporterDeadline {
            text: d.describe(l),
            due: d.due,
            overdue: d.overdue,
        });
    Json(FollowupCase {
        case_id: view.case.id.clone(),
        status: view.case.status(),
        status_history: view.case.status_history(),
        deadline,
        messages: view.messages,
        unverified_hidden: view.rejected,
    })
    .into_response()
}

pub async fn add_message(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let l = lang(&headers);
    let req: FollowupPost = match parse(&headers, body, l) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let text = clean(&req.body);
    if text.is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "body",
            l.text("api-required"),
        );
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "body",
            &crate::intake::report::Problem::TooLong(MAX_MESSAGE_CHARS).message(l),
        );
    }
    let (case_id, keys) = match open(&state, &req.receipt, l).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(l),
        Err(r) => return r,
    };
    match state
        .intake
        .reporter_followup(case_id.clone(), keys, text, Vec::new())
        .await
    {
        Ok(()) => (StatusCode::CREATED, Json(Accepted { case_id })).into_response(),
        Err(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "body",
            l.text("api-message-was-not-stored"),
        ),
    }
}
