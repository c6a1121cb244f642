//! The listeners (docs/design.md §11): hyper's HTTP/1 connection instead of bare `axum::serve`, so
//! that nothing one client does stops others. A cap on open connections (beyond it: a short 503 and
//! the socket closed at once), hyper's header-read timeout (which also ends idle keep-alive
//! connections), tower-http's body-progress timeout (a body that sends nothing for a while is cut off)
//! and an overall request deadline. No per-connection log line: refusals are counted, and the count
//! is logged at most once a minute.

use std::future::Future;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceBuilder;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use crate::config::Limits;

/// Descriptors kept free for the store, blob files and the desk listener when sizing the cap to the
/// open-files limit.
const FD_RESERVE: u64 = 128;

/// The answer to a connection beyond the cap: written once, without waiting, then the socket closes.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
Content-Type: text/plain; charset=utf-8\r\nRetry-After: 5\r\nConnection: close\r\n\
Cache-Control: no-store\r\nContent-Length: 108\r\n\r\n\
Server sedang sibuk. Coba lagi dalam beberapa detik.\n\
The server is busy. Please try again in a few seconds.\n";

/// How long the listener waits after `accept` fails (e.g. out of descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Connections refused since the last log line (beyond the cap, or `accept` failing).
static REFUSED: AtomicU64 = AtomicU64::new(0);

/// Raises the soft open-files limit as far as the hard limit allows, and returns the connection cap
/// that fits under it (warning once when the limit forces a lower cap than configured).
pub(crate) fn fit_connection_cap(wanted: usize) -> usize {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let want = wanted as u64 * 2 + FD_RESERVE;
    let mut limit = getrlimit(Resource::Nofile);
    let soft = limit.current.unwrap_or(u64::MAX);
    if soft < want {
        let raised = limit.maximum.map_or(want, |hard| hard.min(want));
        if raised > soft {
            limit.current = Some(raised);
            // Refused (e.g. a hard limit lowered meanwhile): the check below warns.
            let _ = setrlimit(Resource::Nofile, limit);
        }
    }
    let soft = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
    // Each connection is one descriptor; the others are the store's and the blob files'.
    let fits = soft.saturating_sub(FD_RESERVE) as usize;
    if fits < wanted {
        tracing::warn!(
            code = "WBS-NOFILE",
            open_files_limit = soft,
            connection_cap = fits,
            "the open-files limit is low: at most {fits} connections at once instead of {wanted}; raise it (LimitNOFILE=65536 in the systemd unit, docs/admin.md)"
        );
    }
    fits.clamp(1, wanted.max(1))
}

/// Logs, at most once a minute, how many connections were refused (never who).
pub(crate) fn spawn_refusal_report() {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            let n = REFUSED.swap(0, Ordering::Relaxed);
            if n > 0 {
                tracing::warn!(
                    code = "WBS-BUSY",
                    connections = n,
                    "connections refused in the last minute: the connection cap was reached"
                );
            }
        }
    });
}

/// Serves `app` on `listener` until `stop` resolves, then lets open requests finish (up to `grace`).
pub(crate) async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: &Limits,
    cap: usize,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let service = ServiceBuilder::new()
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(limits.request_timeout_secs),
        ))
        .layer(RequestBodyTimeoutLayer::new(Duration::from_secs(
            limits.body_idle_secs,
        )))
        .service(app);
    let open = Arc::new(Semaphore::new(cap));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(limits.header_timeout_secs));
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = &mut stop => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of descriptors, or the peer gave up: wait a moment rather than spin.
                REFUSED.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            REFUSED.fetch_add(1, Ordering::Relaxed);
            // One non-blocking write, straight to the socket (tokio's `try_write` would depend on the
            // reactor having seen the socket yet): a client that does not read is not waited for.
            if let Ok(stream) = stream.into_std() {
                let _ = (&stream).write(BUSY);
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        let conn = http.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(service.clone()),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    let grace = Duration::from_secs(limits.shutdown_grace_secs);
    let _ = tokio::time::timeout(grace, graceful.shutdown()).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::BUSY;

    #[test]
    fn busy_answer_has_the_length_it_claims() {
        let text = String::from_utf8_lossy(BUSY);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or_default();
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
    }
}
