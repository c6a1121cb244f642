//! The answers to the load bounds (docs/design.md §11): a full case, a nearly full disk, and the
//! document memory in use. Each has its own status, so the hourly counters tell them apart, and its
//! own message in the visitor's language; none is logged per request.

use axum::http::StatusCode;

use crate::intake::attachment::AttachmentProblem;
use crate::intake::submit::IntakeError;
use crate::intake::Lang;

/// The status and message for a bound that refused `e`; `None` for any other error.
pub(crate) fn bound_refusal(e: &IntakeError, l: Lang) -> Option<(StatusCode, &'static str)> {
    match e {
        IntakeError::CaseFull => Some((StatusCode::CONFLICT, l.text("limits-case-full"))),
        IntakeError::DiskFull => {
            Some((StatusCode::INSUFFICIENT_STORAGE, l.text("limits-disk-full")))
        }
        _ => None,
    }
}

/// The status of a form shown again because of its fields or files: 429 when a document was refused
/// only because the server's document memory was in use (`[limits] document_memory_mb`), so those
/// refusals are counted apart; otherwise 422.
pub(crate) fn files_status(problems: &[(String, AttachmentProblem)]) -> StatusCode {
    if problems
        .iter()
        .any(|(_, p)| *p == AttachmentProblem::DocumentsBusy)
    {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}
