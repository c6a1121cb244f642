//! PDFs, Word editing sessions, ODF printer settings and PNG orientation: a canary in every slot, the
//! content that must come through.

use super::jpeg::orientation;
use super::tests::{hostile_jpeg, png_chunk, zip_of};
use super::*;

fn has(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn scrub(format: Format, file: &[u8]) -> Result<Vec<u8>, Unscrubbable> {
    let mut s = Scrubber::new(format);
    let mut out = Vec::new();
    for c in file.chunks(1000) {
        s.push(c, &mut out)?;
    }
    s.finish(&mut out)?;
    Ok(out)
}

/// A PDF revision: the objects (numbered from `first`), a cross-reference section and a trailer,
/// appended to `file` (empty: a new file). Offsets are counted so every reader finds its objects.
pub(super) fn pdf_revision(file: &mut Vec<u8>, first: u32, objects: &[Vec<u8>], trailer: &str) {
    if file.is_empty() {
        file.extend_from_slice(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
    }
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(file.len());
        file.extend_from_slice(format!("{} 0 obj\n", first + i as u32).as_bytes());
        file.extend_from_slice(body);
        file.extend_from_slice(b"\nendobj\n");
    }
    let xref = file.len();
    let mut table = if first == 1 {
        "xref\n0 1\n0000000000 65535 f \n".to_owned()
    } else {
        "xref\n".to_owned()
    };
    table += &format!("{first} {}\n", objects.len());
    for o in offsets {
        table += &format!("{o:010} 00000 n \n");
    }
    file.extend_from_slice(table.as_bytes());
    file.extend_from_slice(format!("trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n").as_bytes());
}

fn stream(dict: &str, content: &[u8]) -> Vec<u8> {
    let mut b = format!("<< {dict} /Length {} >>\nstream\n", content.len()).into_bytes();
    b.extend_from_slice(content);
    b.extend_from_slice(b"\nendstream");
    b
}

pub(super) const PAGE_TEXT: &[u8] = b"BT /F1 12 Tf 20 100 Td (Isi laporan bukti) Tj ET";

/// A PDF with a canary in the info dictionary of two revisions, XMP on the catalog and on an image,
/// an embedded file, a file attachment annotation, JavaScript run on opening and a photo with EXIF.
pub(super) fn hostile_pdf() -> Vec<u8> {
    let (photo, _) = hostile_jpeg();
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R /Names << /EmbeddedFiles << /Names [(a.txt) 7 0 R] >> /JavaScript << /Names [(js) 9 0 R] >> >> /OpenAction 9 0 R /AA << /WC 9 0 R >> /PieceInfo << /App << /Private (CANARY-PIECE) >> >> >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 10 0 R >> /XObject << /Im1 12 0 R >> >> /Annots [8 0 R << /Type /Annot /Subtype /Text /Rect [0 0 5 5] /T (CANARY-NOTE-AUTHOR) /M (D:20240101CANARY) /Contents (catatan penting) >> << /Type /Annot /Subtype /Link /Rect [0 0 5 5] /A << /S /JavaScript /JS (CANARY-LINK-JS) >> >>] >>".to_vec(),
        stream("", PAGE_TEXT),
        stream("/Type /Metadata /Subtype /XML", b"<x:xmpmeta><dc:creator>CANARY-XMP</dc:creator></x:xmpmeta>"),
        b"<< /Author (CANARY-OLD-AUTHOR) /Title (CANARY-OLD-TITLE) /Producer (CANARY-OLD-PRODUCER) >>".to_vec(),
        b"<< /Type /Filespec /F (CANARY-FILENAME.txt) /EF << /F 11 0 R >> >>".to_vec(),
        b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] /FS 7 0 R /Contents (CANARY-ANNOT) >>".to_vec(),
        b"<< /S /JavaScript /JS (app.alert\\('CANARY-JS'\\)) >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        stream("/Type /EmbeddedFile", b"CANARY-EMBEDDED"),
        stream(
            "/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Metadata 13 0 R",
            &photo,
        ),
        stream("/Type /Metadata /Subtype /XML", b"CANARY-IMAGE-XMP"),
    ];
    let mut file = Vec::new();
    pdf_revision(
        &mut file,
        1,
        &objects,
        "<< /Size 14 /Root 1 0 R /Info 6 0 R /ID [(CANARY-ID) (CANARY-ID)] >>",
    );
    let prev = last_startxref(&file);
    pdf_revision(
        &mut file,
        14,
        &[b"<< /Author (CANARY-NEW-AUTHOR) /ModDate (D:20240101) >>".to_vec()],
        &format!("<< /Size 15 /Root 1 0 R /Info 14 0 R /Prev {prev} >>"),
    );
    file
}

fn last_startxref(file: &[u8]) -> usize {
    let text = String::from_utf8_lossy(file);
    let at = text.rfind("startxref\n").expect("startxref") + 10;
    text[at..]
        .lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
        .expect("offset")
}

#[test]
fn pdf_loses_info_xmp_scripts_and_files_and_keeps_its_page() {
    let file = hostile_pdf();
    let before = lopdf::Document::load_mem(&file).expect("the test PDF reads");
    assert_eq!(
        before
            .trailer
            .get_deref(b"Info", &before)
            .and_then(|i| i.as_dict())
            .and_then(|d| d.get(b"Author"))
            .and_then(|a| a.as_str())
            .expect("newest info"),
        b"CANARY-NEW-AUTHOR"
    );
    let out = scrub(Format::Pdf, &file).expect("scrubbed");
    let text = String::from_utf8_lossy(&out);
    assert!(!has(&out, b"CANARY"), "{text}");
    let doc = lopdf::Document::load_mem(&out).expect("still a PDF");
    let pages = doc.get_pages();
    let page = *pages.get(&1).expect("one page");
    let contents = doc.get_page_contents(page);
    let stream = doc
        .get_object(contents[0])
        .and_then(|o| o.as_stream())
        .expect("content stream");
    assert_eq!(contents.len(), 1);
    assert_eq!(stream.content, PAGE_TEXT, "content stream byte for byte");
    assert!(doc
        .extract_text(&[1])
        .expect("text")
        .contains("Isi laporan bukti"));
    // The photo is still there, without its EXIF but with its orientation.
    assert!(has(&out, b"Exif\0\0MM"));
    let at = out.windows(6).position(|w| w == b"Exif\0\0").expect("exif");
    assert_eq!(orientation(&out[at + 6..]), Some(6));
    assert!(has(&out, b"catatan penting"), "a comment's text is kept");
    // One revision, nothing after it.
    assert_eq!(text.matches("%%EOF").count(), 1);
    assert!(out.ends_with(b"%%EOF") || out.ends_with(b"%%EOF\n"));
}

#[test]
fn pdfs_that_cannot_be_read_or_are_encrypted_are_refused() {
    let mut encrypted = Vec::new();
    pdf_revision(
        &mut encrypted,
        1,
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
            b"<< /Filter /Standard /V 1 /R 2 /O (0123456789abcdef0123456789abcdef) /U (0123456789abcdef0123456789abcdef) /P -4 >>".to_vec(),
        ],
        "<< /Size 4 /Root 1 0 R /Encrypt 3 0 R /ID [(a) (a)] >>",
    );
    for bytes in [
        &b"%PDF-1.7\nnot a pdf at all"[..],
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 9 0 R >>\n%%EOF",
        &encrypted,
    ] {
        assert_eq!(scrub(Format::Pdf, bytes), Err(Unscrubbable));
    }
}

#[test]
fn word_editing_sessions_and_odf_printers_are_removed() {
    let docx = zip_of(
        &[
            (
                "word/document.xml",
                b"<w:document xmlns:w=\"w\"><w:body><w:p w:rsidR=\"CANARY01\" w:rsidRDefault=\"CANARY02\" w:rsidP=\"CANARY03\"><w:r w:rsidRPr=\"CANARY04\"><w:t>isi</w:t></w:r></w:p><w:sectPr w:rsidR=\"CANARY05\" w:rsidSect=\"CANARY06\"/></w:body></w:document>",
                false,
            ),
            (
                "word/settings.xml",
                b"<w:settings xmlns:w=\"w\"><w:zoom w:percent=\"100\"/><w:rsids><w:rsidRoot w:val=\"CANARY07\"/><w:rsid w:val=\"CANARY08\"/></w:rsids><w:compat/></w:settings>",
                false,
            ),
        ],
        b"",
    );
    let out = scrub(Format::Office, &docx).expect("scrubbed");
    let all = unzip_all(&out);
    assert!(!has(&all, b"CANARY"), "{}", String::from_utf8_lossy(&all));
    assert!(!has(&all, b"rsid"));
    assert!(has(&all, b"<w:p><w:r><w:t>isi</w:t></w:r></w:p>"));
    assert!(has(&all, b"<w:zoom w:percent=\"100\"/><w:compat/>"));

    let odt = zip_of(
        &[
            ("mimetype", b"application/vnd.oasis.opendocument.text", true),
            (
                "settings.xml",
                b"<office:document-settings><config:config-item-set config:name=\"ooo:configuration-settings\"><config:config-item config:name=\"PrinterName\" config:type=\"string\">CANARY-PRINTER</config:config-item><config:config-item config:name=\"PrinterSetup\" config:type=\"base64Binary\">Q0FOQVJZ CANARY-SETUP</config:config-item><config:config-item config:name=\"PrintTables\" config:type=\"boolean\">true</config:config-item></config:config-item-set></office:document-settings>",
                false,
            ),
        ],
        b"",
    );
    let out = scrub(Format::Office, &odt).expect("scrubbed");
    let all = unzip_all(&out);
    assert!(!has(&all, b"CANARY"), "{}", String::from_utf8_lossy(&all));
    assert!(
        has(&all, b"config:name=\"PrintTables\""),
        "other settings kept"
    );
}

#[test]
fn gif_and_webp_inside_office_documents_are_scrubbed() {
    let (gif, gif_kept) = super::tests::hostile_gif();
    let (webp, webp_kept) = super::tests::hostile_webp();
    let docx = zip_of(
        &[
            ("word/media/image1.gif", &gif, false),
            ("word/media/image2.webp", &webp, false),
        ],
        b"",
    );
    let out = scrub(Format::Office, &docx).expect("scrubbed");
    let all = unzip_all(&out);
    assert!(!has(&all, b"CANARY"));
    assert_eq!(all, [gif_kept, webp_kept].concat());
}

fn unzip_all(file: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut a = zip::ZipArchive::new(std::io::Cursor::new(file)).expect("a zip");
    let mut all = Vec::new();
    for i in 0..a.len() {
        a.by_index(i)
            .expect("entry")
            .read_to_end(&mut all)
            .expect("read");
    }
    all
}

/// A PNG whose `eXIf` holds an orientation among other (canary) tags.
pub(super) fn png_with_orientation(value: u16) -> Vec<u8> {
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&[0x0F, 0x01, 2, 0, 12, 0, 0, 0, 38, 0, 0, 0]);
    tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0]);
    tiff.extend_from_slice(&value.to_le_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    tiff.extend_from_slice(b"CANARY-GPS\0\0");
    let mut file = b"\x89PNG\r\n\x1a\n".to_vec();
    file.extend(png_chunk(b"IHDR", &[0; 13]));
    file.extend(png_chunk(b"eXIf", &tiff));
    file.extend(png_chunk(b"IDAT", b"pixels"));
    file.extend(png_chunk(b"eXIf", &tiff));
    file.extend(png_chunk(b"IEND", &[]));
    file
}

#[test]
fn png_keeps_an_orientation_only_exif_with_a_correct_crc() {
    let out = scrub(Format::Png, &png_with_orientation(6)).expect("scrubbed");
    assert!(!has(&out, b"CANARY"));
    let at = out
        .windows(4)
        .position(|w| w == b"eXIf")
        .expect("eXIf kept")
        - 4;
    let len = u32::from_be_bytes([out[at], out[at + 1], out[at + 2], out[at + 3]]) as usize;
    let body = &out[at + 8..at + 8 + len];
    assert_eq!(orientation(body), Some(6));
    assert!(is_orientation_only_tiff(body));
    // CRC-32 of "eXIf" and the body, as every PNG decoder checks it; the function agrees with the
    // standard's check value and with the CRC every PNG's IEND carries.
    assert_eq!(png::crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(png::crc32(b"IEND"), 0xAE42_6082);
    let crc = &out[at + 8 + len..at + 12 + len];
    assert_eq!(crc, png::crc32(&out[at + 4..at + 8 + len]).to_be_bytes());
    assert_eq!(
        out.windows(4).filter(|w| w == b"eXIf").count(),
        1,
        "only before the data"
    );
    assert!(out.windows(4).position(|w| w == b"eXIf") < out.windows(4).position(|w| w == b"IDAT"));

    // Orientation 1 (or none) needs no chunk at all.
    let out = scrub(Format::Png, &png_with_orientation(1)).expect("scrubbed");
    assert!(!has(&out, b"eXIf"));
}

#[test]
fn a_scrubbed_pdf_scrubs_to_the_same_bytes() {
    let out = scrub(Format::Pdf, &hostile_pdf()).expect("scrubbed");
    assert_eq!(scrub(Format::Pdf, &out).expect("scrubbed again"), out);
}

/// Issue 11: a JPEG 2000 image inside a PDF keeps its picture and loses its XML (XMP) box and its
/// codestream comment, at the same length.
#[test]
fn pdf_jpeg_2000_images_lose_their_xml_boxes() {
    let jp2_box = |kind: &[u8; 4], body: &[u8]| {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    };
    // SOC, SIZ, a comment, one tile-part (SOT, SOD, data), EOC.
    let mut cs = vec![0xFF, 0x4F, 0xFF, 0x51, 0, 40];
    cs.extend_from_slice(&[0; 38]);
    let comment = b"\0\x01CANARY-JPX-COMMENT";
    cs.extend_from_slice(&[0xFF, 0x64, 0, (comment.len() + 2) as u8]);
    cs.extend_from_slice(comment);
    let data = b"JPX-PIXELS";
    cs.extend_from_slice(&[0xFF, 0x90, 0, 10, 0, 0]);
    cs.extend_from_slice(&((12 + 2 + data.len()) as u32).to_be_bytes());
    cs.extend_from_slice(&[0, 1, 0xFF, 0x93]);
    cs.extend_from_slice(data);
    cs.extend_from_slice(&[0xFF, 0xD9]);
    let mut picture = jp2_box(b"jP  ", b"\r\n\x87\n");
    picture.extend(jp2_box(b"ftyp", b"jp2 \0\0\0\0jp2 "));
    picture.extend(jp2_box(b"jp2h", &jp2_box(b"ihdr", &[0; 14])));
    picture.extend(jp2_box(b"xml ", b"<x:xmpmeta>CANARY-JPX-XMP</x:xmpmeta>"));
    picture.extend(jp2_box(b"jp2c", &cs));
    let mut file = Vec::new();
    pdf_revision(
        &mut file,
        1,
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /XObject << /Im1 4 0 R >> >> >>".to_vec(),
            stream(
                "/Type /XObject /Subtype /Image /Width 1 /Height 1 /Filter /JPXDecode",
                &picture,
            ),
        ],
        "<< /Size 5 /Root 1 0 R >>",
    );
    let out = scrub(Format::Pdf, &file).expect("scrubbed");
    assert!(!has(&out, b"CANARY"), "{}", String::from_utf8_lossy(&out));
    assert!(has(&out, b"JPX-PIXELS") && has(&out, b"jp2c"));
}
