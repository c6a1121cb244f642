//! Answers sealed one at a time, as they arrive (the WhatsApp channel, DESIGN.md §9, docs/format.md).
//!
//! A chat intake cannot wait for the whole report before encrypting: each answer is sealed to the
//! investigators the moment it arrives, as a *fragment* (`age(pad(fragment JSON))`), and the server keeps
//! only those ciphertexts. When the reporter confirms, the case's first three items carry the fragments
//! inline (`"answers": {"dialogue", "sealed": [base64…]}`), under the reporter's signature like any other
//! body. Readers (`intake::verify`) open the fragments with the same identity and present the body in
//! the ordinary form, so every tool shows a chat report like a web report.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use zeroize::Zeroizing;

use super::attachment::ManifestEntry;
use super::report::{category, clean, Criteria, Party, ReporterKind, ValidReport};
use super::Lang;
use crate::crypto::envelope::ItemKind;
use crate::crypto::seal;

/// Version of the fragment format.
pub const FRAGMENT_VERSION: u32 = 1;
/// Padding minimum of a fragment: short answers (a category, a name) look alike.
pub const FRAGMENT_MIN: usize = 256;
/// The body key that holds sealed answers.
pub const ANSWERS: &str = "answers";

/// What an answer answers. Stable strings: they are inside stored ciphertext.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
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
pub struct Fragment {
    pub v: u32,
    /// The random id of the dialogue: binds the fragments of one report together.
    pub dialogue: String,
    pub field: Field,
    /// The day it arrived (UTC).
    pub day: String,
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
    pub fn new(dialogue: &str, field: Field, day: &str) -> Self {
        Fragment {
            v: FRAGMENT_VERSION,
            dialogue: dialogue.to_owned(),
            field,
            day: day.to_owned(),
            text: String::new(),
            party: None,
            attachment: None,
        }
    }
}

/// Seals a fragment to the investigators.
pub fn seal_fragment(
    fragment: &Fragment,
    recipients: &[age::x25519::Recipient],
) -> Result<Vec<u8>, seal::SealError> {
    let json = Zeroizing::new(
        serde_json::to_vec(fragment)
            .map_err(|_| seal::SealError::Io(std::io::Error::other("fragment encoding")))?,
    );
    seal::seal(&json, FRAGMENT_MIN, recipients)
}

/// The sealed answers an item body carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedAnswers {
    pub dialogue: String,
    /// Base64 (standard, padded) of each fragment's age file, in the order the answers arrived.
    pub sealed: Vec<String>,
}

impl SealedAnswers {
    pub fn to_value(&self) -> Value {
        json!({ "dialogue": self.dialogue, "sealed": self.sealed })
    }
}

/// Why sealed answers could not be presented. One coarse kind: the item is not shown as genuine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswersError;

/// Opens the answers of a `report`, `identity` or `manifest` body and rewrites the body in the ordinary
/// form of docs/format.md. Bodies without `answers` are left as they are.
pub fn expand(
    kind: ItemKind,
    body: &mut Value,
    identities: &[&dyn age::Identity],
) -> Result<(), AnswersError> {
    let Some(raw) = body.get(ANSWERS) else {
        return Ok(());
    };
    if !matches!(
        kind,
        ItemKind::Report | ItemKind::Identity | ItemKind::Manifest
    ) {
        return Err(AnswersError);
    }
    let answers: SealedAnswers = serde_json::from_value(raw.clone()).map_err(|_| AnswersError)?;
    let mut fragments = Vec::with_capacity(answers.sealed.len());
    for b64 in &answers.sealed {
        let ct = data_encoding::BASE64
            .decode(b64.as_bytes())
            .map_err(|_| AnswersError)?;
        let plain = seal::open(&ct, identities).map_err(|_| AnswersError)?;
        let f: Fragment = serde_json::from_slice(&plain).map_err(|_| AnswersError)?;
        if f.v != FRAGMENT_VERSION || f.dialogue != answers.dialogue || f.field.item() != kind {
            return Err(AnswersError);
        }
        fragments.push(f);
    }
    let summary = json!({ "dialogue": answers.dialogue, "count": fragments.len() });
    let Some(obj) = body.as_object_mut() else {
        return Err(AnswersError);
    };
    obj.insert(ANSWERS.to_owned(), summary);
    match kind {
        ItemKind::Report => {
            let report = assemble_report(&fragments, obj)?;
            obj.insert(
                "report".to_owned(),
                serde_json::to_value(report).map_err(|_| AnswersError)?,
            );
        }
        ItemKind::Identity => {
            let name = fragments.last().map(|f| f.text.clone()).unwrap_or_default();
            obj.insert("name".to_owned(), Value::String(name));
            obj.entry("contact")
                .or_insert_with(|| Value::String(String::new()));
        }
        _ => {
            let entries: Vec<&ManifestEntry> = fragments
                .iter()
                .filter_map(|f| f.attachment.as_ref())
                .collect();
            if entries.len() != fragments.len() {
                return Err(AnswersError);
            }
            obj.insert(
                "attachments".to_owned(),
                serde_json::to_value(entries).map_err(|_| AnswersError)?,
            );
        }
    }
    Ok(())
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
    body: &serde_json::Map<String, Value>,
) -> Result<ValidReport, AnswersError> {
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
    let criteria: Criteria = body
        .get("criteria")
        .and_then(|c| serde_json::from_value(c.clone()).ok())
        .ok_or(AnswersError)?;
    Ok(ValidReport {
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
        good_faith: body.get("good_faith").and_then(Value::as_bool),
        criteria,
        identity: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::InvestigatorIdentity;
    use rand::SeedableRng;

    fn b64(ct: &[u8]) -> String {
        data_encoding::BASE64.encode(ct)
    }

    fn text(field: Field, t: &str) -> Fragment {
        let mut f = Fragment::new("d1", field, "2026-11-29");
        f.text = t.into();
        f
    }

    #[test]
    fn a_report_of_sealed_answers_opens_in_the_ordinary_form() {
        let id = InvestigatorIdentity::generate(&mut rand::rngs::StdRng::seed_from_u64(1));
        let r = [id.recipient()];
        let mut party = Fragment::new("d1", Field::Party, "2026-11-29");
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
        let mut body = json!({
            "channel": "whatsapp",
            "answers": {"dialogue": "d1", "sealed": sealed},
            "criteria": {"identity": true, "chronology": true, "parties": true, "time_and_place": true},
            "good_faith": true,
        });
        let ids = [id.age_identity() as &dyn age::Identity];
        expand(ItemKind::Report, &mut body, &ids).expect("expands");
        let report: ValidReport = serde_json::from_value(body["report"].clone()).expect("report");
        assert_eq!(report.category, "PUNGLI");
        assert_eq!(report.chronology, "Bagian satu.\n\nBagian dua.");
        assert_eq!(report.parties[0].unit, "Perizinan");
        assert_eq!(body["answers"]["count"], 7);

        // A fragment of another dialogue, or in the wrong item, is refused.
        let other = Fragment::new("d2", Field::Name, "2026-11-29");
        let mut body = json!({"anonymous": false,
            "answers": {"dialogue": "d1", "sealed": [b64(&seal_fragment(&other, &r).expect("seal"))]}});
        assert!(expand(ItemKind::Identity, &mut body, &ids).is_err());
        let name = text(Field::Name, "Melati");
        let mut body = json!({"answers": {"dialogue": "d1", "sealed": [b64(&seal_fragment(&name, &r).expect("seal"))]}});
        assert!(expand(ItemKind::Manifest, &mut body, &ids).is_err());
    }
}
