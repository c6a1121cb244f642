//! What a report says, as sealed inside its items (docs/design.md §8, §12). Data only: validation is
//! `intake::report`'s, labels are the text catalogue's. Every type that holds what a reporter wrote has
//! a redacting `Debug`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Who is reporting: staff of the office or a member of the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReporterKind {
    Staff,
    Public,
}

impl ReporterKind {
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "staff" => Some(ReporterKind::Staff),
            "public" => Some(ReporterKind::Public),
            _ => None,
        }
    }
}

/// A reported person or other party, as typed.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub name: String,
    pub position: String,
    pub unit: String,
}

/// Which of the four criteria a report meets. Only criterion 1 may be missing (anonymous reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criteria {
    pub identity: bool,
    pub chronology: bool,
    pub parties: bool,
    pub time_and_place: bool,
}

/// The validated content of a report: the `report` field of the sealed `report` item.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportContent {
    pub reporter_kind: ReporterKind,
    /// A stable category code (`KORUPSI`, `PUNGLI`, …).
    pub category: String,
    pub chronology: String,
    pub parties: Vec<Party>,
    pub incident_when: String,
    pub incident_place: String,
    pub evidence: String,
    /// `None` when the channel did not ask for the good-faith declaration (the JSON API).
    pub good_faith: Option<bool>,
    pub criteria: Criteria,
}

/// What the manifest says of one attachment (sealed; never stored in plaintext).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    pub blob: String,
    pub name: String,
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
    pub ciphertext_len: u64,
    pub ciphertext_sha256: String,
    /// Set when photo metadata was removed: the digest of the file as the reporter sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_sha256: Option<String>,
}

/// Holds what a reporter wrote: its `Debug` never shows it.
impl fmt::Debug for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Party(<redacted>)")
    }
}

/// Holds what a reporter wrote: its `Debug` never shows it.
impl fmt::Debug for ReportContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReportContent(<redacted>)")
    }
}

/// Names a reporter's file: its `Debug` never shows it.
impl fmt::Debug for ManifestEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ManifestEntry(<redacted>)")
    }
}
