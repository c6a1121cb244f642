//! What crosses the network: the investigators' desk API, the reporter's follow-up API, and the
//! export bundle (docs/design.md §12; routes and examples in docs/format.md). The server writes these
//! types and the CLI reads the same ones, so a renamed field is a compile error, not a silent `None`.
//! Plaintext only ever holds what docs/design.md §2 allows without a key.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::case_id::CaseId;
use super::day::Day;
use super::item::Role;
use super::status::{Channel, Status};

/// One status a case had, from which day. The same shape in the store, both APIs and the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusDay {
    pub status: Status,
    pub day: Day,
}

/// Which deadline of docs/design.md §8 comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Acknowledge,
    Feedback,
    Settle,
}

/// A stored attachment: its blob id, padded ciphertext size and the digest of the ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentRef {
    pub id: String,
    pub ciphertext_len: u64,
    pub ciphertext_sha256: String,
}

// ---- Desk API (investigators; its own listener) ----

/// The random id of one WBS installation, made at its first start (32 lowercase hex digits). A desk
/// login signs it, and investigator tools pin it at their first login, so a login signed for one
/// installation is useless at any other that shares its address (docs/design.md §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct InstallationId(String);

impl InstallationId {
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| InstallationId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for InstallationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for InstallationId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        InstallationId::parse(&s).ok_or_else(|| serde::de::Error::custom("not an installation id"))
    }
}

/// `POST /api/v1/desk/challenge`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    pub nonce: String,
    pub expires: u64,
    /// Which installation this is: signed into the login, pinned by the investigator's tools.
    pub installation: InstallationId,
}

/// `POST /api/v1/desk/login`: the challenge, signed with the investigator's signing key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Hex of the Ed25519 verifying key.
    pub key: String,
    pub nonce: String,
    pub expires: u64,
    /// Hex of the signature.
    pub signature: String,
}

/// The bearer token a login gives. Held in memory on both sides.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginToken {
    pub token: String,
    pub expires: u64,
}

impl std::fmt::Debug for LoginToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LoginToken(<secret>, expires {})", self.expires)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskDeadline {
    pub stage: Stage,
    pub due: Day,
    pub overdue: bool,
}

/// A case as `GET /api/v1/desk/cases` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSummary {
    pub case_id: CaseId,
    pub channel: Channel,
    pub created: Day,
    pub status: Status,
    pub status_history: Vec<StatusDay>,
    pub item_count: u32,
    /// Grows with every change: the per-case sync cursor.
    pub revision: u64,
    /// How many attachments the case has.
    pub attachments: usize,
    pub deadline: Option<DeskDeadline>,
}

/// `GET /api/v1/desk/cases` and `POST /api/v1/desk/changes`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseList {
    pub cases: Vec<CaseSummary>,
    /// Cases deleted under the retention rule (issue 11): what is left of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleted: Vec<DeletedCase>,
}

/// A case deleted under the retention rule: its id, the day, and which rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeletedCase {
    pub case_id: CaseId,
    pub deleted: Day,
    pub rule: RetentionRule,
}

/// Which part of the retention rule a case met (docs/design.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionRule {
    /// Closed (`selesai`) longer than the configured years.
    Closed,
    /// Still at its first status (`diterima`, never taken up) longer than the configured months.
    NeverTakenUp,
}

/// `POST /api/v1/desk/changes`: the revision the client has of each case.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangesRequest {
    pub cursors: BTreeMap<CaseId, u64>,
}

/// One stored item as the case detail lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemInfo {
    pub seq: u32,
    pub ciphertext_sha256: String,
    pub len: u64,
}

/// `GET /api/v1/desk/cases/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseDetail {
    pub case_id: CaseId,
    pub channel: Channel,
    pub created: Day,
    pub status: Status,
    pub status_history: Vec<StatusDay>,
    pub item_count: u32,
    pub revision: u64,
    pub deadline: Option<DeskDeadline>,
    pub items: Vec<ItemInfo>,
    pub attachments: Vec<AttachmentRef>,
    /// The chat receipt of a WhatsApp case was not delivered (Meta's error code, the day): the
    /// reporter may not have the receipt. Written by the server, unsigned: a delivery report, not a
    /// case item (docs/whatsapp.md "Failed deliveries").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_undelivered: Option<ChatUndelivered>,
}

/// A chat message of a case that Meta did not deliver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatUndelivered {
    pub day: Day,
    /// e.g. `delivery-131026` (Meta's error code) or `graph-131047-http-400`.
    pub code: String,
}

/// `POST /api/v1/desk/cases/{id}/items`: an item the investigator sealed, at `seq`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadItem {
    pub seq: u32,
    /// Base64 of the age file.
    pub ciphertext: String,
}

/// `POST /api/v1/desk/cases/{id}/status`, optionally with a sealed status note at `seq`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetStatus {
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u32>,
    /// Base64 of the sealed status note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What an accepted append answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Appended {
    pub revision: u64,
    pub item_count: u32,
}

/// What an accepted re-sealed attachment upload answers: the new blob's id.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResealedUpload {
    pub blob: String,
}

/// Every desk API error: a stable code only.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskError {
    pub error: String,
}

// ---- Follow-up API (reporters, with the receipt) ----

/// `POST /api/v1/followup`.
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FollowupLogin {
    pub receipt: String,
    /// The page of the thread asked for: the messages before this item position (a `before` from an
    /// answer's `older` or `newer`); absent for the newest page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<PageBefore>,
}

/// A page cursor as a client sent it. Anything but a positive whole number is kept as `Invalid`,
/// so the answer can name the field (`422`, field `before`) instead of refusing the whole body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageBefore {
    At(u32),
    Invalid,
}

impl Serialize for PageBefore {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PageBefore::At(n) => s.serialize_u32(*n),
            PageBefore::Invalid => s.serialize_str("invalid"),
        }
    }
}

impl<'de> Deserialize<'de> for PageBefore {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        Ok(value
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
            .map_or(PageBefore::Invalid, PageBefore::At))
    }
}

/// Where a neighbouring page of the thread is: send `before` as it is here (`null`: leave it out,
/// the newest page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageRef {
    pub before: Option<u32>,
}

/// `POST /api/v1/followup/messages`.
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FollowupPost {
    pub receipt: String,
    pub body: String,
}

impl std::fmt::Debug for FollowupLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FollowupLogin(<secret>)")
    }
}

impl std::fmt::Debug for FollowupPost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FollowupPost(<secret>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReporterDeadline {
    pub due: Day,
    pub overdue: bool,
    /// The deadline in words, in the reporter's language.
    pub text: String,
}

/// A verified message of the thread, as the reporter sees it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadMessage {
    pub from: Role,
    pub day: Day,
    pub body: String,
    /// Set on status notes: the status the note came with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Names of the files that came with a reporter's follow-up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

/// Holds what was written: its `Debug` never shows it.
impl std::fmt::Debug for ThreadMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ThreadMessage(<redacted>)")
    }
}

/// The answer to `POST /api/v1/followup`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowupCase {
    pub case_id: CaseId,
    pub status: Status,
    pub status_history: Vec<StatusDay>,
    pub deadline: Option<ReporterDeadline>,
    /// The messages of one page of the thread (at most 50 items' worth), oldest first.
    pub messages: Vec<ThreadMessage>,
    /// Items on this page addressed to the reporter that failed verification, so are not shown.
    pub unverified_hidden: usize,
    /// The page of older messages, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub older: Option<PageRef>,
    /// The page of newer messages, when this is not the newest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newer: Option<PageRef>,
}

/// `POST /api/v1/reports` accepted: the receipt, shown once, and which criteria the report misses.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportAccepted {
    pub receipt: String,
    pub case_id: CaseId,
    /// The numbers of the office's four criteria the report does not meet (1: anonymous).
    pub criteria_missing: Vec<u8>,
}

impl std::fmt::Debug for ReportAccepted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReportAccepted(<receipt>, {})", self.case_id)
    }
}

/// The answer to an accepted follow-up message.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accepted {
    pub case_id: CaseId,
}

/// Public API errors: a message per field path, in the caller's language.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldErrors {
    pub errors: BTreeMap<String, String>,
}

// ---- Export bundle (`wbs export`, read by `wbs decrypt`) ----

/// One line of `index.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexEntry {
    pub case_id: CaseId,
    pub created: Day,
    pub channel: Channel,
    /// The latest status.
    pub status: Status,
}

/// `<case_id>/case.json`: plain metadata. Not signed; readers check the items themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    pub case_id: CaseId,
    pub channel: Channel,
    pub created: Day,
    pub statuses: Vec<StatusDay>,
    pub items: Vec<ItemEntry>,
    pub attachments: Vec<AttachmentEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemEntry {
    pub seq: u32,
    pub file: String,
    pub ciphertext_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentEntry {
    pub id: String,
    pub file: String,
    pub ciphertext_len: u64,
    pub ciphertext_sha256: String,
}
