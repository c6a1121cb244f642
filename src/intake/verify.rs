//! Verification of a case's chain of items (docs/design.md §5). Used by every reader: the CLI, the desk and
//! the server before it shows anything to a reporter. An item is genuine only if it decrypts, its
//! signature verifies, it names this case and its position, it follows the previous item's ciphertext,
//! and its author is allowed to write it.
//!
//! The reporter's key can change once a case exists: a one-time receipt from a chat is replaced at the
//! first web login by a `rekey` item, signed by the old reporter key and naming the new one. From that
//! item on, reporter items must be signed by the new key (and replies go to its X25519 half, see
//! `current_reporter_x25519`). Sealed answers (the chat channel, `intake::answers`) are opened here and
//! presented in the ordinary form.

use super::answers;
use crate::crypto::envelope::{chain_digest, genesis_digest, Envelope};
use crate::crypto::keys::InvestigatorPublic;
use crate::crypto::{hex, seal};
use crate::protocol::day::Day;
use crate::protocol::item::ItemBody;
use crate::protocol::{CaseId, ItemKind, Role};

/// Why an item is not shown as genuine. Stable wording for people and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ItemProblem {
    #[error("cannot be decrypted with this identity")]
    CannotDecrypt,
    #[error("unsigned or malformed")]
    Unsigned,
    #[error("signed, but its content is not of the form its kind requires")]
    Malformed,
    #[error("signature does not verify")]
    BadSignature,
    #[error("belongs to another case (moved)")]
    WrongCase,
    #[error("out of order (reordered or removed items)")]
    OutOfOrder,
    #[error("breaks the chain (an earlier item was altered, or this one was moved)")]
    BrokenChain,
    #[error("signed by a key that is not a known investigator or this case's reporter")]
    UnknownSigner,
    #[error("signed by a retired investigator after their retirement day")]
    RetiredSigner,
    #[error("first item is not a report signed by its own reporter key")]
    BadFirstItem,
    #[error("an answer sealed inside it does not open or does not belong to it")]
    BadAnswers,
    #[error("its author may not write this kind of item here")]
    WrongKind,
}

/// Who may write which kind of item, and where (docs/design.md §5): the reporter opens a case with the
/// report, the identity block and the manifest, then adds follow-ups and re-keys; investigators add
/// replies, notes, status notes, reveal records, category corrections and re-seals.
pub(crate) fn may_write(role: Role, kind: ItemKind, seq: usize) -> bool {
    match (role, kind) {
        (Role::Reporter, ItemKind::Report) => seq == 0,
        (Role::Reporter, ItemKind::Identity) => seq == 1,
        (Role::Reporter, ItemKind::Manifest) => seq == 2,
        (Role::Reporter, ItemKind::Followup | ItemKind::Rekey) => seq >= 3,
        (
            Role::Investigator,
            ItemKind::Reply
            | ItemKind::StatusNote
            | ItemKind::InternalNote
            | ItemKind::RevealRecord
            | ItemKind::Recategorise
            | ItemKind::Reshare,
        ) => seq >= 3,
        _ => false,
    }
}

/// One item, checked.
pub(crate) struct CheckedItem {
    pub seq: usize,
    pub outcome: Result<GenuineItem, ItemProblem>,
}

pub(crate) struct GenuineItem {
    pub envelope: Envelope,
    /// The signed envelope as its author signed it (what a `reshare` carries on to a changed team).
    pub signed: Vec<u8>,
    /// When this identity could not open the stored item and read it from a teammate's `reshare`: the
    /// key file name of the investigator who re-sealed it.
    pub reshared_by: Option<String>,
    /// The body, read as its kind (sealed answers opened into the ordinary fields).
    pub body: ItemBody,
    /// The key file name of the investigator who signed, or `None` for the reporter.
    pub investigator: Option<String>,
}

/// The reporter's keys as named in the signed report (item 0) or a later `rekey`.
pub(crate) use crate::protocol::item::ReporterKeys as ReporterKeysHex;

/// Checks every item of a case, in stored order. `investigators` are every known key, active and
/// retired: a retired investigator's signature is genuine only on an item dated up to their retirement
/// day that follows no item dated after it (so it cannot be back-dated past the case's own history).
///
/// An item this identity cannot open may have been re-sealed for it by a teammate (`reshare`, docs/design.md
/// §10): a second pass then reads such items from the genuine `reshare` items, and checks each carried
/// envelope exactly as if it had been opened from the stored ciphertext — its author's signature, its case,
/// position and chain digest (of the stored ciphertext, so it cannot stand for another item).
pub(crate) fn verify_case(
    case_id: &CaseId,
    items: &[Vec<u8>],
    identities: &[&dyn age::Identity],
    investigators: &[InvestigatorPublic],
) -> Vec<CheckedItem> {
    let first = verify_pass(
        case_id,
        items,
        identities,
        investigators,
        &Reshared::default(),
    );
    let reshared = reshared_items(&first);
    let helps = first.iter().any(|c| {
        c.outcome.as_ref().err() == Some(&ItemProblem::CannotDecrypt)
            && reshared.items.contains_key(&c.seq)
    });
    if !helps {
        return first;
    }
    verify_pass(case_id, items, identities, investigators, &reshared)
}

/// What genuine `reshare` items carry: seq → every (signed envelope, digest of the stored ciphertext
/// it stands for, who re-sealed it), oldest first, each re-seal naming only earlier items; and the
/// chat answers teammates opened.
#[derive(Default)]
struct Reshared {
    items: std::collections::HashMap<usize, Vec<(Vec<u8>, String, String)>>,
    answers: answers::Reopened,
}

fn reshared_items(checked: &[CheckedItem]) -> Reshared {
    let mut out = Reshared {
        answers: reopened_answers(checked),
        ..Reshared::default()
    };
    for c in checked {
        let Ok(GenuineItem {
            body: ItemBody::Reshare(r),
            investigator: Some(who),
            ..
        }) = &c.outcome
        else {
            continue;
        };
        for item in &r.items {
            let seq = item.seq as usize;
            let Ok(signed) = data_encoding::BASE64.decode(item.signed.as_bytes()) else {
                continue;
            };
            if seq < c.seq {
                out.items.entry(seq).or_default().push((
                    signed,
                    item.ciphertext_sha256.clone(),
                    who.clone(),
                ));
            }
        }
    }
    out
}

/// The chat answers genuine `reshare` items carry, by the digest of the sealed fragment (the oldest
/// copy of each wins). Only ever read for a fragment this identity cannot open (`answers::plaintexts`).
pub(crate) fn reopened_answers(checked: &[CheckedItem]) -> answers::Reopened {
    let mut out = answers::Reopened::new();
    for c in checked {
        let Ok(GenuineItem {
            body: ItemBody::Reshare(r),
            investigator: Some(_),
            ..
        }) = &c.outcome
        else {
            continue;
        };
        for a in r.items.iter().flat_map(|i| &i.answers) {
            if let Ok(plain) = data_encoding::BASE64.decode(a.fragment.as_bytes()) {
                out.entry(a.of.clone()).or_insert(plain);
            }
        }
    }
    out
}

fn verify_pass(
    case_id: &CaseId,
    items: &[Vec<u8>],
    identities: &[&dyn age::Identity],
    investigators: &[InvestigatorPublic],
    reshared: &Reshared,
) -> Vec<CheckedItem> {
    let mut out = Vec::with_capacity(items.len());
    let mut expected_prev = genesis_digest(case_id);
    let mut reporter: Option<ReporterKeysHex> = None;
    let mut latest: Option<Day> = None;
    for (seq, ciphertext) in items.iter().enumerate() {
        let outcome = check_item(
            case_id,
            seq,
            ciphertext,
            reshared.items.get(&seq).map_or(&[][..], Vec::as_slice),
            &reshared.answers,
            &expected_prev,
            identities,
            investigators,
            &mut reporter,
            latest.as_ref(),
        );
        if let Ok(item) = &outcome {
            if latest.as_ref().is_none_or(|d| *d < item.envelope.day) {
                latest = Some(item.envelope.day.clone());
            }
        }
        expected_prev = chain_digest(ciphertext);
        out.push(CheckedItem { seq, outcome });
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn check_item(
    case_id: &CaseId,
    seq: usize,
    ciphertext: &[u8],
    reshared: &[(Vec<u8>, String, String)],
    reopened: &answers::Reopened,
    expected_prev: &[u8; 32],
    identities: &[&dyn age::Identity],
    investigators: &[InvestigatorPublic],
    reporter: &mut Option<ReporterKeysHex>,
    latest: Option<&Day>,
) -> Result<GenuineItem, ItemProblem> {
    let at = Position {
        case_id,
        seq,
        expected_prev,
        latest,
        reopened,
    };
    match seal::open(ciphertext, identities) {
        Ok(signed) => check_signed(
            &at,
            signed.to_vec(),
            None,
            identities,
            investigators,
            reporter,
        ),
        // Only an item sealed to others, never a damaged one, is read from a re-seal: the first carried
        // copy that checks out (one teammate's wrong copy does not hide another's right one).
        Err(seal::OpenError::NoIdentity) => {
            let mut first_problem = None;
            let stored = hex(&chain_digest(ciphertext));
            for (signed, digest, who) in reshared {
                if *digest != stored {
                    // A copy of another ciphertext than the one stored here.
                    first_problem.get_or_insert(ItemProblem::BrokenChain);
                    continue;
                }
                match check_signed(
                    &at,
                    signed.clone(),
                    Some(who.clone()),
                    identities,
                    investigators,
                    reporter,
                ) {
                    Ok(item) => return Ok(item),
                    Err(p) => {
                        first_problem.get_or_insert(p);
                    }
                }
            }
            Err(first_problem.unwrap_or(ItemProblem::CannotDecrypt))
        }
        Err(_) => Err(ItemProblem::CannotDecrypt),
    }
}

/// Where an item stands in its case.
struct Position<'a> {
    case_id: &'a CaseId,
    seq: usize,
    expected_prev: &'a [u8; 32],
    latest: Option<&'a Day>,
    /// Chat answers a teammate opened, for fragments sealed to others (`reshare`).
    reopened: &'a answers::Reopened,
}

/// Checks one signed envelope as the item at `at`. Moves `reporter` only when the item is genuine.
fn check_signed(
    at: &Position<'_>,
    signed: Vec<u8>,
    reshared_by: Option<String>,
    identities: &[&dyn age::Identity],
    investigators: &[InvestigatorPublic],
    reporter: &mut Option<ReporterKeysHex>,
) -> Result<GenuineItem, ItemProblem> {
    let (case_id, seq, expected_prev, latest) = (at.case_id, at.seq, at.expected_prev, at.latest);
    let envelope = Envelope::open(&signed).map_err(|e| match e {
        crate::crypto::envelope::EnvelopeError::BadSignature => ItemProblem::BadSignature,
        _ => ItemProblem::Unsigned,
    })?;
    if envelope.case_id != *case_id {
        return Err(ItemProblem::WrongCase);
    }
    if envelope.seq as usize != seq {
        return Err(ItemProblem::OutOfOrder);
    }
    if envelope.prev_digest != hex(expected_prev) {
        return Err(ItemProblem::BrokenChain);
    }
    // Signed, but not in the shape its kind says: nothing of it is shown as genuine.
    let mut body = envelope.body().map_err(|_| ItemProblem::Malformed)?;
    if seq == 0 {
        let keys = match &body {
            ItemBody::Report(r) => r.reporter_keys.clone(),
            _ => return Err(ItemProblem::BadFirstItem),
        };
        if envelope.author.role != Role::Reporter || envelope.author.key != keys.ed25519 {
            return Err(ItemProblem::BadFirstItem);
        }
        answers::expand_with(&mut body, identities, at.reopened)
            .map_err(|_| ItemProblem::BadAnswers)?;
        *reporter = Some(keys);
        return Ok(GenuineItem {
            envelope,
            signed,
            reshared_by,
            body,
            investigator: None,
        });
    }
    match envelope.author.role {
        Role::Reporter => {
            let known = reporter
                .as_ref()
                .is_some_and(|k| k.ed25519 == envelope.author.key);
            if !known {
                return Err(ItemProblem::UnknownSigner);
            }
            if !may_write(Role::Reporter, envelope.kind, seq) {
                return Err(ItemProblem::WrongKind);
            }
            answers::expand_with(&mut body, identities, at.reopened)
                .map_err(|_| ItemProblem::BadAnswers)?;
            if let ItemBody::Rekey(r) = &body {
                // From here on the reporter is whoever holds the new key (only once the item is wholly
                // genuine, so a rejected re-key never moves the signer).
                *reporter = Some(r.reporter_keys.clone());
            }
            Ok(GenuineItem {
                envelope,
                signed,
                reshared_by,
                body,
                investigator: None,
            })
        }
        Role::Investigator => {
            let who = investigators
                .iter()
                .find(|i| i.signing_hex() == envelope.author.key)
                .ok_or(ItemProblem::UnknownSigner)?;
            if !signed_in_service(who, &envelope.day, latest) {
                return Err(ItemProblem::RetiredSigner);
            }
            if !may_write(Role::Investigator, envelope.kind, seq) {
                return Err(ItemProblem::WrongKind);
            }
            if reshared_by.is_some() && envelope.kind == crate::protocol::ItemKind::Reshare {
                // A re-seal carries originals only: one inside another would let a chain of re-seals
                // stand in for items nobody re-read.
                return Err(ItemProblem::WrongKind);
            }
            Ok(GenuineItem {
                investigator: Some(who.name.clone()),
                envelope,
                signed,
                reshared_by,
                body,
            })
        }
    }
}

/// Whether `who` could sign an item dated `day` that follows items dated up to `latest`: always while
/// active; once retired, only for a day up to the retirement day, after no item dated later.
pub(crate) fn signed_in_service(who: &InvestigatorPublic, day: &Day, latest: Option<&Day>) -> bool {
    who.may_sign_on(day) && latest.is_none_or(|l| who.may_sign_on(l))
}

/// The reporter keys named by a verified item 0, if it is genuine.
pub(crate) fn reporter_of(checked: &[CheckedItem]) -> Option<ReporterKeysHex> {
    match checked.first().map(|c| &c.outcome) {
        Some(Ok(item)) => item.body.reporter_keys().cloned(),
        _ => None,
    }
}

/// The reporter's keys as they are now: item 0's, or those named by the last genuine `rekey` item.
/// `None` when item 0 is not genuine.
pub(crate) fn current_reporter(checked: &[CheckedItem]) -> Option<ReporterKeysHex> {
    let mut current = reporter_of(checked)?;
    for c in checked.iter().skip(1) {
        if let Ok(GenuineItem {
            body: ItemBody::Rekey(r),
            ..
        }) = &c.outcome
        {
            current = r.reporter_keys.clone();
        }
    }
    Some(current)
}

/// The hex X25519 key replies and status notes must be sealed to: the newest verified reporter key.
pub(crate) fn current_reporter_x25519(checked: &[CheckedItem]) -> Option<String> {
    current_reporter(checked).map(|k| k.x25519)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_author_writes_only_its_own_kinds_in_their_places() {
        assert!(may_write(Role::Reporter, ItemKind::Report, 0));
        assert!(!may_write(Role::Reporter, ItemKind::Report, 3));
        assert!(may_write(Role::Reporter, ItemKind::Identity, 1));
        assert!(!may_write(Role::Reporter, ItemKind::Identity, 4));
        assert!(may_write(Role::Reporter, ItemKind::Followup, 3));
        assert!(!may_write(Role::Reporter, ItemKind::Reply, 5));
        assert!(!may_write(Role::Reporter, ItemKind::StatusNote, 5));
        assert!(may_write(Role::Investigator, ItemKind::Reply, 3));
        assert!(!may_write(Role::Investigator, ItemKind::Report, 0));
        assert!(!may_write(Role::Investigator, ItemKind::Followup, 4));
        assert!(!may_write(Role::Investigator, ItemKind::Rekey, 4));
        assert!(!may_write(Role::Investigator, ItemKind::Manifest, 2));
    }

    #[test]
    fn a_retired_key_signs_up_to_its_day_and_never_behind_a_later_item() {
        use rand::SeedableRng;
        let day = |d: &str| Day::parse(d).expect("day");
        let mut who = crate::crypto::keys::InvestigatorIdentity::generate(
            &mut rand::rngs::StdRng::seed_from_u64(5),
        )
        .public("ani.pub");
        assert!(signed_in_service(&who, &day("2030-01-01"), None));
        who.retired = Some(day("2026-11-30"));
        assert!(signed_in_service(&who, &day("2026-11-30"), None));
        assert!(signed_in_service(
            &who,
            &day("2026-11-01"),
            Some(&day("2026-11-30"))
        ));
        assert!(!signed_in_service(&who, &day("2026-12-01"), None));
        // Back-dated behind an item of a later day.
        assert!(!signed_in_service(
            &who,
            &day("2026-11-01"),
            Some(&day("2026-12-02"))
        ));
    }

    /// Seals `body` at `seq` after `items`, signed by `key` as `role`, to `to`.
    fn push(
        items: &mut Vec<Vec<u8>>,
        case_id: &CaseId,
        role: Role,
        key: &ed25519_dalek::SigningKey,
        to: &[age::x25519::Recipient],
        body: &ItemBody,
    ) {
        let prev = match items.last() {
            Some(last) => hex(&chain_digest(last)),
            None => hex(&genesis_digest(case_id)),
        };
        let draft = crate::intake::mailbox::ItemDraft {
            case_id,
            seq: items.len() as u32,
            prev_digest: &prev,
            day: &Day::today(),
            role,
            body,
        };
        let ct = crate::intake::mailbox::seal_item(draft, key, to, 1024).expect("seal");
        items.push(ct);
    }

    fn carry(items: &[(usize, &[u8], &[u8])]) -> ItemBody {
        ItemBody::Reshare(crate::protocol::item::ReshareBody {
            recipients_digest: "new-team".into(),
            items: items
                .iter()
                .map(
                    |(seq, signed, stored)| crate::protocol::item::ResharedItem {
                        seq: *seq as u32,
                        ciphertext_sha256: hex(&chain_digest(stored)),
                        signed: data_encoding::BASE64.encode(signed),
                        answers: Vec::new(),
                    },
                )
                .collect(),
            attachments: Vec::new(),
        })
    }

    #[test]
    fn a_reshare_opens_old_items_for_a_new_investigator_and_cannot_move_them() {
        use crate::crypto::keys::{InvestigatorIdentity, ReporterKeys};
        use crate::protocol::item::{MessageBody, ReportBody};
        use crate::protocol::status::Channel;
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let case_id = CaseId::parse("WBS-AAAA-BBBB-CCCC").expect("id");
        let alice = InvestigatorIdentity::generate(&mut rng);
        let carol = InvestigatorIdentity::generate(&mut rng);
        let mallory = InvestigatorIdentity::generate(&mut rng);
        let reporter = ReporterKeys::from_seeds(&[1; 32], &[2; 32]);
        let mut report = ReportBody::new(Channel::Web, 0);
        report.reporter_keys = ReporterKeysHex {
            x25519: hex(&reporter.x25519_public()),
            ed25519: hex(reporter.signing_key().verifying_key().as_bytes()),
        };
        let old = [alice.recipient()];
        let both = [alice.recipient(), carol.recipient()];
        let mut items = Vec::new();
        push(
            &mut items,
            &case_id,
            Role::Reporter,
            reporter.signing_key(),
            &old,
            &ItemBody::Report(Box::new(report)),
        );
        let identity = ItemBody::Identity(crate::protocol::item::IdentityBody::anonymous());
        push(
            &mut items,
            &case_id,
            Role::Reporter,
            reporter.signing_key(),
            &old,
            &identity,
        );
        let manifest = ItemBody::Manifest(crate::protocol::item::ManifestBody::default());
        push(
            &mut items,
            &case_id,
            Role::Reporter,
            reporter.signing_key(),
            &old,
            &manifest,
        );
        let reply = ItemBody::Reply(MessageBody {
            text: "Pertanyaan".into(),
        });
        push(
            &mut items,
            &case_id,
            Role::Investigator,
            alice.signing_key(),
            &old,
            &reply,
        );
        let signed = |seq: usize| {
            seal::open(&items[seq], &[alice.age_identity() as &dyn age::Identity])
                .expect("alice opens")
                .to_vec()
        };
        let originals: Vec<Vec<u8>> = (0..4).map(signed).collect();
        let stored = items.clone();
        let (report_signed, reply_signed) = (signed(0), signed(3));
        // Mallory (not on the team) offers the report; Alice carries the reply in the report's place.
        push(
            &mut items,
            &case_id,
            Role::Investigator,
            mallory.signing_key(),
            &both,
            &carry(&[(0, &report_signed, &stored[0])]),
        );
        push(
            &mut items,
            &case_id,
            Role::Investigator,
            alice.signing_key(),
            &both,
            &carry(&[(0, &reply_signed, &stored[0])]),
        );
        let team = [alice.public("alice.pub"), carol.public("carol.pub")];
        let as_carol = [carol.age_identity() as &dyn age::Identity];
        let outcome = |checked: &[CheckedItem]| -> Vec<Option<ItemProblem>> {
            checked
                .iter()
                .map(|c| c.outcome.as_ref().err().copied())
                .collect()
        };
        let checked = verify_case(&case_id, &items, &as_carol, &team);
        assert_eq!(
            outcome(&checked),
            vec![
                Some(ItemProblem::OutOfOrder),
                Some(ItemProblem::CannotDecrypt),
                Some(ItemProblem::CannotDecrypt),
                Some(ItemProblem::CannotDecrypt),
                Some(ItemProblem::UnknownSigner),
                None
            ],
            "an item carried to another position is refused; a stranger's re-seal counts for nothing"
        );

        // The genuine re-seal: every item, checked against its author and the stored chain.
        let all: Vec<(usize, Vec<u8>)> = originals.into_iter().enumerate().collect();
        let refs: Vec<(usize, &[u8], &[u8])> = all
            .iter()
            .map(|(q, b)| (*q, b.as_slice(), stored[*q].as_slice()))
            .collect();
        push(
            &mut items,
            &case_id,
            Role::Investigator,
            alice.signing_key(),
            &both,
            &carry(&refs),
        );
        let checked = verify_case(&case_id, &items, &as_carol, &team);
        assert!(
            checked.iter().all(|c| c.outcome.is_ok() || c.seq == 4),
            "{:?}",
            outcome(&checked)
        );
        assert_eq!(
            checked[3]
                .outcome
                .as_ref()
                .ok()
                .and_then(|g| g.reshared_by.clone()),
            Some("alice.pub".to_owned())
        );
        // Alice still reads the stored items herself.
        let as_alice = [alice.age_identity() as &dyn age::Identity];
        let checked = verify_case(&case_id, &items, &as_alice, &team);
        assert_eq!(
            checked[3]
                .outcome
                .as_ref()
                .ok()
                .map(|g| g.reshared_by.is_none()),
            Some(true)
        );
        // Reordered stored items break the chain the carried copies are checked against.
        let mut bad = items.clone();
        bad.swap(1, 2);
        let checked = verify_case(&case_id, &bad, &as_carol, &team);
        assert_eq!(
            checked[1].outcome.as_ref().err(),
            Some(&ItemProblem::BrokenChain)
        );
        assert_eq!(
            checked[2].outcome.as_ref().err(),
            Some(&ItemProblem::BrokenChain)
        );
    }
}
