//! The investigators' sync API (`/api/v1/desk/…`, docs/format.md): its own router and listener
//! (`desk_listen`, loopback by default), never part of the public site. Investigators log in by signing a
//! fresh nonce (see `auth`), then list cases changed since their per-case cursor, fetch ciphertext, and
//! upload items they sealed on their own machines, with status changes. The server never sees plaintext
//! here and writes no per-request log line. Errors are `{"error": "<stable code>"}`.

pub(crate) mod auth;

use std::sync::Arc;

use crate::crypto::{hex, sha256};
use crate::intake::deadline::DeadlinePolicy;
use crate::intake::submit::{Intake, IntakeError};
use crate::protocol::day::{unix_now, Day};
use crate::protocol::wire::{
    Appended, CaseDetail, CaseList, CaseSummary, ChangesRequest, DeskDeadline, DeskError,
    InstallationId, ItemInfo, LoginRequest, LoginToken, SetStatus, UploadItem,
};
use crate::protocol::CaseId;
use crate::store::{CaseV1, StoreError};
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

/// Room for one uploaded item (at most `MAX_UPLOADED_ITEM` bytes) in base64, plus JSON.
pub(crate) const DESK_BODY_LIMIT: usize = 512 * 1024;

/// Every refusal of the desk API, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApiError {
    /// Not logged in, or the login was refused (one answer for every reason).
    Auth,
    NotFound,
    BadRequest,
    TooLarge,
    /// `seq` is not the next sequence number: re-read the case and retry.
    Conflict,
    /// The upload is not an age file (or too large for one item).
    NotAge,
    UnknownStatus,
    /// A status change without its signed `status-note` item (every status change is one).
    ItemRequired,
    /// The change is not one the office's process allows from the case's status (`Status::may_follow`).
    Transition,
    Busy,
    Unavailable,
    /// The case holds `[limits] max_case_items` items (docs/design.md §11).
    CaseFull,
    /// The data directory is below its free-space floor.
    DiskFull,
}

impl ApiError {
    pub(crate) fn code(self) -> &'static str {
        match self {
            ApiError::Auth => "auth",
            ApiError::NotFound => "not-found",
            ApiError::BadRequest => "bad-request",
            ApiError::TooLarge => "too-large",
            ApiError::Conflict => "conflict",
            ApiError::NotAge => "not-age",
            ApiError::UnknownStatus => "unknown-status",
            ApiError::ItemRequired => "item-required",
            ApiError::Transition => "transition-not-allowed",
            ApiError::Busy => "busy",
            ApiError::Unavailable => "unavailable",
            ApiError::CaseFull => "case-full",
            ApiError::DiskFull => "disk-full",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            ApiError::Auth => StatusCode::UNAUTHORIZED,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::BadRequest => StatusCode::BAD_REQUEST,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Conflict => StatusCode::CONFLICT,
            ApiError::NotAge
            | ApiError::UnknownStatus
            | ApiError::ItemRequired
            | ApiError::Transition
            | ApiError::CaseFull => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::DiskFull => StatusCode::INSUFFICIENT_STORAGE,
            ApiError::Busy | ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = DeskError {
            error: self.code().to_owned(),
        };
        (self.status(), Json(body)).into_response()
    }
}

impl From<IntakeError> for ApiError {
    fn from(e: IntakeError) -> Self {
        match e {
            IntakeError::UnknownCase => ApiError::NotFound,
            IntakeError::Conflict => ApiError::Conflict,
            IntakeError::NotAge => ApiError::NotAge,
            IntakeError::Busy => ApiError::Busy,
            IntakeError::CaseFull => ApiError::CaseFull,
            IntakeError::DiskFull => ApiError::DiskFull,
            IntakeError::Store(_) | IntakeError::Seal => {
                tracing::error!(
                    code = "WBS-DESK-STORE",
                    "a desk request could not be served"
                );
                ApiError::Unavailable
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        IntakeError::Store(e).into()
    }
}

fn json_error(rejection: JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge
    } else {
        ApiError::BadRequest
    }
}

/// What the desk API's handlers share.
pub(crate) struct DeskState {
    pub intake: Arc<Intake>,
    /// The origins a login signature may name (docs/format.md): this listener's own addresses and
    /// any configured in `desk_origins` (for SSH port forwarding).
    pub origins: Vec<String>,
    pub deadlines: DeadlinePolicy,
    pub auth: auth::DeskAuth,
}

impl DeskState {
    /// Logins are checked against the intake's live team (in demo mode, the demo identity).
    pub fn new(
        intake: Arc<Intake>,
        installation: InstallationId,
        deadlines: DeadlinePolicy,
        origins: Vec<String>,
    ) -> Arc<Self> {
        let team = intake.team().clone();
        Arc::new(DeskState {
            intake,
            origins,
            deadlines,
            auth: auth::DeskAuth::new(installation, team),
        })
    }
}

/// The desk router. Served only on the desk listener.
pub(crate) fn router(state: Arc<DeskState>) -> Router {
    let authenticated = Router::new()
        .route("/api/v1/desk/cases", get(list_cases))
        .route("/api/v1/desk/cases/changes", post(changed_cases))
        .route("/api/v1/desk/cases/{id}", get(one_case))
        .route("/api/v1/desk/cases/{id}/items", post(upload_item))
        .route("/api/v1/desk/cases/{id}/items/{seq}", get(item))
        .route(
            "/api/v1/desk/cases/{id}/attachments/{blob}",
            get(attachment),
        )
        // A re-sealed copy of an attachment file (`wbs reshare`, docs/design.md §10): raw age bytes,
        // as large as the case's largest file allows (checked by `add_resealed_blob`).
        .route(
            "/api/v1/desk/cases/{id}/attachments",
            post(upload_resealed).layer(DefaultBodyLimit::max(RESEALED_BODY_LIMIT)),
        )
        .route("/api/v1/desk/cases/{id}/status", post(set_status))
        // The WhatsApp "news on your report" template (docs/whatsapp.md §8).
        .route(
            "/api/v1/desk/whatsapp/news",
            post(crate::whatsapp::news::send_news),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_login,
        ));
    Router::new()
        .route("/api/v1/desk/challenge", post(challenge))
        .route("/api/v1/desk/login", post(login))
        .merge(authenticated)
        .fallback(|| async { ApiError::NotFound })
        .layer(axum::middleware::from_fn(harden))
        .layer(DefaultBodyLimit::max(DESK_BODY_LIMIT))
        .with_state(state)
}

async fn harden(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    super::error::retry_after_when_busy(&mut response);
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    );
    response
}

async fn require_login(
    State(state): State<Arc<DeskState>>,
    request: Request,
    next: Next,
) -> Response {
    match state.auth.authorize(request.headers(), unix_now()) {
        Ok(_) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

async fn challenge(State(state): State<Arc<DeskState>>) -> Response {
    Json(state.auth.challenge(unix_now())).into_response()
}

async fn login(
    State(state): State<Arc<DeskState>>,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body.map_err(json_error)?;
    let state2 = state.clone();
    let (token, expires) = tokio::task::spawn_blocking(move || {
        let req = auth::LoginRequest {
            key: &body.key,
            nonce: &body.nonce,
            expires: body.expires,
            signature: &body.signature,
        };
        state2.auth.login(&state2.origins, &req, unix_now())
    })
    .await
    .map_err(|_| ApiError::Unavailable)??;
    Ok(Json(LoginToken { token, expires }).into_response())
}

/// Runs store work off the async threads.
async fn blocking<T, F>(state: &Arc<DeskState>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&DeskState) -> Result<T, ApiError> + Send + 'static,
{
    let state = state.clone();
    tokio::task::spawn_blocking(move || f(&state))
        .await
        .map_err(|_| ApiError::Unavailable)?
}

/// A case as listed: only metadata that is plaintext on the server anyway (docs/design.md §2).
fn summary(case: &CaseV1, deadlines: &DeadlinePolicy, today: &Day) -> CaseSummary {
    CaseSummary {
        case_id: case.id.clone(),
        channel: case.channel,
        created: case.created.clone(),
        status: case.status(),
        status_history: case.status_history(),
        item_count: case.item_count,
        revision: case.revision(),
        attachments: case.attachments.len(),
        deadline: deadline(case, deadlines, today),
    }
}

fn deadline(case: &CaseV1, deadlines: &DeadlinePolicy, today: &Day) -> Option<DeskDeadline> {
    deadlines.next(case, today).map(|d| DeskDeadline {
        stage: d.stage,
        due: d.due,
        overdue: d.overdue,
    })
}

fn all_cases(state: &DeskState) -> Result<Vec<CaseV1>, ApiError> {
    Ok(state.intake.cases()?)
}

async fn list_cases(State(state): State<Arc<DeskState>>) -> Result<Response, ApiError> {
    blocking(&state, |s| {
        let today = Day::today();
        let cases: Vec<CaseSummary> = all_cases(s)?
            .iter()
            .map(|c| summary(c, &s.deadlines, &today))
            .collect();
        let deleted = crate::intake::retention::tombstones(&s.intake)?
            .into_iter()
            .map(|t| crate::protocol::wire::DeletedCase {
                case_id: t.id,
                deleted: t.deleted,
                rule: t.rule,
            })
            .collect();
        Ok(Json(CaseList { cases, deleted }).into_response())
    })
    .await
}

async fn changed_cases(
    State(state): State<Arc<DeskState>>,
    body: Result<Json<ChangesRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body.map_err(json_error)?;
    blocking(&state, move |s| {
        let today = Day::today();
        let cases: Vec<CaseSummary> = all_cases(s)?
            .iter()
            .filter(|c| body.cursors.get(&c.id) != Some(&c.revision()))
            .map(|c| summary(c, &s.deadlines, &today))
            .collect();
        Ok(Json(CaseList {
            cases,
            deleted: Vec::new(),
        })
        .into_response())
    })
    .await
}

fn find_case(state: &DeskState, id: &CaseId) -> Result<CaseV1, ApiError> {
    state.intake.case(id)?.ok_or(ApiError::NotFound)
}

async fn one_case(
    State(state): State<Arc<DeskState>>,
    id: Result<Path<CaseId>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::NotFound)?;
    blocking(&state, move |s| {
        let case = find_case(s, &id)?;
        let items: Vec<ItemInfo> = (0u32..)
            .zip(s.intake.items(&id)?.iter())
            .map(|(seq, ct)| ItemInfo {
                seq,
                ciphertext_sha256: hex(&sha256(ct)),
                len: ct.len() as u64,
            })
            .collect();
        let today = Day::today();
        Ok(Json(CaseDetail {
            case_id: case.id.clone(),
            channel: case.channel,
            created: case.created.clone(),
            status: case.status(),
            status_history: case.status_history(),
            item_count: case.item_count,
            revision: case.revision(),
            deadline: deadline(&case, &s.deadlines, &today),
            items,
            attachments: case.attachments.iter().map(Into::into).collect(),
            chat_undelivered: crate::whatsapp::undelivered(s.intake.dialogues(), &case.id),
        })
        .into_response())
    })
    .await
}

fn octets(bytes: Vec<u8>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        )],
        Bytes::from(bytes),
    )
        .into_response()
}

async fn item(
    State(state): State<Arc<DeskState>>,
    path: Result<Path<(CaseId, u32)>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path((id, seq)) = path.map_err(|_| ApiError::NotFound)?;
    blocking(&state, move |s| {
        // One read, whatever the size of the case (docs/design.md §11).
        let item = s.intake.item(&id, seq)?.ok_or(ApiError::NotFound)?;
        Ok(octets(item))
    })
    .await
}

async fn attachment(
    State(state): State<Arc<DeskState>>,
    path: Result<Path<(CaseId, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path((id, blob)) = path.map_err(|_| ApiError::NotFound)?;
    blocking(&state, move |s| {
        // Only ids the case lists: a path never comes from the request.
        let case = find_case(s, &id)?;
        let listed = case.attachments.iter().find(|a| a.id == blob);
        let Some(a) = listed else {
            return Err(ApiError::NotFound);
        };
        match s.intake.blobs().read(&a.id) {
            Ok(bytes) => Ok(octets(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ApiError::NotFound),
            Err(e) => Err(StoreError::Io(e).into()),
        }
    })
    .await
}

/// The most a re-sealed attachment upload may carry before the case's own bound is checked.
const RESEALED_BODY_LIMIT: usize = 256 * 1024 * 1024;

async fn upload_resealed(
    State(state): State<Arc<DeskState>>,
    id: Result<Path<CaseId>, PathRejection>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::NotFound)?;
    let body = body.map_err(|_| ApiError::TooLarge)?;
    blocking(&state, move |s| {
        let blob = s.intake.add_resealed_blob(&id, &body)?;
        Ok((
            StatusCode::CREATED,
            Json(crate::protocol::wire::ResealedUpload { blob: blob.id }),
        )
            .into_response())
    })
    .await
}

fn decode_item(b64: &str) -> Result<Vec<u8>, ApiError> {
    data_encoding::BASE64
        .decode(b64.as_bytes())
        .map_err(|_| ApiError::BadRequest)
}

async fn upload_item(
    State(state): State<Arc<DeskState>>,
    id: Result<Path<CaseId>, PathRejection>,
    body: Result<Json<UploadItem>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::NotFound)?;
    let Json(body) = body.map_err(json_error)?;
    let ciphertext = decode_item(&body.ciphertext)?;
    blocking(&state, move |s| {
        let case = s
            .intake
            .append_uploaded(&id, body.seq, Some(ciphertext), None)?;
        Ok(created(&case))
    })
    .await
}

fn created(case: &CaseV1) -> Response {
    (
        StatusCode::CREATED,
        Json(Appended {
            revision: case.revision(),
            item_count: case.item_count,
        }),
    )
        .into_response()
}

async fn set_status(
    State(state): State<Arc<DeskState>>,
    id: Result<Path<CaseId>, PathRejection>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::NotFound)?;
    let Json(body) = body.map_err(json_error)?;
    // An unknown status code gets its own answer; any other malformed body is a bad request.
    let body: SetStatus = serde_path_to_error::deserialize(body).map_err(|e| {
        if e.path().to_string() == "status" {
            ApiError::UnknownStatus
        } else {
            ApiError::BadRequest
        }
    })?;
    let status = body.status;
    // Every status change is a signed item (docs/design.md §8): the sealed `status-note` and its seq.
    let (Some(note), Some(seq)) = (body.note.as_deref(), body.seq) else {
        return Err(ApiError::ItemRequired);
    };
    let note = decode_item(note)?;
    blocking(&state, move |s| {
        // The process table is checked against the stored status. The append is conditional on `seq`,
        // and every status change appends an item, so a change made meanwhile makes this one conflict.
        let case = find_case(s, &id)?;
        if case.item_count == seq && !status.may_follow(case.status()) {
            return Err(ApiError::Transition);
        }
        let case = s
            .intake
            .append_uploaded(&id, seq, Some(note), Some(status))?;
        Ok(created(&case))
    })
    .await
}
