//! The answers to the two load bounds (docs/design.md §11): a full case and a nearly full disk. Each
//! has its own status, so the hourly counters tell them apart, and its own message in the visitor's
//! language; neither is logged per request.

use axum::http::StatusCode;

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
