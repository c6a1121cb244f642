//! One-time receipts (docs/design.md §9). A receipt sent in a chat passed through Meta, so the first web
//! login with it replaces it: while the server holds the old keys (the reporter just typed the old
//! receipt), it makes a new receipt, appends a `rekey` item signed by the old reporter key that names
//! the new keys (sealed to the investigators and the new key, and handing the old X25519 secret on so
//! earlier replies stay readable), and moves the lookup from the old receipt to the new one — in one
//! atomic step. The new receipt is shown once, on the web page only; the old one no longer opens
//! anything. The web follow-up page calls this at a login; the chat channel makes such receipts.

use std::sync::Arc;

use rand::rngs::OsRng;

use super::mailbox::{next_prev_digest, seal_item, ItemDraft, MESSAGE_MIN};
use super::submit::{Intake, IntakeError};
use crate::crypto::receipt::{Receipt, ReceiptKeys};
use crate::crypto::{hex, hkdf32};
use crate::protocol::item::{ItemBody, RekeyBody, RekeyReason, ReporterKeys};
use crate::protocol::{CaseId, Day, Role};
use crate::store::StoreError;

/// Another writer took the sequence number: how often to try again.
const TRIES: usize = 5;

/// The replacement of a one-time receipt: shown once, then forgotten.
pub(crate) struct Rekeyed {
    pub receipt: Receipt,
    pub keys: ReceiptKeys,
}

impl Intake {
    /// If the case's receipt is one-time, replaces it (see the module comment) and returns the new
    /// receipt and its keys; `None` for an ordinary receipt. `keys` are the old receipt's keys, just
    /// derived from what the reporter typed. One re-key at a time (`Intake::rekeying`): two logins
    /// with the same old receipt cannot both replace it.
    pub(crate) async fn rekey_if_one_time(
        self: &Arc<Self>,
        case_id: &CaseId,
        keys: &ReceiptKeys,
    ) -> Result<Option<Rekeyed>, IntakeError> {
        if !self.receipt_is_one_time(case_id)? {
            return Ok(None);
        }
        let _one = self.rekeying.lock().await;
        if !self.receipt_is_one_time(case_id)? {
            return Ok(None);
        }
        let _permit = self.login_permit().await?;
        let old = ReceiptKeys::from_master(&keys.master);
        let this = Arc::clone(self);
        let case_id = case_id.clone();
        tokio::task::spawn_blocking(move || rekey_blocking(&this, &case_id, &old).map(Some))
            .await
            .map_err(|_| IntakeError::Seal)?
    }

    /// Whether the case's receipt is one-time (made in a chat and not yet replaced).
    pub(crate) fn receipt_is_one_time(&self, case_id: &CaseId) -> Result<bool, IntakeError> {
        Ok(self.store().receipt_is_one_time(case_id)?)
    }
}

pub(crate) fn rekey_blocking(
    intake: &Intake,
    case_id: &CaseId,
    old: &ReceiptKeys,
) -> Result<Rekeyed, IntakeError> {
    let receipt = Receipt::generate(&mut OsRng);
    let new = intake.derive(&receipt)?;
    let mut recipients: Vec<_> = intake
        .investigators()
        .iter()
        .map(|i| i.recipient.clone())
        .collect();
    recipients.push(new.reporter.recipient().ok_or(IntakeError::Seal)?);
    // The old X25519 secret seed (docs/format.md: HKDF label wbs/v1/reporter-x25519), handed on.
    let previous = hkdf32(old.master.as_ref(), "wbs/v1/reporter-x25519");
    let body = ItemBody::Rekey(RekeyBody {
        reporter_keys: ReporterKeys {
            x25519: hex(&new.reporter.x25519_public()),
            ed25519: hex(new.reporter.signing_key().verifying_key().as_bytes()),
        },
        reason: RekeyReason::OneTimeReceipt,
        previous_x25519_secret: Some(hex(previous.as_ref())),
    });
    let today = Day::today();
    for _ in 0..TRIES {
        let case = intake
            .store()
            .case(case_id)?
            .ok_or(IntakeError::UnknownCase)?;
        let prev = next_prev_digest(&case);
        let draft = ItemDraft {
            case_id,
            seq: case.item_count,
            prev_digest: &prev,
            day: &today,
            role: Role::Reporter,
            body: &body,
        };
        let item = seal_item(draft, old.reporter.signing_key(), &recipients, MESSAGE_MIN)?;
        match intake.store().replace_lookup(
            case_id,
            &old.lookup,
            &new.lookup,
            case.item_count,
            item,
        ) {
            Ok(_) => return Ok(Rekeyed { receipt, keys: new }),
            // An investigator appended meanwhile: seal again at the next position.
            Err(StoreError::Conflict)
                if intake.store().case(case_id)?.map(|c| c.item_count) != Some(case.item_count) =>
            {
                continue
            }
            Err(StoreError::Conflict) => return Err(IntakeError::Conflict),
            Err(e) => return Err(e.into()),
        }
    }
    Err(IntakeError::Busy)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::crypto::keys::InvestigatorIdentity;
    use crate::crypto::receipt::Receipt;
    use crate::intake::mailbox::reporter_thread;
    use crate::intake::report::{validate, Party, ReportInput};
    use crate::intake::submit::Channel;
    use crate::intake::verify::{current_reporter_x25519, verify_case, ItemProblem};
    use crate::protocol::item::{FollowupBody, MessageBody};
    use crate::protocol::ItemKind;
    use crate::store::{BlobStore, SledStore};
    use rand::SeedableRng;

    pub(crate) fn report() -> crate::intake::report::ValidReport {
        validate(&ReportInput {
            reporter_kind: "public".into(),
            category: "PUNGLI".into(),
            chronology: "Petugas meminta uang tambahan untuk izin.".into(),
            parties: vec![Party {
                name: "Budi".into(),
                position: "Staf".into(),
                unit: "Perizinan".into(),
            }],
            incident_when: "Maret".into(),
            incident_place: "Loket".into(),
            reporter_name: "Melati".into(),
            good_faith: Some(true),
            ..ReportInput::default()
        })
        .expect("valid")
    }

    /// Replaces the case's receipt as a first web login with a one-time receipt does: the new keys.
    pub(crate) fn rekey(intake: &Intake, case_id: &CaseId, old: &ReceiptKeys) -> ReceiptKeys {
        rekey_blocking(intake, case_id, old).expect("rekey").keys
    }

    /// Seals an item at the case's next position and appends it.
    fn append(
        intake: &Intake,
        case_id: &CaseId,
        kind: ItemKind,
        role: Role,
        signer: &ed25519_dalek::SigningKey,
        to: &[age::x25519::Recipient],
        text: &str,
    ) {
        let case = intake.store().case(case_id).expect("read").expect("case");
        let prev = next_prev_digest(&case);
        let today = Day::today();
        let body = match kind {
            ItemKind::Reply => ItemBody::Reply(MessageBody { text: text.into() }),
            _ => ItemBody::Followup(FollowupBody {
                text: text.into(),
                attachments: vec![],
            }),
        };
        let draft = ItemDraft {
            case_id,
            seq: case.item_count,
            prev_digest: &prev,
            day: &today,
            role,
            body: &body,
        };
        let ct = seal_item(draft, signer, to, MESSAGE_MIN).expect("seal");
        intake
            .append_uploaded(case_id, case.item_count, Some(ct), None)
            .expect("append");
    }

    #[test]
    fn a_replaced_receipt_moves_the_reporter_identity_and_keeps_earlier_replies_readable() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = SledStore::open(&dir.path().join("s"), 1 << 20).expect("store");
        let blobs = BlobStore::open(&dir.path().join("b")).expect("blobs");
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let investigator = InvestigatorIdentity::generate(&mut rng);
        let public = investigator.public("a");
        let intake = Intake::new(Arc::new(store), blobs, vec![public.clone()], [4; 32], 1);
        let done = intake
            .submit_blocking(report(), Vec::new(), Channel::Web, &Day::today(), &mut rng)
            .expect("submit");
        let case_id = done.case_id;
        let old = done.receipt.derive(&[4; 32]).expect("derive");
        let inv = vec![public.recipient.clone()];
        let mut to_old = inv.clone();
        to_old.push(old.reporter.recipient().expect("recipient"));
        append(
            &intake,
            &case_id,
            ItemKind::Reply,
            Role::Investigator,
            investigator.signing_key(),
            &to_old,
            "Pertanyaan tim",
        );

        let new = rekey_blocking(&intake, &case_id, &old).expect("rekey");
        let mut to_new = inv.clone();
        to_new.push(new.keys.reporter.recipient().expect("recipient"));
        append(
            &intake,
            &case_id,
            ItemKind::Followup,
            Role::Reporter,
            new.keys.reporter.signing_key(),
            &to_new,
            "Jawaban",
        );
        // After the rekey, the old key no longer speaks for the reporter.
        append(
            &intake,
            &case_id,
            ItemKind::Followup,
            Role::Reporter,
            old.reporter.signing_key(),
            &to_new,
            "Palsu",
        );

        let items = intake.store().items(&case_id).expect("items");
        let ids = [investigator.age_identity() as &dyn age::Identity];
        let checked = verify_case(&case_id, &items, &ids, std::slice::from_ref(&public));
        let outcomes: Vec<_> = checked
            .iter()
            .map(|c| c.outcome.as_ref().err().copied())
            .collect();
        assert_eq!(
            outcomes,
            vec![
                None,
                None,
                None,
                None,
                None,
                None,
                Some(ItemProblem::UnknownSigner)
            ]
        );
        assert_eq!(
            current_reporter_x25519(&checked),
            Some(hex(&new.keys.reporter.x25519_public()))
        );

        let case = intake.store().case(&case_id).expect("read").expect("case");
        let (messages, rejected) = reporter_thread(&case, &items, &new.keys, &[public]);
        let bodies: Vec<&str> = messages.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(
            bodies,
            ["Pertanyaan tim", "Jawaban"],
            "the earlier reply stays readable"
        );
        assert_eq!(rejected, 1);

        assert_eq!(
            intake.store().case_for_lookup(&old.lookup).expect("old"),
            None
        );
        assert_eq!(
            intake
                .store()
                .case_for_lookup(&new.keys.lookup)
                .expect("new"),
            Some(case_id.clone())
        );
        let again = Receipt::parse(&new.receipt.grouped()).expect("parse");
        assert_eq!(again.expose(), new.receipt.expose());
    }
}
