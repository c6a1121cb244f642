//! Metadata scrubbing of uploaded files as they stream in (docs/design.md §6, issue 11). Each format
//! writes out only what it needs to show its content and drops everything else — EXIF with GPS
//! position, camera serial and time, XMP, IPTC, comments, embedded second images and previews, provenance
//! manifests and anything appended after the image. A file that does not parse as its type is refused
//! (`Unscrubbable`) instead of passed through: "removed" must mean removed.
//!
//! The photo scrubbers are linear in their input: each looks at every byte once and holds at most one
//! header or one bounded segment, never the file. Office documents are zip archives whose directory is
//! at the end, and so is a PDF's cross-reference table: they are held whole (bounded by the upload limit)
//! and rewritten at `finish`.

mod gif;
mod jp2;
mod jpeg;
mod office;
mod pdf;
mod pdf_child;
mod png;
mod webp;

pub use pdf_child::memory_limit as pdf_cleaner_memory_limit;
pub(crate) use pdf_child::{child_main as pdf_child_main, rewrite_pdfs_in_child};

/// Whether an APP1 segment's body is exactly the orientation-only EXIF block the JPEG scrubber writes
/// (the one harmless tag it keeps, docs/design.md §6): readers need not flag it as metadata.
pub(crate) fn is_orientation_only_exif(body: &[u8]) -> bool {
    (2..=8).any(|v| jpeg::orientation_exif(v) == body)
}

/// Whether a PNG `eXIf` body (a bare TIFF structure) is exactly the orientation-only block the PNG
/// scrubber writes.
pub(crate) fn is_orientation_only_tiff(tiff: &[u8]) -> bool {
    (2..=8).any(|v| jpeg::orientation_exif(v)[6..] == *tiff)
}

/// Moves bytes from `input` into `hold` until it has `n`; true when it has.
pub(super) fn fill(hold: &mut Vec<u8>, input: &mut &[u8], n: usize) -> bool {
    let take = n.saturating_sub(hold.len()).min(input.len());
    hold.extend_from_slice(&input[..take]);
    *input = &input[take..];
    hold.len() >= n
}

/// The file does not have the structure of its type, so its metadata cannot be found and removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unscrubbable;

/// Why a rewrite did not finish: the file cannot be cleaned, or what it expands to does not fit in
/// the server's document budget now (`intake::limits::DocumentBudget`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unfinished {
    Unscrubbable,
    Busy,
}

impl From<Unscrubbable> for Unfinished {
    fn from(_: Unscrubbable) -> Self {
        Unfinished::Unscrubbable
    }
}

/// The formats scrubbed on the way in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
    /// OOXML and OpenDocument (zip archives of XML parts); held whole until the end.
    Office,
    /// PDF, rewritten as one revision; held whole until the end.
    Pdf,
}

impl Format {
    /// The scrubber for files of this media type; `None`: stored as sent (and flagged, see
    /// `scrubbed_type`).
    pub fn for_media_type(media_type: &str) -> Option<Format> {
        Some(match media_type {
            "image/jpeg" => Format::Jpeg,
            "image/png" => Format::Png,
            "image/gif" => Format::Gif,
            "image/webp" => Format::Webp,
            "application/pdf" => Format::Pdf,
            t if t.starts_with("application/vnd.openxmlformats-officedocument.")
                || t.starts_with("application/vnd.oasis.opendocument.") =>
            {
                Format::Office
            }
            _ => return None,
        })
    }
}

impl Format {
    /// For a format held whole until `finish` (PDF, Office): the memory it takes at its peak, per
    /// byte of the file, counting the held file, the parser's objects and the rewritten output;
    /// `None` for the streaming ones, which hold at most one bounded segment. Charged to
    /// `intake::limits::DocumentBudget`. Measured with `VmHWM` around `push` and `finish` on ~20 MB
    /// files (`cargo bench --bench document_memory`, docs/performance.md): PDFs 3.0× (large
    /// streams), 4.3× (pages of 2 KB text) and 18.1× (small objects — `lopdf` keeps each object as a
    /// tree), so the worst shape, rounded up; a stored `.docx` 3.4×. What compressed parts and object
    /// streams expand into is charged apart, before it is inflated (`Scrubber::finish_within`).
    pub(crate) fn memory_per_byte(self) -> Option<u64> {
        match self {
            Format::Pdf => Some(PDF_MEMORY_PER_BYTE),
            Format::Office => Some(OFFICE_MEMORY_PER_BYTE),
            Format::Jpeg | Format::Png | Format::Gif | Format::Webp => None,
        }
    }

    /// For a format held whole: the memory charged once when it starts, besides the multiple. A PDF
    /// is rewritten in a child process (`pdf_child`) whose ceiling is what was charged for it, and
    /// the child itself needs this much beyond the file.
    pub(crate) fn memory_base(self) -> u64 {
        match self {
            Format::Pdf => PDF_MEMORY_BASE,
            Format::Office | Format::Jpeg | Format::Png | Format::Gif | Format::Webp => 0,
        }
    }
}

pub(super) const PDF_MEMORY_PER_BYTE: u64 = 20;
/// The PDF cleaner's own needs: the program, its runtime and buffers, and room for the rewrite's
/// smaller allocations (a child cleaning a small PDF uses about 1 MiB beyond the file).
pub(super) const PDF_MEMORY_BASE: u64 = 8 << 20;
const OFFICE_MEMORY_PER_BYTE: u64 = 4;

/// Whether files of this media type went through a scrubber. Those that did not (legacy `.doc`,
/// `.xls`, `.ppt`) are flagged to investigators: their metadata is as the reporter sent it.
pub fn scrubbed_type(media_type: &str) -> bool {
    Format::for_media_type(media_type).is_some()
}

enum Inner {
    Jpeg(jpeg::Jpeg),
    Png(png::Png),
    Gif(gif::Gif),
    Webp(webp::Webp),
    Office(office::Office),
    Pdf(pdf::Pdf),
}

/// A streaming scrubber: feed it chunks, then `finish`. After an error it must not be fed again.
pub struct Scrubber {
    inner: Inner,
}

impl Scrubber {
    pub fn new(format: Format) -> Self {
        Scrubber {
            inner: match format {
                Format::Jpeg => Inner::Jpeg(jpeg::Jpeg::new()),
                Format::Png => Inner::Png(png::Png::new()),
                Format::Gif => Inner::Gif(gif::Gif::new()),
                Format::Webp => Inner::Webp(webp::Webp::new()),
                Format::Office => Inner::Office(office::Office::new()),
                Format::Pdf => Inner::Pdf(pdf::Pdf::new()),
            },
        }
    }

    /// Takes the next bytes of the file and appends what is kept to `out`.
    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Unscrubbable> {
        match &mut self.inner {
            Inner::Jpeg(s) => s.push(input, out),
            Inner::Png(s) => s.push(input, out),
            Inner::Gif(s) => s.push(input, out),
            Inner::Webp(s) => s.push(input, out),
            Inner::Office(s) => {
                s.push(input);
                Ok(())
            }
            Inner::Pdf(s) => {
                s.push(input);
                Ok(())
            }
        }
    }

    /// The end of the file: appends what is still to come to `out` and returns the number of bytes
    /// removed (0: the file is kept as it came).
    pub fn finish(self, out: &mut Vec<u8>) -> Result<u64, Unscrubbable> {
        self.finish_within(out, &mut |_| true)
            .map_err(|_| Unscrubbable)
    }

    /// `finish`, asking `room` for each stretch of memory the rewrite expands into (Office parts as
    /// they inflate, PDF object streams before `lopdf` inflates them, docs/design.md §11); `room` answers false when the server's document budget cannot
    /// cover it, and the document is then refused as busy, not as unscrubbable.
    pub(crate) fn finish_within(
        mut self,
        out: &mut Vec<u8>,
        room: &mut dyn FnMut(u64) -> bool,
    ) -> Result<u64, Unfinished> {
        match &mut self.inner {
            Inner::Jpeg(s) => s.finish().map(|_| s.removed).map_err(Unfinished::from),
            Inner::Png(s) => s.finish().map(|_| s.removed).map_err(Unfinished::from),
            Inner::Gif(s) => s.finish().map(|_| s.removed).map_err(Unfinished::from),
            Inner::Webp(s) => s.finish().map(|_| s.removed).map_err(Unfinished::from),
            Inner::Office(s) => s.finish(out, room),
            Inner::Pdf(s) => s.finish(out, room),
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_documents;
#[cfg(test)]
mod tests_expansion;
