//! The submission pipeline (docs/design.md §4): a validated report and its sealed attachments become a case
//! of signed, padded, age-encrypted items, stored and flushed before the receipt is returned.

use std::sync::Arc;

use rand::{rngs::OsRng, CryptoRng, RngCore};

use super::attachment::SealedAttachment;
use super::kdf::{Kdf, KdfUse, Prepared};
use super::limits::{DocumentBudget, DEFAULT_DOCUMENT_MEMORY};
use super::report::ValidReport;
use super::team::{Roster, Team};
use crate::crypto::envelope::{genesis_digest, Envelope, Header};
use crate::crypto::keys::InvestigatorPublic;
use crate::crypto::receipt::{Receipt, ReceiptKeys};
use crate::crypto::{hex, seal, sha256};
use crate::protocol::item::{
    Author, IdentityBody, ItemBody, ManifestBody, ReportBody, ReporterKeys, Role,
};
use crate::protocol::{CaseId, Day, Status};
use crate::store::{
    AttachmentRefV1, BlobStore, CaseV1, DialogueStore, DialogueWrite, StatusChangeV1, Store,
    StoreError,
};

/// Padded sizes (docs/format.md). The identity block is always exactly this size.
pub(crate) const IDENTITY_SIZE: usize = 4096;
pub(crate) const REPORT_MIN: usize = 4096;
pub(crate) const MANIFEST_MIN: usize = 1024;

pub use crate::protocol::Channel;

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// Too many key derivations waiting: answer 503 with Retry-After.
    #[error("busy")]
    Busy,
    #[error("storage failed")]
    Store(#[from] StoreError),
    #[error("sealing failed")]
    Seal,
    #[error("no such case")]
    UnknownCase,
    /// Another item took this sequence number: re-read the case and retry.
    #[error("sequence number taken")]
    Conflict,
    #[error("not an age file")]
    NotAge,
    /// The case holds `[limits] max_case_items` items: nothing more is added (docs/design.md §11).
    #[error("the case is full")]
    CaseFull,
    /// The data directory's filesystem is below `[limits] min_free_mb`: nothing new is stored.
    #[error("too little free disk space")]
    DiskFull,
}

pub(crate) use super::kdf::KdfPermit;

/// What the reporter gets back.
pub struct Submitted {
    pub receipt: Receipt,
    pub case_id: CaseId,
}

/// A case about to be made: its random id, a fresh receipt and the keys derived from it.
pub(crate) struct NewCase {
    pub case_id: CaseId,
    pub receipt: Receipt,
    pub keys: ReceiptKeys,
}

/// The first three items of a case, before sealing. `report.reporter_keys` and
/// `report.recipients_digest` are filled in by `Intake::seal_opening`.
pub(crate) struct Opening {
    pub report: ReportBody,
    pub identity: IdentityBody,
    pub manifest: ManifestBody,
}

/// The intake service shared by every channel.
pub struct Intake {
    store: Arc<dyn Store>,
    blobs: BlobStore,
    /// The live set of investigators (`intake::team`).
    team: Arc<Team>,
    /// Argon2 budgets, reused memory and the receipt pool (`intake::kdf`, docs/design.md §11).
    kdf: Arc<Kdf>,
    /// Items one case may hold, and the free space the data directory keeps (`intake::limits`).
    pub(super) bounds: super::limits::Bounds,
    /// Memory for documents held whole until scrubbed, server-wide (`intake::limits`).
    documents: Arc<DocumentBudget>,
    /// One receipt re-key at a time (`intake::rekey`).
    pub(super) rekeying: tokio::sync::Mutex<()>,
}

impl Intake {
    /// An intake whose team is fixed (demo mode, tests and benchmarks).
    pub fn new(
        store: Arc<dyn Store>,
        blobs: BlobStore,
        investigators: Vec<InvestigatorPublic>,
        salt: [u8; 32],
        kdf_concurrency: usize,
    ) -> Self {
        Self::with_team(
            store,
            blobs,
            Arc::new(Team::fixed(investigators)),
            salt,
            kdf_concurrency,
        )
    }

    /// An intake that seals to the team as it is at each moment (`intake::team`).
    pub fn with_team(
        store: Arc<dyn Store>,
        blobs: BlobStore,
        team: Arc<Team>,
        salt: [u8; 32],
        kdf_concurrency: usize,
    ) -> Self {
        Intake {
            store,
            blobs,
            team,
            kdf: Arc::new(Kdf::new(salt, kdf_concurrency, 1, 0)),
            bounds: super::limits::Bounds::default(),
            documents: DocumentBudget::new(DEFAULT_DOCUMENT_MEMORY),
            rekeying: tokio::sync::Mutex::new(()),
        }
    }

    /// Sets the login budget (derivation slots for typed receipts) and the receipt pool's size, and
    /// starts filling the pool when called inside a runtime (`wbs serve`).
    pub fn with_kdf_limits(mut self, login_slots: usize, pool: usize) -> Self {
        let submission = self.kdf.submission_slots();
        self.kdf = Arc::new(Kdf::new(*self.kdf.salt(), submission, login_slots, pool));
        self
    }

    /// Starts the background task that keeps the receipt pool full (inside a runtime only).
    pub fn start_receipt_pool(&self) {
        self.kdf.spawn_refill();
    }

    /// The team as it is now: a snapshot that dereferences to the active investigators (who new
    /// items are sealed to); `Roster::all` adds the retired ones, for checking signatures.
    pub fn investigators(&self) -> Roster {
        self.team.current()
    }

    /// The live team itself (desk logins re-check it at every login).
    pub fn team(&self) -> &Arc<Team> {
        &self.team
    }

    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// Sets the memory documents may hold at once while they are scrubbed (`[limits]
    /// document_memory_mb`).
    pub fn with_document_memory(mut self, bytes: u64) -> Self {
        self.documents = DocumentBudget::new(bytes);
        self
    }

    /// The budget every upload of a held document charges (`intake::limits`).
    pub fn documents(&self) -> &Arc<DocumentBudget> {
        &self.documents
    }

    /// The store, for intake's own modules: every other layer goes through the methods here.
    pub(super) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The WhatsApp channel's dialogue records (never cases: those go through the methods here).
    pub(crate) fn dialogues(&self) -> &dyn DialogueStore {
        self.store.as_ref()
    }

    /// A case's plaintext record.
    pub(crate) fn case(&self, id: &CaseId) -> Result<Option<CaseV1>, IntakeError> {
        Ok(self.store.case(id)?)
    }

    /// Every case's plaintext record, in case id order.
    pub(crate) fn cases(&self) -> Result<Vec<CaseV1>, IntakeError> {
        let mut cases = Vec::new();
        for id in self.store.case_ids()? {
            cases.extend(self.store.case(&id)?);
        }
        Ok(cases)
    }

    /// A case's items (ciphertext) in `seq` order.
    pub(crate) fn items(&self, id: &CaseId) -> Result<Vec<Vec<u8>>, IntakeError> {
        Ok(self.store.items(id)?)
    }

    /// One item of a case (ciphertext): its cost does not grow with the case.
    pub(crate) fn item(&self, id: &CaseId, seq: u32) -> Result<Option<Vec<u8>>, IntakeError> {
        Ok(self.store.item(id, seq)?)
    }

    /// Stores a case made from a chat dialogue: `create_case`, with its receipt marked one-time and
    /// `write` (the dialogue's deletion and its message keys) in the same atomic step.
    pub(crate) fn create_case_from_dialogue(
        &self,
        case: &CaseV1,
        items: &[Vec<u8>],
        lookup: &[u8; 32],
        write: &DialogueWrite<'_>,
    ) -> Result<(), IntakeError> {
        self.check_disk()?;
        Ok(self.store.create_case_once(case, items, lookup, write)?)
    }

    /// Seals and stores a report. Returns only after everything is flushed to disk.
    pub(crate) async fn submit(
        self: &Arc<Self>,
        report: ValidReport,
        attachments: Vec<SealedAttachment>,
        channel: Channel,
    ) -> Result<Submitted, IntakeError> {
        self.check_disk()?;
        // A receipt from the pool needs no derivation now; without one, wait for a slot.
        let prepared = self.kdf.take_prepared();
        let permit = match prepared {
            Some(_) => None,
            None => Some(self.kdf_permit().await?),
        };
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut rng = OsRng;
            let new = this.new_case_from(prepared, &mut rng)?;
            this.store_submission(new, report, attachments, channel, &Day::today())
        })
        .await
        .map_err(|_| IntakeError::Seal)?
    }

    /// A place in the submissions' Argon2 queue (`intake::kdf`): new cases from every channel take
    /// one. Bounded; beyond it callers get `Busy` (503 + Retry-After) at once.
    pub(crate) async fn kdf_permit(&self) -> Result<KdfPermit, IntakeError> {
        self.kdf.permit(KdfUse::Submission).await
    }

    /// A place in the logins' Argon2 queue: typed receipts (`/pantau`, `/api/v1/followup`) and the
    /// re-keys that follow them. A flood of guesses fills this one only.
    pub(crate) async fn login_permit(&self) -> Result<KdfPermit, IntakeError> {
        self.kdf.permit(KdfUse::Login).await
    }

    /// Argon2 for a typed receipt in reused memory (blocking; hold a permit).
    pub(crate) fn derive(&self, receipt: &Receipt) -> Result<ReceiptKeys, IntakeError> {
        self.kdf.derive(receipt)
    }

    /// The synchronous pipeline (Argon2, signing, sealing, fsync): run off the async threads.
    pub fn submit_blocking(
        &self,
        report: ValidReport,
        attachments: Vec<SealedAttachment>,
        channel: Channel,
        today: &Day,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<Submitted, IntakeError> {
        let new = self.new_case(rng)?;
        self.store_submission(new, report, attachments, channel, today)
    }

    /// Seals and stores a report under `new`'s receipt (blocking).
    fn store_submission(
        &self,
        new: NewCase,
        report: ValidReport,
        attachments: Vec<SealedAttachment>,
        channel: Channel,
        today: &Day,
    ) -> Result<Submitted, IntakeError> {
        self.check_disk()?;
        let manifest = ManifestBody {
            attachments: attachments.iter().map(|a| a.entry.clone()).collect(),
            answers: None,
        };
        let mut body = ReportBody::new(channel, manifest.attachments.len() as u64);
        body.report = Some(report.content);
        let opening = Opening {
            report: body,
            identity: report.identity.unwrap_or_else(IdentityBody::anonymous),
            manifest,
        };
        let (items, last_digest, fingerprint) = self.seal_opening(&new, opening, today)?;

        // Attachments first: a crash after this leaves only ciphertext orphans, swept at the next start.
        let mut committed = Vec::with_capacity(attachments.len());
        let mut refs = Vec::with_capacity(attachments.len());
        for a in attachments {
            refs.push(AttachmentRefV1::from(&a.entry));
            match a.blob.commit(today) {
                Ok(id) => committed.push(id),
                Err(e) => {
                    self.discard(&committed);
                    return Err(IntakeError::Store(StoreError::Io(e)));
                }
            }
        }

        let case = self.case_record(
            &new.case_id,
            channel,
            today,
            &items,
            last_digest,
            fingerprint,
            refs,
        );
        if let Err(e) = self.store.create_case(&case, &items, &new.keys.lookup) {
            // Unflushed is not undone: the case may still reach the disk, and must find its files
            // (the start-up sweep removes them if it does not).
            if !matches!(e, StoreError::NotFlushed) {
                self.discard(&committed);
            }
            return Err(e.into());
        }
        Ok(Submitted {
            receipt: new.receipt,
            case_id: new.case_id,
        })
    }

    /// A receipt from the pool if one is ready, else a fresh one derived now (Argon2: run off the
    /// async threads, holding a submission permit), with a random case id.
    pub(crate) fn new_case(
        &self,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<NewCase, IntakeError> {
        let prepared = self.kdf.take_prepared();
        self.new_case_from(prepared, rng)
    }

    fn new_case_from(
        &self,
        prepared: Option<Prepared>,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<NewCase, IntakeError> {
        let Prepared { receipt, keys } = match prepared {
            Some(p) => p,
            None => {
                let receipt = Receipt::generate(rng);
                let keys = self.kdf.derive(&receipt)?;
                Prepared { receipt, keys }
            }
        };
        Ok(NewCase {
            case_id: CaseId::generate(rng),
            receipt,
            keys,
        })
    }

    /// Signs with the new reporter key, pads and seals a case's first three items to every
    /// investigator: the report (whose body gets the reporter's public keys and the digest of the
    /// recipient set here), the identity block (exactly `IDENTITY_SIZE`) and the manifest. Returns the
    /// ciphertexts and the hex SHA-256 of the last one.
    pub(crate) fn seal_opening(
        &self,
        new: &NewCase,
        opening: Opening,
        today: &Day,
    ) -> Result<(Vec<Vec<u8>>, String, String), IntakeError> {
        let reporter_key = new.keys.reporter.signing_key();
        // One snapshot of the team for the whole opening, and for the digest recorded with it.
        let team = self.investigators();
        let author = Author {
            role: Role::Reporter,
            key: hex(reporter_key.verifying_key().as_bytes()),
        };
        let recipients = team.recipients();
        let mut report = opening.report;
        report.reporter_keys = ReporterKeys {
            x25519: hex(&new.keys.reporter.x25519_public()),
            ed25519: author.key.clone(),
        };
        report.recipients_digest = team.fingerprint().to_owned();
        let bodies = [
            (ItemBody::Report(Box::new(report)), REPORT_MIN),
            (ItemBody::Identity(opening.identity), IDENTITY_SIZE),
            (ItemBody::Manifest(opening.manifest), MANIFEST_MIN),
        ];
        let mut items = Vec::with_capacity(bodies.len());
        let mut prev = genesis_digest(&new.case_id);
        for (seq, (body, size)) in bodies.into_iter().enumerate() {
            let header = Header {
                case_id: new.case_id.clone(),
                seq: seq as u32,
                prev_digest: hex(&prev),
                day: today.clone(),
                author: author.clone(),
            };
            let envelope = Envelope::new(header, &body).map_err(|_| IntakeError::Seal)?;
            let signed = envelope.sign(reporter_key).map_err(|_| IntakeError::Seal)?;
            let padded = if matches!(body, ItemBody::Identity(_)) {
                crate::crypto::pad::pad_exact(&signed, size).map_err(|_| IntakeError::Seal)?
            } else {
                crate::crypto::pad::pad(&signed, size)
            };
            let ciphertext =
                seal::seal_padded(&padded, &recipients).map_err(|_| IntakeError::Seal)?;
            prev = sha256(&ciphertext);
            items.push(ciphertext);
        }
        Ok((items, hex(&prev), team.fingerprint().to_owned()))
    }

    /// The plaintext record of a new case (docs/design.md §2: only what may be seen without a key).
    pub(crate) fn case_record(
        &self,
        case_id: &CaseId,
        channel: Channel,
        today: &Day,
        items: &[Vec<u8>],
        last_digest: String,
        fingerprint: String,
        attachments: Vec<AttachmentRefV1>,
    ) -> CaseV1 {
        CaseV1 {
            id: case_id.clone(),
            channel,
            created: today.clone(),
            statuses: vec![StatusChangeV1 {
                status: Status::Diterima,
                day: today.clone(),
            }],
            item_count: items.len() as u32,
            last_digest,
            recipients_fingerprint: fingerprint,
            attachments,
        }
    }

    fn discard(&self, blobs: &[String]) {
        for id in blobs {
            let _ = self.blobs.remove(id);
        }
    }
}
