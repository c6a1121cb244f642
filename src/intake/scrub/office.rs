//! Office documents: OOXML (`.docx`, `.xlsx`, `.pptx`) and OpenDocument (`.odt`, `.ods`, `.odp`) are
//! zip archives of XML parts. The archive is read with `zip` and written anew, part by part, so nothing
//! outside its parts (bytes before the first entry, after the directory, archive comments) survives:
//!
//! - document properties are replaced by empty ones: OOXML `docProps/core.xml` (author, last editor,
//!   times), `docProps/app.xml` (company, manager, template), `docProps/custom.xml`; ODF `meta.xml`;
//! - in every other XML part (read with `quick-xml`), the people in comments and tracked changes are
//!   blanked: the attributes `author`, `initials`, `userId`, `providerId` (Word's comments, revisions and
//!   `people.xml`, PowerPoint's comment authors' `name`), and the text of `author` (Excel's comment
//!   authors) and `creator` (ODF annotations and changes) elements;
//! - Word's editing-session ids (`w:rsid*` attributes and the `w:rsids` list in settings.xml), which
//!   can tie the document to other files edited on the same computer, are removed;
//! - ODF `settings.xml` printer names and printer setup blobs (`PrinterName`, `PrinterSetup`) are
//!   removed;
//! - embedded JPEG, PNG, GIF and WebP pictures go through the photo scrubbers.
//!
//! The whole file is held in memory (a zip's directory is at its end); the upload limit bounds it, and
//! parts may expand to at most `MAX_EXPANDED` in total (zip bombs are refused).

use std::io::{Cursor, Read, Write};

use quick_xml::events::{BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::{Format, Scrubber, Unfinished, Unscrubbable};

/// All parts together, uncompressed.
const MAX_EXPANDED: u64 = 256 << 20;
/// What a blanked name becomes.
const BLANK: &str = "-";

const CORE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>"#;
const APP: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"/>"#;
const CUSTOM: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>"#;
const ODF_META: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2"><office:meta/></office:document-meta>"#;

pub(super) struct Office {
    held: Vec<u8>,
}

impl Office {
    pub(super) fn new() -> Self {
        Office { held: Vec::new() }
    }

    pub(super) fn push(&mut self, input: &[u8]) {
        self.held.extend_from_slice(input);
    }

    /// Rewrites the archive into `out`; returns how many bytes shorter it is (at least 1 when anything
    /// was rewritten, so the original's digest is kept in the manifest).
    ///
    /// Every inflated byte is first asked of `room` (the document budget, docs/design.md §11), so
    /// what a small archive expands to is charged as it is produced, not assumed from its size.
    pub(super) fn finish(
        &mut self,
        out: &mut Vec<u8>,
        room: &mut dyn FnMut(u64) -> bool,
    ) -> Result<u64, Unfinished> {
        let clean = rewrite(&self.held, room)?;
        let removed = (self.held.len() as u64)
            .saturating_sub(clean.len() as u64)
            .max(u64::from(clean != self.held));
        out.extend_from_slice(&clean);
        Ok(removed)
    }
}

/// Inflates in steps of this size, each charged before it is read.
const CHARGE_STEP: u64 = 1 << 20;

fn rewrite(file: &[u8], room: &mut dyn FnMut(u64) -> bool) -> Result<Vec<u8>, Unfinished> {
    let mut archive = ZipArchive::new(Cursor::new(file)).map_err(|_| Unscrubbable)?;
    let mut writer = ZipWriter::new(Cursor::new(Vec::with_capacity(file.len())));
    let mut expanded = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|_| Unscrubbable)?;
        let name = entry.name().to_owned();
        // `mimetype` (ODF) must stay first and stored; other parts keep their method too.
        let method = match entry.compression() {
            CompressionMethod::Stored => CompressionMethod::Stored,
            _ => CompressionMethod::Deflated,
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(zip::DateTime::default());
        if entry.is_dir() {
            writer
                .add_directory(name, options)
                .map_err(|_| Unscrubbable)?;
            continue;
        }
        let mut bytes = Vec::new();
        loop {
            let left = MAX_EXPANDED - expanded;
            let step = CHARGE_STEP.min(left + 1);
            if !room(step) {
                return Err(Unfinished::Busy);
            }
            let read = (&mut entry)
                .take(step)
                .read_to_end(&mut bytes)
                .map_err(|_| Unscrubbable)? as u64;
            if read > left {
                return Err(Unfinished::Unscrubbable);
            }
            expanded += read;
            if read < step {
                break;
            }
        }
        drop(entry);
        let clean = part(&name, bytes)?;
        writer.start_file(name, options).map_err(|_| Unscrubbable)?;
        writer.write_all(&clean).map_err(|_| Unscrubbable)?;
    }
    let out = writer.finish().map_err(|_| Unscrubbable)?;
    Ok(out.into_inner())
}

/// One part, cleaned.
fn part(name: &str, bytes: Vec<u8>) -> Result<Vec<u8>, Unscrubbable> {
    let lower = name.to_ascii_lowercase();
    Ok(match lower.as_str() {
        "docprops/core.xml" => CORE.as_bytes().to_vec(),
        "docprops/app.xml" => APP.as_bytes().to_vec(),
        "docprops/custom.xml" => CUSTOM.as_bytes().to_vec(),
        "meta.xml" => ODF_META.as_bytes().to_vec(),
        n if n.ends_with(".xml") || n.ends_with(".rels") => blank_people(&bytes)?,
        n if n.ends_with(".jpg") || n.ends_with(".jpeg") => picture(Format::Jpeg, &bytes)?,
        n if n.ends_with(".png") => picture(Format::Png, &bytes)?,
        n if n.ends_with(".gif") => picture(Format::Gif, &bytes)?,
        n if n.ends_with(".webp") => picture(Format::Webp, &bytes)?,
        _ => bytes,
    })
}

fn picture(format: Format, bytes: &[u8]) -> Result<Vec<u8>, Unscrubbable> {
    let mut s = Scrubber::new(format);
    let mut out = Vec::with_capacity(bytes.len());
    s.push(bytes, &mut out)?;
    s.finish(&mut out)?;
    Ok(out)
}

/// Attributes that name a person, by local name.
fn person_attribute(element: &str, attribute: &str) -> bool {
    matches!(attribute, "author" | "initials" | "userId" | "providerId")
        || (element == "cmAuthor" && attribute == "name")
}

/// Elements whose text is a person's name, by local name.
fn person_element(element: &str) -> bool {
    matches!(element, "author" | "creator" | "initial-creator")
}

/// Attributes removed outright: Word's editing-session ids (`w:rsidR`, `w:rsidRPr`, `w:rsidDel`, …).
fn session_attribute(attribute: &str) -> bool {
    attribute.starts_with("rsid")
}

/// Elements removed with everything inside: Word's list of editing sessions (`w:rsids`) and ODF's
/// printer settings (`config:config-item` named `PrinterName` or `PrinterSetup`).
fn dropped_element(e: &BytesStart<'_>) -> bool {
    match e.local_name().as_ref() {
        "rsids" => true,
        "config-item" => e.attributes().flatten().any(|a| {
            a.key.local_name().as_ref() == "name"
                && matches!(a.value.as_ref(), "PrinterName" | "PrinterSetup")
        }),
        _ => false,
    }
}

/// The XML part with every person's name blanked and session ids and printer settings removed; the
/// rest passes event by event.
fn blank_people(xml: &[u8]) -> Result<Vec<u8>, Unscrubbable> {
    let mut reader = Reader::from_reader(xml);
    let mut writer = Writer::new(Vec::with_capacity(xml.len()));
    let mut buf = Vec::new();
    // Inside an element whose text is a name: how deep.
    let mut in_person = 0usize;
    // Inside an element removed whole: how deep.
    let mut in_dropped = 0usize;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|_| Unscrubbable)?;
        if in_dropped > 0 || matches!(&event, Event::Start(e) if dropped_element(e)) {
            match event {
                Event::Start(_) => in_dropped += 1,
                Event::End(_) => in_dropped -= 1,
                Event::Eof => return Err(Unscrubbable),
                _ => {}
            }
            buf.clear();
            continue;
        }
        if matches!(&event, Event::Empty(e) if dropped_element(e)) {
            buf.clear();
            continue;
        }
        let mut blank_after = false;
        let event = match event {
            Event::Eof => break,
            Event::Start(e) => {
                if in_person > 0 {
                    in_person += 1;
                } else if person_element(e.local_name().as_ref()) {
                    in_person = 1;
                    blank_after = true;
                }
                Event::Start(blank_attributes(&e)?)
            }
            Event::Empty(e) => Event::Empty(blank_attributes(&e)?),
            Event::End(e) => {
                in_person = in_person.saturating_sub(1);
                Event::End(e)
            }
            // A name's text (and any entity in it) is dropped: one blank stands for it.
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) if in_person > 0 => {
                buf.clear();
                continue;
            }
            other => other,
        };
        writer.write_event(event).map_err(|_| Unscrubbable)?;
        if blank_after {
            writer
                .write_event(Event::Text(BytesText::new(BLANK)))
                .map_err(|_| Unscrubbable)?;
        }
        buf.clear();
    }
    Ok(writer.into_inner())
}

fn blank_attributes(e: &BytesStart<'_>) -> Result<BytesStart<'static>, Unscrubbable> {
    let element = e.local_name();
    let mut out = BytesStart::new(e.name().as_ref().to_owned());
    for a in e.attributes() {
        let a = a.map_err(|_| Unscrubbable)?;
        if session_attribute(a.key.local_name().as_ref()) {
            continue;
        }
        if person_attribute(element.as_ref(), a.key.local_name().as_ref()) {
            out.push_attribute((a.key.as_ref(), BLANK));
        } else {
            out.push_attribute(a);
        }
    }
    Ok(out)
}
