//! Issue 11: uploads keep no metadata. A hostile corpus, made here with a fresh canary in every slot a
//! photo can hide one, goes through the form; after export and decryption no canary is left anywhere,
//! the scan data is byte for byte the same and the orientation is still there. Files that cannot be
//! cleaned are refused with a message that says what to do, and files that are not cleaned are flagged.

use std::ffi::OsStr;

use crate::support::http::*;
use crate::support::*;

fn segment(m: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![0xFF, m];
    v.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
    v.extend_from_slice(body);
    v
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = (data.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(data);
    v.extend_from_slice(&[0, 0, 0, 0]);
    v
}

/// Big-endian EXIF: orientation 6 (portrait) next to a GPS canary.
fn exif(canary: &str) -> Vec<u8> {
    let mut b = b"Exif\0\0MM\0*\0\0\0\x08\0\x02".to_vec();
    b.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
    b.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38]);
    b.extend_from_slice(&[0, 0, 0, 0]);
    b.extend_from_slice(canary.as_bytes());
    b
}

/// Returns (file, its scan data, the canaries in it).
fn hostile_jpeg() -> (Vec<u8>, Vec<u8>, Vec<String>) {
    let c: Vec<String> = (0..10).map(|_| marker()).collect();
    let scan = format!("scan {} \u{7f}", marker()).into_bytes();
    let sos = segment(0xDA, &[1, 1, 0, 0, 0x3F, 0]);
    let mut f = vec![0xFF, 0xD8];
    let mut jfif = b"JFIF\0\x01\x02\0\0\x01\0\x01\x01\x01".to_vec();
    jfif.extend_from_slice(&c[0].as_bytes()[..3]);
    f.extend(segment(0xE0, &jfif));
    f.push(0x00); // one stray byte before the EXIF marker
    f.extend(segment(0xE1, &exif(&c[1])));
    f.extend(segment(
        0xE1,
        format!("http://ns.adobe.com/xap/1.0/\0{}", c[2]).as_bytes(),
    ));
    f.extend(segment(0xED, format!("Photoshop 3.0\0{}", c[3]).as_bytes()));
    f.extend(segment(0xE2, format!("MPF\0{}", c[4]).as_bytes()));
    f.extend(segment(0xFE, c[5].as_bytes()));
    f.extend(segment(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
    f.extend(&sos);
    f.extend(&scan);
    f.extend(segment(0xE1, format!("Exif\0\0{}", c[6]).as_bytes())); // APP1 after the scan
    f.extend(b"\xFF\xD9");
    f.extend(b"\xFF\xD8");
    f.extend(segment(0xE1, format!("Exif\0\0{}", c[7]).as_bytes())); // MPF second image
    f.extend(b"\xFF\xD9");
    f.extend(format!("\0\0\0\x18ftypmp42 {} {}", c[8], c[9]).as_bytes()); // motion photo
    (f, scan, c)
}

fn hostile_png() -> (Vec<u8>, Vec<String>) {
    let c: Vec<String> = (0..7).map(|_| marker()).collect();
    let mut f = b"\x89PNG\r\n\x1a\n".to_vec();
    f.extend(png_chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
    f.extend(png_chunk(b"tEXt", format!("Author\0{}", c[0]).as_bytes()));
    f.extend(png_chunk(
        b"iTXt",
        format!("XML:com.adobe.xmp\0\0\0\0\0{}", c[1]).as_bytes(),
    ));
    f.extend(png_chunk(
        b"zTXt",
        format!("Comment\0\0{}", c[2]).as_bytes(),
    ));
    // EXIF: portrait orientation next to a GPS canary; the orientation alone is kept.
    f.extend(png_chunk(b"eXIf", &exif(&c[3])[6..]));
    f.extend(png_chunk(b"caBX", format!("jumb c2pa {}", c[4]).as_bytes()));
    f.extend(png_chunk(b"IDAT", b"pixels"));
    f.extend(png_chunk(b"IEND", &[]));
    f.extend(format!("{} {}", c[5], c[6]).as_bytes());
    (f, c)
}

/// A GIF with a comment and an XMP application extension, and bytes after its trailer.
fn hostile_gif() -> (Vec<u8>, Vec<String>) {
    let c: Vec<String> = (0..3).map(|_| marker()).collect();
    let mut f = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff".to_vec();
    f.extend(b"\x21\xFE");
    f.push(c[0].len() as u8);
    f.extend(c[0].as_bytes());
    f.extend(b"\0\x21\xFF\x0BXMP DataXMP");
    f.push(c[1].len() as u8);
    f.extend(c[1].as_bytes());
    f.extend(b"\0\x2C\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0\x3B");
    f.extend(c[2].as_bytes());
    (f, c)
}

/// An extended WebP with EXIF and XMP chunks.
fn hostile_webp() -> (Vec<u8>, Vec<String>) {
    let c: Vec<String> = (0..2).map(|_| marker()).collect();
    let chunk = |kind: &[u8; 4], data: &[u8]| {
        let mut v = kind.to_vec();
        v.extend_from_slice(&(data.len() as u32).to_le_bytes());
        v.extend_from_slice(data);
        if data.len() % 2 == 1 {
            v.push(0);
        }
        v
    };
    let body = [
        b"WEBP".to_vec(),
        chunk(b"VP8X", &[0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        chunk(b"VP8 ", b"keyframe"),
        chunk(b"EXIF", format!("MM\0*{}", c[0]).as_bytes()),
        chunk(b"XMP ", c[1].as_bytes()),
    ]
    .concat();
    let mut f = b"RIFF".to_vec();
    f.extend_from_slice(&(body.len() as u32).to_le_bytes());
    f.extend(body);
    (f, c)
}

/// A Word document with its author, company, reviser, commenter, editing-session ids and an embedded
/// photo's GPS.
fn hostile_docx() -> (Vec<u8>, Vec<String>) {
    use std::io::Write;
    let c: Vec<String> = (0..9).map(|_| marker()).collect();
    let (photo, _, photo_canaries) = hostile_jpeg();
    let parts: Vec<(&str, Vec<u8>)> = vec![
        ("[Content_Types].xml", b"<Types/>".to_vec()),
        (
            "docProps/core.xml",
            format!(
                "<cp:coreProperties><dc:creator>{}</dc:creator></cp:coreProperties>",
                c[0]
            )
            .into_bytes(),
        ),
        (
            "docProps/app.xml",
            format!("<Properties><Company>{}</Company></Properties>", c[1]).into_bytes(),
        ),
        (
            "word/document.xml",
            format!(
                "<w:document><w:p w:rsidR=\"{}\" w:rsidRDefault=\"{}\"><w:ins w:author=\"{}\"><w:t>isi dokumen</w:t></w:ins></w:p></w:document>",
                c[5], c[6], c[2]
            )
            .into_bytes(),
        ),
        (
            "word/settings.xml",
            format!(
                "<w:settings><w:rsids><w:rsidRoot w:val=\"{}\"/><w:rsid w:val=\"{}\"/></w:rsids></w:settings>",
                c[7], c[8]
            )
            .into_bytes(),
        ),
        (
            "word/comments.xml",
            format!(
                "<w:comments><w:comment w:author=\"{}\" w:initials=\"{}\"/></w:comments>",
                c[3], c[4]
            )
            .into_bytes(),
        ),
        ("word/media/image1.jpg", photo),
    ];
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&bytes).unwrap();
    }
    let mut c = c;
    c.extend(photo_canaries);
    (w.finish().unwrap().into_inner(), c)
}

/// An OpenDocument text with the printer it was last printed on in settings.xml.
fn hostile_odt() -> (Vec<u8>, Vec<String>) {
    use std::io::Write;
    let c: Vec<String> = (0..2).map(|_| marker()).collect();
    let settings = format!(
        "<office:document-settings><config:config-item-set config:name=\"ooo:configuration-settings\"><config:config-item config:name=\"PrinterName\" config:type=\"string\">{}</config:config-item><config:config-item config:name=\"PrinterSetup\" config:type=\"base64Binary\">{}</config:config-item></config:config-item-set></office:document-settings>",
        c[0], c[1]
    );
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("mimetype", stored).unwrap();
    w.write_all(b"application/vnd.oasis.opendocument.text")
        .unwrap();
    for (name, bytes) in [
        ("settings.xml", settings.as_bytes()),
        (
            "content.xml",
            b"<office:text><text:p>isi odt</text:p></office:text>",
        ),
    ] {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    (w.finish().unwrap().into_inner(), c)
}

/// One PDF revision (objects numbered from `first`, a cross-reference section, a trailer) appended to
/// `file`, with the offsets counted so that readers find every object.
fn pdf_revision(file: &mut Vec<u8>, first: u32, objects: &[Vec<u8>], trailer: &str) -> usize {
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
    let mut table = "xref\n".to_owned();
    if first == 1 {
        table += "0 1\n0000000000 65535 f \n";
    }
    table += &format!("{first} {}\n", objects.len());
    for o in offsets {
        table += &format!("{o:010} 00000 n \n");
    }
    file.extend_from_slice(table.as_bytes());
    file.extend_from_slice(format!("trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    xref
}

const PDF_PAGE: &[u8] = b"BT /F1 12 Tf 20 100 Td (Isi laporan bukti) Tj ET";

/// A PDF with canaries in the document info (author, title, producer) of its first revision and of an
/// incremental update, in XMP, in an embedded file and its name, in JavaScript run on opening and as a
/// comment's author.
fn hostile_pdf() -> (Vec<u8>, Vec<String>) {
    let c: Vec<String> = (0..10).map(|_| marker()).collect();
    let stream = |dict: &str, content: &[u8]| {
        let mut b = format!("<< {dict} /Length {} >>\nstream\n", content.len()).into_bytes();
        b.extend_from_slice(content);
        b.extend_from_slice(b"\nendstream");
        b
    };
    let objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R /Names << /EmbeddedFiles << /Names [(a) 7 0 R] >> /JavaScript << /Names [(js) 9 0 R] >> >> /OpenAction 9 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 10 0 R >> >> /Annots [8 0 R << /Subtype /Text /Rect [0 0 5 5] /T ({}) /Contents (catatan) >>] >>", c[9]).into_bytes(),
        stream("", PDF_PAGE),
        stream("/Type /Metadata /Subtype /XML", format!("<x:xmpmeta><dc:creator>{}</dc:creator></x:xmpmeta>", c[0]).as_bytes()),
        format!("<< /Author ({}) /Title ({}) /Producer ({}) >>", c[1], c[2], c[3]).into_bytes(),
        format!("<< /Type /Filespec /F ({}.txt) /EF << /F 11 0 R >> >>", c[4]).into_bytes(),
        b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] /FS 7 0 R >>".to_vec(),
        format!("<< /S /JavaScript /JS (app.alert\\('{}'\\)) >>", c[5]).into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        stream("/Type /EmbeddedFile", c[6].as_bytes()),
    ];
    let mut f = Vec::new();
    let prev = pdf_revision(
        &mut f,
        1,
        &objects,
        "<< /Size 12 /Root 1 0 R /Info 6 0 R >>",
    );
    // The incremental update a reader's "save" appends: a new info dictionary; the old one stays in
    // the file, unreferenced.
    pdf_revision(
        &mut f,
        12,
        &[format!("<< /Author ({}) /Producer ({}) >>", c[7], c[8]).into_bytes()],
        &format!("<< /Size 13 /Root 1 0 R /Info 12 0 R /Prev {prev} >>"),
    );
    (f, c)
}

/// Every part of a zip, uncompressed and concatenated.
fn unzip(file: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut a = zip::ZipArchive::new(std::io::Cursor::new(file)).unwrap();
    let mut all = Vec::new();
    for i in 0..a.len() {
        a.by_index(i).unwrap().read_to_end(&mut all).unwrap();
    }
    all
}

#[tokio::test]
async fn no_canary_survives_submission_export_and_decryption() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    let (jpeg, scan, mut canaries) = hostile_jpeg();
    let (png, png_canaries) = hostile_png();
    let (gif, gif_canaries) = hostile_gif();
    let (webp, webp_canaries) = hostile_webp();
    let (docx, docx_canaries) = hostile_docx();
    let (odt, odt_canaries) = hostile_odt();
    let (pdf, pdf_canaries) = hostile_pdf();
    assert!(
        lopdf::Document::load_mem(&pdf).is_ok(),
        "the test PDF reads"
    );
    canaries.extend(
        png_canaries
            .into_iter()
            .chain(gif_canaries)
            .chain(webp_canaries)
            .chain(docx_canaries)
            .chain(odt_canaries)
            .chain(pdf_canaries),
    );
    let r = submit(
        &c,
        &s,
        &valid_fields(),
        &[
            ("foto.jpg", jpeg),
            ("layar.png", png),
            ("animasi.gif", gif),
            ("foto.webp", webp),
            ("surat.docx", docx),
            ("catatan.odt", odt),
            ("laporan.pdf", pdf),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    s.stop();
    let needles: Vec<&[u8]> = canaries.iter().map(|c| c.as_bytes()).collect();
    assert!(files_containing(&env.data, &needles).is_empty());

    let (out, o) = env.export("export");
    assert!(o.success(), "{}", o.stderr);
    let att = env.path().join("attachments");
    let o = env.wbs([
        OsStr::new("decrypt"),
        OsStr::new("--identity"),
        env.demo_identity().as_os_str(),
        OsStr::new("--attachments"),
        att.as_os_str(),
        out.as_os_str(),
    ]);
    assert!(o.success(), "{}\n{}", o.stdout, o.stderr);
    let files = files_under(&att);
    assert_eq!(files.len(), 7, "{files:?}");
    for f in &files {
        let mut bytes = std::fs::read(f).unwrap();
        if bytes.starts_with(b"PK\x03\x04") {
            // Deflated parts: look inside, and at the archive itself.
            let parts = unzip(&bytes);
            assert!(
                contains(&parts, b"<w:t>isi dokumen</w:t>")
                    || contains(&parts, b"<text:p>isi odt</text:p>"),
                "the text is kept"
            );
            assert!(!contains(&parts, b"rsid"), "no editing-session ids");
            bytes.extend(parts);
        }
        for canary in &canaries {
            assert!(!contains(&bytes, canary.as_bytes()), "{canary} in {f:?}");
        }
        if bytes.starts_with(&[0xFF, 0xD8]) {
            assert!(contains(&bytes, &scan), "the image data is unchanged");
            assert!(bytes.ends_with(&[0xFF, 0xD9]), "nothing after the end");
            // The orientation survives, alone in a minimal EXIF block.
            assert!(contains(
                &bytes,
                b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06"
            ));
        } else if bytes.starts_with(b"GIF89a") {
            assert!(
                contains(&bytes, b"\x02\x02\x44\x01\0\x3B"),
                "image data kept"
            );
            assert!(bytes.ends_with(b"\x3B"), "nothing after the trailer");
        } else if bytes.starts_with(b"PK") {
            // Checked above.
        } else if bytes.starts_with(b"%PDF-") {
            // Still a PDF that opens, its page content byte for byte, its text readable.
            let doc = lopdf::Document::load_mem(&bytes).expect("the PDF still reads");
            let page = *doc.get_pages().get(&1).expect("its page");
            let contents = doc.get_page_contents(page);
            let stream = doc.get_object(contents[0]).unwrap().as_stream().unwrap();
            assert_eq!(stream.content, PDF_PAGE, "the page content is unchanged");
            assert!(doc
                .extract_text(&[1])
                .unwrap()
                .contains("Isi laporan bukti"));
            assert!(doc.trailer.get(b"Info").is_err(), "no document info");
            assert_eq!(
                String::from_utf8_lossy(&bytes).matches("%%EOF").count(),
                1,
                "one revision"
            );
        } else if bytes.starts_with(b"RIFF") {
            assert!(
                contains(&bytes, b"VP8 \x08\0\0\0keyframe"),
                "image data kept"
            );
            assert_eq!(bytes[20] & 0x0C, 0, "VP8X no longer announces EXIF or XMP");
        } else {
            assert!(bytes.starts_with(b"\x89PNG") && contains(&bytes, b"IDATpixels"));
            assert!(bytes.ends_with(b"IEND\0\0\0\0"), "nothing after the end");
            // The orientation survives, alone in an eXIf chunk with a fresh CRC.
            assert!(contains(
                &bytes,
                b"\0\0\0\x1AeXIfMM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0"
            ));
        }
    }
}

/// A photo or PDF that does not parse is refused, not passed through; HEIC and video get advice; an
/// old Word file is accepted and the investigator sees that its metadata was not removed.
#[tokio::test]
async fn what_cannot_be_cleaned_is_refused_or_flagged() {
    let env = Env::new();
    let mut s = env.start();
    let c = client();
    // JPEG by its first bytes, then no segment structure and no image data.
    let mut broken_jpeg = b"\xFF\xD8\xFF\xE0".to_vec();
    broken_jpeg.extend_from_slice(format!("junk {}", marker()).as_bytes());
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    for (name, bytes, message) in [
        (
            "rusak.jpg",
            broken_jpeg,
            "metadatanya (lokasi, kamera, waktu, penulis) tidak dapat dihapus",
        ),
        ("foto.heic", heic.clone(), "ubah foto menjadi JPG"),
        ("video.mp4", heic, "foto HEIC dan video tidak diterima"),
        (
            "terkunci.pdf",
            format!("%PDF-1.7\n{} tanpa struktur\n%%EOF\n", marker()).into_bytes(),
            "cetak ulang ke PDF",
        ),
    ] {
        let r = submit(&c, &s, &valid_fields(), &[(name, bytes)]).await;
        assert_eq!(r.status, 422, "{name}");
        assert!(
            unescape(&r.body).contains(&format!("Lampiran: {name}")),
            "{}",
            r.body
        );
        assert!(unescape(&r.body).contains(message), "{name}: {}", r.body);
    }
    let mut doc = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    doc.extend_from_slice(b"old Word file");
    let r = submit(&c, &s, &valid_fields(), &[("surat.doc", doc)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    s.stop();
    assert_eq!(env.case_count(), 1);
    let (out, o) = env.export("export");
    assert!(o.success());
    let o = env.wbs([
        OsStr::new("decrypt"),
        OsStr::new("--identity"),
        env.demo_identity().as_os_str(),
        out.as_os_str(),
    ]);
    assert!(o.success(), "{}", o.stderr);
    assert!(o.stdout.contains("metadata tidak dihapus"), "{}", o.stdout);
}
