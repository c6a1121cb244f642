//! PDF: read with `lopdf` and written anew as one revision (docs/design.md §6), so what the reporter's
//! software left in the file but no longer shows goes:
//!
//! - the trailer keeps only `/Root`: the document information dictionary (`/Info`: author, title,
//!   producer, times) and the file identifier (`/ID`) are gone;
//! - every `/Metadata` (XMP) entry is removed, on the catalog and on pages, images, fonts, and so is
//!   private application data (`/PieceInfo`) and associated files (`/AF`);
//! - active content and files carried inside are removed, not refused: JavaScript (`/Names/JavaScript`,
//!   JavaScript actions anywhere, `/OpenAction` and `/A` actions that run code, launch programs, submit
//!   or import data), additional actions (`/AA`), XFA forms (`/AcroForm/XFA`), embedded files
//!   (`/Names/EmbeddedFiles`, `/FileAttachment` annotations, file specifications with `/EF`);
//! - the author (`/T`) of comments and other markup annotations is blanked to `-`, their times removed;
//! - photos inside (`/DCTDecode` images, which are JPEG files) go through the JPEG scrubber, and JPEG
//!   2000 images (`/JPXDecode`) lose their XML, `uuid` and other metadata boxes and their comments
//!   (`jp2`);
//! - objects no longer reachable from the catalog are dropped, which removes the old `/Info` and XMP of
//!   earlier revisions: incremental updates appended after `%%EOF` do not survive the rewrite.
//!
//! Page content streams are written byte for byte as they came. Encrypted PDFs and files `lopdf`
//! cannot read are refused (`Unscrubbable`): the reporter is told to print or save the document to
//! PDF again. The whole file is held (a PDF's cross-reference table is at its end), bounded by the
//! upload limit. What compressed object streams expand into is charged to the document budget before
//! `lopdf` inflates it (`Expansion`), at most `MAX_EXPANDED` in all; in the running server the whole
//! rewrite runs in a child process held to what was charged (`pdf_child`).

use std::cell::Cell;
use std::collections::HashSet;

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};

use super::{Format, Scrubber, Unfinished, Unscrubbable, PDF_MEMORY_PER_BYTE};

/// The text of decompressed object streams, all together. Real documents hold far less (a
/// thousand-page report: a few MiB); charged at the PDF multiple, this much is 320 MiB of budget.
const MAX_EXPANDED: u64 = 16 << 20;

/// The first allowance of object-stream text for a file that names object streams, before a load is
/// tried again with more (×8 each time, up to `MAX_EXPANDED`): most documents need one load.
const FIRST_ALLOWANCE: u64 = 256 << 10;

/// The allowance a load starts with: nothing for a file without `/ObjStm` in its bytes (most
/// documents need nothing then; a name spelled with `#` escapes is not seen here, but is counted by
/// the filter all the same and loads again with `FIRST_ALLOWANCE`), so such PDFs are charged no more
/// than their own multiple.
fn first_allowance(file: &[u8]) -> u64 {
    if file.windows(7).any(|w| w == b"/ObjStm") {
        FIRST_ALLOWANCE
    } else {
        0
    }
}

/// Any one stream `lopdf` decodes while loading (object and cross-reference streams).
const MAX_STREAM: usize = MAX_EXPANDED as usize;

/// Keys whose value is metadata or private data, removed wherever they appear.
const METADATA_KEYS: [&[u8]; 4] = [b"Metadata", b"PieceInfo", b"AF", b"AA"];

/// Action types that run code, start programs or send data somewhere.
const ACTIVE_ACTIONS: [&[u8]; 6] = [
    b"JavaScript",
    b"Launch",
    b"SubmitForm",
    b"ImportData",
    b"GoToE",
    b"RichMediaExecute",
];

pub(super) struct Pdf {
    held: Vec<u8>,
}

impl Pdf {
    pub(super) fn new() -> Self {
        Pdf { held: Vec::new() }
    }

    pub(super) fn push(&mut self, input: &[u8]) {
        self.held.extend_from_slice(input);
    }

    /// Rewrites the document into `out`; returns how many bytes shorter it is (at least 1 when
    /// anything changed, so the original's digest is kept in the manifest).
    ///
    /// `room` is asked for the memory the object streams expand into before `lopdf` inflates them
    /// (docs/design.md §11); when it refuses, the document is refused as busy.
    pub(super) fn finish(
        &mut self,
        out: &mut Vec<u8>,
        room: &mut dyn FnMut(u64) -> bool,
    ) -> Result<u64, Unfinished> {
        let mut allowance = 0;
        let mut next = first_allowance(&self.held);
        let clean = loop {
            // Object-stream text, parsed, is held like the file's own objects: the same multiple.
            if !room((next - allowance) * PDF_MEMORY_PER_BYTE) {
                return Err(Unfinished::Busy);
            }
            allowance = next;
            next = allowance
                .saturating_mul(8)
                .clamp(FIRST_ALLOWANCE, MAX_EXPANDED);
            match super::pdf_child::rewrite(&self.held, allowance) {
                Ok(clean) => break clean,
                Err(Loaded::OverAllowance) if allowance < MAX_EXPANDED => continue,
                Err(_) => return Err(Unfinished::Unscrubbable),
            }
        };
        let removed = (self.held.len() as u64)
            .saturating_sub(clean.len() as u64)
            .max(u64::from(clean != self.held));
        out.extend_from_slice(&clean);
        Ok(removed)
    }
}

/// Why a load did not give a document.
pub(super) enum Loaded {
    /// The object streams hold more text than the allowance: try again with more, or refuse.
    OverAllowance,
    Unscrubbable,
}

impl From<Unscrubbable> for Loaded {
    fn from(_: Unscrubbable) -> Self {
        Loaded::Unscrubbable
    }
}

/// The object-stream text a load may still inflate, on the thread that loads. `lopdf` takes a plain
/// `fn` as its load filter, so the filter cannot capture the count; `lopdf` is built without its
/// `rayon` feature, so the whole load runs on this thread, and `rewrite` sets the count before each
/// load.
struct Expansion;

thread_local! {
    static LEFT: Cell<u64> = const { Cell::new(0) };
    static OVER: Cell<bool> = const { Cell::new(false) };
}

impl Expansion {
    fn start(allowance: u64) {
        LEFT.set(allowance);
        OVER.set(false);
    }

    /// `lopdf` calls this on every object it reads at the top level, an object stream before it
    /// inflates it: the stream's text is measured (inflating at most what is left of the allowance)
    /// and counted, and a stream over the allowance is dropped unread, so `lopdf` never inflates it.
    ///
    /// `lopdf` keeps a top-level object as it is after the call and only looks at whether `Some`
    /// came back, but takes the returned value for an object read out of an object stream. Streams
    /// are only ever top-level, so they return a placeholder (no copy of their content); anything
    /// else returns its copy.
    fn filter(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
        let Object::Stream(stream) = object else {
            return Some((id, object.clone()));
        };
        if stream.dict.has_type(b"ObjStm") {
            let left = LEFT.get();
            let text = usize::try_from(left)
                .ok()
                .and_then(|limit| stream.get_plain_content_with_limit(limit).ok());
            match text {
                Some(text) => LEFT.set(left.saturating_sub(text.len() as u64)),
                None => {
                    OVER.set(true);
                    return None;
                }
            }
        }
        Some((id, Object::Null))
    }

    fn over() -> bool {
        OVER.get()
    }
}

/// Loads `file`, inflating at most `allowance` bytes of object-stream text.
fn load(file: &[u8], allowance: u64) -> Result<Document, Loaded> {
    let load = |force_reconstruct| {
        Expansion::start(allowance);
        let loaded = Document::load_mem_with_options(
            file,
            LoadOptions {
                max_decompressed_size: Some(MAX_STREAM),
                filter: Some(Expansion::filter),
                force_reconstruct,
                ..LoadOptions::default()
            },
        );
        if Expansion::over() {
            return Err(Loaded::OverAllowance);
        }
        loaded.map_err(|_| Loaded::Unscrubbable)
    };
    let doc = load(false)?;
    // With a filter `lopdf` does not rebuild a cross-reference table that leaves no pages (it would
    // load again without the filter, uncounted); this does it, counted.
    if doc.get_pages().is_empty() {
        match load(true) {
            Ok(rebuilt) if !rebuilt.get_pages().is_empty() => return Ok(rebuilt),
            Err(Loaded::OverAllowance) => return Err(Loaded::OverAllowance),
            _ => {}
        }
    }
    Ok(doc)
}

/// The rewrite itself, in this process (`pdf_child::rewrite` decides where it runs).
pub(super) fn rewrite(file: &[u8], allowance: u64) -> Result<Vec<u8>, Loaded> {
    let mut doc = load(file, allowance)?;
    // Encrypted documents cannot be rewritten without their keys; the reporter can print them to a
    // new PDF.
    if doc.trailer.has(b"Encrypt") || doc.was_encrypted() {
        return Err(Loaded::Unscrubbable);
    }
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| Unscrubbable)?;
    let mut trailer = Dictionary::new();
    trailer.set("Root", Object::Reference(root));
    doc.trailer = trailer;

    // Objects that are themselves what is removed: deleted, and every reference to them dropped.
    let removed: HashSet<ObjectId> = doc
        .objects
        .iter()
        .filter(|(_, o)| unwanted(o))
        .map(|(id, _)| *id)
        .collect();
    doc.objects.retain(|id, _| !removed.contains(id));
    for object in doc.objects.values_mut() {
        clean(object, &removed)?;
    }
    // What only the removed entries (or an earlier revision's trailer) pointed at goes too.
    doc.prune_objects();
    // The catalog must be left (a damaged file may have an embedded file's dictionary in its place):
    // what is written out has to open as a PDF again.
    if !matches!(doc.objects.get(&root), Some(Object::Dictionary(_))) {
        return Err(Loaded::Unscrubbable);
    }

    // Numbered from what is left (not the old cross-reference size), so a scrubbed file scrubs to
    // itself.
    doc.max_id = doc.objects.keys().next_back().map_or(0, |id| id.0);
    let mut out = Vec::with_capacity(file.len());
    doc.save_to(&mut out).map_err(|_| Unscrubbable)?;
    Ok(out)
}

fn name<'a>(dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    dict.get(key).ok()?.as_name().ok()
}

fn dictionary(object: &Object) -> Option<&Dictionary> {
    match object {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// An object removed as a whole: an active action, an embedded file or its file specification, a file
/// attachment annotation, an XMP stream.
fn unwanted(object: &Object) -> bool {
    let Some(d) = dictionary(object) else {
        return false;
    };
    name(d, b"S").is_some_and(|s| ACTIVE_ACTIONS.contains(&s))
        || d.has(b"JS")
        || d.has(b"EF")
        || matches!(name(d, b"Type"), Some(b"EmbeddedFile" | b"Metadata"))
        || name(d, b"Subtype") == Some(b"FileAttachment")
}

/// Whether a value is (or points at) something removed.
fn drops(value: &Object, removed: &HashSet<ObjectId>) -> bool {
    match value {
        Object::Reference(id) => removed.contains(id),
        other => unwanted(other),
    }
}

/// Removes metadata keys, removed objects and anything pointing at them, inside `object`.
fn clean(object: &mut Object, removed: &HashSet<ObjectId>) -> Result<(), Unscrubbable> {
    match object {
        Object::Array(items) => {
            items.retain(|v| !drops(v, removed));
            for item in items {
                clean(item, removed)?;
            }
        }
        Object::Dictionary(d) => clean_dictionary(d, removed)?,
        Object::Stream(s) => {
            clean_dictionary(&mut s.dict, removed)?;
            if only_filter(&s.dict, b"DCTDecode") {
                let scrubbed = picture(&s.content)?;
                s.set_content(scrubbed);
            } else if only_filter(&s.dict, b"JPXDecode") {
                let scrubbed = super::jp2::scrub(&s.content)?;
                s.set_content(scrubbed);
            }
        }
        _ => {}
    }
    Ok(())
}

fn clean_dictionary(d: &mut Dictionary, removed: &HashSet<ObjectId>) -> Result<(), Unscrubbable> {
    for key in METADATA_KEYS {
        d.remove(key);
    }
    // A comment's author and times (markup annotations); a form field's `/T` is its name and stays.
    if d.has(b"Subtype") && d.has(b"Rect") && name(d, b"Subtype") != Some(b"Widget") {
        if d.has(b"T") {
            d.set("T", Object::string_literal("-"));
        }
        d.remove(b"M");
        d.remove(b"CreationDate");
    }
    // The name tree's scripts and files (`/Names`), XFA forms (`/AcroForm`).
    d.remove(b"JavaScript");
    d.remove(b"EmbeddedFiles");
    d.remove(b"XFA");
    let gone: Vec<Vec<u8>> = d
        .iter()
        .filter(|(_, v)| drops(v, removed))
        .map(|(k, _)| k.clone())
        .collect();
    for key in gone {
        d.remove(&key);
    }
    for (_, value) in d.iter_mut() {
        clean(value, removed)?;
    }
    Ok(())
}

/// A stream holding a picture file as it is: its only filter is `filter` (`/DCTDecode`: a JPEG file,
/// `/JPXDecode`: a JPEG 2000 file).
fn only_filter(dict: &Dictionary, filter: &[u8]) -> bool {
    match dict.get(b"Filter") {
        Ok(Object::Name(n)) => n == filter,
        Ok(Object::Array(a)) => matches!(a.as_slice(), [Object::Name(n)] if n == filter),
        _ => false,
    }
}

fn picture(bytes: &[u8]) -> Result<Vec<u8>, Unscrubbable> {
    let mut s = Scrubber::new(Format::Jpeg);
    let mut out = Vec::with_capacity(bytes.len());
    s.push(bytes, &mut out)?;
    s.finish(&mut out)?;
    Ok(out)
}
