//! `/pantau`: the reporter's follow-up with the receipt code. The receipt is accepted by POST only;
//! the session is a sealed cookie; login, follow-up and logout are protected against cross-site
//! requests. Only verified items are shown.

use std::sync::Arc;

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Multipart, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::{render, WebError};
use super::extract::QueryLang;
use super::form::{file_message, receive};
use super::pages::Page;
use super::tokens::TokenCheck;
use super::AppState;
use crate::crypto::receipt::{Receipt, ReceiptError, ReceiptKeys};
use crate::crypto::session::Session;
use crate::intake::mailbox::{ThreadMessage, MAX_MESSAGE_CHARS};
use crate::intake::status::Status;
use crate::intake::submit::IntakeError;
use crate::intake::Lang;
use crate::protocol::day::Day;
use crate::protocol::{CaseId, Role};

#[derive(Template)]
#[template(path = "pantau_login.html")]
struct LoginTemplate {
    page: Page,
    token: String,
    error: Option<String>,
    notice: Option<&'static str>,
    /// The id of follow-up text held since the session ended (web::drafts).
    draft: Option<String>,
    /// "The session ends after N minutes ...", with the configured limit.
    session_note: String,
    /// Files of a follow-up that arrived after the session ended: not kept, so named.
    lost_files: Vec<String>,
    /// What was typed, shown again after a typo so it can be corrected rather than retyped.
    typed: String,
}

/// One status change as the reporter sees it.
pub(crate) struct StatusRow {
    pub label: &'static str,
    pub date: Day,
}

#[derive(Template)]
#[template(path = "pantau_case.html")]
struct CaseTemplate {
    page: Page,
    token: String,
    case_id: CaseId,
    created: Day,
    status_label: &'static str,
    next_step: &'static str,
    deadline: Option<String>,
    overdue: bool,
    history: Vec<StatusRow>,
    messages: Vec<ThreadMessage>,
    rejected: usize,
    /// Links to the pages of older and newer messages (no JavaScript: plain links).
    older: Option<String>,
    newer: Option<String>,
    sent: bool,
    draft: String,
    errors: Vec<String>,
    lost_files: Vec<String>,
    max_upload_mb: u64,
    max_attachments: usize,
    session_note: String,
}

impl CaseTemplate {
    pub(crate) fn by_team(&self, m: &ThreadMessage) -> bool {
        m.from == Role::Investigator
    }

    pub(crate) fn status_of(&self, m: &ThreadMessage) -> &'static str {
        m.status.map_or("", |s| s.label(self.page.l))
    }
}

/// What happens next, for each status (docs/design.md §8).
fn next_step(status: Status, l: Lang) -> &'static str {
    match status {
        Status::Diterima => l.text("pantau-next-diterima"),
        Status::Diverifikasi => l.text("pantau-next-diverifikasi"),
        Status::PerluDilengkapi => l.text("pantau-next-perlu-dilengkapi"),
        Status::Ditindaklanjuti => l.text("pantau-next-ditindaklanjuti"),
        Status::Diteruskan => l.text("pantau-next-diteruskan"),
        Status::Selesai => l.text("pantau-next-selesai"),
    }
}

pub(crate) fn typo_message(e: ReceiptError, l: Lang) -> &'static str {
    match e {
        ReceiptError::Empty => l.text("pantau-receipt-empty"),
        ReceiptError::BadSymbol => l.text("pantau-receipt-bad-symbol"),
        ReceiptError::WrongLength => l.text("pantau-receipt-wrong-length"),
        ReceiptError::Typo | ReceiptError::UnknownEpoch => l.text("pantau-receipt-typo"),
    }
}

fn generic_unknown(l: Lang) -> String {
    l.text("pantau-receipt-unknown").to_owned()
}

impl AppState {
    fn login_page(&self, l: Lang, error: Option<String>, status: StatusCode) -> Response {
        let t = self.login_template(l, error, None);
        (status, render(&t)).into_response()
    }

    fn login_template(
        &self,
        l: Lang,
        error: Option<String>,
        draft: Option<String>,
    ) -> LoginTemplate {
        LoginTemplate {
            page: Page::new(l, self.demo, "/pantau"),
            token: self.forms.issue(),
            error,
            notice: None,
            draft,
            session_note: self.session_note(l),
            lost_files: Vec::new(),
            typed: String::new(),
        }
    }

    /// The idle limit as the pages state it: the configured one, in minutes.
    fn session_note(&self, l: Lang) -> String {
        let minutes = self.session_idle_secs.div_ceil(60);
        l.text_with("pantau-session-ends-after", &[("minutes", &minutes)])
    }

    /// The case page. Reading, decrypting and verifying the page's items and rendering it run on
    /// the blocking pool, not on an async worker thread (docs/design.md §11).
    async fn case_page(
        self: &Arc<Self>,
        l: Lang,
        session: &mut Session,
        extra: CaseExtras,
    ) -> Response {
        let keys = ReceiptKeys::from_master(&session.master);
        let (this, case_id) = (Arc::clone(self), session.case_id.clone());
        let rendered =
            tokio::task::spawn_blocking(move || this.render_case_page(l, &case_id, &keys, extra))
                .await;
        let mut response = match rendered {
            Ok(r) => r,
            Err(_) => return WebError::Unavailable.page(l, self.demo),
        };
        if let Some(cookie) = self.sessions.cookie(session) {
            response.headers_mut().insert(header::SET_COOKIE, cookie);
        }
        response
    }

    fn render_case_page(
        &self,
        l: Lang,
        case_id: &CaseId,
        keys: &ReceiptKeys,
        extra: CaseExtras,
    ) -> Response {
        let view = match self.intake.reporter_page(case_id, keys, extra.before) {
            Ok(Some(v)) => v,
            Ok(None) => return self.login_page(l, Some(generic_unknown(l)), StatusCode::OK),
            Err(_) => return WebError::Unavailable.page(l, self.demo),
        };
        let status = view.case.status();
        let deadline = self.deadlines.next(&view.case, &Day::today());
        let t = CaseTemplate {
            page: Page::new(l, self.demo, "/pantau").for_typing(),
            token: self.forms.issue(),
            case_id: view.case.id.clone(),
            created: view.case.created.clone(),
            status_label: status.label(l),
            next_step: next_step(status, l),
            overdue: deadline.as_ref().is_some_and(|d| d.overdue),
            // The deadline's day written out, and never wrapped mid-date.
            deadline: deadline.map(|d| {
                d.describe(l)
                    .replace(d.due.as_str(), &super::dates::long_date(&d.due, l))
            }),
            history: view
                .case
                .statuses
                .iter()
                .map(|s| StatusRow {
                    label: s.status.label(l),
                    date: s.day.clone(),
                })
                .collect(),
            messages: view.messages,
            rejected: view.rejected,
            older: view.older.map(|b| page_url(l, Some(b))),
            newer: view.newer.map(|b| page_url(l, b)),
            sent: extra.sent,
            draft: extra.draft,
            errors: extra.errors,
            lost_files: extra.lost_files,
            max_upload_mb: self.max_upload_bytes / (1024 * 1024),
            max_attachments: self.max_attachments,
            session_note: self.session_note(l),
        };
        (extra.status, render(&t)).into_response()
    }
}

#[derive(Default)]
struct CaseExtras {
    sent: bool,
    draft: String,
    errors: Vec<String>,
    lost_files: Vec<String>,
    status: StatusCode,
    /// The page of older messages asked for (`?sebelum=N`), else the newest.
    before: Option<u32>,
}

/// `GET /pantau`: the case when a session is open, else the receipt form.
pub(crate) async fn show(
    State(state): State<Arc<AppState>>,
    QueryLang(l): QueryLang,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    match state.sessions.current(&headers) {
        Some(mut session) => {
            let params = || q.as_deref().unwrap_or("").split('&');
            let sent = params().any(|kv| kv == "terkirim=1");
            // A malformed page number shows the newest page rather than an error.
            let before = params()
                .find_map(|kv| kv.strip_prefix("sebelum="))
                .and_then(|n| n.parse().ok());
            state
                .case_page(
                    l,
                    &mut session,
                    CaseExtras {
                        sent,
                        status: StatusCode::OK,
                        before,
                        ..CaseExtras::default()
                    },
                )
                .await
        }
        None => state.login_page(l, None, StatusCode::OK),
    }
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    receipt: String,
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    lang: String,
    /// Follow-up text held since the session ended (web::drafts).
    #[serde(default)]
    draft: String,
}

fn see_other(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn case_url(l: Lang, sent: bool) -> String {
    let mut params = Vec::new();
    if l == Lang::En {
        params.push("lang=en");
    }
    if sent {
        params.push("terkirim=1");
    }
    if params.is_empty() {
        "/pantau".to_owned()
    } else {
        format!("/pantau?{}", params.join("&"))
    }
}

/// The case page showing the items before `before` (`None`: the newest).
fn page_url(l: Lang, before: Option<u32>) -> String {
    let mut params = Vec::new();
    if l == Lang::En {
        params.push("lang=en".to_owned());
    }
    if let Some(b) = before {
        params.push(format!("sebelum={b}"));
    }
    if params.is_empty() {
        "/pantau#thread-title".to_owned()
    } else {
        format!("/pantau?{}#thread-title", params.join("&"))
    }
}

/// `POST /pantau`: logs in with a receipt (never accepted in a URL).
pub(crate) async fn login(
    State(state): State<Arc<AppState>>,
    QueryLang(query_lang): QueryLang,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let ql = query_lang;
    let Ok(Form(form)) = form else {
        return WebError::BadForm.page(ql, state.demo);
    };
    let l = Lang::from_param(Some(form.lang.as_str()));
    if matches!(state.forms.check(&form.form_token), TokenCheck::Invalid) {
        return state.login_page(
            l,
            Some(l.text("pantau-this-page-was-open").to_owned()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let receipt = match Receipt::parse(&form.receipt) {
        Ok(r) => r,
        Err(e) => {
            // A typo: the code comes back in the field to be corrected (the page is never stored).
            let mut t = state.login_template(l, Some(typo_message(e, l).to_owned()), None);
            t.typed = form.receipt.chars().take(64).collect();
            if !form.draft.is_empty() {
                t.draft = Some(form.draft.clone());
            }
            return (StatusCode::UNPROCESSABLE_ENTITY, render(&t)).into_response();
        }
    };
    match state.intake.open_receipt(receipt).await {
        Ok(Some((case_id, keys))) => {
            // A one-time (WhatsApp) receipt is replaced at its first use; the new one is shown once.
            match state.intake.rekey_if_one_time(&case_id, &keys).await {
                Ok(Some(rekeyed)) => return super::rekey::page(&state, l, case_id, &rekeyed),
                Ok(None) => {}
                Err(IntakeError::Busy) => return WebError::Busy.page(l, state.demo),
                Err(_) => return WebError::Unavailable.page(l, state.demo),
            }
            let mut session = state.sessions.start(case_id, &keys.master);
            // Text typed while the last session ended comes back in the message box, to be sent.
            if let Some(text) = state.drafts.take(&form.draft) {
                let extras = CaseExtras {
                    draft: text.as_str().to_owned(),
                    status: StatusCode::OK,
                    ..CaseExtras::default()
                };
                return state.case_page(l, &mut session, extras).await;
            }
            let mut r = see_other(&case_url(l, false));
            if let Some(cookie) = state.sessions.cookie(&mut session) {
                r.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            r
        }
        Ok(None) => state.login_page(l, Some(generic_unknown(l)), StatusCode::OK),
        Err(IntakeError::Busy) => WebError::Busy.page(l, state.demo),
        Err(_) => WebError::Unavailable.page(l, state.demo),
    }
}

/// `POST /pantau/pesan`: the reporter's follow-up, with attachments.
pub(crate) async fn followup(
    State(state): State<Arc<AppState>>,
    QueryLang(query_lang): QueryLang,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let ql = query_lang;
    let Some(mut session) = state.sessions.current(&headers) else {
        return session_ended(&state, ql, multipart.ok()).await;
    };
    let Ok(mp) = multipart else {
        return WebError::BadForm.page(ql, state.demo);
    };
    let mut received = receive(&state, mp).await;
    let l = Lang::from_param(received.fields.get("lang").map(String::as_str));
    if received.truncated && !received.too_large {
        return WebError::BadForm.page(l, state.demo);
    }
    let text = crate::intake::report::clean(&received.fields.remove("body").unwrap_or_default());
    let token = received.fields.remove("form_token").unwrap_or_default();
    let max_mb = state.max_upload_bytes / (1024 * 1024);
    let mut errors = Vec::new();
    if text.is_empty() && received.sealed.is_empty() {
        errors.push(l.text("pantau-write-message-or-choose").to_owned());
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        errors.push(crate::intake::report::Problem::TooLong(MAX_MESSAGE_CHARS).message(l));
    }
    for (name, problem) in &received.file_problems {
        errors.push(format!(
            "{name}: {}",
            file_message(*problem, l, max_mb, state.max_attachments)
        ));
    }
    let lost = received.file_names();
    let nonce = match state.forms.check(&token) {
        TokenCheck::Fresh(n) => Some(n),
        TokenCheck::AlreadyUsed => return see_other(&case_url(l, true)),
        TokenCheck::Invalid => None,
    };
    let nonce = match nonce {
        Some(n) if errors.is_empty() && state.forms.consume(n) => n,
        _ => {
            if errors.is_empty() {
                errors.push(l.text("pantau-this-page-was-open-too").to_owned());
            }
            let extras = CaseExtras {
                draft: text,
                errors,
                lost_files: lost,
                status: super::refusal::files_status(&received.file_problems),
                ..CaseExtras::default()
            };
            return state.case_page(l, &mut session, extras).await;
        }
    };
    let keys = ReceiptKeys::from_master(&session.master);
    match state
        .intake
        .reporter_followup(session.case_id.clone(), keys, text.clone(), received.sealed)
        .await
    {
        Ok(()) => see_other(&case_url(l, true)),
        Err(e) => {
            state.forms.release(nonce);
            let (status, message) = super::refusal::bound_refusal(&e, l).unwrap_or((
                StatusCode::SERVICE_UNAVAILABLE,
                l.text("pantau-message-was-not-stored"),
            ));
            let extras = CaseExtras {
                draft: text,
                errors: vec![message.to_owned()],
                lost_files: lost,
                status,
                ..CaseExtras::default()
            };
            state.case_page(l, &mut session, extras).await
        }
    }
}

/// A follow-up that arrived after its session ended: the login page, holding what was typed
/// (web::drafts) so that it comes back after logging in again. Files are not held: they are named.
async fn session_ended(state: &AppState, ql: Lang, mp: Option<Multipart>) -> Response {
    let (l, draft, lost) = match mp {
        Some(mp) => {
            let mut received = receive(state, mp).await;
            let l = Lang::from_param(received.fields.get("lang").map(String::as_str));
            let text = zeroize::Zeroizing::new(received.fields.remove("body").unwrap_or_default());
            // Only a whole message is held: a broken upload may have cut it.
            let draft = (!received.truncated)
                .then(|| state.drafts.keep(text))
                .flatten();
            (l, draft, received.file_names())
        }
        None => (ql, None, Vec::new()),
    };
    let mut t = state.login_template(
        l,
        Some(l.text("pantau-your-session-has-ended").to_owned()),
        draft,
    );
    if t.draft.is_some() {
        t.notice = Some(l.text("pantau-draft-kept"));
    }
    t.lost_files = lost;
    (StatusCode::UNAUTHORIZED, render(&t)).into_response()
}

#[derive(Deserialize)]
pub(crate) struct LogoutForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    form_token: String,
}

/// `POST /pantau/keluar`: ends the session for good and asks the browser to forget the page.
pub(crate) async fn logout(
    State(state): State<Arc<AppState>>,
    QueryLang(query_lang): QueryLang,
    headers: HeaderMap,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Response {
    let l = match &form {
        Ok(Form(f)) => Lang::from_param(Some(f.lang.as_str())),
        Err(_) => query_lang,
    };
    let token_ok = form
        .as_ref()
        .is_ok_and(|Form(f)| !matches!(state.forms.check(&f.form_token), TokenCheck::Invalid));
    if !token_ok {
        return WebError::CrossSite.page(l, state.demo);
    }
    if let Some(session) = state.sessions.current(&headers) {
        state.sessions.revoke(&session);
    }
    let mut t = state.login_template(l, None, None);
    t.notice = Some(l.text("pantau-you-are-logged-out"));
    let mut r = render(&t);
    r.headers_mut()
        .insert(header::SET_COOKIE, state.sessions.clear_cookie());
    r.headers_mut().insert(
        "clear-site-data",
        HeaderValue::from_static("\"cache\", \"cookies\""),
    );
    r
}
