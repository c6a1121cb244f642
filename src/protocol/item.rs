//! The items of a case and their bodies (docs/design.md §5, §12; byte layout in docs/format.md).
//!
//! Every item is a signed envelope `{v, kind, case_id, seq, prev_digest, day, author, body}`
//! (`crypto::envelope`); this file says what `body` holds for each `kind`. Writers build an
//! [`ItemBody`], so a body can only be written in the shape readers expect; readers turn the signed JSON
//! back into an [`ItemBody`] with [`ItemBody::parse`], which refuses unknown fields and values. The kind
//! names and field names are stable: they are inside stored ciphertext.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::lang::Lang;
use super::report::{Criteria, ManifestEntry, ReportContent};
use super::status::{Channel, Status};

/// What an item is. Stable strings: they are inside stored ciphertext.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// Item 0: the report, signed by the reporter key it names.
    Report,
    /// Item 1: the reporter's identity block, always present, always the same padded size.
    Identity,
    /// Item 2: the list of attachments.
    Manifest,
    /// The reporter adds information.
    Followup,
    /// An investigator writes to the reporter.
    Reply,
    /// Investigators only.
    InternalNote,
    /// A status change with a note to the reporter.
    StatusNote,
    /// An investigator opened the reporter's identity (with the reason).
    RevealRecord,
    /// A one-time receipt was replaced: signed by the old reporter key, names the new one.
    Rekey,
    /// An investigator corrected the category.
    Recategorise,
    /// Earlier items re-sealed for a changed team (`wbs reshare` and the desk write these).
    Reshare,
}

impl ItemKind {
    pub const ALL: [ItemKind; 11] = [
        ItemKind::Report,
        ItemKind::Identity,
        ItemKind::Manifest,
        ItemKind::Followup,
        ItemKind::Reply,
        ItemKind::InternalNote,
        ItemKind::StatusNote,
        ItemKind::RevealRecord,
        ItemKind::Rekey,
        ItemKind::Recategorise,
        ItemKind::Reshare,
    ];
}

/// Who signed an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Reporter,
    Investigator,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    pub role: Role,
    /// Hex of the Ed25519 verifying key.
    pub key: String,
}

/// The reporter's public keys, as named by the signed report (and by each `rekey`). Hex.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReporterKeys {
    /// The age (X25519) key replies are sealed to.
    pub x25519: String,
    /// The Ed25519 key the reporter's items are signed with.
    pub ed25519: String,
}

/// Answers a chat sealed one at a time (`intake::answers`): base64 age files, opened by readers.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedAnswers {
    /// The random id of the dialogue: binds the fragments of one report together.
    pub dialogue: String,
    /// Base64 (standard, padded) of each fragment's age file, in the order the answers arrived.
    pub sealed: Vec<String>,
}

/// What a reader keeps of sealed answers once it opened them into the ordinary fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenedAnswers {
    pub dialogue: String,
    pub count: usize,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answers {
    Sealed(SealedAnswers),
    Opened(OpenedAnswers),
}

/// `report` (item 0). A web or API report carries `report`; a chat report carries sealed `answers`
/// (plus the criteria, declaration and language the chat settled) until a reader opens them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    pub channel: Channel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportContent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<Answers>,
    /// How many attachments the manifest lists.
    pub attachments: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<Criteria>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub good_faith: Option<bool>,
    /// The chat's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Lang>,
    /// Filled in when the opening items are sealed (`intake::submit`).
    pub reporter_keys: ReporterKeys,
    /// Which investigator recipient set the case was sealed to (`crypto::keys::recipients_fingerprint`).
    pub recipients_digest: String,
}

impl ReportBody {
    /// A body whose keys and recipient digest the sealing step fills in.
    pub fn new(channel: Channel, attachments: u64) -> Self {
        ReportBody {
            channel,
            report: None,
            answers: None,
            attachments,
            criteria: None,
            good_faith: None,
            language: None,
            reporter_keys: ReporterKeys::default(),
            recipients_digest: String::new(),
        }
    }
}

/// `identity` (item 1): who the reporter is, or that they chose not to say.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityBody {
    pub anonymous: bool,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<Answers>,
}

impl IdentityBody {
    pub fn anonymous() -> Self {
        IdentityBody {
            anonymous: true,
            ..IdentityBody::default()
        }
    }
}

/// `manifest` (item 2): the attachments sent with the report.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestBody {
    #[serde(default)]
    pub attachments: Vec<ManifestEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<Answers>,
}

/// `followup`: the reporter adds text and files.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowupBody {
    pub text: String,
    #[serde(default)]
    pub attachments: Vec<ManifestEntry>,
}

/// `reply` and `internal-note`: text.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    pub text: String,
}

/// `status-note`: a status change, signed by the investigator who made it. Every status change is one
/// of these (docs/design.md §8). `text` is the note to the reporter and may be empty (no message);
/// `reason` is for investigators (required to close a case) and absent when empty, so items written
/// before it existed read the same.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusNoteBody {
    pub status: Status,
    pub text: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// Why a reporter key was replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RekeyReason {
    /// The receipt sent in a chat works once: the first web login replaces it.
    OneTimeReceipt,
}

/// `rekey`: names the new reporter keys; signed by the old one.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RekeyBody {
    pub reporter_keys: ReporterKeys,
    pub reason: RekeyReason,
    /// Hex of the previous reporter X25519 secret, handed on so replies sealed before stay readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_x25519_secret: Option<String>,
}

/// `reveal-record`: an investigator opened the reporter's identity.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevealBody {
    pub reason: String,
}

/// `recategorise`: the team corrects the category the reporter chose.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecategoriseBody {
    /// The new stable category code.
    pub category: String,
    pub reason: String,
}

/// `reshare`: earlier items, as signed by their authors, re-sealed to a changed team.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReshareBody {
    /// The recipient set the items are now sealed to.
    pub recipients_digest: String,
    pub items: Vec<ResharedItem>,
    /// Attachment files re-sealed to the same team: each a new blob, never a replaced one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<ResealedBlob>,
}

/// A copy of an attachment's file sealed to a changed team. `of` binds it to the signed manifest entry
/// (the original ciphertext's digest); the plaintext is checked against that entry as the original's is.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResealedBlob {
    /// Hex SHA-256 of the original file's ciphertext, as the manifest or follow-up names it.
    pub of: String,
    /// The new blob's id (the server's case listing names it).
    pub blob: String,
    pub ciphertext_sha256: String,
    pub ciphertext_len: u64,
}

/// A chat answer (a sealed fragment of a report, identity block or manifest) as a teammate opened it.
/// `of` binds it to the fragment the reporter's signature covers; its content is the teammate's word
/// (docs/design.md §10).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResealedAnswer {
    /// Hex SHA-256 of the sealed fragment (its age file, decoded from base64).
    pub of: String,
    /// Base64 of the fragment's plaintext (inside this `reshare`, itself sealed to the team).
    pub fragment: String,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResharedItem {
    pub seq: u32,
    /// Hex chain digest (SHA-256) of the stored ciphertext this envelope was opened from: binds the
    /// carried copy to the item at `seq`, not only to the one before it.
    pub ciphertext_sha256: String,
    /// Base64 of the original signed envelope (its author's signature still checks).
    pub signed: String,
    /// The chat answers sealed inside the carried envelope, opened for the changed team.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<ResealedAnswer>,
}

/// The body of an item, by kind.
#[derive(Clone, PartialEq, Eq)]
pub enum ItemBody {
    Report(Box<ReportBody>),
    Identity(IdentityBody),
    Manifest(ManifestBody),
    Followup(FollowupBody),
    Reply(MessageBody),
    InternalNote(MessageBody),
    StatusNote(StatusNoteBody),
    RevealRecord(RevealBody),
    Rekey(RekeyBody),
    Recategorise(RecategoriseBody),
    Reshare(ReshareBody),
}

/// A body that is not what its kind says it is. One coarse kind: the item is not shown as genuine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the body does not match its kind")]
pub struct BadBody;

fn typed<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, BadBody> {
    T::deserialize(value).map_err(|_| BadBody)
}

impl ItemBody {
    pub fn kind(&self) -> ItemKind {
        match self {
            ItemBody::Report(_) => ItemKind::Report,
            ItemBody::Identity(_) => ItemKind::Identity,
            ItemBody::Manifest(_) => ItemKind::Manifest,
            ItemBody::Followup(_) => ItemKind::Followup,
            ItemBody::Reply(_) => ItemKind::Reply,
            ItemBody::InternalNote(_) => ItemKind::InternalNote,
            ItemBody::StatusNote(_) => ItemKind::StatusNote,
            ItemBody::RevealRecord(_) => ItemKind::RevealRecord,
            ItemBody::Rekey(_) => ItemKind::Rekey,
            ItemBody::Recategorise(_) => ItemKind::Recategorise,
            ItemBody::Reshare(_) => ItemKind::Reshare,
        }
    }

    /// Reads a signed body as its kind. Unknown fields, missing fields and unknown values fail.
    pub fn parse(kind: ItemKind, value: &serde_json::Value) -> Result<Self, BadBody> {
        Ok(match kind {
            ItemKind::Report => ItemBody::Report(Box::new(typed(value)?)),
            ItemKind::Identity => ItemBody::Identity(typed(value)?),
            ItemKind::Manifest => ItemBody::Manifest(typed(value)?),
            ItemKind::Followup => ItemBody::Followup(typed(value)?),
            ItemKind::Reply => ItemBody::Reply(typed(value)?),
            ItemKind::InternalNote => ItemBody::InternalNote(typed(value)?),
            ItemKind::StatusNote => ItemBody::StatusNote(typed(value)?),
            ItemKind::RevealRecord => ItemBody::RevealRecord(typed(value)?),
            ItemKind::Rekey => ItemBody::Rekey(typed(value)?),
            ItemKind::Recategorise => ItemBody::Recategorise(typed(value)?),
            ItemKind::Reshare => ItemBody::Reshare(typed(value)?),
        })
    }

    /// The JSON that is signed.
    pub fn to_value(&self) -> Result<serde_json::Value, BadBody> {
        let v = match self {
            ItemBody::Report(b) => serde_json::to_value(b),
            ItemBody::Identity(b) => serde_json::to_value(b),
            ItemBody::Manifest(b) => serde_json::to_value(b),
            ItemBody::Followup(b) => serde_json::to_value(b),
            ItemBody::Reply(b) | ItemBody::InternalNote(b) => serde_json::to_value(b),
            ItemBody::StatusNote(b) => serde_json::to_value(b),
            ItemBody::RevealRecord(b) => serde_json::to_value(b),
            ItemBody::Rekey(b) => serde_json::to_value(b),
            ItemBody::Recategorise(b) => serde_json::to_value(b),
            ItemBody::Reshare(b) => serde_json::to_value(b),
        };
        v.map_err(|_| BadBody)
    }

    /// The message text of a follow-up, reply, note or status note.
    pub fn text(&self) -> Option<&str> {
        match self {
            ItemBody::Followup(b) => Some(&b.text),
            ItemBody::Reply(b) | ItemBody::InternalNote(b) => Some(&b.text),
            ItemBody::StatusNote(b) => Some(&b.text),
            _ => None,
        }
    }

    /// The reporter keys a report or a rekey names.
    pub fn reporter_keys(&self) -> Option<&ReporterKeys> {
        match self {
            ItemBody::Report(b) => Some(&b.reporter_keys),
            ItemBody::Rekey(b) => Some(&b.reporter_keys),
            _ => None,
        }
    }
}

/// Bodies hold what reporters and investigators wrote: `Debug` shows only the kind.
impl fmt::Debug for ItemBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ItemBody({:?}, <redacted>)", self.kind())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_body_of_another_kind_or_with_unknown_fields_is_refused() {
        let reply = json!({ "text": "Terima kasih" });
        assert!(ItemBody::parse(ItemKind::Reply, &reply).is_ok());
        assert_eq!(ItemBody::parse(ItemKind::Report, &reply), Err(BadBody));
        let extra = json!({ "text": "x", "status": "selesai" });
        assert_eq!(ItemBody::parse(ItemKind::Reply, &extra), Err(BadBody));
        let bad_status = json!({ "text": "x", "status": "dibuka" });
        assert_eq!(
            ItemBody::parse(ItemKind::StatusNote, &bad_status),
            Err(BadBody)
        );
    }

    #[test]
    fn every_kind_round_trips() {
        let bodies = [
            ItemBody::Report(Box::new(ReportBody::new(Channel::Web, 0))),
            ItemBody::Identity(IdentityBody::anonymous()),
            ItemBody::Manifest(ManifestBody::default()),
            ItemBody::Followup(FollowupBody {
                text: "t".into(),
                attachments: vec![],
            }),
            ItemBody::Reply(MessageBody { text: "t".into() }),
            ItemBody::InternalNote(MessageBody { text: "t".into() }),
            ItemBody::StatusNote(StatusNoteBody {
                status: Status::Selesai,
                text: "t".into(),
                reason: String::new(),
            }),
            ItemBody::StatusNote(StatusNoteBody {
                status: Status::Selesai,
                text: String::new(),
                reason: "r".into(),
            }),
            ItemBody::RevealRecord(RevealBody { reason: "r".into() }),
            ItemBody::Rekey(RekeyBody {
                reporter_keys: ReporterKeys::default(),
                reason: RekeyReason::OneTimeReceipt,
                previous_x25519_secret: None,
            }),
            ItemBody::Recategorise(RecategoriseBody {
                category: "SUAP".into(),
                reason: "r".into(),
            }),
            ItemBody::Reshare(ReshareBody {
                recipients_digest: "d".into(),
                items: vec![ResharedItem {
                    seq: 0,
                    ciphertext_sha256: "c".into(),
                    signed: "s".into(),
                    answers: vec![ResealedAnswer {
                        of: "a".into(),
                        fragment: "f".into(),
                    }],
                }],
                attachments: vec![ResealedBlob {
                    of: "o".into(),
                    blob: "b".into(),
                    ciphertext_sha256: "c".into(),
                    ciphertext_len: 1,
                }],
            }),
        ];
        assert_eq!(bodies.len(), ItemKind::ALL.len() + 1);
        for b in bodies {
            let v = b.to_value().expect("serialises");
            assert_eq!(ItemBody::parse(b.kind(), &v), Ok(b));
        }
    }
}
