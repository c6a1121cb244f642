//! The JSON intake API: `POST /api/v1/reports`. Same validation, sealing and durability as the form.
//! Errors are `{"errors": {"<field path>": "<message>"}}` in the caller's language (Accept-Language).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use crate::intake::report::{validate, Party, ReportInput};
use crate::intake::submit::{Channel, IntakeError};
use crate::intake::Lang;

// Every field has a default so that a missing one is reported by `validate` under its own path,
// together with every other problem, exactly as an empty one is.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiReporter {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    anonymous: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiParty {
    #[serde(default)]
    name: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    unit: String,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiIncident {
    #[serde(default)]
    when: String,
    #[serde(default)]
    place: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiReport {
    #[serde(default)]
    reporter: ApiReporter,
    #[serde(default)]
    category: String,
    #[serde(default)]
    chronology: String,
    #[serde(default)]
    parties: Vec<ApiParty>,
    #[serde(default)]
    incident: ApiIncident,
    #[serde(default)]
    evidence: String,
}

fn errors(status: StatusCode, map: BTreeMap<String, String>) -> Response {
    (status, Json(json!({ "errors": map }))).into_response()
}

fn one_error(status: StatusCode, field: &str, message: &str) -> Response {
    errors(
        status,
        BTreeMap::from([(field.to_owned(), message.to_owned())]),
    )
}

/// A message for a body that does not fit the schema. serde's own text is not used: it can echo input.
fn schema_message(e: &serde_json::Error, l: Lang) -> &'static str {
    let text = e.to_string();
    if text.starts_with("unknown field") {
        l.text("api-unknown-field")
    } else if text.starts_with("missing field") {
        l.text("api-required")
    } else {
        l.text("api-wrong-type-of-value")
    }
}

/// Parses a JSON report body into the domain input. Errors map field paths to messages in `l`.
/// Public so the fuzzer can drive it (fuzz/fuzz_targets/api_report.rs).
pub fn parse_report(body: &[u8], l: Lang) -> Result<ReportInput, BTreeMap<String, String>> {
    let one = |field: &str, message: &str| BTreeMap::from([(field.to_owned(), message.to_owned())]);
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(one("body", l.text("api-not-utf-8-text")));
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed: Result<ApiReport, _> = serde_path_to_error::deserialize(&mut de);
    if parsed.is_ok() && de.end().is_err() {
        return Err(one("body", l.text("api-not-valid-json")));
    }
    let report = match parsed {
        Ok(r) => r,
        Err(e) => {
            let inner = e.inner();
            if inner.is_syntax() || inner.is_eof() {
                return Err(one("body", l.text("api-not-valid-json")));
            }
            let path = e.path().to_string();
            let field = if path == "." || path.is_empty() {
                "body".to_owned()
            } else {
                path
            };
            return Err(one(&field, schema_message(inner, l)));
        }
    };
    Ok(ReportInput {
        reporter_kind: report.reporter.kind,
        category: report.category,
        chronology: report.chronology,
        parties: report
            .parties
            .into_iter()
            .map(|p| Party {
                name: p.name,
                position: p.position,
                unit: p.unit,
            })
            .collect(),
        incident_when: report.incident.when,
        incident_place: report.incident.place,
        reporter_name: report.reporter.name,
        reporter_contact: report.reporter.contact,
        anonymous: report.reporter.anonymous,
        evidence: report.evidence,
        good_faith: None,
    })
}

/// Whether a request says its body is JSON (`application/json`, any parameters).
pub(super) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

pub async fn create_report(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let l = Lang::from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    if !is_json(&headers) {
        return one_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "body",
            l.text("api-send-as-application-json"),
        );
    }
    let body = match body {
        Ok(b) => b,
        Err(rejection) => {
            let too_large = rejection.status() == StatusCode::PAYLOAD_TOO_LARGE;
            return one_error(
                if too_large {
                    StatusCode::PAYLOAD_TOO_LARGE
                } else {
                    StatusCode::BAD_REQUEST
                },
                "body",
                if too_large {
                    l.text("api-too-large-at-most")
                } else {
                    l.text("api-could-not-be-read")
                },
            );
        }
    };
    let input = match parse_report(&body, l) {
        Ok(input) => input,
        Err(map) => return errors(StatusCode::UNPROCESSABLE_ENTITY, map),
    };
    let valid = match validate(&input) {
        Ok(v) => v,
        Err(list) => {
            let map = list
                .into_iter()
                .map(|e| (e.field, e.problem.message(l)))
                .collect();
            return errors(StatusCode::UNPROCESSABLE_ENTITY, map);
        }
    };
    let anonymous = !valid.content.criteria.identity;
    match state.intake.submit(valid, Vec::new(), Channel::Api).await {
        Ok(done) => (
            StatusCode::CREATED,
            Json(json!({
                "receipt": done.receipt.grouped().as_str(),
                "case_id": done.case_id,
                "criteria_missing": if anonymous { vec![1] } else { vec![] },
            })),
        )
            .into_response(),
        Err(e) => {
            if !matches!(e, IntakeError::Busy) {
                tracing::error!(code = "WBS-STORE", "a submission could not be stored");
            }
            let mut r = one_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "body",
                l.text("api-report-was-not-stored"),
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            r
        }
    }
}
