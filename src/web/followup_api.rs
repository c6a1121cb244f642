//! The reporter's JSON API: `POST /api/v1/followup {"receipt", "before"?}` reads a case's status and
//! one page of its verified thread; `POST /api/v1/followup/messages {"receipt", "body"}` adds a follow-up. The receipt travels
//! only in the body. An unknown receipt gets one generic 404, after the same work as a known one.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::error::ApiError;
use super::extract::{ApiLang, JsonBody};
use super::pantau::typo_message;
use super::AppState;
use crate::crypto::receipt::{Receipt, ReceiptKeys};
use crate::intake::mailbox::MAX_MESSAGE_CHARS;
use crate::intake::report::clean;
use crate::intake::submit::IntakeError;
use crate::intake::Lang;
use crate::protocol::wire::{
    Accepted, FollowupCase, FollowupLogin, FollowupPost, PageBefore, PageRef, ReporterDeadline,
};
use crate::protocol::{CaseId, Day};

fn error(status: StatusCode, field: &str, message: &str) -> ApiError {
    ApiError::field(status, field, message)
}

fn not_found(l: Lang) -> ApiError {
    error(
        StatusCode::NOT_FOUND,
        "receipt",
        l.text("api-unknown-receipt-code"),
    )
}

/// Parses and opens a receipt: `Ok(None)` for an unknown one.
async fn open(
    state: &AppState,
    receipt: &str,
    l: Lang,
) -> Result<Option<(CaseId, ReceiptKeys)>, ApiError> {
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

pub(crate) async fn case(
    State(state): State<Arc<AppState>>,
    ApiLang(l): ApiLang,
    JsonBody(req): JsonBody<FollowupLogin>,
) -> Result<Response, ApiError> {
    // A bad page cursor is named before any receipt work, and never echoed.
    let before = match req.before {
        None => None,
        Some(PageBefore::At(n)) => Some(n),
        Some(PageBefore::Invalid) => {
            return Err(error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "before",
                l.text("api-page-before-invalid"),
            ))
        }
    };
    let (case_id, keys) = open(&state, &req.receipt, l).await?.ok_or(not_found(l))?;
    // One page of the thread, as on `/pantau` (docs/design.md §11), off the async threads.
    let intake = state.intake.clone();
    let view = tokio::task::spawn_blocking(move || intake.reporter_page(&case_id, &keys, before))
        .await
        .unwrap_or(Err(IntakeError::Seal));
    let view = match view {
        Ok(Some(v)) => v,
        Ok(None) => return Err(not_found(l)),
        Err(_) => {
            return Err(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "body",
                l.text("api-storage-fault-try-again"),
            ))
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
    Ok(Json(FollowupCase {
        case_id: view.case.id.clone(),
        status: view.case.status(),
        status_history: view.case.status_history(),
        deadline,
        messages: view.messages,
        unverified_hidden: view.rejected,
        older: view.older.map(|b| PageRef { before: Some(b) }),
        newer: view.newer.map(|before| PageRef { before }),
    })
    .into_response())
}

pub(crate) async fn add_message(
    State(state): State<Arc<AppState>>,
    ApiLang(l): ApiLang,
    JsonBody(req): JsonBody<FollowupPost>,
) -> Result<Response, ApiError> {
    let text = clean(&req.body);
    if text.is_empty() {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "body",
            l.text("api-required"),
        ));
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "body",
            &crate::intake::report::Problem::TooLong(MAX_MESSAGE_CHARS).message(l),
        ));
    }
    let (case_id, keys) = open(&state, &req.receipt, l).await?.ok_or(not_found(l))?;
    match state
        .intake
        .reporter_followup(case_id.clone(), keys, text, Vec::new())
        .await
    {
        Ok(()) => Ok((StatusCode::CREATED, Json(Accepted { case_id })).into_response()),
        Err(e) => Err(match super::refusal::bound_refusal(&e, l) {
            Some((status, message)) => error(status, "body", message),
            None => error(
                StatusCode::SERVICE_UNAVAILABLE,
                "body",
                l.text("api-message-was-not-stored"),
            ),
        }),
    }
}
