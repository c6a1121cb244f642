//! Key-derivation budgets, reused Argon2 memory and the pool of receipts derived ahead of time
//! (docs/design.md §11).
//!
//! - Two budgets: submissions (and the pool that feeds them) draw on one, receipt logins on `/pantau`
//!   and `/api/v1/followup` on the other. A login flood fills the login queue and gets `Busy`; new
//!   reports do not wait behind it.
//! - Argon2 working memory is allocated once per derivation running at once and reused, so memory
//!   stays flat under load.
//! - The pool: a background task derives fresh receipts while the submission budget is idle and keeps
//!   up to `receipt_pool` of them in memory (never on disk). A submission takes one and does not wait
//!   for Argon2; an empty pool means the submission derives its own.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::OsRng;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use super::submit::IntakeError;
use crate::crypto::receipt::{KdfMemory, Receipt, ReceiptKeys};

/// Queue places per derivation slot: beyond them callers get `Busy` at once.
const QUEUE_PER_SLOT: usize = 16;
/// How long the pool must sit full, with nobody deriving, before the Argon2 memory is freed.
const IDLE_RELEASE: Duration = Duration::from_secs(1);

/// Which budget a derivation draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KdfUse {
    /// A new case: a report from any channel, and the pool that prepares receipts for them.
    Submission,
    /// A typed receipt (reporter login, follow-up API) and the re-key that may follow it.
    Login,
}

/// One budget: derivation slots and a bounded queue in front of them.
struct Budget {
    slots: Arc<Semaphore>,
    queue: Arc<Semaphore>,
}

impl Budget {
    fn new(slots: usize) -> Self {
        let slots = slots.max(1);
        Budget {
            slots: Arc::new(Semaphore::new(slots)),
            queue: Arc::new(Semaphore::new(slots * QUEUE_PER_SLOT)),
        }
    }
}

/// Held while an Argon2 derivation runs (or waits for its slot).
pub(crate) struct KdfPermit {
    _queued: Option<OwnedSemaphorePermit>,
    _slot: OwnedSemaphorePermit,
}

/// A receipt and its keys, derived ahead of time. Both wipe themselves when dropped.
pub(crate) struct Prepared {
    pub receipt: Receipt,
    pub keys: ReceiptKeys,
}

/// The budgets, the reusable memory and the pool.
pub(crate) struct Kdf {
    salt: [u8; 32],
    submission_slots: usize,
    login_slots: usize,
    submission: Budget,
    login: Budget,
    /// Working memory not in use right now. At most one per derivation that ever ran at once, i.e.
    /// the slots of both budgets.
    memory: Mutex<Vec<KdfMemory>>,
    pool: Mutex<Vec<Prepared>>,
    pool_capacity: usize,
    /// Wakes the refill task when a receipt was taken.
    taken: Notify,
}

impl Kdf {
    pub(crate) fn new(
        salt: [u8; 32],
        submission_slots: usize,
        login_slots: usize,
        pool: usize,
    ) -> Self {
        Kdf {
            salt,
            submission_slots: submission_slots.max(1),
            login_slots: login_slots.max(1),
            submission: Budget::new(submission_slots),
            login: Budget::new(login_slots),
            memory: Mutex::new(Vec::new()),
            pool: Mutex::new(Vec::with_capacity(pool)),
            pool_capacity: pool,
            taken: Notify::new(),
        }
    }

    pub(crate) fn submission_slots(&self) -> usize {
        self.submission_slots
    }

    pub(crate) fn salt(&self) -> &[u8; 32] {
        &self.salt
    }

    fn budget(&self, which: KdfUse) -> &Budget {
        match which {
            KdfUse::Submission => &self.submission,
            KdfUse::Login => &self.login,
        }
    }

    /// A place in `which` budget's queue, then a slot. The queue is bounded; beyond it callers get
    /// `Busy` (503 + Retry-After) at once. There is no per-receipt or per-IP state.
    pub(crate) async fn permit(&self, which: KdfUse) -> Result<KdfPermit, IntakeError> {
        let budget = self.budget(which);
        let queued = budget
            .queue
            .clone()
            .try_acquire_owned()
            .map_err(|_| IntakeError::Busy)?;
        let slot = budget
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| IntakeError::Busy)?;
        Ok(KdfPermit {
            _queued: Some(queued),
            _slot: slot,
        })
    }

    /// A submission slot only if one is free and nobody waits for it, and no login is deriving: the
    /// pool refills when the server is idle, never competing with a reporter for a core.
    fn idle_submission_slot(&self) -> Option<KdfPermit> {
        if self.login.slots.available_permits() < self.login_slots {
            return None;
        }
        let slot = self.submission.slots.clone().try_acquire_owned().ok()?;
        Some(KdfPermit {
            _queued: None,
            _slot: slot,
        })
    }

    /// Argon2 for `receipt` in reused working memory. Blocking: call it holding a permit, off the
    /// async threads.
    pub(crate) fn derive(&self, receipt: &Receipt) -> Result<ReceiptKeys, IntakeError> {
        let mut memory = self
            .memory
            .lock()
            .ok()
            .and_then(|mut m| m.pop())
            .unwrap_or_else(KdfMemory::new);
        let keys = receipt.derive_in(&self.salt, &mut memory);
        if let Ok(mut m) = self.memory.lock() {
            m.push(memory);
        }
        keys.map_err(|_| IntakeError::Seal)
    }

    /// Frees the working memory no derivation is using. The next derivation allocates (and the
    /// system zero-fills) its 19 MiB again: a few milliseconds, paid only after an idle period.
    pub(crate) fn release_memory(&self) {
        let idle: Vec<KdfMemory> = self
            .memory
            .lock()
            .map(|mut m| std::mem::take(&mut *m))
            .unwrap_or_default();
        // Dropped outside the lock: each wipes its 19 MiB first.
        drop(idle);
    }

    /// Working memory blocks kept for reuse right now.
    #[cfg(test)]
    fn memory_kept(&self) -> usize {
        self.memory.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// A fresh receipt and its keys, derived now (blocking).
    pub(crate) fn fresh(&self) -> Result<Prepared, IntakeError> {
        let receipt = Receipt::generate(&mut OsRng);
        let keys = self.derive(&receipt)?;
        Ok(Prepared { receipt, keys })
    }

    /// A receipt from the pool, if one is ready.
    pub(crate) fn take_prepared(&self) -> Option<Prepared> {
        let taken = self.pool.lock().ok()?.pop();
        if taken.is_some() {
            self.taken.notify_one();
        }
        taken
    }

    /// Receipts ready in the pool now.
    pub(crate) fn pool_len(&self) -> usize {
        self.pool.lock().map(|p| p.len()).unwrap_or(0)
    }

    /// Keeps the pool full while the submission budget is idle. Runs until the runtime stops.
    pub(crate) fn spawn_refill(self: &Arc<Self>) {
        if self.pool_capacity == 0 || tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let kdf = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                if kdf.pool_len() >= kdf.pool_capacity {
                    // Full and idle: after a quiet second, give the Argon2 working memory back, so an
                    // idle server holds none (a large block is its own mapping, returned to the
                    // system when freed). Checked again every second for what logins put back.
                    tokio::select! {
                        () = kdf.taken.notified() => {}
                        () = tokio::time::sleep(IDLE_RELEASE) => kdf.release_memory(),
                    }
                    continue;
                }
                let Some(permit) = kdf.idle_submission_slot() else {
                    // Submissions are deriving: they come first. Look again shortly.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let worker = Arc::clone(&kdf);
                let made = tokio::task::spawn_blocking(move || {
                    let made = worker.fresh();
                    drop(permit);
                    made
                })
                .await;
                match made {
                    Ok(Ok(prepared)) => {
                        if let Ok(mut pool) = kdf.pool.lock() {
                            pool.push(prepared);
                        }
                    }
                    // A failed derivation is not retried in a tight loop.
                    _ => tokio::time::sleep(Duration::from_secs(1)).await,
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_login_queue_leaves_submissions_alone() {
        let kdf = Kdf::new([1; 32], 1, 1, 0);
        // The whole login queue taken (a flood of guesses waiting for their derivation).
        let held: Vec<_> = (0..QUEUE_PER_SLOT)
            .filter_map(|_| kdf.login.queue.clone().try_acquire_owned().ok())
            .collect();
        assert_eq!(held.len(), QUEUE_PER_SLOT);
        assert!(matches!(
            kdf.permit(KdfUse::Login).await,
            Err(IntakeError::Busy)
        ));
        assert!(kdf.permit(KdfUse::Submission).await.is_ok());
    }

    #[tokio::test]
    async fn the_pool_fills_while_idle_and_is_taken_from() {
        let kdf = Arc::new(Kdf::new([2; 32], 1, 1, 2));
        kdf.spawn_refill();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while kdf.pool_len() < 2 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(kdf.pool_len(), 2);
        let p = kdf.take_prepared().expect("a prepared receipt");
        // What the pool holds is a receipt and the keys it derives to.
        let again = kdf.derive(&p.receipt).map(|k| *k.lookup).ok();
        assert_eq!(again, Some(*p.keys.lookup));
    }

    #[tokio::test]
    async fn an_idle_full_pool_gives_its_argon2_memory_back() {
        let kdf = Arc::new(Kdf::new([3; 32], 1, 1, 1));
        kdf.spawn_refill();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while kdf.pool_len() < 1 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(kdf.pool_len(), 1);
        // A login's derivation leaves its block for reuse while things are busy ...
        let p = Receipt::generate(&mut OsRng);
        let w = Arc::clone(&kdf);
        tokio::task::spawn_blocking(move || w.derive(&p))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(kdf.memory_kept(), 1);
        // ... and once the pool has sat full and idle, nothing is kept.
        tokio::time::sleep(IDLE_RELEASE * 3).await;
        assert_eq!(kdf.memory_kept(), 0);
    }
}
