//! The report form at `/lapor`: works without JavaScript, keeps everything typed when something is
//! wrong, streams attachments straight into age, and shows the receipt only in the response to the POST.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use zeroize::Zeroizing;

use super::error::{render, WebError};
use super::extract::QueryLang;
use super::pages::Page;
use super::receipt::{repeated, Claim, ReceiptTemplate, Repeated, Shown};
use super::tokens::TokenCheck;
use super::upload::OffloadedSink;
use super::AppState;
use crate::intake::attachment::{AttachmentProblem, AttachmentSink, SealedAttachment};
use crate::intake::report::{
    validate, Category, FieldError, Party, ReportInput, CATEGORIES, MAX_PARTIES,
};
use crate::intake::submit::{Channel, IntakeError};
use crate::intake::Lang;

/// Longest text field we read from a form (the chronology's limit plus room for multi-byte text).
const MAX_TEXT_FIELD: usize = 96 * 1024;
const FIRST_PARTY_ROWS: usize = 2;
/// Text fields read from one form (ours have under 50) and their total size.
const MAX_TEXT_FIELDS: usize = 80;
const MAX_FORM_TEXT: usize = 512 * 1024;

/// Reads the form's fields into the domain input, exactly as typed (the form is shown again from it).
fn input_from_fields(f: &mut HashMap<String, String>) -> ReportInput {
    let mut take = |k: &str| f.remove(k).unwrap_or_default();
    let mut parties = Vec::new();
    for i in 0..MAX_PARTIES {
        parties.push(Party {
            name: take(&format!("parties[{i}].name")),
            position: take(&format!("parties[{i}].position")),
            unit: take(&format!("parties[{i}].unit")),
        });
    }
    let rows: usize = take("party_rows").parse().unwrap_or(FIRST_PARTY_ROWS);
    let last_filled = parties
        .iter()
        .rposition(|p| *p != Party::default())
        .map_or(0, |i| i + 1);
    parties.truncate(rows.clamp(last_filled.max(1), MAX_PARTIES));
    ReportInput {
        reporter_kind: take("reporter.kind"),
        category: take("category"),
        chronology: take("chronology"),
        parties,
        incident_when: take("incident.when"),
        incident_place: take("incident.place"),
        reporter_name: take("reporter.name"),
        reporter_contact: take("reporter.contact"),
        anonymous: !take("reporter.anonymous").is_empty(),
        evidence: take("evidence"),
        // The form always asks for the declaration: unticked is `Some(false)`.
        good_faith: Some(!take("good_faith").is_empty()),
    }
}

/// One problem shown beside its field and in the summary at the top.
pub(crate) struct ShownError {
    pub field: String,
    pub anchor: String,
    pub label: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "lapor.html")]
pub(crate) struct FormTemplate {
    pub page: Page,
    pub token: String,
    pub v: ReportInput,
    pub errors: Vec<ShownError>,
    pub lost_files: Vec<String>,
    pub notice: Option<&'static str>,
    pub categories: &'static [Category],
    pub max_upload_mb: u64,
    pub max_attachments: usize,
}

impl FormTemplate {
    pub(crate) fn err(&self, field: &str) -> &str {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map_or("", |e| e.message.as_str())
    }

    /// The error of one field of party row `i`.
    pub(crate) fn perr(&self, i: &usize, part: &str) -> &str {
        let field = format!("parties[{i}].{part}");
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map_or("", |e| e.message.as_str())
    }

    /// The accessibility attributes of a field: its help text and, when wrong, its error (the
    /// error's id is the field's anchor + `-error`) and `aria-invalid`.
    pub(crate) fn aria(&self, field: &str, help: &str) -> String {
        let wrong = self.errors.iter().any(|e| e.field == field);
        let mut ids: Vec<String> = Vec::new();
        if !help.is_empty() {
            ids.push(help.to_owned());
        }
        if wrong {
            ids.push(format!("{}-error", anchor(field)));
        }
        let mut attrs = String::new();
        if !ids.is_empty() {
            attrs.push_str(&format!(" aria-describedby=\"{}\"", ids.join(" ")));
        }
        if wrong {
            attrs.push_str(" aria-invalid=\"true\"");
        }
        attrs
    }

    /// `aria` for one field of party row `i`.
    pub(crate) fn paria(&self, i: &usize, part: &str) -> String {
        self.aria(&format!("parties[{i}].{part}"), "")
    }

    pub(crate) fn can_add_party(&self) -> bool {
        self.v.parties.len() < MAX_PARTIES
    }
}

/// The HTML id of a field path: `parties[0].unit` → `parties-0-unit`.
pub(crate) fn anchor(field: &str) -> String {
    field
        .chars()
        .filter(|&c| c != ']')
        .map(|c| if c == '.' || c == '[' { '-' } else { c })
        .collect()
}

fn label(field: &str, l: Lang) -> String {
    let base = match field.rsplit('.').next().unwrap_or(field) {
        "kind" => l.text("form-you-report-as"),
        "category" => l.text("form-category"),
        "chronology" => l.text("form-what-happened-2"),
        "parties" => l.text("form-reported-persons"),
        "name" if field.starts_with("parties") => l.text("form-name-of-reported-person"),
        "position" => l.text("form-position"),
        "unit" => l.text("form-unit"),
        "when" => l.text("form-when-2"),
        "place" => l.text("form-where-2"),
        "name" => l.text("form-your-name"),
        "contact" => l.text("form-contact"),
        "evidence" => l.text("form-evidence"),
        "good_faith" => l.text("form-good-faith-declaration"),
        "attachments" => l.text("form-attachments"),
        _ => field,
    };
    match field
        .strip_prefix("parties[")
        .and_then(|r| r.split(']').next())
    {
        Some(i) => {
            let n = i.parse::<usize>().unwrap_or(0) + 1;
            format!("{base} ({} {n})", l.text("form-person-2"))
        }
        None => base.to_owned(),
    }
}

fn shown(errors: Vec<FieldError>, l: Lang) -> Vec<ShownError> {
    errors
        .into_iter()
        .map(|e| ShownError {
            anchor: anchor(&e.field),
            label: label(&e.field, l),
            message: e.problem.message(l),
            field: e.field,
        })
        .collect()
}

impl AppState {
    fn form(&self, l: Lang, v: ReportInput) -> FormTemplate {
        FormTemplate {
            page: Page::new(l, self.demo, "/lapor").for_typing(),
            token: self.forms.issue(),
            v,
            errors: Vec::new(),
            lost_files: Vec::new(),
            notice: None,
            categories: CATEGORIES,
            max_upload_mb: self.max_upload_bytes / (1024 * 1024),
            max_attachments: self.max_attachments,
        }
    }
}

pub(crate) async fn show(
    State(state): State<Arc<AppState>>,
    QueryLang(query_lang): QueryLang,
) -> Response {
    let v = ReportInput {
        parties: vec![Party::default(); FIRST_PARTY_ROWS],
        ..ReportInput::default()
    };
    render(&state.form(query_lang, v))
}

/// What came out of reading the multipart body.
pub(super) struct Received {
    pub(super) fields: HashMap<String, String>,
    pub(super) sealed: Vec<SealedAttachment>,
    pub(super) file_problems: Vec<(String, AttachmentProblem)>,
    /// Files sent before (or without) a fresh form token: read and dropped, never written.
    pub(super) unread_files: Vec<String>,
    /// The body broke off before its end.
    pub(super) truncated: bool,
    /// ... because it was over the request limit (otherwise: malformed).
    pub(super) too_large: bool,
}

impl Received {
    /// Every file of this submission, stored or refused: if the submission is not stored, each must
    /// be chosen again, so each is named.
    pub(super) fn file_names(&self) -> Vec<String> {
        self.sealed
            .iter()
            .map(|s| s.entry.name.clone())
            .chain(self.file_problems.iter().map(|(n, _)| n.clone()))
            .chain(self.unread_files.iter().cloned())
            .collect()
    }
}

pub(super) async fn receive(state: &AppState, mut mp: Multipart) -> Received {
    let mut r = Received {
        fields: HashMap::new(),
        sealed: Vec::new(),
        file_problems: Vec::new(),
        unread_files: Vec::new(),
        truncated: false,
        too_large: false,
    };
    let mut used: u64 = 0;
    let mut text_total: usize = 0;
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                r.truncated = true;
                r.too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                break;
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "attachments" {
            let file_name = field.file_name().unwrap_or("").to_owned();
            let count = r.sealed.len() + r.file_problems.len();
            // No file is written for a form whose token (sent before the files) is not fresh:
            // docs/design.md §11. Such a form is shown again, naming the file to choose again.
            let token_ok = super::upload::token_first(state, &r.fields);
            if !file_name.is_empty() && !token_ok {
                r.unread_files.push(file_name.clone());
            }
            let mut sink = (token_ok && !file_name.is_empty() && count < state.max_attachments)
                .then(|| {
                    OffloadedSink::new(AttachmentSink::new(
                        &state.intake,
                        &file_name,
                        state.max_upload_bytes.saturating_sub(used),
                    ))
                });
            if token_ok && !file_name.is_empty() && sink.is_none() {
                r.file_problems
                    .push((file_name.clone(), AttachmentProblem::TooMany));
            }
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if let Some(s) = sink.as_mut() {
                            s.write(&chunk).await;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        r.truncated = true;
                        r.too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                        break;
                    }
                }
            }
            match sink {
                Some(s) if r.truncated => {
                    let problem = if r.too_large {
                        AttachmentProblem::TooLarge
                    } else {
                        AttachmentProblem::Storage
                    };
                    r.file_problems.push((s.name().to_owned(), problem));
                }
                Some(s) => match s.finish().await {
                    Ok(sealed) => {
                        used += sealed.entry.size;
                        r.sealed.push(sealed);
                    }
                    Err(problem) => r.file_problems.push(problem),
                },
                None => {}
            }
            if r.truncated {
                break;
            }
        } else {
            // Our forms have a few dozen fields: beyond that, or beyond the text budget, what is sent
            // is read and dropped, so an unauthenticated body cannot make us hold more.
            let keep = r.fields.len() < MAX_TEXT_FIELDS;
            let mut text = Zeroizing::new(Vec::new());
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        // Past the cap the value is already refused as too long: keep its start only.
                        let room = MAX_TEXT_FIELD
                            .saturating_sub(text.len())
                            .min(MAX_FORM_TEXT.saturating_sub(text_total + text.len()));
                        if keep {
                            text.extend_from_slice(&chunk[..chunk.len().min(room)]);
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        r.truncated = true;
                        r.too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                        break;
                    }
                }
            }
            if keep {
                text_total += text.len();
                r.fields
                    .insert(name, String::from_utf8_lossy(&text).into_owned());
            }
            if r.truncated {
                break;
            }
        }
    }
    r
}

pub(super) fn file_message(
    problem: AttachmentProblem,
    l: Lang,
    max_mb: u64,
    max_files: usize,
) -> String {
    match problem {
        AttachmentProblem::Type => l.text("form-file-type-not-accepted").to_owned(),
        AttachmentProblem::TooLarge => {
            l.text_with("form-attachment-too-large", &[("max_mb", &max_mb)])
        }
        AttachmentProblem::TooMany => {
            l.text_with("form-attachment-too-many", &[("max_files", &max_files)])
        }
        AttachmentProblem::Storage => l.text("form-could-not-be-stored").to_owned(),
        AttachmentProblem::Unscrubbable => l.text("scrub-cannot-be-cleaned").to_owned(),
        AttachmentProblem::HeicOrVideo => l.text("scrub-heic-or-video").to_owned(),
        AttachmentProblem::DocumentsBusy => l.text("limits-documents-busy").to_owned(),
    }
}

pub(crate) async fn submit(
    State(state): State<Arc<AppState>>,
    QueryLang(query_lang): QueryLang,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Ok(mp) = multipart else {
        return WebError::BadForm.page(query_lang, state.demo);
    };
    let mut received = receive(&state, mp).await;
    let l = Lang::from_param(received.fields.get("lang").map(String::as_str));
    let token = received.fields.remove("form_token").unwrap_or_default();
    let action = received.fields.remove("action").unwrap_or_default();
    let mut v = input_from_fields(&mut received.fields);
    let max_mb = state.max_upload_bytes / (1024 * 1024);

    // Every file that is not stored with this submission must be chosen again: name each one.

    if action == "switch_lang" {
        // The language switch of the form submits it: the same values, in the other language.
        let other = if l == Lang::En { Lang::Id } else { Lang::En };
        let mut t = state.form(other, v);
        t.lost_files = received.file_names();
        return render(&t);
    }
    if action == "add_party" {
        if v.parties.len() < MAX_PARTIES {
            v.parties.push(Party::default());
        }
        let mut t = state.form(l, v);
        t.lost_files = received.file_names();
        return render(&t);
    }

    // Validated once: the same result decides what is shown and what is sealed.
    let validated = validate(&v);
    let mut errors = match &validated {
        Ok(_) => Vec::new(),
        Err(e) => shown(e.clone(), l),
    };
    for (name, problem) in &received.file_problems {
        errors.push(ShownError {
            field: "attachments".into(),
            anchor: anchor("attachments"),
            label: format!("{}: {name}", label("attachments", l)),
            message: file_message(*problem, l, max_mb, state.max_attachments),
        });
    }
    if received.truncated && !received.too_large {
        // Not a complete form (a broken upload): nothing can be stored from it.
        return WebError::BadForm.page(l, state.demo);
    }
    if received.too_large && received.file_problems.is_empty() {
        errors.push(ShownError {
            field: "attachments".into(),
            anchor: anchor("attachments"),
            label: label("attachments", l).to_owned(),
            message: file_message(
                AttachmentProblem::TooLarge,
                l,
                max_mb,
                state.max_attachments,
            ),
        });
    }

    let nonce = match state.forms.check(&token) {
        TokenCheck::Fresh(nonce) => Some(nonce),
        TokenCheck::AlreadyUsed => return repeat(&state, token, l, v).await,
        TokenCheck::Invalid => None,
    };

    if !errors.is_empty() || nonce.is_none() {
        let mut t = state.form(l, v);
        t.errors = errors;
        t.lost_files = received.file_names();
        if nonce.is_none() {
            t.notice = Some(l.text("form-this-form-was-open"));
        }
        let status = super::refusal::files_status(&received.file_problems);
        return (status, render(&t)).into_response();
    }
    let (Some(nonce), Ok(report)) = (nonce, validated) else {
        return WebError::BadForm.page(l, state.demo);
    };
    // A double tap or reload sends the same token again: the first request stores, the others
    // show its receipt (web::receipt).
    let ticket = match state.replay.claim(nonce) {
        Claim::First(t) => t,
        Claim::Repeat(rx) => return repeated_answer(&state, rx, l, v, token).await,
    };
    if !state.forms.consume(nonce) {
        return already_sent(&state, l);
    }
    let anonymous = !report.content.criteria.identity;
    let files = received.sealed.len();
    let file_names = received.file_names();
    match state
        .intake
        .submit(report, received.sealed, Channel::Web)
        .await
    {
        Ok(done) => {
            let shown = Arc::new(Shown {
                receipt: done.receipt.grouped(),
                case_id: done.case_id,
                anonymous,
                files,
            });
            ticket.stored(shown.clone());
            receipt_page(&state, l, shown, token)
        }
        Err(e) => {
            state.forms.release(nonce);
            drop(ticket);
            let (status, notice) = match (super::refusal::bound_refusal(&e, l), e) {
                (Some(answer), _) => answer,
                (None, IntakeError::Busy) => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    l.text("form-many-reports-are-being"),
                ),
                (None, _) => {
                    tracing::error!(code = "WBS-STORE", "a submission could not be stored");
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        l.text("form-storage-fault-occurred-and"),
                    )
                }
            };
            let mut t = state.form(l, v);
            t.notice = Some(notice);
            t.lost_files = file_names;
            (status, render(&t)).into_response()
        }
    }
}

fn already_sent(state: &AppState, l: Lang) -> Response {
    let t = super::error::MessageTemplate {
        page: Page::new(l, state.demo, "/lapor"),
        title: l.text("form-this-report-was-already"),
        message: l.text("form-this-form-was-already"),
        code: "WBS-SENT",
    };
    (StatusCode::CONFLICT, render(&t)).into_response()
}

fn receipt_page(state: &AppState, l: Lang, shown: Arc<Shown>, token: String) -> Response {
    render(&ReceiptTemplate {
        page: Page::new(l, state.demo, "/lapor").lock(),
        shown,
        token,
    })
}

/// A POST with a token already used: the remembered receipt if the window is open (web::receipt).
async fn repeat(state: &AppState, token: String, l: Lang, v: ReportInput) -> Response {
    let Some(nonce) = state.forms.nonce(&token) else {
        return already_sent(state, l);
    };
    match state.replay.claim(nonce) {
        // Nothing remembered: the window closed, or the reporter pressed "I have saved it".
        Claim::First(_) => already_sent(state, l),
        Claim::Repeat(rx) => repeated_answer(state, rx, l, v, token).await,
    }
}

async fn repeated_answer(
    state: &AppState,
    rx: tokio::sync::watch::Receiver<super::receipt::State>,
    l: Lang,
    v: ReportInput,
    token: String,
) -> Response {
    match repeated(rx).await {
        Repeated::Receipt(shown) => receipt_page(state, l, shown, token),
        Repeated::Gone => already_sent(state, l),
        // The first request stored nothing: the reporter sends the form again, as typed.
        Repeated::Failed => {
            let mut t = state.form(l, v);
            t.notice = Some(l.text("form-storage-fault-occurred-and"));
            (StatusCode::SERVICE_UNAVAILABLE, render(&t)).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "saved.html")]
struct SavedTemplate {
    page: Page,
}

#[derive(serde::Deserialize)]
pub(crate) struct SavedForm {
    #[serde(default)]
    form_token: String,
}

/// The "I have saved it" step: leaves the receipt page for one that does not show the receipt, and
/// closes the window in which a repeated POST of the form shows it again.
pub(crate) async fn saved(
    State(state): State<Arc<AppState>>,
    QueryLang(query_lang): QueryLang,
    form: Result<axum::extract::Form<SavedForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let l = query_lang;
    if let Some(nonce) = form
        .ok()
        .and_then(|axum::extract::Form(f)| state.forms.nonce(&f.form_token))
    {
        state.replay.forget(nonce);
    }
    let mut response = render(&SavedTemplate {
        page: Page::new(l, state.demo, "/"),
    });
    // Ask the browser to drop anything it kept of the receipt page.
    response
        .headers_mut()
        .insert("clear-site-data", HeaderValue::from_static("\"cache\""));
    response
}
