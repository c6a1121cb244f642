//! Working offline (docs/design.md §3, "The desk", offline mode): `wbs desk --bundle EXPORT --outbox
//! OUTBOX` reads cases from an export (`wbs export`: age files and public metadata, read-only) instead of
//! the desk API, and keeps what the investigator writes — replies, notes, status changes, reveals,
//! category corrections, re-seals — in an outbox: each item signed and sealed here exactly as online,
//! stored as an age file with its sequence number, the status it sets (a code the server keeps in
//! plaintext anyway) and the chain position it was written after. `wbs upload OUTBOX` sends them from a
//! connected machine, case by case, only if the server's case still ends where the export ended (same
//! item count, same last ciphertext digest); otherwise nothing of that case is sent, because the items
//! are signed and chained onto an end that no longer exists.
//!
//! The bundle and the outbox hold ciphertext and public metadata only; nothing decrypted is written.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::{Deserialize, Serialize};

use super::client::{Desk, Posted};
use super::decrypt::Ctx;
use super::export::{is_safe_id, item_file_name};
use super::render::{clean, Out};
use super::DeskOptions;
use crate::crypto::{hex, sha256};
use crate::protocol::wire::{
    AttachmentRef, CaseDetail, CaseFile, CaseSummary, IndexEntry, ItemInfo, StatusDay,
};
use crate::protocol::{CaseId, Day, Status};

/// The outbox record of one case (`OUTBOX/<case>/outbox.json`). Public metadata only.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseOutbox {
    /// Items of the case in the export: the new items follow these.
    base_count: u32,
    /// Hex SHA-256 of the export's last item (the chain position the first new item names).
    base_last: String,
    items: Vec<OutboxItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutboxItem {
    seq: u32,
    file: String,
    ciphertext_sha256: String,
    /// The status this item's change sets (a signed `status-note` posted as a status change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<Status>,
    day: Day,
}

const RECORD: &str = "outbox.json";
const UPLOADED: &str = "uploaded.json";

/// An export read in place, and the outbox beside it.
#[derive(Debug, Clone)]
pub(crate) struct Bundle {
    pub export: PathBuf,
    pub outbox: PathBuf,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|_| {
        format!(
            "{} is not what `wbs export` writes: point --bundle at an export directory",
            path.display()
        )
    })
}

fn make_dir(dir: &Path) -> Result<(), String> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a record is whole or absent.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| fs::rename(&tmp, path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<(), String> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

impl Bundle {
    /// Checks that `export` is an export and that the outbox is usable (created if missing).
    pub(crate) fn open(export: &Path, outbox: &Path) -> Result<Bundle, String> {
        if !export.join("index.json").is_file() {
            return Err(format!(
                "{} is not an export (it has no index.json): make one with `wbs export --data DATA --out DIR` on the server, then copy DIR here",
                export.display()
            ));
        }
        if outbox.starts_with(export) {
            return Err(
                "the outbox must not be inside the export: the export stays as it was made"
                    .to_owned(),
            );
        }
        make_dir(outbox)?;
        Ok(Bundle {
            export: export.to_path_buf(),
            outbox: outbox.to_path_buf(),
        })
    }

    fn case_dir(&self, case_id: &CaseId) -> PathBuf {
        self.export.join(case_id.as_str())
    }

    fn case_file(&self, case_id: &CaseId) -> Result<CaseFile, String> {
        let meta: CaseFile = read_json(&self.case_dir(case_id).join("case.json"))?;
        if meta.case_id != *case_id {
            return Err(format!(
                "{} holds case {}, not {case_id}: the export was altered",
                self.case_dir(case_id).display(),
                meta.case_id
            ));
        }
        Ok(meta)
    }

    fn record(&self, case_id: &CaseId) -> Result<Option<CaseOutbox>, String> {
        let path = self.outbox.join(case_id.as_str()).join(RECORD);
        if !path.exists() {
            return Ok(None);
        }
        read_json(&path).map(Some)
    }

    pub(crate) fn cases(&self) -> Result<Vec<CaseSummary>, String> {
        let index: Vec<IndexEntry> = read_json(&self.export.join("index.json"))?;
        index
            .iter()
            .map(|e| {
                let d = self.case(&e.case_id)?;
                Ok(CaseSummary {
                    case_id: d.case_id,
                    channel: d.channel,
                    created: d.created,
                    status: d.status,
                    status_history: d.status_history,
                    item_count: d.item_count,
                    revision: d.revision,
                    attachments: d.attachments.len(),
                    deadline: None,
                })
            })
            .collect()
    }

    /// The case as the export has it, with the outbox's items after it.
    pub(crate) fn case(&self, case_id: &CaseId) -> Result<CaseDetail, String> {
        let meta = self.case_file(case_id)?;
        let mut items: Vec<ItemInfo> = meta
            .items
            .iter()
            .map(|i| ItemInfo {
                seq: i.seq,
                ciphertext_sha256: i.ciphertext_sha256.clone(),
                len: 0,
            })
            .collect();
        let mut history = meta.statuses.clone();
        if let Some(record) = self.record(case_id)? {
            for i in &record.items {
                items.push(ItemInfo {
                    seq: i.seq,
                    ciphertext_sha256: i.ciphertext_sha256.clone(),
                    len: 0,
                });
                if let Some(status) = i.status {
                    history.push(StatusDay {
                        status,
                        day: i.day.clone(),
                    });
                }
            }
        }
        let status = history.last().map_or(Status::Diterima, |s| s.status);
        Ok(CaseDetail {
            case_id: case_id.clone(),
            channel: meta.channel,
            created: meta.created,
            status,
            status_history: history,
            item_count: items.len() as u32,
            revision: items.len() as u64,
            deadline: None,
            items,
            attachments: meta
                .attachments
                .iter()
                .map(|a| AttachmentRef {
                    id: a.id.clone(),
                    ciphertext_len: a.ciphertext_len,
                    ciphertext_sha256: a.ciphertext_sha256.clone(),
                })
                .collect(),
            // The export holds no server notes (a failed chat receipt is one, not a case item).
            chat_undelivered: None,
        })
    }

    pub(crate) fn item(&self, case_id: &CaseId, seq: u32) -> Result<Vec<u8>, String> {
        let meta = self.case_file(case_id)?;
        let path = if (seq as usize) < meta.items.len() {
            self.case_dir(case_id).join(item_file_name(seq))
        } else {
            self.outbox.join(case_id.as_str()).join(item_file_name(seq))
        };
        fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    }

    pub(crate) fn attachment(
        &self,
        case_id: &CaseId,
        blob: &str,
    ) -> Result<Option<Vec<u8>>, String> {
        if !is_safe_id(blob) {
            return Ok(None);
        }
        let path = self
            .case_dir(case_id)
            .join(super::export::attachment_file_name(blob));
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Keeps a sealed item in the outbox at `seq` (the next position), with the status it sets.
    pub(super) fn post(
        &self,
        case_id: &CaseId,
        seq: u32,
        ciphertext: &[u8],
        status: Option<Status>,
    ) -> Result<Posted, String> {
        let detail = self.case(case_id)?;
        if seq != detail.item_count {
            return Ok(Posted::Conflict);
        }
        let dir = self.outbox.join(case_id.as_str());
        make_dir(&dir)?;
        let mut record = match self.record(case_id)? {
            Some(r) => r,
            None => {
                let meta = self.case_file(case_id)?;
                CaseOutbox {
                    base_count: meta.items.len() as u32,
                    base_last: meta
                        .items
                        .last()
                        .map(|i| i.ciphertext_sha256.clone())
                        .unwrap_or_default(),
                    items: Vec::new(),
                }
            }
        };
        let file = item_file_name(seq);
        write_new(&dir.join(&file), ciphertext)?;
        record.items.push(OutboxItem {
            seq,
            file,
            ciphertext_sha256: hex(&sha256(ciphertext)),
            status,
            day: Day::today(),
        });
        let text = serde_json::to_vec_pretty(&record).map_err(|e| e.to_string())?;
        write_atomic(&dir.join(RECORD), &text)?;
        Ok(Posted::Stored)
    }

    /// What `seen` marks and messages call this source.
    pub(crate) fn origin(&self) -> String {
        format!("bundle:{}", self.export.display())
    }
}

/// `wbs upload OUTBOX`: sends every case's outbox items to the server, in order, if the case still
/// ends where the export ended. Exit 1 when a case was refused.
pub(crate) fn upload(opts: &DeskOptions, outbox: &Path) -> Result<ExitCode, String> {
    let entries = fs::read_dir(outbox).map_err(|e| {
        format!(
            "cannot read the outbox {}: {e} (it is the directory `wbs desk --bundle … --outbox DIR` wrote)",
            outbox.display()
        )
    })?;
    let mut cases = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Ok(id) = CaseId::parse(&name) {
            if entry.path().join(RECORD).is_file() {
                cases.push(id);
            }
        }
    }
    cases.sort();
    if cases.is_empty() {
        return Err(format!(
            "{} holds nothing to upload (no case with new items, or all were uploaded already)",
            outbox.display()
        ));
    }
    let ctx = Ctx::load(&opts.identity, &opts.keys, false, None)?;
    let desk = Desk::connect(opts, &ctx.identity)?;
    let mut out = Out::default();
    let mut refused = false;
    for case_id in &cases {
        match upload_case(&desk, outbox, case_id) {
            Ok(n) => out.line(format!("case {case_id}: {n} item(s) uploaded")),
            Err(e) => {
                refused = true;
                out.line(format!("case {case_id}: nothing uploaded: {e}"));
            }
        }
    }
    out.flush()?;
    Ok(if refused {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn upload_case(desk: &Desk, outbox: &Path, case_id: &CaseId) -> Result<usize, String> {
    let dir = outbox.join(case_id.as_str());
    let record: CaseOutbox = read_json(&dir.join(RECORD))?;
    let moved_on = |now: u32| {
        format!(
            "the case moved on since the export (the server has {now} item(s), the export had {}): these items are chained to the export's last item, so they cannot be added; open the case online and write them again",
            record.base_count
        )
    };
    let detail = desk.case(case_id)?;
    let last = detail
        .items
        .last()
        .map(|i| i.ciphertext_sha256.clone())
        .unwrap_or_default();
    if detail.item_count != record.base_count || last != record.base_last {
        return Err(moved_on(detail.item_count));
    }
    let mut sent = 0;
    for item in &record.items {
        if !item.file.starts_with("item-") || item.file.contains('/') {
            return Err(format!("{} is malformed", dir.join(RECORD).display()));
        }
        let bytes = fs::read(dir.join(&item.file))
            .map_err(|e| format!("cannot read {}: {e}", dir.join(&item.file).display()))?;
        if hex(&sha256(&bytes)) != item.ciphertext_sha256 {
            return Err(format!(
                "{} was changed after it was written: it is not uploaded",
                clean(&item.file)
            ));
        }
        let posted = match item.status {
            Some(s) => desk.post_status(case_id, s, item.seq, &bytes)?,
            None => desk.post_item(case_id, item.seq, &bytes)?,
        };
        match posted {
            Posted::Stored => sent += 1,
            Posted::Conflict if sent == 0 => return Err(moved_on(item.seq)),
            Posted::Conflict => {
                return Err(format!(
                    "the case changed during the upload after {sent} item(s): run wbs upload again to see where it stands"
                ))
            }
        }
    }
    fs::rename(dir.join(RECORD), dir.join(UPLOADED))
        .map_err(|e| format!("uploaded, but cannot mark {} as done: {e}", dir.display()))?;
    Ok(sent)
}
