//! What PDFs and Office documents expand into while they are rewritten is charged to the document
//! budget before it is inflated (docs/design.md §11): object streams, inflated archive parts.

use super::tests::zip_of;
use super::tests_documents::{hostile_pdf, PAGE_TEXT};
use super::*;

fn has(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// `file` scrubbed as `format` with a budget of `limit` bytes for what it expands into; also
/// returns how much was asked of the budget.
fn scrub_within(format: Format, file: &[u8], limit: u64) -> (Result<Vec<u8>, Unfinished>, u64) {
    let mut s = Scrubber::new(format);
    let mut out = Vec::new();
    s.push(file, &mut out).expect("held");
    let mut charged = 0u64;
    let mut room = |bytes: u64| {
        let fits = charged + bytes <= limit;
        if fits {
            charged += bytes;
        }
        fits
    };
    let result = s.finish_within(&mut out, &mut room).map(|_| out);
    (result, charged)
}

/// `doc` saved with its objects packed into compressed object streams (a cross-reference stream).
fn with_object_streams(mut doc: lopdf::Document) -> Vec<u8> {
    let options = lopdf::SaveOptions::builder()
        .use_object_streams(true)
        .use_xref_streams(true)
        .compression_level(9)
        .build();
    let mut file = Vec::new();
    doc.save_with_options(&mut file, options).expect("saved");
    assert!(has(&file, b"/ObjStm"), "the test PDF has object streams");
    file
}

/// A one-page PDF whose catalog carries a string of `text_len` spaces, packed in an object stream.
fn pdf_with_long_string(text_len: usize) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(&hostile_pdf()).expect("the test PDF reads");
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(lopdf::Object::as_reference)
        .expect("root");
    let catalog = doc
        .get_object_mut(root)
        .and_then(lopdf::Object::as_dict_mut)
        .expect("catalog");
    catalog.set("Lang", lopdf::Object::string_literal(vec![b' '; text_len]));
    with_object_streams(doc)
}

#[test]
fn a_pdf_without_object_streams_is_charged_nothing_more() {
    let (out, charged) = scrub_within(Format::Pdf, &hostile_pdf(), u64::MAX);
    assert!(out.is_ok(), "{out:?}");
    assert_eq!(charged, 0);
}

#[test]
fn objects_inside_object_streams_are_read_and_scrubbed() {
    let doc = lopdf::Document::load_mem(&hostile_pdf()).expect("the test PDF reads");
    let file = with_object_streams(doc);
    // Compressed: the canaries are not visible in the file itself, only once inflated.
    let (out, charged) = scrub_within(Format::Pdf, &file, u64::MAX);
    let out = out.expect("scrubbed");
    assert!(!has(&out, b"CANARY"), "{}", String::from_utf8_lossy(&out));
    let doc = lopdf::Document::load_mem(&out).expect("still a PDF");
    let page = *doc.get_pages().get(&1).expect("one page");
    assert!(doc.get_page_content(page).starts_with(PAGE_TEXT));
    assert!(has(&out, b"catatan penting"), "a comment's text is kept");
    // A small document needs the first allowance only.
    assert_eq!(charged, (256 << 10) * PDF_MEMORY_PER_BYTE);
}

#[test]
fn pdf_object_streams_are_charged_before_they_inflate() {
    // 3 MiB of text behind a few KiB: over the first two allowances (256 KiB, 2 MiB).
    let file = pdf_with_long_string(3 << 20);
    assert!(file.len() < 64 << 10, "{} bytes", file.len());
    let (out, charged) = scrub_within(Format::Pdf, &file, u64::MAX);
    assert!(out.is_ok(), "{out:?}");
    assert_eq!(charged, (16 << 20) * PDF_MEMORY_PER_BYTE, "third allowance");
    // A budget with room for 2 MiB of text only: busy, not unscrubbable.
    let (out, _) = scrub_within(Format::Pdf, &file, (2 << 20) * PDF_MEMORY_PER_BYTE);
    assert!(matches!(out, Err(Unfinished::Busy)), "{out:?}");
    // More text than any allowance: refused as unscrubbable, whatever the budget.
    let (out, _) = scrub_within(Format::Pdf, &pdf_with_long_string(17 << 20), u64::MAX);
    assert!(matches!(out, Err(Unfinished::Unscrubbable)), "{out:?}");
}

#[test]
fn office_parts_are_charged_as_they_inflate() {
    let zeros = vec![0u8; 5 << 20];
    let file = zip_of(
        &[
            ("[Content_Types].xml", b"<Types/>", false),
            ("word/media/data.bin", &zeros, false),
        ],
        b"",
    );
    let (out, charged) = scrub_within(Format::Office, &file, u64::MAX);
    assert!(out.is_ok(), "{out:?}");
    assert!(charged >= 5 << 20, "{charged}");
    let (out, _) = scrub_within(Format::Office, &file, 4 << 20);
    assert!(matches!(out, Err(Unfinished::Busy)), "{out:?}");
}
