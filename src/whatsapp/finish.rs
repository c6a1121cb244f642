//! A confirmed dialogue becomes a case: signed, chained, sealed and flushed like a web report, in one
//! atomic step with the deletion of the dialogue record. The server needs no plaintext for this: the
//! first three items carry the answers as they were sealed on arrival (docs/format.md), the identity
//! block adds the WhatsApp number only when the reporter agreed to be contacted there, and the
//! receipt is marked one-time (it travelled through Meta).

use rand::rngs::OsRng;

use super::payload::Address;
use super::state::DialogueV1;
use super::WhatsApp;
use crate::intake::answers::{Field, SealedAnswers};
use crate::intake::submit::{Channel, IntakeError, Opening, Submitted};
use crate::protocol::item::{Answers, IdentityBody, ManifestBody, ReportBody};
use crate::protocol::report::Criteria;
use crate::protocol::Day;
use crate::store::DialogueWrite;

fn sealed(d: &DialogueV1, keep: impl Fn(Field) -> bool) -> Option<Answers> {
    Some(Answers::Sealed(SealedAnswers {
        dialogue: d.id.clone(),
        sealed: d
            .answers
            .iter()
            .filter(|a| keep(a.field))
            .map(|a| a.sealed.clone())
            .collect(),
    }))
}

/// Makes the case. `write` deletes the dialogue (and remembers the confirming message) atomically with
/// it. Blocking: Argon2, sealing and fsync.
pub(super) fn create_case(
    wa: &WhatsApp,
    d: &DialogueV1,
    sender: &Address,
    today: &Day,
    write: &DialogueWrite<'_>,
) -> Result<Submitted, IntakeError> {
    let intake = &wa.intake;
    // The Argon2 queue is shared with every other receipt derivation (docs/design.md §5).
    let _permit = tokio::runtime::Handle::current().block_on(intake.kdf_permit())?;
    let new = intake.new_case(&mut OsRng)?;
    let anonymous = d.anonymous == Some(true);
    let attachments = d.count(Field::Attachment);
    let mut report = ReportBody::new(Channel::WhatsApp, attachments as u64);
    report.answers = sealed(d, |f| !matches!(f, Field::Name | Field::Attachment));
    report.criteria = Some(Criteria {
        identity: !anonymous,
        chronology: true,
        parties: true,
        time_and_place: true,
    });
    // The summary's confirm button carries the good-faith declaration.
    report.good_faith = Some(true);
    report.language = Some(d.lang);
    let identity = if anonymous {
        IdentityBody::anonymous()
    } else {
        let contact = match d.contact {
            Some(true) => match sender {
                Address::Phone(p) => format!("WhatsApp +{}", p.as_str()),
                // A username user hides the number: the office answers through the user id.
                Address::UserId(u) => format!("WhatsApp user id {}", u.as_str()),
            },
            _ => String::new(),
        };
        IdentityBody {
            anonymous: false,
            name: String::new(),
            contact,
            answers: sealed(d, |f| f == Field::Name),
        }
    };
    let manifest = ManifestBody {
        attachments: Vec::new(),
        answers: if attachments == 0 {
            None
        } else {
            sealed(d, |f| f == Field::Attachment)
        },
    };
    let opening = Opening {
        report,
        identity,
        manifest,
    };
    let (items, last, fingerprint) = intake.seal_opening(&new, opening, today)?;
    let refs = d.blobs().cloned().collect();
    let case = intake.case_record(
        &new.case_id,
        Channel::WhatsApp,
        today,
        &items,
        last,
        fingerprint,
        refs,
    );
    intake.create_case_from_dialogue(&case, &items, &new.keys.lookup, write)?;
    Ok(Submitted {
        receipt: new.receipt,
        case_id: new.case_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::InvestigatorIdentity;
    use crate::intake::answers::{seal_fragment, Fragment};
    use crate::intake::submit::Intake;
    use crate::store::{BlobStore, SledStore};
    use rand::SeedableRng;
    use std::sync::Arc;

    #[test]
    fn the_identity_block_holds_a_sealed_name_of_any_allowed_length_for_the_most_investigators() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let investigators: Vec<_> = (0..crate::whatsapp::MAX_INVESTIGATORS)
            .map(|i| InvestigatorIdentity::generate(&mut rng).public(&format!("k{i}")))
            .collect();
        let recipients: Vec<_> = investigators.iter().map(|i| i.recipient.clone()).collect();
        let intake = Intake::new(
            Arc::new(SledStore::open(&dir.path().join("s"), 1 << 20).expect("store")),
            BlobStore::open(&dir.path().join("b")).expect("blobs"),
            investigators,
            [1; 32],
            1,
        );
        let mut name = Fragment::new(&"d".repeat(32), Field::Name, &Day::today());
        name.text = "𝓐".repeat(crate::intake::report::MAX_NAME);
        let sealed =
            data_encoding::BASE64.encode(&seal_fragment(&name, &recipients).expect("seal"));
        let identity = IdentityBody {
            anonymous: false,
            name: String::new(),
            contact: "WhatsApp +628123456789012".into(),
            answers: Some(Answers::Sealed(SealedAnswers {
                dialogue: name.dialogue.clone(),
                sealed: vec![sealed],
            })),
        };
        let new = intake.new_case(&mut rng).expect("new case");
        let opening = Opening {
            report: ReportBody::new(Channel::WhatsApp, 0),
            identity,
            manifest: ManifestBody::default(),
        };
        let sealed = intake.seal_opening(&new, opening, &Day::today());
        assert!(sealed.is_ok(), "the identity block is a fixed 4 KiB");
    }
}
