//! Attachments of a verified case: the signed manifest is the authority. Each file's ciphertext must
//! match the manifest's digest; with `--attachments OUT` it is decrypted, its plaintext checked against
//! the manifest's size and digest, and written to `OUT/<case_id>/<name>` without overwriting anything.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::decrypt::Ctx;
use super::export::{attachment_file_name, is_safe_id, CaseFile};
use super::render::{clean, Out};
use crate::crypto::{hex, seal, sha256};
use crate::intake::attachment::{clean_name, ManifestEntry};
use crate::intake::verify::{CheckedItem, GenuineItem};
use crate::protocol::item::{ItemBody, ResealedBlob};

/// Reads a blob's ciphertext by id: `Ok(None)` when there is none; `Err` stops (exit 2).
pub(super) type Fetch<'a> = &'a dyn Fn(&str) -> Result<Option<Vec<u8>>, String>;

/// Where attachment ciphertext comes from: an export directory or the server, with the words for
/// what is missing or disagrees.
pub(super) struct Source<'a> {
    pub fetch: Fetch<'a>,
    /// The plain metadata that lists attachments: `case.json`, or the server's case listing.
    pub listing: &'a str,
    /// Why that metadata may disagree with the signed manifest.
    pub listing_why: &'a str,
    /// Said of a missing file.
    pub missing: &'a str,
}

impl Source<'_> {
    /// Files of an export's case directory.
    pub(crate) fn export_dir(
        dir: &Path,
        f: impl FnOnce(&Source<'_>) -> Result<usize, String>,
    ) -> Result<usize, String> {
        let fetch = |id: &str| {
            let path = dir.join(attachment_file_name(id));
            match fs::read(&path) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(format!("cannot read {}: {e}", path.display())),
            }
        };
        f(&Source {
            fetch: &fetch,
            listing: "case.json",
            listing_why: " (metadata changed after export)",
            missing: "is missing from the export",
        })
    }
}

/// Checks (and with `--attachments`, decrypts and writes) every attachment a verified manifest or
/// follow-up names. Returns the number of rejected attachments.
pub(super) fn check(
    ctx: &Ctx,
    source: &Source<'_>,
    meta: &CaseFile,
    manifest: &[ManifestEntry],
    resealed: &[ResealedBlob],
) -> Result<usize, String> {
    let mut out = Out::default();
    let mut problems = 0;
    for (i, entry) in manifest.iter().enumerate() {
        let label = format!("attachment {} ({})", i + 1, clean(&entry.name));
        match one(ctx, source, &meta.case_id, entry, resealed)? {
            Ok(done) => out.line(format!("{label}: {done}")),
            Err(why) => {
                out.line(format!("{label}: REJECTED — {why}"));
                problems += 1;
            }
        }
        let listed = meta.attachments.iter().find(|a| a.id == entry.blob);
        if listed.is_none_or(|a| {
            a.ciphertext_sha256 != entry.ciphertext_sha256
                || a.ciphertext_len != entry.ciphertext_len
        }) {
            out.line(format!(
                "note: {} does not list {label} as the signed manifest does{}",
                source.listing, source.listing_why
            ));
            problems += 1;
        }
    }
    for a in &meta.attachments {
        if resealed.iter().any(|r| r.blob == a.id) {
            continue;
        }
        if !manifest.iter().any(|m| m.blob == a.id) {
            out.line(format!(
                "note: {} is listed in {} but named by no verified manifest; it was not read",
                clean(&a.file),
                source.listing
            ));
        }
    }
    out.flush()?;
    Ok(problems)
}

/// `Ok(Ok(what was done))`, `Ok(Err(why it is rejected))`, or `Err` for an I/O error (exit 2).
fn one(
    ctx: &Ctx,
    source: &Source<'_>,
    case_id: &crate::protocol::CaseId,
    entry: &ManifestEntry,
    resealed: &[ResealedBlob],
) -> Result<Result<String, String>, String> {
    if !is_safe_id(&entry.blob) {
        return Ok(Err("the manifest names an unusable file id".into()));
    }
    let Some(ciphertext) = (source.fetch)(&entry.blob)? else {
        return Ok(Err(format!(
            "{} {}",
            attachment_file_name(&entry.blob),
            source.missing
        )));
    };
    if ciphertext.len() as u64 != entry.ciphertext_len
        || hex(&sha256(&ciphertext)) != entry.ciphertext_sha256
    {
        return Ok(Err(
            "the file differs from the signed manifest (altered or replaced)".into(),
        ));
    }
    let Some(out_root) = &ctx.attachments_out else {
        return Ok(Ok(format!(
            "ciphertext matches the signed manifest ({}, {} bytes); use --attachments DIR to decrypt it",
            clean(&entry.media_type),
            entry.size
        )));
    };
    let opened = match open_entry(source.fetch, &ctx.identities(), entry, resealed)? {
        Ok(opened) => opened,
        Err(Unopened::CannotDecrypt) => {
            return Ok(Err("cannot be decrypted with this identity".into()))
        }
        Err(Unopened::Missing | Unopened::Altered) => {
            return Ok(Err(
                "the file differs from the signed manifest (altered or replaced)".into(),
            ))
        }
        Err(Unopened::PlainDiffers) => {
            return Ok(Err(
                "the decrypted content differs from the signed manifest".into(),
            ))
        }
    };
    let plain = opened.plain;
    let via = if opened.resealed {
        " from a teammate's re-sealed copy"
    } else {
        ""
    };
    let case_dir = out_root.join(case_id.as_str());
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&case_dir)
        .map_err(|e| format!("cannot create {}: {e}", case_dir.display()))?;
    let written = write_unique(&case_dir, &safe_file_name(&entry.name), &plain)?;
    Ok(Ok(format!(
        "verified{via}, written to {} ({}, {} bytes)",
        written.display(),
        clean(&entry.media_type),
        entry.size
    )))
}

/// The re-sealed attachment files genuine `reshare` items name (docs/design.md §10), oldest first.
pub(crate) fn resealed_blobs(checked: &[CheckedItem]) -> Vec<ResealedBlob> {
    checked
        .iter()
        .filter_map(|c| match &c.outcome {
            Ok(GenuineItem {
                body: ItemBody::Reshare(r),
                investigator: Some(_),
                ..
            }) => Some(r.attachments.iter().cloned()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// An attachment's plaintext, checked against its signed manifest entry.
pub(crate) struct Opened {
    pub plain: zeroize::Zeroizing<Vec<u8>>,
    /// Read from a teammate's re-sealed copy: the original is sealed to others.
    pub resealed: bool,
}

/// Why an attachment did not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unopened {
    /// The original file is not there.
    Missing,
    /// The original file is not the one the manifest names, or it is damaged.
    Altered,
    /// Sealed to others, and no re-sealed copy opens for this identity.
    CannotDecrypt,
    /// It opens, but its content is not what the manifest names.
    PlainDiffers,
}

/// Opens the file a signed manifest entry names: the original, or, when it is sealed to others, a
/// re-sealed copy bound to it (`of` = the original's digest) whose own bytes match what the `reshare`
/// names. Either way the plaintext must match the manifest's size and digest, so a teammate's copy
/// cannot stand for other content. `Err` is an I/O error.
pub(crate) fn open_entry(
    fetch: Fetch<'_>,
    identities: &[&dyn age::Identity],
    entry: &ManifestEntry,
    resealed: &[ResealedBlob],
) -> Result<Result<Opened, Unopened>, String> {
    let Some(ciphertext) = fetch(&entry.blob)? else {
        return Ok(Err(Unopened::Missing));
    };
    if ciphertext.len() as u64 != entry.ciphertext_len
        || hex(&sha256(&ciphertext)) != entry.ciphertext_sha256
    {
        return Ok(Err(Unopened::Altered));
    }
    let matches =
        |plain: &[u8]| plain.len() as u64 == entry.size && hex(&sha256(plain)) == entry.sha256;
    match seal::open(&ciphertext, identities) {
        Ok(plain) if matches(&plain) => Ok(Ok(Opened {
            plain,
            resealed: false,
        })),
        Ok(_) => Ok(Err(Unopened::PlainDiffers)),
        Err(seal::OpenError::Damaged) => Ok(Err(Unopened::Altered)),
        Err(seal::OpenError::NoIdentity) => {
            let mut why = Unopened::CannotDecrypt;
            for copy in resealed.iter().filter(|r| r.of == entry.ciphertext_sha256) {
                if !is_safe_id(&copy.blob) {
                    continue;
                }
                let Some(ct) = fetch(&copy.blob)? else {
                    continue;
                };
                if ct.len() as u64 != copy.ciphertext_len
                    || hex(&sha256(&ct)) != copy.ciphertext_sha256
                {
                    continue;
                }
                match seal::open(&ct, identities) {
                    Ok(plain) if matches(&plain) => {
                        return Ok(Ok(Opened {
                            plain,
                            resealed: true,
                        }))
                    }
                    Ok(_) => why = Unopened::PlainDiffers,
                    Err(_) => {}
                }
            }
            Ok(Err(why))
        }
    }
}

/// A file name that stays inside the output directory and is harmless in a shell or file manager.
pub(super) fn safe_file_name(raw: &str) -> String {
    let base = clean_name(raw);
    let mapped: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " -_.,()[]+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = mapped.trim().trim_start_matches('.').trim();
    if trimmed.is_empty() {
        "lampiran".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Writes `bytes` to `dir/name`, or `name (2)`, `name (3)`… before the extension: never overwrites.
fn write_unique(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    for n in 1..=1000u32 {
        let candidate = if n == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{stem} ({n}){ext}"))
        };
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&candidate);
        match file {
            Ok(mut f) => {
                return f
                    .write_all(bytes)
                    .and_then(|()| f.sync_all())
                    .map(|()| candidate.clone())
                    .map_err(|e| format!("cannot write {}: {e}", candidate.display()));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot write {}: {e}", candidate.display())),
        }
    }
    Err(format!(
        "{} already holds 1000 files named like {name}: choose another --attachments directory",
        dir.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_inside_the_directory() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name(".."), "lampiran");
        assert_eq!(safe_file_name(".bashrc"), "bashrc");
        assert_eq!(safe_file_name("bukti $(rm -rf).pdf"), "bukti _(rm -rf).pdf");
        assert_eq!(safe_file_name("a\u{202E}fdp.exe"), "a_fdp.exe");
    }

    #[test]
    fn existing_files_are_never_overwritten() {
        let dir = tempfile::tempdir().expect("tmp");
        let a = write_unique(dir.path(), "x.pdf", b"1").expect("first");
        let b = write_unique(dir.path(), "x.pdf", b"2").expect("second");
        assert_eq!(a, dir.path().join("x.pdf"));
        assert_eq!(b, dir.path().join("x (2).pdf"));
        assert_eq!(fs::read(a).expect("read"), b"1");
    }
}
