//! Attachments arriving in a form, processed off the async threads (docs/design.md §11).
//!
//! Metadata removal, padding, age and the file writes are CPU and disk work: done on the async
//! threads, two large photos were enough to stall every other request. Here the chunks a client sends
//! are gathered into batches of at most `BATCH` bytes, and each batch is handed to the blocking pool
//! under a CPU budget of one batch per core, so that however many uploads arrive, the async threads
//! stay free to answer and uploads share the cores in turn.

use std::collections::HashMap;
use std::sync::OnceLock;

use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::intake::attachment::{AttachmentProblem, AttachmentSink, SealedAttachment};

/// Whether the form token read so far is fresh: files are written only after one (our forms send
/// the token first), so a client without a valid token cannot make us hold temporary files.
pub(super) fn token_first(state: &super::AppState, fields: &HashMap<String, String>) -> bool {
    fields
        .get("form_token")
        .is_some_and(|t| matches!(state.forms.check(t), super::tokens::TokenCheck::Fresh(_)))
}

/// Bytes gathered before a batch goes to the blocking pool: large enough that the hand-over costs
/// little, small enough that one batch holds a core only briefly.
const BATCH: usize = 256 * 1024;

/// One permit per core: batches being processed at once, across every upload.
fn cpu_budget() -> &'static Semaphore {
    static BUDGET: OnceLock<Semaphore> = OnceLock::new();
    BUDGET.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Semaphore::new(cores)
    })
}

/// An `AttachmentSink` fed from the async side. One batch is processed on the blocking pool while
/// the next is read from the client: receiving and sealing overlap instead of taking turns, and an
/// upload still holds at most two batches (`2 × BATCH`) in memory.
pub(super) struct OffloadedSink {
    /// The sink when no batch is being processed.
    sink: Option<AttachmentSink>,
    /// The batch being processed; it hands the sink back when done.
    in_flight: Option<JoinHandle<AttachmentSink>>,
    name: String,
    batch: Vec<u8>,
}

impl OffloadedSink {
    pub(super) fn new(sink: AttachmentSink) -> Self {
        OffloadedSink {
            name: sink.name().to_owned(),
            sink: Some(sink),
            in_flight: None,
            batch: Vec::new(),
        }
    }

    pub(super) fn name(&self) -> &str {
        &self.name
    }

    /// Takes the next chunk. A full batch waits for the one before it to finish, which also paces a
    /// client that sends faster than its upload can be sealed.
    pub(super) async fn write(&mut self, chunk: &[u8]) {
        self.batch.extend_from_slice(chunk);
        if self.batch.len() >= BATCH {
            self.flush().await;
        }
    }

    /// The sink, once the batch in flight (if any) is done. `None` only if a blocking task was lost
    /// (the runtime shutting down): reported as `Storage`.
    async fn settle(&mut self) -> Option<AttachmentSink> {
        match self.in_flight.take() {
            Some(task) => task.await.ok(),
            None => self.sink.take(),
        }
    }

    /// Hands the gathered batch to the blocking pool, without waiting for it.
    async fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        let Some(mut sink) = self.settle().await else {
            return;
        };
        let Ok(cpu) = cpu_budget().acquire().await else {
            return;
        };
        self.in_flight = Some(tokio::task::spawn_blocking(move || {
            let _cpu = cpu;
            sink.write_vec(batch);
            sink
        }));
    }

    /// Processes what is left and finishes the file (metadata removal's tail, age's last chunk, sync).
    pub(super) async fn finish(mut self) -> Result<SealedAttachment, (String, AttachmentProblem)> {
        self.flush().await;
        let name = std::mem::take(&mut self.name);
        let Some(sink) = self.settle().await else {
            return Err((name, AttachmentProblem::Storage));
        };
        let Ok(_cpu) = cpu_budget().acquire().await else {
            return Err((name, AttachmentProblem::Storage));
        };
        tokio::task::spawn_blocking(move || sink.finish())
            .await
            .unwrap_or(Err((name, AttachmentProblem::Storage)))
    }
}
