//! `wbs backup --out DIR` of a running server (docs/admin.md, "Backups").
//!
//! sled lets one process open the store, so the running server makes the copy (`store::backup`),
//! asked over its desk listener (loopback or a private address). The request carries a token the
//! server writes into its data directory at each start (mode 0600): whoever can read it could read
//! the whole data directory anyway. The copy is a data directory of its own: `wbs serve --data
//! DIR/data` runs on it, installation salt included.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use rand::{rngs::OsRng, RngCore};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::intake::submit::Intake;
use crate::store::LiveStore;

/// The token file in the data directory.
const TOKEN_FILE: &str = "backup.token";

pub(crate) struct BackupState {
    pub store: Arc<LiveStore>,
    pub intake: Arc<Intake>,
    pub data: PathBuf,
    token: Zeroizing<String>,
}

#[derive(Deserialize)]
struct BackupRequest {
    out: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct BackupDone {
    cases: usize,
    blobs: usize,
    data: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct BackupRefused {
    error: String,
}

impl BackupState {
    /// Makes a fresh token and writes it into the data directory (0600), replacing the last one.
    pub(crate) fn new(
        store: Arc<LiveStore>,
        intake: Arc<Intake>,
        data: &Path,
    ) -> std::io::Result<Self> {
        let mut raw = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(raw.as_mut());
        let token = Zeroizing::new(crate::crypto::hex(raw.as_ref()));
        let path = data.join(TOKEN_FILE);
        let _ = fs::remove_file(&path);
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        f.write_all(token.as_bytes())?;
        f.sync_all()?;
        Ok(BackupState {
            store,
            intake,
            data: data.to_path_buf(),
            token,
        })
    }
}

pub(crate) fn routes(state: Arc<BackupState>) -> Router {
    Router::new()
        .route("/admin/backup", post(backup))
        .with_state(state)
}

fn refuse(status: StatusCode, error: &str) -> Response {
    (
        status,
        Json(BackupRefused {
            error: error.to_owned(),
        }),
    )
        .into_response()
}

async fn backup(
    State(state): State<Arc<BackupState>>,
    headers: HeaderMap,
    body: Result<Json<BackupRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !bool::from(given.as_bytes().ct_eq(state.token.as_bytes())) {
        return refuse(StatusCode::UNAUTHORIZED, "auth");
    }
    let Ok(Json(req)) = body else {
        return refuse(StatusCode::BAD_REQUEST, "bad-request");
    };
    let out = req.out.join("data");
    if !req.out.is_absolute() || out.exists() {
        return refuse(
            StatusCode::CONFLICT,
            "the backup directory must be an absolute path without a data/ in it",
        );
    }
    let done = tokio::task::spawn_blocking(move || {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&out)
            .map_err(|e| e.to_string())?;
        // Under the store's read lock: a compaction waits for the copy, and the copy for it.
        let summary = state
            .store
            .with(|store| crate::store::backup(store, state.intake.blobs(), &out))
            .map_err(|e| e.to_string())?;
        // Demo mode's key sits in the data directory: a restored demo server needs it.
        let demo = state.data.join(super::DEMO_KEY_FILE);
        if demo.exists() {
            fs::copy(&demo, out.join(super::DEMO_KEY_FILE)).map_err(|e| e.to_string())?;
        }
        Ok::<_, String>(BackupDone {
            cases: summary.cases,
            blobs: summary.blobs,
            data: out,
        })
    })
    .await;
    match done {
        Ok(Ok(done)) => {
            tracing::info!(cases = done.cases, files = done.blobs, "backup written");
            (StatusCode::OK, Json(done)).into_response()
        }
        Ok(Err(e)) => {
            tracing::error!(code = "WBS-BACKUP", "a backup failed: {e}");
            refuse(StatusCode::SERVICE_UNAVAILABLE, &e)
        }
        Err(_) => refuse(StatusCode::SERVICE_UNAVAILABLE, "the backup stopped"),
    }
}

/// `wbs backup`: asks the server whose data directory is `data` (listening for the desk API at
/// `desk`) for a copy in `out`.
pub fn run(data: &Path, out: &Path, desk: &str) -> Result<(), String> {
    let token = Zeroizing::new(fs::read_to_string(data.join(TOKEN_FILE)).map_err(|e| {
        format!(
            "cannot read {}: {e} (is the server running on this data directory, and are you its user?)",
            data.join(TOKEN_FILE).display()
        )
    })?);
    let out = std::path::absolute(out).map_err(|e| e.to_string())?;
    let client = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(3600))
        .build()
        .map_err(|e| e.to_string())?;
    let r = client
        .post(format!("{}/admin/backup", desk.trim_end_matches('/')))
        .bearer_auth(token.trim())
        .json(&serde_json::json!({ "out": out }))
        .send()
        .map_err(|e| format!("cannot reach the server at {desk}: {e}"))?;
    if r.status().is_success() {
        let done: BackupDone = r.json().map_err(|e| e.to_string())?;
        println!(
            "backup: {} cases and {} attachment files in {} (restore: wbs serve --data {})",
            done.cases,
            done.blobs,
            done.data.display(),
            done.data.display()
        );
        Ok(())
    } else {
        let status = r.status();
        let why = r
            .json::<BackupRefused>()
            .map(|b| b.error)
            .unwrap_or_default();
        Err(format!("the server refused the backup ({status}): {why}"))
    }
}
