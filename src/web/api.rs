//! The JSON intake API: `POST /api/v1/reports`. Same validation, sealing and durability as the form.
//! Errors are `{"errors": {"<field path>": "<message>"}}` in the caller's language (Accept-Language).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{ApiLang, JsonBytes};
use super::AppState;
use crate::intake::report::{validate, Party, ReportInput};
use crate::intake::submit::{Channel, IntakeError};
use crate::intake::Lang;
use crate::protocol::wire::ReportAccepted;

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

/// Every field name the report schema has: an error names a path made only of these (and list
/// indexes), so an unknown field's name, which is input, is never sent back.
const SCHEMA_FIELDS: &[&str] = &[
    "reporter",
    "kind",
    "name",
    "contact",
    "anonymous",
    "category",
    "chronology",
    "parties",
    "position",
    "unit",
    "incident",
    "when",
    "place",
    "evidence",
];

/// The longest prefix of `path` that the schema knows, as `a.b[0].c`; `body` if none.
fn known_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } if !out.is_empty() => out.push_str(&format!("[{index}]")),
            Segment::Map { key } if SCHEMA_FIELDS.contains(&key.as_str()) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            _ => break,
        }
    }
    if out.is_empty() {
        "body".to_owned()
    } else {
        out
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
            let field = known_path(e.path());
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

pub(crate) async fn create_report(
    State(state): State<Arc<AppState>>,
    ApiLang(l): ApiLang,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let input = parse_report(&body, l)
        .map_err(|map| ApiError::fields(StatusCode::UNPROCESSABLE_ENTITY, map))?;
    let valid = validate(&input).map_err(|list| {
        let map = list
            .into_iter()
            .map(|e| (e.field, e.problem.message(l)))
            .collect();
        ApiError::fields(StatusCode::UNPROCESSABLE_ENTITY, map)
    })?;
    let anonymous = !valid.content.criteria.identity;
    match state.intake.submit(valid, Vec::new(), Channel::Api).await {
        Ok(done) => Ok((
            StatusCode::CREATED,
            Json(ReportAccepted {
                receipt: done.receipt.grouped().to_string(),
                case_id: done.case_id,
                criteria_missing: if anonymous { vec![1] } else { vec![] },
            }),
        )
            .into_response()),
        Err(e) => {
            if let Some((status, message)) = super::refusal::bound_refusal(&e, l) {
                return Err(ApiError::field(status, "body", message));
            }
            if !matches!(e, IntakeError::Busy) {
                tracing::error!(code = "WBS-STORE", "a submission could not be stored");
            }
            Err(ApiError::field(
                StatusCode::SERVICE_UNAVAILABLE,
                "body",
                l.text("api-report-was-not-stored"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 11: an unknown field's name is input, and never comes back in the error.
    #[test]
    fn errors_name_only_fields_the_schema_knows() {
        for (body, field) in [
            (r#"{"CANARY_top": 1}"#, "body"),
            (r#"{"reporter": {"CANARY_in": 1}}"#, "reporter"),
            (
                r#"{"parties": [{"name": "a", "CANARY_p": 1}]}"#,
                "parties[0]",
            ),
            (r#"{"incident": {"when": 7}}"#, "incident.when"),
        ] {
            let errors = match parse_report(body.as_bytes(), Lang::En) {
                Ok(_) => BTreeMap::from([("accepted".to_owned(), body.to_owned())]),
                Err(e) => e,
            };
            let all = format!("{errors:?}");
            assert!(!all.contains("CANARY"), "{body}: {all}");
            assert!(errors.contains_key(field), "{body}: {all}");
        }
    }
}
