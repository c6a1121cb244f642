//! `wbs export --data DIR --out OUT` (server stopped): every case as standard age files plus plain
//! metadata, in the layout of docs/format.md. Only ciphertext and the metadata that is already plaintext
//! on the server (docs/design.md §2) leave the data directory.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;

use crate::crypto::{hex, sha256};
use crate::store::{BlobStore, CaseStore, CaseV1, SledStore, StoreError};

/// Export only reads a few records at a time: a small cache is enough.
const EXPORT_CACHE_BYTES: u64 = 8 * 1024 * 1024;

pub(crate) use crate::protocol::wire::{AttachmentEntry, CaseFile, IndexEntry, ItemEntry};

pub(crate) fn item_file_name(seq: u32) -> String {
    format!("item-{seq:04}.age")
}

pub(crate) fn attachment_file_name(id: &str) -> String {
    format!("attachment-{id}.age")
}

/// Case ids and blob ids become file names: only `A–Z a–z 0–9 -`, and not empty.
pub(crate) fn is_safe_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

pub fn run(data: &Path, out: &Path) -> Result<ExitCode, String> {
    let store_dir = data.join("store");
    if !store_dir.is_dir() {
        return Err(format!(
            "{} holds no store ({} is missing): pass the server's data directory with --data",
            data.display(),
            store_dir.display()
        ));
    }
    check_out_dir(out)?;
    let store = SledStore::open(&store_dir, EXPORT_CACHE_BYTES).map_err(|e| match e {
        StoreError::Engine(msg) if msg.to_ascii_lowercase().contains("lock") => format!(
            "the store in {} is locked, so the server is probably still running: stop it, then export again",
            store_dir.display()
        ),
        StoreError::Engine(msg) => format!("cannot open the store in {}: {msg}", store_dir.display()),
        e => format!("cannot open the store in {}: {e}", store_dir.display()),
    })?;
    let blobs = BlobStore::open(&data.join("blobs"))
        .map_err(|e| format!("cannot open {}: {e}", data.join("blobs").display()))?;
    let serr = |e: StoreError| format!("cannot read the store in {}: {e}", store_dir.display());

    make_dir(out)?;
    let mut index = Vec::new();
    let mut missing = Vec::new();
    let mut ids = store.case_ids().map_err(serr)?;
    ids.sort();
    for id in ids {
        let case = store
            .case(&id)
            .map_err(serr)?
            .ok_or_else(|| serr(StoreError::Corrupt))?;
        if case.id != id {
            return Err(format!(
                "the store holds a case record with an unusable id ({:?}): the store may be damaged; restore it from a backup",
                case.id
            ));
        }
        let items = store.items(&case.id).map_err(serr)?;
        missing.extend(export_case(out, &case, &items, &blobs)?);
        index.push(IndexEntry {
            case_id: case.id.clone(),
            created: case.created.clone(),
            channel: case.channel,
            status: case.status(),
        });
    }
    write_json(&out.join("index.json"), &index)?;

    let mut stdout = io::stdout().lock();
    writeln!(
        stdout,
        "{} cases exported to {}",
        index.len(),
        out.display()
    )
    .and_then(|()| stdout.flush())
    .map_err(|e| format!("the export is complete, but printing its summary failed: {e}"))?;
    if missing.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let mut stderr = io::stderr().lock();
    for m in &missing {
        let _ = writeln!(stderr, "wbs: {m}");
    }
    Ok(ExitCode::from(1))
}

/// Writes one case directory. Returns the problems that did not stop the export (missing blobs).
fn export_case(
    out: &Path,
    case: &CaseV1,
    items: &[Vec<u8>],
    blobs: &BlobStore,
) -> Result<Vec<String>, String> {
    let dir = out.join(case.id.as_str());
    make_dir(&dir)?;
    let mut entries = Vec::with_capacity(items.len());
    for (seq, item) in (0u32..).zip(items) {
        let file = item_file_name(seq);
        write_new(&dir.join(&file), item)?;
        entries.push(ItemEntry {
            seq,
            file,
            ciphertext_sha256: hex(&sha256(item)),
        });
    }
    let mut problems = Vec::new();
    let mut attachments = Vec::with_capacity(case.attachments.len());
    for a in &case.attachments {
        if !is_safe_id(&a.id) {
            problems.push(format!(
                "case {}: an attachment has an unusable id and was skipped",
                case.id
            ));
            continue;
        }
        let file = attachment_file_name(&a.id);
        match blobs.read(&a.id) {
            Ok(bytes) => {
                if hex(&sha256(&bytes)) != a.ciphertext_sha256 {
                    problems.push(format!(
                        "case {}: attachment {} differs from its recorded digest (exported anyway; decrypt will reject it)",
                        case.id, a.id
                    ));
                }
                write_new(&dir.join(&file), &bytes)?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => problems.push(format!(
                "case {}: attachment file {} is missing from the data directory",
                case.id,
                blobs.path(&a.id).display()
            )),
            Err(e) => return Err(format!("cannot read {}: {e}", blobs.path(&a.id).display())),
        }
        attachments.push(AttachmentEntry {
            id: a.id.clone(),
            file,
            ciphertext_len: a.ciphertext_len,
            ciphertext_sha256: a.ciphertext_sha256.clone(),
        });
    }
    let meta = CaseFile {
        case_id: case.id.clone(),
        channel: case.channel,
        created: case.created.clone(),
        statuses: case.status_history(),
        items: entries,
        attachments,
    };
    write_json(&dir.join("case.json"), &meta)?;
    Ok(problems)
}

fn check_out_dir(out: &Path) -> Result<(), String> {
    match fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(format!(
                    "{} exists and is not empty: export into a new or empty directory",
                    out.display()
                ));
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot use {} as the output: {e}", out.display())),
    }
}

fn make_dir(dir: &Path) -> Result<(), String> {
    match DirBuilder::new().recursive(true).mode(0o700).create(dir) {
        Ok(()) => Ok(()),
        Err(e) => Err(format!("cannot create {}: {e}", dir.display())),
    }
}

fn write_new(path: &PathBuf, bytes: &[u8]) -> Result<(), String> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn write_json<T: Serialize>(path: &PathBuf, value: &T) -> Result<(), String> {
    let mut text = serde_json::to_vec_pretty(value)
        .map_err(|e| format!("cannot encode {}: {e}", path.display()))?;
    text.push(b'\n');
    write_new(path, &text)
}
