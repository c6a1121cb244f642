//! `wbs serve`: checks keys and mode (failing closed), opens the store, sweeps orphans, builds each
//! layer (intake, web, the WhatsApp channel, the desk API) from the configuration and serves.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rand::{rngs::OsRng, RngCore};

use crate::config::Config;
use crate::crypto::keys::{recipients_fingerprint, InvestigatorIdentity, KeyDirError};
use crate::intake::submit::Intake;
use crate::intake::team::Team;
use crate::protocol::day::Day;
use crate::protocol::wire::InstallationId;
use crate::store::{BlobStore, CaseStore, LiveStore, MetaStore, StoreError, META_MODE, META_SALT};

pub mod backup;
mod listener;

const DEMO_KEY_FILE: &str = "demo-investigator.key";
/// Meta key of the installation id (docs/design.md §5), made at the first start.
const META_INSTALLATION: &str = "installation-id";
const MODE_DEMO: &[u8] = b"demo";
const MODE_KEYS: &[u8] = b"investigators";

/// Why the server will not start: each is one sentence saying what to do.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Keys(#[from] KeyDirError),
    #[error("--production refuses {1}: it holds the same key as {0}, and two key files must be two people; remove one of them")]
    DuplicateKey(PathBuf, PathBuf),
    #[error("--production needs at least two investigator key files in {0} (one may be an offline recovery key); run `wbs keygen` on each investigator's machine")]
    TooFewInvestigators(PathBuf),
    #[error("--production refuses demo mode: add at least two investigator key files to {0}")]
    ProductionWithoutKeys(PathBuf),
    #[error("--production refuses the data directory {0} because it was created in demo mode: start production with a new, empty data directory")]
    DemoDataInProduction(PathBuf),
    #[error("demo mode is refused because {0} holds cases sealed to other investigator keys: put those investigators' key files back into the keys directory")]
    DemoWithForeignCases(PathBuf),
    #[error("the data directory {0} cannot be used: {1}")]
    Data(PathBuf, String),
    #[error("the data directory {0} is in use by another wbs process: stop that process first")]
    InUse(PathBuf),
    #[error("cannot listen on {0}: {1}")]
    Listen(std::net::SocketAddr, std::io::Error),
    #[error("the WhatsApp channel cannot start: {0}")]
    WhatsApp(String),
}

/// Loads the demo identity, or makes a new one in memory (`true`: not saved yet; `save_demo_identity`
/// writes it once every start-up check has passed, so a refused start leaves no key behind).
pub(crate) fn demo_identity(data: &Path) -> Result<(InvestigatorIdentity, bool), StartError> {
    let path = data.join(DEMO_KEY_FILE);
    let err = |e: String| StartError::Data(data.into(), e);
    match fs::read_to_string(&path) {
        Ok(text) => InvestigatorIdentity::parse(&text)
            .map(|id| (id, false))
            .map_err(|e| err(e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok((InvestigatorIdentity::generate(&mut OsRng), true))
        }
        Err(e) => Err(err(e.to_string())),
    }
}

/// Saves a new demo identity (mode 0600, never over an existing file).
fn save_demo_identity(data: &Path, id: &InvestigatorIdentity) -> Result<(), StartError> {
    let err = |e: std::io::Error| StartError::Data(data.into(), e.to_string());
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(data.join(DEMO_KEY_FILE))
        .map_err(err)?;
    f.write_all(id.to_file_text(Day::today().as_str()).as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(err)
}

/// Everything the web layer needs, built and checked.
pub struct Prepared {
    pub config: Config,
    /// This installation's id, signed into every desk login (docs/design.md §5).
    pub installation: InstallationId,
    pub intake: Arc<Intake>,
    pub demo: bool,
    pub swept: usize,
    /// The WhatsApp channel, when configured (its workers start in `serve`).
    pub whatsapp: Option<Arc<crate::whatsapp::WhatsApp>>,
    /// The store itself, for backups of the running server (`server::backup`) and compactions.
    pub(crate) store: Arc<LiveStore>,
}

/// Applies the retention rule at start and every hour after (docs/design.md §7, issue 11), then
/// compacts the store when a purge (or a migration) asked for it, so the deleted cases' bytes leave the
/// data directory within moments, not at the next start. Only counts are logged, never a case id.
fn maintenance_task(prepared: &Prepared) {
    let policy = prepared.config.retention;
    let intake = prepared.intake.clone();
    let store = prepared.store.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if !policy.is_off() {
                retention_pass(&intake, policy).await;
            }
            let store = store.clone();
            let _ = tokio::task::spawn_blocking(move || compact_if_pending(&store)).await;
        }
    });
}

async fn retention_pass(intake: &Arc<Intake>, policy: crate::intake::retention::RetentionPolicy) {
    let intake = intake.clone();
    let pass = tokio::task::spawn_blocking(move || {
        crate::intake::retention::apply(&intake, &policy, &Day::today())
    })
    .await;
    match pass {
        Ok(Ok(p)) if p.cases > 0 => tracing::info!(
            code = "WBS-RETENTION",
            cases = p.cases,
            files = p.files,
            files_left = p.files_left,
            "expired cases deleted under the retention rule"
        ),
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            tracing::warn!(code = "WBS-RETENTION-FAILED", error = %e, "retention pass failed")
        }
        Err(_) => tracing::warn!(code = "WBS-RETENTION-FAILED", "retention pass stopped"),
    }
}

/// Runs a compaction if one was asked for (blocking: requests wait for it). Logs counts only.
fn compact_if_pending(store: &LiveStore) {
    let started = std::time::Instant::now();
    match store
        .compaction_pending()
        .and_then(|pending| pending.then(|| store.compact_now()).transpose())
    {
        Ok(Some(copied)) => tracing::info!(
            code = "WBS-COMPACTED",
            records = copied,
            millis = started.elapsed().as_millis() as u64,
            "store rewritten without the bytes of deleted records"
        ),
        Ok(None) => {}
        Err(e) => tracing::error!(
            code = "WBS-COMPACT-FAILED",
            error = %e,
            "the store could not be compacted (tried again at the next hourly pass and at the next start)"
        ),
    }
}

/// Checks the keys and the mode, opens the store and sweeps orphans. Fails closed.
pub fn prepare(config: Config) -> Result<Prepared, StartError> {
    // Every file the server creates from here on, its own and sled's, is 0600 (directories 0700):
    // the data directory's mode alone should not be the only protection (docs/design.md §7).
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let data = config.data.clone();
    let derr = |e: String| StartError::Data(data.clone(), e);
    // A private key or a broken file in keys/ refuses the start (fail closed); while running, such a
    // file is refused on its own (`intake::team`).
    let limit = config
        .whatsapp
        .is_some()
        .then_some(crate::whatsapp::MAX_INVESTIGATORS);
    let (team, duplicates) = Team::open(config.keys.clone(), limit)?;
    if let Some(d) = duplicates.first().filter(|_| config.production) {
        return Err(StartError::DuplicateKey(
            config.keys.join(&d.kept),
            config.keys.join(&d.refused),
        ));
    }
    for d in &duplicates {
        tracing::warn!(
            code = "WBS-KEY-DUPLICATE",
            file = ?d.refused,
            same_as = ?d.kept,
            "key file refused: it holds the same key as another file (two files must be two people)"
        );
    }
    let roster = team.current();
    // Counted in people: one key in two files is one.
    let investigators = roster.active().len();
    if config.production && roster.all().is_empty() {
        return Err(StartError::ProductionWithoutKeys(config.keys.clone()));
    }
    if config.production && investigators < 2 {
        return Err(StartError::TooFewInvestigators(config.keys.clone()));
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&data)
        .map_err(|e| derr(e.to_string()))?;
    let store_dir = data.join("store");
    let store = LiveStore::open(&store_dir, config.sled_cache_bytes).map_err(|e| match e {
        StoreError::Engine(m) if m.contains("lock") => StartError::InUse(data.clone()),
        e => derr(e.to_string()),
    })?;
    let blobs = BlobStore::open(&data.join("blobs")).map_err(|e| derr(e.to_string()))?;

    // Only retired keys is no team either: demo mode is then refused below if cases exist.
    let demo = investigators == 0;
    let mode = store
        .meta_init(META_MODE, if demo { MODE_DEMO } else { MODE_KEYS })
        .map_err(|e| derr(e.to_string()))?;
    if config.production && mode == MODE_DEMO {
        return Err(StartError::DemoDataInProduction(data.clone()));
    }
    let (team, unsaved_demo) = if demo {
        let (id, unsaved) = demo_identity(&data)?;
        let keys = vec![id.public(DEMO_KEY_FILE)];
        let fingerprint = recipients_fingerprint(&keys);
        for case_id in store.case_ids().map_err(|e| derr(e.to_string()))? {
            let case = store.case(&case_id).map_err(|e| derr(e.to_string()))?;
            if case.is_some_and(|c| c.recipients_fingerprint != fingerprint) {
                return Err(StartError::DemoWithForeignCases(data.clone()));
            }
        }
        (Team::fixed(keys), unsaved.then_some(id))
    } else {
        (team, None)
    };

    let mut fresh = [0u8; 32];
    OsRng.fill_bytes(&mut fresh);
    let salt: [u8; 32] = store
        .meta_init(META_SALT, &fresh)
        .map_err(|e| derr(e.to_string()))?
        .try_into()
        .map_err(|_| derr("the installation salt is damaged".into()))?;

    let mut fresh_id = [0u8; 16];
    OsRng.fill_bytes(&mut fresh_id);
    let installation = store
        .meta_init(META_INSTALLATION, crate::crypto::hex(&fresh_id).as_bytes())
        .map_err(|e| derr(e.to_string()))
        .and_then(|bytes| {
            std::str::from_utf8(&bytes)
                .ok()
                .and_then(InstallationId::parse)
                .ok_or_else(|| derr("the installation id is damaged".into()))
        })?;

    let mut referenced = HashSet::new();
    for case_id in store.case_ids().map_err(|e| derr(e.to_string()))? {
        if let Some(case) = store.case(&case_id).map_err(|e| derr(e.to_string()))? {
            referenced.extend(case.attachments.into_iter().map(|a| a.id));
        }
    }
    // Photos and documents of WhatsApp dialogues still in progress are kept too.
    referenced.extend(
        crate::whatsapp::prepare_store(&store, &data, crate::protocol::day::unix_now())
            .map_err(|e| derr(e.to_string()))?,
    );
    let swept = blobs.sweep(&referenced).map_err(|e| derr(e.to_string()))?;
    // Cases purged before a crash, or WhatsApp records of an earlier version just migrated: rewrite
    // the store without their bytes before serving (sled keeps deleted values in its segments until
    // its own cleaner runs: docs/design.md §7).
    if store
        .compaction_pending()
        .map_err(|e| derr(e.to_string()))?
    {
        let copied = store.compact_now().map_err(|e| derr(e.to_string()))?;
        tracing::info!(
            code = "WBS-COMPACTED",
            records = copied,
            "store rewritten without the bytes of deleted records"
        );
    }

    let store = Arc::new(store);
    let intake = Intake::with_team(
        store.clone(),
        blobs,
        Arc::new(team),
        salt,
        config.kdf_concurrency,
    )
    .with_kdf_limits(
        config.limits.login_kdf_concurrency,
        config.limits.receipt_pool,
    )
    .with_case_bounds(
        config.limits.max_case_items,
        config.limits.min_free_mb.saturating_mul(1024 * 1024),
    )
    .with_document_memory(config.limits.document_memory_mb.saturating_mul(1024 * 1024));
    warn_small_document_memory(&config);
    let intake = Arc::new(intake);
    let whatsapp = match &config.whatsapp {
        Some(wa) => Some(
            crate::whatsapp::WhatsApp::new(
                wa.clone(),
                intake.clone(),
                config.max_upload_bytes,
                config.max_attachments,
                &data,
            )
            .map_err(StartError::WhatsApp)?,
        ),
        None => None,
    };
    // Every check has passed: only now is a new demo identity written.
    if let Some(id) = unsaved_demo {
        save_demo_identity(&data, &id)?;
    }
    Ok(Prepared {
        config,
        installation,
        intake,
        demo,
        swept,
        whatsapp,
        store,
    })
}

/// `wbs serve`: checks keys and mode (failing closed), then serves until a signal arrives. Every
/// refusal is the one sentence of `StartError`.
pub fn run(config: Config) -> Result<(), String> {
    let prepared = prepare(config).map_err(|e| e.to_string())?;
    // PDFs are rewritten in a child process with a memory ceiling (intake::scrub::pdf_child).
    crate::intake::scrub::rewrite_pdfs_in_child();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(serve(prepared)).map_err(|e| e.to_string())
}

/// The public router for a prepared server: the web layer with the WhatsApp webhook merged in.
pub fn app(prepared: Prepared) -> axum::Router {
    let whatsapp_routes = crate::whatsapp::routes(prepared.whatsapp.clone());
    let state = crate::web::AppState::new(crate::web::WebSettings {
        intake: prepared.intake,
        demo: prepared.demo,
        max_upload_bytes: prepared.config.max_upload_bytes,
        max_attachments: prepared.config.max_attachments,
        session_idle_secs: prepared.config.session_idle_secs,
        site: prepared.config.site.clone(),
        secure_cookies: prepared
            .config
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://")),
        deadlines: prepared.config.deadlines,
        whatsapp: prepared
            .whatsapp
            .as_ref()
            .map(|w| w.display_number().map(str::to_owned)),
    });
    crate::web::app(state, whatsapp_routes)
}

/// Runs the public server and the investigators' sync API (each on its own listener) until SIGINT or
/// SIGTERM, then shuts both down gracefully.
pub(crate) async fn serve(prepared: Prepared) -> Result<(), StartError> {
    let listen = prepared.config.listen;
    let desk_listen = prepared.config.desk_listen;
    if prepared.demo {
        tracing::warn!(
            "DEMO MODE: no investigator keys in {}; reports are encrypted to the demo key {} which sits on this server. Do not use for real reports.",
            prepared.config.keys.display(),
            prepared.config.data.join(DEMO_KEY_FILE).display()
        );
    } else {
        let team = prepared.intake.investigators();
        tracing::info!(
            investigators = team.active().len(),
            "reports are encrypted to the investigators' keys"
        );
        if team.retired_count() > 0 {
            tracing::info!(
                retired = team.retired_count(),
                "retired investigators' signatures are checked up to their retirement day"
            );
        }
    }
    if prepared.swept > 0 {
        tracing::info!(files = prepared.swept, "removed orphaned attachment files");
    }
    // Listen for signals before binding, so a SIGTERM right after start-up still shuts down cleanly.
    let shutdown = shutdown_signal();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| StartError::Listen(listen, e))?;
    let desk_listener = tokio::net::TcpListener::bind(desk_listen)
        .await
        .map_err(|e| StartError::Listen(desk_listen, e))?;
    let bound = desk_listener
        .local_addr()
        .map_err(|e| StartError::Listen(desk_listen, e))?;
    let mut origins = vec![format!("http://{bound}")];
    if bound.ip().is_loopback() {
        origins.push(format!("http://localhost:{}", bound.port()));
    }
    origins.extend(prepared.config.desk_origins.iter().cloned());
    let installation = prepared.installation.clone();
    let limits = prepared.config.limits.clone();
    let cap = listener::fit_connection_cap(limits.max_connections);
    listener::spawn_refusal_report();
    let backups = backup::BackupState::new(
        prepared.store.clone(),
        prepared.intake.clone(),
        &prepared.config.data,
    )
    .map_err(|e| StartError::Data(prepared.config.data.clone(), e.to_string()))?;
    let desk = crate::web::desk_api::router(crate::web::desk_api::DeskState::new(
        prepared.intake.clone(),
        installation.clone(),
        prepared.config.deadlines.clone(),
        origins,
    ))
    .merge(backup::routes(Arc::new(backups)))
    // The WhatsApp channel, for the desk's template request (docs/whatsapp.md §8).
    .layer(axum::Extension(prepared.whatsapp.clone()));
    // Look at keys/ every second, so a change is in force and logged within a second even when
    // nothing uses the team (docs/design.md §10).
    if prepared.intake.team().is_live() {
        let team = prepared.intake.team().clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(crate::intake::team::REFRESH);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let team = team.clone();
                let _ = tokio::task::spawn_blocking(move || team.current()).await;
            }
        });
    }
    maintenance_task(&prepared);
    prepared.intake.start_receipt_pool();
    let whatsapp = prepared.whatsapp.clone();
    if let Some(wa) = &whatsapp {
        wa.start();
        tracing::info!("WhatsApp channel on: webhook at /webhook/whatsapp");
    }
    let app = app(prepared);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let on_stop = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    tracing::info!("serving on http://{listen}");
    // The installation id is public: investigators compare it with what their tools pinned.
    tracing::info!(
        installation = %installation,
        "investigator sync API on http://{desk_listen} (keep it on loopback or a private address)"
    );
    // The desk API is for a handful of investigators: a small cap of its own.
    let desk_cap = cap.min(256);
    let public = listener::serve(listener, app, &limits, cap, on_stop(stopped.clone()));
    let desk = listener::serve(desk_listener, desk, &limits, desk_cap, on_stop(stopped));
    let (public, desk) = tokio::join!(public, desk);
    if let Some(wa) = whatsapp {
        // Replies wait in memory only: give the ones still queued a moment to go out.
        wa.wind_down(std::time::Duration::from_secs(5)).await;
    }
    public.map_err(|e| StartError::Listen(listen, e))?;
    desk.map_err(|e| StartError::Listen(desk_listen, e))?;
    tracing::info!("stopped");
    Ok(())
}

/// Registers the SIGINT and SIGTERM handlers now; the returned future resolves on the first signal.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{signal, SignalKind};
    let term = signal(SignalKind::terminate());
    let int = signal(SignalKind::interrupt());
    async move {
        match (term, int) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = int.recv() => {},
                }
            }
            _ => std::future::pending::<()>().await,
        }
    }
}

/// A document memory smaller than one PDF at the upload limit would refuse the largest PDFs every
/// time: said once at start-up (the setting stays as configured).
fn warn_small_document_memory(config: &Config) {
    let pdf = crate::intake::scrub::Format::Pdf;
    let largest = config
        .max_upload_bytes
        .saturating_mul(pdf.memory_per_byte().unwrap_or(1))
        .saturating_add(pdf.memory_base());
    let budget = config.limits.document_memory_mb.saturating_mul(1024 * 1024);
    if budget < largest {
        tracing::warn!(
            code = "WBS-DOCUMENT-MEMORY",
            document_memory_mb = config.limits.document_memory_mb,
            needed_mb = largest.div_ceil(1024 * 1024),
            "[limits] document_memory_mb is smaller than one PDF at the upload limit needs: the largest PDFs will be refused"
        );
    }
}
