//! The two-way case mailbox (docs/design.md §5): reporter follow-ups, investigator replies, internal notes and
//! status notes are signed envelopes appended to the case's chain. The server seals what the reporter
//! writes; investigators seal on their own machines and only upload ciphertext. Before anything is
//! shown to a reporter, every item is verified; what does not verify is not shown.

use std::sync::Arc;

use ed25519_dalek::SigningKey;
use zeroize::Zeroizing;

use super::attachment::{ManifestEntry, SealedAttachment};
use super::submit::{Intake, IntakeError};
use crate::crypto::envelope::{genesis_digest, Envelope, Header};
use crate::crypto::keys::{recipient_from_bytes, InvestigatorPublic};
use crate::crypto::receipt::{Receipt, ReceiptKeys};
use crate::crypto::{hex, pad, seal, sha256, unhex};
use crate::protocol::item::{Author, FollowupBody, ItemBody};
use crate::protocol::{CaseId, Day, Role, Status};
use crate::store::{Append, AttachmentRefV1, CaseV1, RekeyIndex, StatusChangeV1, StoreError};

pub(crate) use crate::protocol::wire::ThreadMessage;

/// Padding minimum for messages and notes, so short and long messages look alike.
pub const MESSAGE_MIN: usize = 4096;
pub(crate) const MAX_MESSAGE_CHARS: usize = 20_000;
/// How often an append is retried when another writer took the sequence number.
const APPEND_TRIES: usize = 5;

/// One item to seal: where it goes, who writes it and what it says.
pub struct ItemDraft<'a> {
    pub case_id: &'a CaseId,
    pub seq: u32,
    /// Hex SHA-256 of the previous item's ciphertext (`CaseV1::last_digest`).
    pub prev_digest: &'a str,
    pub day: &'a Day,
    pub role: Role,
    pub body: &'a ItemBody,
}

/// Signs, pads and encrypts one item to `recipients`. Shared by the server and the investigator tools.
pub fn seal_item(
    draft: ItemDraft<'_>,
    signing: &SigningKey,
    recipients: &[age::x25519::Recipient],
    min_padded: usize,
) -> Result<Vec<u8>, IntakeError> {
    let header = Header {
        case_id: draft.case_id.clone(),
        seq: draft.seq,
        prev_digest: draft.prev_digest.to_owned(),
        day: draft.day.clone(),
        author: Author {
            role: draft.role,
            key: hex(signing.verifying_key().as_bytes()),
        },
    };
    let envelope = Envelope::new(header, draft.body).map_err(|_| IntakeError::Seal)?;
    let signed = envelope.sign(signing).map_err(|_| IntakeError::Seal)?;
    seal::seal_padded(&pad::pad(&signed, min_padded), recipients).map_err(|_| IntakeError::Seal)
}

/// The `prev_digest` for the next item of a case.
pub fn next_prev_digest(case: &CaseV1) -> String {
    if case.item_count == 0 {
        hex(&genesis_digest(&case.id))
    } else {
        case.last_digest.clone()
    }
}

/// Items of a case on one page of the reporter's thread (`/pantau`).
pub(crate) const PAGE_ITEMS: usize = 50;
/// Items before a page that are walked but not shown, so that the rule that a retired
/// investigator's item may not follow a later-dated one sees the items just before the page.
pub(crate) const PAGE_LOOKBACK: usize = 25;

/// One page of the reporter's thread: the messages among items `before - PAGE_ITEMS .. before`.
pub(crate) struct ReporterPage {
    pub case: CaseV1,
    pub messages: Vec<ThreadMessage>,
    /// Items on this page addressed to the reporter that failed verification.
    pub rejected: usize,
    /// `before` for the page of older items, when there are any.
    pub older: Option<u32>,
    /// Whether newer items exist, and `before` for their page (`None` inside: the newest page).
    pub newer: Option<Option<u32>>,
}

/// The item positions a page shows: `PAGE_ITEMS` ending at `before` (clamped to the case), and the
/// last few oldest ones with them rather than on a page of their own (the first three items of a
/// case are the report, sealed to investigators only).
fn page_window(count: usize, before: Option<usize>) -> std::ops::Range<usize> {
    let end = before.map_or(count, |b| b.min(count));
    let mut start = end.saturating_sub(PAGE_ITEMS);
    if start <= PAGE_ITEMS / 5 {
        start = 0;
    }
    start..end
}

/// What the reporter can open of a walk: each item's envelope (when it decrypts with the receipt's
/// key or an earlier key handed on by a `rekey` item), `None` for items sealed to investigators only.
fn open_as_reporter(
    case: &CaseV1,
    walk: &Walk,
    current: age::x25519::Identity,
) -> Vec<Option<Result<Envelope, ()>>> {
    let mut identities = vec![current];
    let mut opened: Vec<Option<Result<Envelope, ()>>> = vec![None; walk.items.len()];
    loop {
        let mut handed_on = Vec::new();
        {
            let ids: Vec<&dyn age::Identity> =
                identities.iter().map(|i| i as &dyn age::Identity).collect();
            for (idx, item) in walk.items.iter().enumerate() {
                if opened[idx].is_some() {
                    continue;
                }
                let Ok(signed) = seal::open(&item.ciphertext, &ids) else {
                    continue;
                };
                let envelope = Envelope::open(&signed).map_err(|_| ());
                if let Ok(e) = &envelope {
                    // A `rekey` hands the previous reporter X25519 secret on to the new key, so
                    // replies sealed before the receipt was replaced stay readable (docs/format.md).
                    let secret = match e.body() {
                        Ok(ItemBody::Rekey(r))
                            if e.case_id == case.id && walk.may_rekey(item.seq, e) =>
                        {
                            r.previous_x25519_secret
                                .as_deref()
                                .and_then(unhex::<32>)
                                .map(Zeroizing::new)
                        }
                        _ => None,
                    };
                    if let Some(secret) = secret {
                        let keys = crate::crypto::keys::ReporterKeys::from_seeds(&secret, &[0; 32]);
                        handed_on.extend(keys.age_identity());
                    }
                }
                opened[idx] = Some(envelope);
            }
        }
        if handed_on.is_empty() {
            return opened;
        }
        identities.extend(handed_on);
    }
}

/// For each walked item, the reporter signing key in force there: the receipt's own key after the
/// last consistent `rekey`, each rekey's signer before it. Rekeys that do not chain up to the
/// receipt's key are returned as rejected indices.
fn reporter_keys_by_position(
    case_id: &CaseId,
    walk: &Walk,
    opened: &[Option<Result<Envelope, ()>>],
    current: String,
) -> (Vec<String>, Vec<usize>) {
    // Only rekeys that say they are this case's item at this place, after the item before them, may
    // move the key (an older page reads that item only for this); the check of every item's
    // signer follows in `thread_of`.
    let placed = |idx: usize, e: &Envelope| {
        let item = &walk.items[idx];
        e.case_id == *case_id && walk.may_rekey(item.seq, e) && e.prev_digest == hex(&item.prev)
    };
    let rekeys: Vec<(usize, &Envelope, String)> = opened
        .iter()
        .enumerate()
        .filter_map(|(idx, o)| match o {
            Some(Ok(e)) if placed(idx, e) => match e.body() {
                Ok(ItemBody::Rekey(r)) => Some((idx, e, r.reporter_keys.ed25519)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let mut keys = vec![current.clone(); opened.len()];
    let mut rejected = Vec::new();
    let mut expected = current;
    let mut upto = opened.len();
    for (idx, e, names) in rekeys.into_iter().rev() {
        if names != expected || e.author.role != Role::Reporter {
            rejected.push(idx);
            continue;
        }
        for k in keys.iter_mut().take(upto).skip(idx + 1) {
            *k = expected.clone();
        }
        expected = e.author.key.clone();
        upto = idx + 1;
    }
    for k in keys.iter_mut().take(upto) {
        *k = expected.clone();
    }
    (keys, rejected)
}

/// Verifies the items a reporter can decrypt and turns the genuine ones into messages (every item,
/// any placed `rekey` counting: the walk of a case whose rekeys are not indexed).
/// `investigators`: every known key, active and retired (a retired one's signature counts on items
/// dated up to its retirement day, `verify::signed_in_service`).
#[cfg(test)]
pub(crate) fn reporter_thread(
    case: &CaseV1,
    items: &[Vec<u8>],
    keys: &ReceiptKeys,
    investigators: &[InvestigatorPublic],
) -> (Vec<ThreadMessage>, usize) {
    let mut walk = Walk {
        items: Vec::new(),
        rekeys: None,
    };
    let mut prev = genesis_digest(&case.id);
    for (seq, ct) in items.iter().enumerate() {
        walk.items.push(Walked {
            seq,
            prev,
            ciphertext: ct.clone(),
        });
        prev = sha256(ct);
    }
    let (messages, rejected) = thread_of(case, &walk, keys, investigators);
    (
        messages.into_iter().map(|(_, m)| m).collect(),
        rejected.len(),
    )
}

/// The items of a case a page of the thread verifies, in ascending order: a contiguous run (the
/// page and `PAGE_LOOKBACK` before it), then — for an older page — only the `rekey` items after it.
pub(crate) struct Walk {
    pub items: Vec<Walked>,
    /// Where the server wrote `rekey` items (`CaseStore::rekeys`); `None` when not known, and then
    /// every placed rekey counts and the walk runs to the newest item.
    pub rekeys: Option<std::collections::BTreeSet<usize>>,
}

/// One item of a walk.
pub(crate) struct Walked {
    pub seq: usize,
    /// The digest the item must name as its predecessor: the genesis digest, or the SHA-256 of
    /// item `seq - 1`'s ciphertext.
    pub prev: [u8; 32],
    pub ciphertext: Vec<u8>,
}

impl Walk {
    /// Whether the item at `seq` (opened as `e`) may act as a `rekey`: it names its own place, and
    /// when the index is known, the server wrote a rekey there.
    fn may_rekey(&self, seq: usize, e: &Envelope) -> bool {
        e.seq as usize == seq && self.rekeys.as_ref().is_none_or(|r| r.contains(&seq))
    }
}

/// The genuine messages of a walk with their sequence numbers, and the sequence numbers of the
/// items addressed to the reporter that failed verification.
fn thread_of(
    case: &CaseV1,
    walk: &Walk,
    keys: &ReceiptKeys,
    investigators: &[InvestigatorPublic],
) -> (Vec<(usize, ThreadMessage)>, Vec<usize>) {
    let Some(identity) = keys.reporter.age_identity() else {
        return (Vec::new(), Vec::new());
    };
    let own_key = hex(keys.reporter.signing_key().verifying_key().as_bytes());
    let opened = open_as_reporter(case, walk, identity);
    let (reporter_key, bad_rekeys) = reporter_keys_by_position(&case.id, walk, &opened, own_key);
    let mut messages = Vec::new();
    let mut rejected = Vec::new();
    // The latest day of the genuine items the reporter can see (a retired investigator's item may not
    // follow a later one). It flows forward only: items after a page never change its verdicts.
    let mut latest: Option<Day> = None;
    for (idx, envelope) in opened.into_iter().enumerate() {
        // Items sealed only to investigators (the report, identity, notes) do not open: not ours to see.
        let Some(envelope) = envelope else {
            continue;
        };
        let item = &walk.items[idx];
        let seq = item.seq;
        let genuine = envelope.ok().and_then(|e| {
            let body = e.body().ok()?;
            let signer_ok = match e.author.role {
                Role::Reporter => {
                    e.author.key == reporter_key[idx]
                        && match body {
                            ItemBody::Followup(_) => true,
                            // Where the server wrote no rekey, an item cannot be one.
                            ItemBody::Rekey(_) => walk.may_rekey(seq, &e),
                            _ => false,
                        }
                        && !bad_rekeys.contains(&idx)
                }
                Role::Investigator => {
                    investigators.iter().any(|i| {
                        i.signing_hex() == e.author.key
                            && super::verify::signed_in_service(i, &e.day, latest.as_ref())
                    }) && matches!(body, ItemBody::Reply(_) | ItemBody::StatusNote(_))
                }
            };
            let placed =
                e.case_id == case.id && e.seq as usize == seq && e.prev_digest == hex(&item.prev);
            (placed && signer_ok).then_some((e, body))
        });
        match genuine {
            Some((e, body)) => {
                if latest.as_ref().is_none_or(|d| *d < e.day) {
                    latest = Some(e.day.clone());
                }
                let (text, status, attachments) = match body {
                    ItemBody::Followup(f) => (
                        f.text,
                        None,
                        f.attachments.into_iter().map(|a| a.name).collect(),
                    ),
                    ItemBody::Reply(r) => (r.text, None, Vec::new()),
                    // A status change without a note is not a message: the status history shows it.
                    ItemBody::StatusNote(n) if n.text.trim().is_empty() => continue,
                    ItemBody::StatusNote(n) => (n.text, Some(n.status), Vec::new()),
                    // A replaced receipt is bookkeeping, not a message.
                    _ => continue,
                };
                messages.push((
                    seq,
                    ThreadMessage {
                        from: e.author.role,
                        day: e.day,
                        body: text,
                        status,
                        attachments,
                    },
                ));
            }
            None => rejected.push(seq),
        }
    }
    (messages, rejected)
}

/// The reporter's age recipient as named in keys derived from the receipt.
fn reporter_recipient(keys: &ReceiptKeys) -> Result<age::x25519::Recipient, IntakeError> {
    recipient_from_bytes(&keys.reporter.x25519_public()).ok_or(IntakeError::Seal)
}

/// The reporter's recipient from the hex in a signed report (for investigators' replies).
pub fn recipient_from_hex(x25519_hex: &str) -> Option<age::x25519::Recipient> {
    recipient_from_bytes(&unhex::<32>(x25519_hex)?)
}

impl Intake {
    /// Derives a typed receipt's keys (Argon2, in the logins' bounded queue) and finds its case. Unknown and
    /// existing receipts cost the same: one derivation and one index read.
    pub(crate) async fn open_receipt(
        self: &Arc<Self>,
        receipt: Receipt,
    ) -> Result<Option<(CaseId, ReceiptKeys)>, IntakeError> {
        let _permit = self.login_permit().await?;
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let keys = this.derive(&receipt)?;
            let found = this.store().case_for_lookup(&keys.lookup)?;
            Ok(found.map(|case_id| (case_id, keys)))
        })
        .await
        .map_err(|_| IntakeError::Seal)?
    }

    /// One page of the reporter's verified thread: the items before `before` (the newest when
    /// `None`), at most `PAGE_ITEMS` of them. Its cost does not grow with the case: only the page's
    /// items, `PAGE_LOOKBACK` before them and the `rekey` items after them (with each one's
    /// predecessor, hashed for the chain check) are read and decrypted (docs/design.md §11). The web
    /// page and the JSON API both show the thread through this.
    pub(crate) fn reporter_page(
        &self,
        case_id: &CaseId,
        keys: &ReceiptKeys,
        before: Option<u32>,
    ) -> Result<Option<ReporterPage>, IntakeError> {
        if !self.receipt_opens(case_id, keys)? {
            return Ok(None);
        }
        let Some(case) = self.store().case(case_id)? else {
            return Ok(None);
        };
        let count = case.item_count as usize;
        let window = page_window(count, before.map(|b| b as usize));
        let walk = self.page_walk(&case, &window)?;
        let (messages, rejected) = thread_of(&case, &walk, keys, self.investigators().all());
        let messages = messages
            .into_iter()
            .filter(|(seq, _)| window.contains(seq))
            .map(|(_, m)| m)
            .collect();
        let rejected = rejected.iter().filter(|seq| window.contains(seq)).count();
        let older = (window.start > 0).then_some(window.start as u32);
        let newer = (window.end < count).then(|| {
            let end = window.end + PAGE_ITEMS;
            (end < count).then_some(end as u32)
        });
        Ok(Some(ReporterPage {
            case,
            messages,
            rejected,
            older,
            newer,
        }))
    }

    /// The items a page verifies (see `Walk`). A case whose rekeys the store does not know (written
    /// before the index) walks every item after the page instead, as all pages once did.
    fn page_walk(
        &self,
        case: &CaseV1,
        window: &std::ops::Range<usize>,
    ) -> Result<Walk, IntakeError> {
        let count = case.item_count as usize;
        let first = window.start.saturating_sub(PAGE_LOOKBACK);
        let (rekeys, run_end) = match self.store().rekeys(&case.id)? {
            RekeyIndex::Known(at) => {
                let at: std::collections::BTreeSet<usize> =
                    at.into_iter().map(|s| s as usize).collect();
                (Some(at), window.end)
            }
            RekeyIndex::Unknown => (None, count),
        };
        let mut items: Vec<Walked> = Vec::new();
        let mut prev = match first {
            0 => genesis_digest(&case.id),
            n => sha256(&self.item_or_corrupt(&case.id, n - 1)?),
        };
        for seq in first..run_end {
            let ciphertext = self.item_or_corrupt(&case.id, seq)?;
            let next = sha256(&ciphertext);
            items.push(Walked {
                seq,
                prev,
                ciphertext,
            });
            prev = next;
        }
        // After the run: each later rekey (it hands on the key earlier items were sealed to, and
        // names the signer before it) and the digest of the item before it.
        let later = rekeys
            .iter()
            .flatten()
            .filter(|&&seq| seq >= run_end && seq < count);
        for &seq in later {
            let prev = match items.last() {
                Some(last) if last.seq + 1 == seq => sha256(&last.ciphertext),
                _ => {
                    let before = seq.checked_sub(1).ok_or(StoreError::Corrupt)?;
                    sha256(&self.item_or_corrupt(&case.id, before)?)
                }
            };
            let ciphertext = self.item_or_corrupt(&case.id, seq)?;
            items.push(Walked {
                seq,
                prev,
                ciphertext,
            });
        }
        Ok(Walk { items, rekeys })
    }

    fn item_or_corrupt(&self, case_id: &CaseId, seq: usize) -> Result<Vec<u8>, IntakeError> {
        let seq = u32::try_from(seq).map_err(|_| StoreError::Corrupt)?;
        Ok(self
            .store()
            .item(case_id, seq)?
            .ok_or(StoreError::Corrupt)?)
    }

    /// Whether these receipt keys still open this case (false once the receipt was replaced).
    pub(crate) fn receipt_opens(
        &self,
        case_id: &CaseId,
        keys: &ReceiptKeys,
    ) -> Result<bool, IntakeError> {
        Ok(self.store().case_for_lookup(&keys.lookup)?.as_ref() == Some(case_id))
    }

    /// Seals items with `build(seq, prev_digest)` and appends them, retrying if another writer got
    /// there first. Returns the case as it is after the append.
    pub(crate) fn append_with<F>(
        &self,
        case_id: &CaseId,
        mut build: F,
        status: Option<StatusChangeV1>,
        attachments: Vec<AttachmentRefV1>,
    ) -> Result<CaseV1, IntakeError>
    where
        F: FnMut(u32, &str) -> Result<Vec<Vec<u8>>, IntakeError>,
    {
        for _ in 0..APPEND_TRIES {
            let case = self
                .store()
                .case(case_id)?
                .ok_or(IntakeError::UnknownCase)?;
            let items = build(case.item_count, &next_prev_digest(&case))?;
            self.check_room(&case, items.len())?;
            let append = Append {
                items,
                status: status.clone(),
                attachments: attachments.clone(),
            };
            match self.store().append(case_id, case.item_count, append) {
                Ok(case) => return Ok(case),
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(IntakeError::Busy)
    }

    /// A reporter's follow-up: signed with the receipt key, sealed to the reporter and every
    /// investigator, with its attachments (sealed to investigators) named in its body.
    pub(crate) async fn reporter_followup(
        self: &Arc<Self>,
        case_id: CaseId,
        keys: ReceiptKeys,
        text: String,
        attachments: Vec<SealedAttachment>,
    ) -> Result<(), IntakeError> {
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            if !this.receipt_opens(&case_id, &keys)? {
                return Err(IntakeError::UnknownCase);
            }
            let today = Day::today();
            let mut recipients: Vec<_> = this
                .investigators()
                .iter()
                .map(|i| i.recipient.clone())
                .collect();
            recipients.push(reporter_recipient(&keys)?);
            let manifest: Vec<ManifestEntry> =
                attachments.iter().map(|a| a.entry.clone()).collect();
            let refs: Vec<AttachmentRefV1> = manifest.iter().map(AttachmentRefV1::from).collect();
            let mut committed = Vec::new();
            for a in attachments {
                committed.push(a.blob.commit(&today).map_err(StoreError::Io)?);
            }
            let body = ItemBody::Followup(FollowupBody {
                text,
                attachments: manifest,
            });
            let result = this.append_with(
                &case_id,
                |seq, prev| {
                    let draft = ItemDraft {
                        case_id: &case_id,
                        seq,
                        prev_digest: prev,
                        day: &today,
                        role: Role::Reporter,
                        body: &body,
                    };
                    Ok(vec![seal_item(
                        draft,
                        keys.reporter.signing_key(),
                        &recipients,
                        MESSAGE_MIN,
                    )?])
                },
                None,
                refs,
            );
            let unflushed = matches!(result, Err(IntakeError::Store(StoreError::NotFlushed)));
            if result.is_err() && !unflushed {
                for id in committed {
                    let _ = this.blobs().remove(&id);
                }
            }
            result.map(|_| ())
        })
        .await
        .map_err(|_| IntakeError::Seal)?
    }

    /// Appends an item an investigator sealed on their own machine, with an optional status change.
    /// The server cannot read it: it checks only that it is a well-formed age file of sane size, and
    /// that it extends the chain at `seq`.
    pub(crate) fn append_uploaded(
        &self,
        case_id: &CaseId,
        seq: u32,
        ciphertext: Option<Vec<u8>>,
        status: Option<Status>,
    ) -> Result<CaseV1, IntakeError> {
        if let Some(ct) = &ciphertext {
            if ct.len() > MAX_UPLOADED_ITEM || age::Decryptor::new_buffered(&ct[..]).is_err() {
                return Err(IntakeError::NotAge);
            }
        }
        let append = Append {
            items: ciphertext.into_iter().collect(),
            status: status.map(|status| StatusChangeV1 {
                status,
                day: Day::today(),
            }),
            attachments: Vec::new(),
        };
        let case = self
            .store()
            .case(case_id)?
            .ok_or(IntakeError::UnknownCase)?;
        self.check_room(&case, append.items.len())?;
        self.store()
            .append(case_id, seq, append)
            .map_err(|e| match e {
                StoreError::Conflict => IntakeError::Conflict,
                e => e.into(),
            })
    }
}

impl Intake {
    /// Stores an attachment file an investigator re-sealed on their own machine for a changed team
    /// (`wbs reshare`, docs/design.md §10) as a new blob listed with the case; nothing is replaced. The
    /// server cannot read it: it checks that it is an age file no larger than the case's largest file
    /// plus room for more recipients. A signed `reshare` item names it; until one does, readers ignore it.
    pub(crate) fn add_resealed_blob(
        &self,
        case_id: &CaseId,
        ciphertext: &[u8],
    ) -> Result<AttachmentRefV1, IntakeError> {
        let case = self
            .store()
            .case(case_id)?
            .ok_or(IntakeError::UnknownCase)?;
        // A case without files has nothing to re-seal.
        let Some(largest) = case.attachments.iter().map(|a| a.ciphertext_len).max() else {
            return Err(IntakeError::NotAge);
        };
        if ciphertext.len() as u64 > largest + RESEAL_ROOM
            || age::Decryptor::new_buffered(ciphertext).is_err()
        {
            return Err(IntakeError::NotAge);
        }
        self.check_room(&case, 0)?;
        let mut pending = self
            .blobs()
            .begin(&mut rand::rngs::OsRng)
            .map_err(|e| IntakeError::Store(StoreError::Io(e)))?;
        std::io::Write::write_all(&mut pending, ciphertext)
            .map_err(|e| IntakeError::Store(StoreError::Io(e)))?;
        let id = pending
            .commit(&Day::today())
            .map_err(|e| IntakeError::Store(StoreError::Io(e)))?;
        let blob = AttachmentRefV1 {
            id,
            ciphertext_len: ciphertext.len() as u64,
            ciphertext_sha256: hex(&sha256(ciphertext)),
        };
        // The append is conditional on the case's item count: retried if an item arrives meanwhile.
        for _ in 0..APPEND_TRIES {
            let now = self
                .store()
                .case(case_id)?
                .ok_or(IntakeError::UnknownCase)?;
            let append = Append {
                items: Vec::new(),
                status: None,
                attachments: vec![blob.clone()],
            };
            match self.store().append(case_id, now.item_count, append) {
                Ok(_) => return Ok(blob),
                Err(StoreError::Conflict) => continue,
                Err(e) => {
                    let _ = self.blobs().remove(&blob.id);
                    return Err(e.into());
                }
            }
        }
        let _ = self.blobs().remove(&blob.id);
        Err(IntakeError::Busy)
    }
}

/// How much larger than a case's largest file a re-sealed copy may be: age adds one recipient stanza
/// (well under 200 bytes) per investigator.
const RESEAL_ROOM: u64 = 64 * 1024;

/// Largest item an investigator may upload (a long reply, padded, to many recipients).
pub(crate) const MAX_UPLOADED_ITEM: usize = 256 * 1024;
