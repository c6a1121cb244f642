//! Attachments: streamed through padding and age into a blob file as they arrive. The name, type, size
//! and digest stay in memory until they are sealed inside the case's manifest item.

use sha2::{Digest, Sha256};

use super::limits::DocumentCharge;
use super::scrub::{Format as ScrubFormat, Scrubber, Unfinished};
use super::submit::Intake;
use crate::crypto::hex;
use crate::crypto::seal::{SealError, SealWriter};
use crate::store::{BlobStore, PendingBlob};

pub(crate) use crate::protocol::report::ManifestEntry;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentProblem {
    /// Not an image, PDF or office document.
    Type,
    /// Over the remaining size budget.
    TooLarge,
    TooMany,
    /// Could not be written (disk).
    Storage,
    /// A photo whose structure is broken, so its metadata cannot be found and removed (`intake::scrub`).
    Unscrubbable,
    /// HEIC/HEIF photos and videos: not accepted, with advice (send as JPEG, or as a photo).
    HeicOrVideo,
    /// A PDF or Office document while the server already holds as many as its memory budget allows
    /// (`[limits] document_memory_mb`): refused with "try again in a few minutes".
    DocumentsBusy,
}

/// Recognises allowed files by their first bytes, with the extension to tell office formats apart.
pub(crate) fn sniff(head: &[u8], file_name: &str) -> Option<&'static str> {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let starts = |m: &[u8]| head.starts_with(m);
    if starts(b"\xFF\xD8\xFF") {
        return Some("image/jpeg");
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some("image/gif");
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    if starts(b"%PDF-") {
        return Some("application/pdf");
    }
    if starts(b"PK\x03\x04") {
        return match ext.as_str() {
            "docx" => {
                Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            }
            "xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "pptx" => {
                Some("application/vnd.openxmlformats-officedocument.presentationml.presentation")
            }
            "odt" => Some("application/vnd.oasis.opendocument.text"),
            "ods" => Some("application/vnd.oasis.opendocument.spreadsheet"),
            "odp" => Some("application/vnd.oasis.opendocument.presentation"),
            _ => None,
        };
    }
    if starts(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return match ext.as_str() {
            "doc" => Some("application/msword"),
            "xls" => Some("application/vnd.ms-excel"),
            "ppt" => Some("application/vnd.ms-powerpoint"),
            _ => None,
        };
    }
    None
}

/// HEIC/HEIF/AVIF photos and MP4/MOV videos (an ISO base media `ftyp` box first), and other common
/// video containers: refused with advice, since their metadata cannot be removed here.
pub(crate) fn heic_or_video(head: &[u8]) -> bool {
    let ftyp = head.get(4..8) == Some(b"ftyp");
    let matroska = head.starts_with(b"\x1A\x45\xDF\xA3");
    let avi = head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"AVI ";
    ftyp || matroska || avi
}

/// Keeps only a safe display name: no path, no control characters, bounded length.
pub(crate) fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if name.trim().is_empty() {
        "lampiran".to_owned()
    } else {
        name.trim().to_owned()
    }
}

const SNIFF_LEN: usize = 16;

/// An attachment being received. Its bytes go straight into age; only the first few are held back
/// (in memory) until the type is known.
pub struct AttachmentSink {
    name: String,
    head: Vec<u8>,
    media_type: Option<&'static str>,
    writer: Option<SealWriter<PendingBlob>>,
    limit: u64,
    problem: Option<AttachmentProblem>,
    /// Photo metadata (location, camera, time) is removed on the way in (`intake::scrub`).
    stripper: Option<Scrubber>,
    /// For a document held whole until it is rewritten (PDF, Office): its share of the server's
    /// document memory, grown with every chunk (`intake::limits::DocumentBudget`), and the multiple
    /// charged per byte.
    charge: Option<(DocumentCharge, u64)>,
    documents: std::sync::Arc<super::limits::DocumentBudget>,
    /// Bytes received, and their digest, before any metadata was removed. The digest is dropped
    /// once the type is known to have no metadata removal: the bytes sealed are then the bytes
    /// received, and the sealed content's digest is the same one (hashing once, not twice).
    received: u64,
    original: Option<Sha256>,
}

impl AttachmentSink {
    /// A sink sealing to `intake`'s investigators into its blob store, charging its document budget.
    pub fn new(intake: &Intake, name: &str, limit: u64) -> Self {
        let recipients: Vec<_> = intake
            .investigators()
            .iter()
            .map(|r| r.recipient.clone())
            .collect();
        let blobs: &BlobStore = intake.blobs();
        let writer = blobs
            .begin(&mut rand::rngs::OsRng)
            .map_err(SealError::from)
            .and_then(|blob| SealWriter::new(blob, &recipients));
        let problem = writer.as_ref().err().map(|_| AttachmentProblem::Storage);
        AttachmentSink {
            name: clean_name(name),
            head: Vec::with_capacity(SNIFF_LEN),
            media_type: None,
            writer: writer.ok(),
            limit,
            problem,
            stripper: None,
            charge: None,
            documents: intake.documents().clone(),
            received: 0,
            original: Some(Sha256::new()),
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Bytes received so far (as sent, before metadata removal).
    pub(crate) fn size(&self) -> u64 {
        self.received
    }

    /// Takes the next chunk. After a problem, further chunks are only counted away.
    pub fn write(&mut self, mut chunk: &[u8]) {
        if self.problem.is_some() {
            return;
        }
        if self.size() + chunk.len() as u64 > self.limit {
            return self.fail(AttachmentProblem::TooLarge);
        }
        self.received += chunk.len() as u64;
        if let Some(h) = self.original.as_mut() {
            h.update(chunk);
        }
        if self.media_type.is_none() {
            let take = (SNIFF_LEN - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if self.head.len() < SNIFF_LEN && chunk.is_empty() {
                return;
            }
            if !self.decide_type() {
                return;
            }
        }
        self.push(chunk);
    }

    /// `write` for a chunk the caller is done with (the upload's batches, `web::upload`): once the
    /// type is known and the file is sealed as sent, it is handed on without a copy.
    pub(crate) fn write_vec(&mut self, chunk: Vec<u8>) {
        let as_sent = self.problem.is_none()
            && self.media_type.is_some()
            && self.stripper.is_none()
            && self.size() + chunk.len() as u64 <= self.limit;
        if !as_sent || chunk.is_empty() {
            return self.write(&chunk);
        }
        self.received += chunk.len() as u64;
        self.write_out_owned(chunk);
    }

    fn decide_type(&mut self) -> bool {
        match sniff(&self.head, &self.name) {
            Some(t) => {
                self.media_type = Some(t);
                let format = ScrubFormat::for_media_type(t);
                self.stripper = format.map(Scrubber::new);
                if let Some((f, per_byte)) = format.and_then(|f| Some((f, f.memory_per_byte()?))) {
                    let mut charge = self.documents.open();
                    if !charge.grow(f.memory_base()) {
                        self.fail(AttachmentProblem::DocumentsBusy);
                        return false;
                    }
                    self.charge = Some((charge, per_byte));
                }
                if self.stripper.is_none() {
                    self.original = None;
                }
                let head = std::mem::take(&mut self.head);
                self.push(&head);
                true
            }
            None if heic_or_video(&self.head) => {
                self.fail(AttachmentProblem::HeicOrVideo);
                false
            }
            None => {
                self.fail(AttachmentProblem::Type);
                false
            }
        }
    }

    fn push(&mut self, chunk: &[u8]) {
        if chunk.is_empty() {
            return;
        }
        if let Some((charge, per_byte)) = self.charge.as_mut() {
            if !charge.grow(chunk.len() as u64 * *per_byte) {
                return self.fail(AttachmentProblem::DocumentsBusy);
            }
        }
        if let Some(stripper) = self.stripper.as_mut() {
            let mut kept = Vec::with_capacity(chunk.len());
            if stripper.push(chunk, &mut kept).is_err() {
                return self.fail(AttachmentProblem::Unscrubbable);
            }
            return self.write_out_owned(kept);
        }
        self.write_out(chunk);
    }

    fn write_out(&mut self, chunk: &[u8]) {
        if !chunk.is_empty() {
            self.write_out_owned(chunk.to_vec());
        }
    }

    fn write_out_owned(&mut self, chunk: Vec<u8>) {
        if chunk.is_empty() {
            return;
        }
        let ok = self
            .writer
            .as_mut()
            .is_some_and(|w| w.write_owned(chunk).is_ok());
        if !ok {
            self.fail(AttachmentProblem::Storage);
        }
    }

    fn fail(&mut self, problem: AttachmentProblem) {
        self.problem = Some(problem);
        self.writer = None; // drops the pending blob, which deletes its temporary file
        self.head.clear();
        // A held document is let go at once, and with it its share of the document memory.
        self.stripper = None;
        self.charge = None;
    }

    /// Finishes the stream: a sealed, not yet committed blob, or what was wrong with the file.
    pub fn finish(mut self) -> Result<SealedAttachment, (String, AttachmentProblem)> {
        if self.problem.is_none() && self.media_type.is_none() {
            self.decide_type();
        }
        if let Some(p) = self.problem {
            return Err((self.name, p));
        }
        let mut stripped = false;
        if let Some(stripper) = self.stripper.take() {
            let mut rest = Vec::new();
            // What the rewrite expands into is charged too (docs/design.md §11); a refusal drops
            // the charge with `self`, so the budget gets it all back.
            let mut room = |bytes: u64| match self.charge.as_mut() {
                Some((charge, _)) => charge.grow(bytes),
                None => true,
            };
            match stripper.finish_within(&mut rest, &mut room) {
                Ok(removed) => stripped = removed > 0,
                Err(Unfinished::Busy) => return Err((self.name, AttachmentProblem::DocumentsBusy)),
                Err(Unfinished::Unscrubbable) => {
                    return Err((self.name, AttachmentProblem::Unscrubbable))
                }
            }
            self.write_out_owned(rest);
            // Rewritten and sealed: the document's memory goes back to the budget.
            self.charge = None;
            if let Some(p) = self.problem {
                return Err((self.name, p));
            }
        }
        let (Some(writer), Some(media_type)) = (self.writer.take(), self.media_type) else {
            return Err((self.name, AttachmentProblem::Storage));
        };
        let done = writer
            .finish()
            .map_err(|_| (self.name.clone(), AttachmentProblem::Storage))?;
        let original_sha256: [u8; 32] = match self.original.take() {
            Some(h) => h.finalize().into(),
            None => done.plain_sha256,
        };
        Ok(SealedAttachment {
            entry: ManifestEntry {
                blob: done.output.id().to_owned(),
                name: self.name,
                media_type: media_type.to_owned(),
                size: done.content_len,
                sha256: hex(&done.plain_sha256),
                ciphertext_len: done.ciphertext_len,
                ciphertext_sha256: hex(&done.ciphertext_sha256),
                original_sha256: stripped.then(|| hex(&original_sha256)),
            },
            original_sha256,
            blob: done.output,
        })
    }
}

impl From<&ManifestEntry> for crate::store::AttachmentRefV1 {
    /// What the store keeps of an attachment: its blob and the digest of its ciphertext, nothing more.
    fn from(m: &ManifestEntry) -> Self {
        crate::store::AttachmentRefV1 {
            id: m.blob.clone(),
            ciphertext_len: m.ciphertext_len,
            ciphertext_sha256: m.ciphertext_sha256.clone(),
        }
    }
}

/// An attachment encrypted into a temporary blob, waiting for its report to be stored.
pub struct SealedAttachment {
    pub entry: ManifestEntry,
    /// SHA-256 of the file as it was sent (before metadata removal), to check a digest the sender
    /// gave (WhatsApp's).
    pub original_sha256: [u8; 32],
    pub blob: PendingBlob,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_formats_need_their_extension() {
        assert_eq!(sniff(b"PK\x03\x04rest", "a.docx").map(|_| ()), Some(()));
        assert_eq!(sniff(b"PK\x03\x04rest", "a.zip"), None);
        assert_eq!(sniff(b"MZ\x90\x00", "a.pdf"), None);
        assert_eq!(sniff(b"%PDF-1.7", "x"), Some("application/pdf"));
    }

    /// A JPEG 2000 file sent on its own is not accepted (its XML boxes are not removed outside a
    /// PDF): refused as a type the form does not list, not stored as sent.
    #[test]
    fn jpeg_2000_files_are_not_accepted() {
        let jp2 = b"\0\0\0\x0CjP  \r\n\x87\n\0\0\0\x14ftypjp2 ";
        let codestream = b"\xFF\x4F\xFF\x51\0\x29\0\0\0\0\0\0\0\0";
        for (head, name) in [(&jp2[..], "scan.jp2"), (&codestream[..], "scan.j2k")] {
            assert_eq!(sniff(head, name), None, "{name}");
            assert!(!heic_or_video(head), "{name}");
        }
    }

    #[test]
    fn names_lose_their_paths() {
        assert_eq!(clean_name("C:\\Users\\me\\bukti.pdf"), "bukti.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name(""), "lampiran");
    }
}
