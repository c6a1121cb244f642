//! Answers sealed one at a time, as they arrive (the WhatsApp channel, docs/design.md §9, docs/format.md).
//!
//! A chat intake cannot wait for the whole report before encrypting: each answer is sealed to the
//! investigators the moment it arrives, as a *fragment* (`age(pad(fragment JSON))`), and the server keeps
//! only those ciphertexts. When the reporter confirms, the case's first three items carry the fragments
//! inline (`"answers": {"dialogue", "sealed": [base64…]}`), under the reporter's signature like any other
//! body. Readers (`intake::verify`) open the fragments with the same identity and present the body in
//! the ordinary form, so every tool shows a chat report like a web report.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::report::{category, clean};
use super::Lang;
use crate::crypto::seal;
use crate::protocol::item::{Answers, ItemBody, OpenedAnswers, ReportBody};
use crate::protocol::report::{ManifestEntry, Party, ReportContent, ReporterKind};
use crate::protocol::{Day, ItemKind};

/// Version of the fragment format.
pub(crate) const FRAGMENT_VERSION: u32 = 1;
/// Padding minimum of a fragment: short answers (a category, a name) look alike.
pub(crate) const FRAGMENT_MIN: usize = 256;

/// What an answer answers. Stable strings: they are inside stored ciphertext.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Field {
    Category,
    ReporterKind,
    /// One part of the chronology (a reporter may write it in several messages).
    Chronology,
    Party,
    When,
    Place,
    Name,
    /// Text describing the evidence, including captions of photos and documents.
    Evidence,
    /// The manifest entry of a photo or document.
    Attachment,
    /// A message that arrived after later ones had been processed: kept, not taken as an answer.
    LateNote,
}

impl Field {
    /// Which item of the case carries answers of this field.
    fn item(self) -> ItemKind {
        match self {
            Field::Name => ItemKind::Identity,
            Field::Attachment => ItemKind::Manifest,
            _ => ItemKind::Report,
        }
    }
}

/// One answer, as sealed. Lives in plaintext only in memory.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Fragment {
    pub v: u32,
    /// The random id of the dialogue: binds the fragments of one report together.
    pub dialogue: String,
    pub field: Field,
    /// The day it arrived (UTC).
    pub day: Day,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<Party>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<ManifestEntry>,
}

impl fmt::Debug for Fragment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fragment({:?})", self.field)
    }
}

impl Fragment {
    pub fn new(dialogue: &str, field: Field, day: &Day) -> Self {
        Fragment {
            v: FRAGMENT_VERSION,
            dialogue: dialogue.to_owned(),
            field,
            day: day.clone(),
            text: String::new(),
            party: None,
            attachment: None,
        }
    }
}

/// Seals a fragment to the investigators.
pub(crate) fn seal_fragment(
    fragment: &Fragment,
    recipients: &[age::x25519::Recipient],
) -> Result<Vec<u8>, seal::SealError> {
    let json = Zeroizing::new(
        serde_json::to_vec(fragment)
            .map_err(|_| seal::SealError::Io(std::io::Error::other("fragment encoding")))?,
    );
    seal::seal(&json, FRAGMENT_MIN, recipients)
}

pub(crate) use crate::protocol::item::SealedAnswers;

/// Why sealed answers could not be presented. One coarse kind: the item is not shown as genuine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AnswersError;

/// Opens the sealed answers of a `report`, `identity` or `manifest` body and fills in the ordinary
/// fields of docs/format.md (`report`, `name`, `attachments`); `answers` then says only how many there
/// were. Bodies without sealed answers are left as they are.
pub(crate) fn expand(
    body: &mut ItemBody,
    identities: &[&dyn age::Identity],
) -> Result<(), AnswersError> {
    expand_with(body, identities, &Reopened::new())
}

/// Fragments a teammate opened for this identity (`reshare`, docs/design.md §10): hex SHA-256 of the
/// sealed fragment → its plaintext.
pub(crate) type Reopened = std::collections::HashMap<String, Vec<u8>>;

/// The key a re-sealed answer is found by: the digest of the sealed fragment the signature covers.
pub(crate) fn fragment_key(sealed: &[u8]) -> String {
    crate::crypto::hex(&crate::crypto::sha256(sealed))
}

/// Each sealed fragment of `answers`, opened with `identities` or else read from `reopened`:
/// `(digest of the sealed fragment, plaintext)`. `None` when one opens neither way.
pub(crate) fn plaintexts(
    answers: &SealedAnswers,
    identities: &[&dyn age::Identity],
    reopened: &Reopened,
) -> Option<Vec<(String, Zeroizing<Vec<u8>>)>> {
    answers
        .sealed
        .iter()
        .map(|b64| {
            let ct = data_encoding::BASE64.decode(b64.as_bytes()).ok()?;
            let key = fragment_key(&ct);
            let plain = match seal::open(&ct, identities) {
                Ok(p) => p,
                // Only a fragment sealed to others is read from a teammate's copy, never a damaged one.
                Err(seal::OpenError::NoIdentity) => Zeroizing::new(reopened.get(&key)?.clone()),
                Err(_) => return None,
            };
            Some((key, plain))
        })
        .collect()
}

/// [`expand`], reading the fragments this identity cannot open from a teammate's re-seal.
pub(crate) fn expand_with(
    body: &mut ItemBody,
    identities: &[&dyn age::Identity],
    reopened: &Reopened,
) -> Result<(), AnswersError> {
    let (kind, answers) = match body {
        ItemBody::Report(b) => (ItemKind::Report, &mut b.answers),
        ItemBody::Identity(b) => (ItemKind::Identity, &mut b.answers),
        ItemBody::Manifest(b) => (ItemKind::Manifest, &mut b.answers),
        _ => return Ok(()),
    };
    let sealed = match answers.take() {
        None => return Ok(()),
        Some(Answers::Sealed(s)) => s,
        // Only a reader writes the opened form: a signed body never carries it.
        Some(Answers::Opened(_)) => return Err(AnswersError),
    };
    let fragments = open_fragments(kind, &sealed, identities, reopened)?;
    *answers = Some(Answers::Opened(OpenedAnswers {
        dialogue: sealed.dialogue,
        count: fragments.len(),
    }));
    match body {
        ItemBody::Report(b) => {
            let report = assemble_report(&fragments, b)?;
            b.report = Some(report);
        }
        ItemBody::Identity(b) => {
            b.name = fragments.last().map(|f| f.text.clone()).unwrap_or_default();
        }
        ItemBody::Manifest(b) => {
            let entries: Vec<ManifestEntry> = fragments
                .iter()
                .filter_map(|f| f.attachment.clone())
                .collect();
            if entries.len() != fragments.len() {
                return Err(AnswersError);
            }
            b.attachments = entries;
        }
        _ => return Err(AnswersError),
    }
    Ok(())
}

/// Opens each fragment and checks that it belongs to this dialogue and this item.
fn open_fragments(
    kind: ItemKind,
    answers: &SealedAnswers,
    identities: &[&dyn age::Identity],
    reopened: &Reopened,
) -> Result<Vec<Fragment>, AnswersError> {
    let mut fragments = Vec::with_capacity(answers.sealed.len());
    for (_, plain) in plaintexts(answers, identities, reopened).ok_or(AnswersError)? {
        let f: Fragment = serde_json::from_slice(&plain).map_err(|_| AnswersError)?;
        if f.v != FRAGMENT_VERSION || f.dialogue != answers.dialogue || f.field.item() != kind {
            return Err(AnswersError);
        }
        fragments.push(f);
    }
    Ok(fragments)
}

fn last_text(fragments: &[Fragment], field: Field) -> Option<&str> {
    fragments
        .iter()
        .rev()
        .find(|f| f.field == field)
        .map(|f| f.text.as_str())
}

/// The report the fragments make, in the shape of the web form's.
fn assemble_report(
    fragments: &[Fragment],
    body: &ReportBody,
) -> Result<ReportContent, AnswersError> {
    let cat = last_text(fragments, Field::Category)
        .and_then(category)
        .ok_or(AnswersError)?;
    let kind = last_text(fragments, Field::ReporterKind)
        .and_then(ReporterKind::from_code)
        .ok_or(AnswersError)?;
    let join = |field: Field, sep: &str| {
        fragments
            .iter()
            .filter(|f| f.field == field)
            .map(|f| clean(&f.text))
            .collect::<Vec<_>>()
            .join(sep)
    };
    let mut chronology = join(Field::Chronology, "\n\n");
    for late in fragments.iter().filter(|f| f.field == Field::LateNote) {
        chronology.push_str(&format!(
            "\n\n[{} / {}, {}]\n{}",
            Lang::Id.text("wa-late-note-marker"),
            Lang::En.text("wa-late-note-marker"),
            late.day,
            clean(&late.text)
        ));
    }
    let criteria = body.criteria.ok_or(AnswersError)?;
    Ok(ReportContent {
        reporter_kind: kind,
        category: cat.code.to_owned(),
        chronology,
        parties: fragments.iter().filter_map(|f| f.party.clone()).collect(),
        incident_when: last_text(fragments, Field::When)
            .map(clean)
            .unwrap_or_default(),
        incident_place: last_text(fragments, Field::Place)
            .map(clean)
            .unwrap_or_default(),
        evidence: join(Field::Evidence, "\n"),
        good_faith: body.good_faith,
        criteria,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::InvestigatorIdentity;
    use rand::SeedableRng;

    fn day(s: &str) -> Day {
        Day::parse(s).expect("day")
    }

    fn b64(ct: &[u8]) -> String {
        data_encoding::BASE64.encode(ct)
    }

    fn text(field: Field, t: &str) -> Fragment {
        let mut f = Fragment::new("d1", field, &day("2026-11-29"));
        f.text = t.into();
        f
    }

    #[test]
    fn a_report_of_sealed_answers_opens_in_the_ordinary_form() {
        let id = InvestigatorIdentity::generate(&mut rand::rngs::StdRng::seed_from_u64(1));
        let r = [id.recipient()];
        let mut party = Fragment::new("d1", Field::Party, &day("2026-11-29"));
        party.party = Some(Party {
            name: "Budi".into(),
            position: "Staf".into(),
            unit: "Perizinan".into(),
        });
        let sealed: Vec<String> = [
            text(Field::Category, "PUNGLI"),
            text(Field::ReporterKind, "public"),
            text(Field::Chronology, "Bagian satu."),
            text(Field::Chronology, "Bagian dua."),
            party,
            text(Field::When, "Maret"),
            text(Field::Place, "Loket 2"),
        ]
        .iter()
        .map(|f| b64(&seal_fragment(f, &r).expect("seal")))
        .collect();
        let mut report = ReportBody::new(crate::protocol::Channel::WhatsApp, 0);
        report.answers = Some(Answers::Sealed(SealedAnswers {
            dialogue: "d1".into(),
            sealed,
        }));
        report.criteria = Some(crate::protocol::report::Criteria {
            identity: true,
            chronology: true,
            parties: true,
            time_and_place: true,
        });
        report.good_faith = Some(true);
        let mut body = ItemBody::Report(Box::new(report));
        let ids = [id.age_identity() as &dyn age::Identity];
        expand(&mut body, &ids).expect("expands");
        let ItemBody::Report(body) = body else {
            panic!("still a report")
        };
        let report = body.report.expect("report");
        assert_eq!(report.category, "PUNGLI");
        assert_eq!(report.chronology, "Bagian satu.\n\nBagian dua.");
        assert_eq!(report.parties[0].unit, "Perizinan");
        assert!(matches!(
            body.answers,
            Some(Answers::Opened(OpenedAnswers { count: 7, .. }))
        ));

        // A fragment of another dialogue, or in the wrong item, is refused.
        let sealed_one = |f: &Fragment| SealedAnswers {
            dialogue: "d1".into(),
            sealed: vec![b64(&seal_fragment(f, &r).expect("seal"))],
        };
        let other = Fragment::new("d2", Field::Name, &day("2026-11-29"));
        let mut body = ItemBody::Identity(crate::protocol::item::IdentityBody {
            answers: Some(Answers::Sealed(sealed_one(&other))),
            ..Default::default()
        });
        assert!(expand(&mut body, &ids).is_err());
        let name = text(Field::Name, "Melati");
        let mut body = ItemBody::Manifest(crate::protocol::item::ManifestBody {
            attachments: vec![],
            answers: Some(Answers::Sealed(sealed_one(&name))),
        });
        assert!(expand(&mut body, &ids).is_err());
    }

    /// A chat report's answers sealed to `r`.
    fn chat_report(r: &[age::x25519::Recipient]) -> ItemBody {
        let sealed: Vec<String> = [
            text(Field::Category, "PUNGLI"),
            text(Field::ReporterKind, "public"),
            text(Field::Chronology, "Pungutan di loket 2."),
            text(Field::When, "Maret"),
            text(Field::Place, "Loket 2"),
        ]
        .iter()
        .map(|f| b64(&seal_fragment(f, r).expect("seal")))
        .collect();
        let mut report = ReportBody::new(crate::protocol::Channel::WhatsApp, 0);
        report.answers = Some(Answers::Sealed(SealedAnswers {
            dialogue: "d1".into(),
            sealed,
        }));
        report.good_faith = Some(true);
        report.criteria = Some(crate::protocol::report::Criteria {
            identity: false,
            chronology: true,
            parties: false,
            time_and_place: true,
        });
        ItemBody::Report(Box::new(report))
    }

    fn sealed_of(body: &ItemBody) -> SealedAnswers {
        match body {
            ItemBody::Report(b) => match &b.answers {
                Some(Answers::Sealed(s)) => s.clone(),
                _ => panic!("sealed answers"),
            },
            _ => panic!("a report"),
        }
    }

    #[test]
    fn answers_sealed_to_others_open_only_from_a_copy_bound_to_them() {
        let old = InvestigatorIdentity::generate(&mut rand::rngs::StdRng::seed_from_u64(2));
        let new = InvestigatorIdentity::generate(&mut rand::rngs::StdRng::seed_from_u64(3));
        let body = chat_report(&[old.recipient()]);
        let old_ids = [old.age_identity() as &dyn age::Identity];
        let new_ids = [new.age_identity() as &dyn age::Identity];

        // The new investigator alone cannot read the answers.
        assert!(expand(&mut body.clone(), &new_ids).is_err());

        // A teammate opens them; the copy, keyed by each sealed fragment's digest, opens them for the
        // new investigator into the same report the old team reads.
        let opened = plaintexts(&sealed_of(&body), &old_ids, &Reopened::new()).expect("opens");
        let reopened: Reopened = opened
            .iter()
            .map(|(k, p)| (k.clone(), p.to_vec()))
            .collect();
        let (mut theirs, mut ours) = (body.clone(), body.clone());
        expand(&mut theirs, &old_ids).expect("old team");
        expand_with(&mut ours, &new_ids, &reopened).expect("from the copy");
        let (ItemBody::Report(a), ItemBody::Report(b)) = (theirs, ours) else {
            panic!("reports")
        };
        assert_eq!(
            b.report.as_ref().expect("report").chronology,
            "Pungutan di loket 2."
        );
        assert!(a.report == b.report);

        // A copy that stands for another fragment (here: another dialogue's) is refused, as it would be
        // if sealed.
        let mut wrong = reopened.clone();
        let first = fragment_key(
            &data_encoding::BASE64
                .decode(sealed_of(&body).sealed[0].as_bytes())
                .expect("b64"),
        );
        let other = Fragment::new("d2", Field::Category, &day("2026-11-29"));
        wrong.insert(first, serde_json::to_vec(&other).expect("json"));
        assert!(expand_with(&mut body.clone(), &new_ids, &wrong).is_err());

        // A fragment the identity can open is never read from a copy.
        let mut misleading = reopened;
        for v in misleading.values_mut() {
            *v = serde_json::to_vec(&text(Field::Chronology, "lain")).expect("json");
        }
        let mut read = body.clone();
        expand_with(&mut read, &old_ids, &misleading).expect("own key");
        let ItemBody::Report(read) = read else {
            panic!("report")
        };
        assert_eq!(
            read.report.expect("report").chronology,
            "Pungutan di loket 2."
        );
    }
}
