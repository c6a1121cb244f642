//! `wbs desk`: the investigator's local web app (docs/design.md §3, §16). It serves plain HTML pages on a
//! loopback address of the investigator's own computer and does everything the CLI does, through the
//! same code: the desk API client (`desk::client`), chain verification (`intake::verify::verify_case`),
//! sealing (`intake::mailbox::seal_item` through `desk::mailbox`).
//!
//! What it guards (`security`): a one-time link sets a random cookie, which every page needs; `Host`
//! must name the loopback address it listens on (DNS rebinding); every state change is a same-origin
//! POST; a strict CSP with no script at all. Decrypted text lives only in memory: the desk writes
//! nothing to disk and logs nothing of a case.

mod case;
mod inbox;
mod model;
mod page;
mod security;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};

use axum::routing::{get, post};
use axum::Router;

use super::decrypt::Ctx;
use super::mailbox::{sealing_context, DeskOptions};
use crate::protocol::CaseId;

/// The default listen address of the desk.
pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:8088";

/// Everything `wbs desk` needs, in one place, so a configuration file can fill it later.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// Where the desk's pages are served: a loopback address only.
    pub listen: SocketAddr,
    /// The server, the identity and the team's keys copy, as every desk command takes them (flags over
    /// `desk.toml`), with the pinned installation ids.
    pub desk: DeskOptions,
}

/// What every handler shares.
pub(super) struct State {
    opts: DeskOptions,
    /// The identity and the team's keys. With no keys, `solo` (see `desk::mailbox::sealing_context`).
    ctx: Ctx,
    solo: bool,
    guard: security::Guard,
    memory: Mutex<Memory>,
}

/// What the desk remembers while it runs (in memory only).
#[derive(Default)]
pub(super) struct Memory {
    /// The highest number of verified items seen per case: fewer later means a rollback.
    seen: HashMap<CaseId, usize>,
    /// Per case, how many items there were when this investigator last opened it here: the reporter's
    /// follow-ups after that are new.
    pub read: HashMap<CaseId, usize>,
    /// Cases whose identity block this investigator revealed (after a signed reveal record).
    revealed: HashSet<CaseId>,
    /// Item ciphertexts per case, by the server's revision, so the inbox does not fetch every item
    /// each time. Ciphertext only.
    items: HashMap<CaseId, (u64, Vec<Vec<u8>>)>,
}

impl State {
    pub(super) fn memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.memory.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Refuses anything but a loopback address, in one sentence.
pub(crate) fn check_listen(addr: &SocketAddr) -> Result<(), String> {
    if addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(format!(
            "--listen {addr} is not a loopback address: the desk shows decrypted reports and serves only this computer (use 127.0.0.1:PORT)"
        ))
    }
}

/// `wbs desk`: checks the options, logs in once to check the identity, then serves until Ctrl-C.
pub(crate) fn run(opts: Options) -> Result<ExitCode, String> {
    check_listen(&opts.listen)?;
    let desk_opts = opts.desk;
    let (ctx, solo) = sealing_context(&desk_opts)?;
    // One login now, so a wrong identity or server (or an installation other than the pinned one) is
    // said at start, not on the first page.
    super::client::Desk::connect(&desk_opts, &ctx.identity)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", opts.listen))?;
        let bound = listener
            .local_addr()
            .map_err(|e| format!("cannot listen on {}: {e}", opts.listen))?;
        let guard = security::Guard::new(bound);
        let link = guard.link();
        let state = Arc::new(State {
            opts: desk_opts,
            ctx,
            solo,
            guard,
            memory: Mutex::new(Memory::default()),
        });
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{link}");
            let _ = out.flush();
        }
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| format!("the desk stopped: {e}"))
    })?;
    Ok(ExitCode::SUCCESS)
}

fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/", get(inbox::inbox))
        .route("/desk.css", get(page::stylesheet))
        .route("/case/{id}", get(case::view))
        .route("/case/{id}/print", get(case::print))
        .route("/case/{id}/attachment/{n}", get(case::attachment))
        .route("/case/{id}/image/{n}", get(case::image))
        .route("/case/{id}/reveal", post(case::reveal))
        .route("/case/{id}/reply", post(case::reply))
        .route("/case/{id}/reshare", post(case::reshare))
        .route("/case/{id}/news", post(case::news))
        .route("/case/{id}/note", post(case::note))
        .route("/case/{id}/status", post(case::status))
        .route("/case/{id}/category", post(case::recategorise))
        .fallback(page::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::guard,
        ))
        .with_state(state)
}
