//! The hostile corpus: a canary in every metadata slot a photo can carry, and the image data that
//! must come through byte for byte.

use super::jpeg::{orientation, orientation_exif};
use super::*;
use proptest::prelude::*;

const CANARY: &[u8] = b"CANARY";

fn has_canary(b: &[u8]) -> bool {
    b.windows(CANARY.len()).any(|w| w == CANARY)
}

fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![0xFF, marker];
    v.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
    v.extend_from_slice(body);
    v
}

/// A little-endian EXIF block with a GPS canary around the orientation tag.
fn exif(orientation: u16) -> Vec<u8> {
    let mut b = b"Exif\0\0II*\0\x08\0\0\0".to_vec();
    b.extend_from_slice(&2u16.to_le_bytes());
    // Make (0x010F), ASCII, pointing past the IFD.
    b.extend_from_slice(&[0x0F, 0x01, 2, 0, 12, 0, 0, 0, 38, 0, 0, 0]);
    b.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0]);
    b.extend_from_slice(&orientation.to_le_bytes());
    b.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    b.extend_from_slice(b"CANARY-GPS\0\0");
    b
}

/// Scan data with stuffed bytes and restart markers: it must come through unchanged.
const SCAN: &[u8] = b"\x12\x34\xFF\x00\x56\xFF\xD0\x78\x9A\xFF\xD7\xBC";
const SCAN2: &[u8] = b"\xDE\xAD\xFF\x00\xBE\xEF";

/// A progressive-looking JPEG with every kind of metadata, and what must remain of it.
pub(super) fn hostile_jpeg() -> (Vec<u8>, Vec<u8>) {
    let sof = segment(0xC2, &[8, 0, 2, 0, 2, 1, 1, 0x11, 0]);
    let dqt = segment(0xDB, &[0; 65]);
    let dht = segment(0xC4, &[0; 20]);
    let sos = segment(0xDA, &[1, 1, 0, 0, 0x3F, 0]);
    let icc = segment(0xE2, b"ICC_PROFILE\0\x01\x01colour");
    let mut jfif_body = b"JFIF\0\x01\x02\0\0\x01\0\x01\x01\x01".to_vec();
    jfif_body.extend_from_slice(b"CAN"); // a 1x1 thumbnail: three bytes of "pixels"
    let mut file = vec![0xFF, 0xD8];
    file.extend(segment(0xE0, &jfif_body));
    // One stray byte before the EXIF segment.
    file.push(0x00);
    file.extend(segment(0xE1, &exif(6)));
    file.extend(segment(
        0xE1,
        b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>CANARY-XMP</x:xmpmeta>",
    ));
    file.extend(segment(0xED, b"Photoshop 3.0\08BIM CANARY-IPTC"));
    file.extend(segment(0xE2, b"MPF\0II*\0 CANARY-MPF"));
    file.extend(&icc);
    file.extend(segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01CANARY-ADOBE"));
    file.extend(segment(0xFE, b"CANARY-COMMENT"));
    file.extend(segment(0xEB, b"JP\0CANARY-JUMBF-C2PA"));
    file.extend(&dqt);
    file.extend(&sof);
    file.extend(&dht);
    file.extend(&sos);
    file.extend(SCAN);
    // Metadata between scans, a second scan, fill bytes before the end marker.
    file.extend(segment(0xE1, &exif(3)));
    file.extend(segment(0xFE, b"CANARY-AFTER-SOS"));
    file.extend(&dht);
    file.extend(&sos);
    file.extend(SCAN2);
    file.extend(b"\xFF\xFF\xFF\xD9");
    // A second image with its own EXIF (MPF), then a motion-photo video with GPS.
    file.extend(b"\xFF\xD8");
    file.extend(segment(0xE1, b"Exif\0\0CANARY-SECOND"));
    file.extend(b"\xFF\xD9\0\0\0\x18ftypmp42 CANARY-MP4-GPS");

    let mut kept = vec![0xFF, 0xD8];
    kept.extend(segment(0xE0, b"JFIF\0\x01\x02\0\0\x01\0\x01\0\0"));
    kept.extend(segment(0xE1, &orientation_exif(6)));
    kept.extend(&icc);
    kept.extend(segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01"));
    kept.extend(&dqt);
    kept.extend(&sof);
    kept.extend(&dht);
    kept.extend(&sos);
    kept.extend(SCAN);
    kept.extend(&dht);
    kept.extend(&sos);
    kept.extend(SCAN2);
    kept.extend(b"\xFF\xD9");
    (file, kept)
}

pub(super) fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = (data.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(data);
    v.extend_from_slice(&[0, 0, 0, 0]);
    v
}

pub(super) fn hostile_png() -> (Vec<u8>, Vec<u8>) {
    let sig = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut file = sig.clone();
    let mut kept = sig;
    for (chunk, keep) in [
        (png_chunk(b"IHDR", &[0; 13]), true),
        (png_chunk(b"iCCP", b"sRGB\0\0profile"), true),
        (png_chunk(b"tEXt", b"Author\0CANARY-TEXT"), false),
        (png_chunk(b"zTXt", b"Comment\0\0CANARY-Z"), false),
        (
            png_chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0CANARY-XMP"),
            false,
        ),
        (png_chunk(b"eXIf", b"MM\0*CANARY-EXIF"), false),
        (png_chunk(b"caBX", b"jumb CANARY-C2PA"), false),
        (png_chunk(b"prVt", b"CANARY-PRIVATE"), false),
        (png_chunk(b"IDAT", b"pixels"), true),
        (png_chunk(b"tIME", &[7, 234, 1, 2, 3, 4, 5]), false),
        (png_chunk(b"IEND", &[]), true),
    ] {
        file.extend(&chunk);
        if keep {
            kept.extend(&chunk);
        }
    }
    file.extend(b"after the end: CANARY-TRAILER");
    (file, kept)
}

fn scrub(format: Format, file: &[u8], chunk: usize) -> Result<Vec<u8>, Unscrubbable> {
    let mut s = Scrubber::new(format);
    let mut out = Vec::new();
    for c in file.chunks(chunk.max(1)) {
        s.push(c, &mut out)?;
    }
    s.finish(&mut out)?;
    Ok(out)
}

#[test]
fn jpeg_keeps_the_image_and_its_orientation_and_nothing_else() {
    let (file, kept) = hostile_jpeg();
    assert!(has_canary(&file));
    let out = scrub(Format::Jpeg, &file, 7).expect("scrubbed");
    assert!(!has_canary(&out), "{}", String::from_utf8_lossy(&out));
    assert_eq!(out, kept);
    let exif_at = out.windows(6).position(|w| w == b"Exif\0\0").expect("exif");
    assert_eq!(orientation(&out[exif_at + 6..]), Some(6));
}

#[test]
fn png_keeps_the_image_and_nothing_else() {
    let (file, kept) = hostile_png();
    let out = scrub(Format::Png, &file, 5).expect("scrubbed");
    assert!(!has_canary(&out));
    assert_eq!(out, kept);
}

#[test]
fn exif_after_the_image_data_is_dropped_orientation_and_all() {
    let mut file = vec![0xFF, 0xD8];
    file.extend(segment(0xDA, &[1, 1, 0, 0, 0x3F, 0]));
    file.push(0x01);
    file.extend(segment(0xE1, &exif(6)));
    file.extend(b"\xFF\xD9");
    let out = scrub(Format::Jpeg, &file, 4).expect("scrubbed");
    assert_eq!(
        out,
        b"\xFF\xD8\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00\x01\xFF\xD9"
    );
}

#[test]
fn orientation_1_needs_no_exif_at_all() {
    let mut file = vec![0xFF, 0xD8];
    file.extend(segment(0xE1, &exif(1)));
    file.extend(segment(0xDA, &[1, 1, 0, 0, 0x3F, 0]));
    file.extend(b"\x01\xFF\xD9");
    let out = scrub(Format::Jpeg, &file, 3).expect("scrubbed");
    assert_eq!(
        out,
        b"\xFF\xD8\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00\x01\xFF\xD9"
    );
}

#[test]
fn what_is_not_its_type_is_refused_not_passed_through() {
    for (format, bytes) in [
        (Format::Jpeg, &b"\xFF\xD8not a marker after all"[..]),
        (Format::Jpeg, b"\xFF\xD8\xFF\xE1\x00\x08Exif\0\0"),
        (Format::Jpeg, b"GIF89a"),
        (Format::Jpeg, b"\xFF\xD8\xFF\xD8"),
        (Format::Jpeg, b"\xFF\xD8\xFF\xE1\x00\x01"),
        (Format::Png, b"\x89PNG\r\n\x1a\nnot really an image"),
        (Format::Png, b"\x89PNG\r\n\x1a\n"),
        (
            Format::Png,
            b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        ),
        (Format::Png, b"\x89PNG\r\n\x1a\n\0\0\0\0tEXt\0\0\0\0"),
    ] {
        assert_eq!(scrub(format, bytes, 3), Err(Unscrubbable), "{bytes:?}");
    }
}

#[test]
fn orientation_reads_both_byte_orders_and_nothing_out_of_bounds() {
    assert_eq!(orientation(&exif(8)[6..]), Some(8));
    assert_eq!(orientation(&orientation_exif(5)[6..]), Some(5));
    assert_eq!(orientation(b"II*\0\xFF\xFF\xFF\xFF"), None);
    assert_eq!(orientation(b"MM\0*\0\0\0\x08\xFF\xFF"), None);
}

/// Linear work: the old filter drained its buffer from the front (quadratic; issue 9 measured 19.5 s
/// at 4 MB). Not a timing test: it counts that a 1-byte-chunk feed gives the same as one push, and the
/// bench (`cargo bench --bench submit`) has the figure.
#[test]
fn one_byte_at_a_time_gives_the_same_file() {
    let (file, kept) = hostile_jpeg();
    assert_eq!(scrub(Format::Jpeg, &file, 1).expect("scrubbed"), kept);
    let (file, kept) = hostile_png();
    assert_eq!(scrub(Format::Png, &file, 1).expect("scrubbed"), kept);
}

proptest! {
    #[test]
    fn chunking_never_changes_the_result(chunk in 1usize..200) {
        let (file, kept) = hostile_jpeg();
        prop_assert_eq!(scrub(Format::Jpeg, &file, chunk), Ok(kept));
        let (file, kept) = hostile_png();
        prop_assert_eq!(scrub(Format::Png, &file, chunk), Ok(kept));
    }

    #[test]
    fn never_panics_and_barely_grows(bytes in proptest::collection::vec(any::<u8>(), 0..600), chunk in 1usize..64) {
        for format in [Format::Jpeg, Format::Png, Format::Gif, Format::Webp, Format::Office] {
            if let Ok(out) = scrub(format, &bytes, chunk) {
                // Only a rewritten orientation block can be longer than what it replaces.
                prop_assert!(out.len() <= bytes.len() + 36);
            }
        }
    }

    #[test]
    fn scan_data_survives_anything_around_it(scan in proptest::collection::vec(any::<u8>(), 0..300)) {
        // Entropy-coded data as an encoder writes it: every 0xFF stuffed.
        let mut data = Vec::new();
        for b in scan {
            data.push(b);
            if b == 0xFF {
                data.push(0);
            }
        }
        let mut file = vec![0xFF, 0xD8];
        file.extend(segment(0xE1, &exif(6)));
        file.extend(segment(0xDA, &[1, 1, 0, 0, 0x3F, 0]));
        file.extend(&data);
        file.extend(b"\xFF\xD9CANARY");
        let out = scrub(Format::Jpeg, &file, 5).expect("scrubbed");
        prop_assert!(out.windows(data.len().max(1)).any(|w| w == &data[..]) || data.is_empty());
        prop_assert!(!has_canary(&out));
    }
}

/// A GIF with a comment, XMP and ICC application extensions and a trailer; the loop count stays.
pub(super) fn hostile_gif() -> (Vec<u8>, Vec<u8>) {
    let header = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff".to_vec();
    let looping = b"\x21\xFF\x0BNETSCAPE2.0\x03\x01\0\0\0".to_vec();
    let control = b"\x21\xF9\x04\x01\x0A\0\0\0".to_vec();
    let image = b"\x2C\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0".to_vec();
    let mut file = header.clone();
    file.extend(b"\x21\xFE\x0ECANARY-COMMENT\0");
    file.extend(&looping);
    file.extend(b"\x21\xFF\x0BXMP DataXMP\x0A<CANARY-X>\0");
    file.extend(b"\x21\xFF\x0BICCRGBG1012\x06CANARY\0");
    file.extend(&control);
    file.extend(&image);
    file.extend(b"\x3BCANARY-TRAILER");
    let mut kept = header;
    kept.extend(&looping);
    kept.extend(&control);
    kept.extend(&image);
    kept.push(0x3B);
    (file, kept)
}

/// An extended WebP with EXIF and XMP (flagged in VP8X) and bytes after the RIFF.
pub(super) fn hostile_webp() -> (Vec<u8>, Vec<u8>) {
    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut v = kind.to_vec();
        v.extend_from_slice(&(data.len() as u32).to_le_bytes());
        v.extend_from_slice(data);
        if data.len() % 2 == 1 {
            v.push(0);
        }
        v
    }
    let vp8x = |flags: u8| chunk(b"VP8X", &[flags, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let image = chunk(b"VP8 ", b"keyframe data");
    let exif = b"MM\0*CANARY-EXIF";
    let xmp = b"<x:xmpmeta>CANARY-XMP</x:xmpmeta>";
    let body = [
        b"WEBP".to_vec(),
        vp8x(0x2C),
        image.clone(),
        chunk(b"EXIF", exif),
        chunk(b"XMP ", xmp),
    ]
    .concat();
    let mut file = b"RIFF".to_vec();
    file.extend_from_slice(&(body.len() as u32).to_le_bytes());
    file.extend(&body);
    let mut kept = file[..12].to_vec();
    kept.extend(vp8x(0x20));
    kept.extend(image);
    kept.extend(chunk(b"JUNK", &[0; 15]));
    kept.extend(chunk(b"JUNK", &[0; 33]));
    file.extend(b"CANARY-AFTER-RIFF");
    (file, kept)
}

#[test]
fn gif_and_webp_keep_the_image_and_nothing_else() {
    for (format, (file, kept)) in [(Format::Gif, hostile_gif()), (Format::Webp, hostile_webp())] {
        for chunk in [1, 4, 1000] {
            let out = scrub(format, &file, chunk).expect("scrubbed");
            assert!(
                !has_canary(&out),
                "{format:?}: {}",
                String::from_utf8_lossy(&out)
            );
            assert_eq!(out, kept, "{format:?}");
        }
    }
}

#[test]
fn broken_gif_and_webp_are_refused() {
    for (format, bytes) in [
        (Format::Gif, &b"GIF89a\x01\0\x01\0\0\0\0\x99"[..]),
        (
            Format::Gif,
            b"GIF89a\x01\0\x01\0\0\0\0\x2C\0\0\0\0\x01\0\x01\0\0\x02\x05ab",
        ),
        (Format::Webp, b"RIFF\x04\0\0\0WEBPextra"),
        (Format::Webp, b"RIFF\xFF\0\0\0WEBPVP8 \x04\0\0\0ab"),
        (Format::Webp, b"RIFF\x10\0\0\0WEBPVP8 \xFF\0\0\0abcd"),
    ] {
        assert_eq!(scrub(format, bytes, 3), Err(Unscrubbable), "{bytes:?}");
    }
}

/// A zip with these parts (stored or deflated), then `trailer` appended after its directory.
pub(super) fn zip_of(parts: &[(&str, &[u8], bool)], trailer: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes, stored) in parts {
        let method = if *stored {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        w.start_file(*name, options).expect("entry");
        w.write_all(bytes).expect("write");
    }
    let mut out = w.finish().expect("zip").into_inner();
    out.extend_from_slice(trailer);
    out
}

/// Every part of a zip, uncompressed and concatenated, with the names in order.
fn unzip(file: &[u8]) -> (Vec<String>, Vec<u8>) {
    use std::io::Read;
    let mut a = zip::ZipArchive::new(std::io::Cursor::new(file)).expect("a zip");
    let mut names = Vec::new();
    let mut all = Vec::new();
    for i in 0..a.len() {
        let mut e = a.by_index(i).expect("entry");
        names.push(e.name().to_owned());
        e.read_to_end(&mut all).expect("read");
    }
    (names, all)
}

#[test]
fn office_documents_lose_their_people_and_keep_their_text() {
    let (photo, _) = hostile_jpeg();
    let docx = zip_of(
        &[
            ("[Content_Types].xml", b"<Types/>", false),
            (
                "docProps/core.xml",
                b"<cp:coreProperties xmlns:cp=\"c\" xmlns:dc=\"d\"><dc:creator>CANARY-CREATOR</dc:creator><cp:lastModifiedBy>CANARY-EDITOR</cp:lastModifiedBy></cp:coreProperties>",
                false,
            ),
            ("docProps/app.xml", b"<Properties><Company>CANARY-COMPANY</Company></Properties>", false),
            ("docProps/custom.xml", b"<Properties><property name=\"x\">CANARY-CUSTOM</property></Properties>", false),
            (
                "word/document.xml",
                b"<w:document xmlns:w=\"w\"><w:body><w:p><w:ins w:id=\"1\" w:author=\"CANARY-REVISION\" w:date=\"2024-01-01T00:00:00Z\"><w:r><w:t>isi laporan &amp; bukti</w:t></w:r></w:ins></w:p></w:body></w:document>",
                false,
            ),
            (
                "word/comments.xml",
                b"<w:comments xmlns:w=\"w\"><w:comment w:id=\"0\" w:author=\"CANARY-COMMENTER\" w:initials=\"CANARY-INI\"><w:p><w:r><w:t>catatan</w:t></w:r></w:p></w:comment></w:comments>",
                false,
            ),
            (
                "word/people.xml",
                b"<w15:people xmlns:w15=\"x\"><w15:person w15:author=\"CANARY-PERSON\"><w15:presenceInfo w15:providerId=\"AD\" w15:userId=\"CANARY-EMAIL\"/></w15:person></w15:people>",
                false,
            ),
            ("xl/comments1.xml", b"<comments><authors><author>CANARY-XLSX &amp; CANARY<![CDATA[CANARY]]></author></authors></comments>", false),
            ("word/media/image1.jpeg", &photo, false),
        ],
        b"CANARY-AFTER-ZIP",
    );
    assert!(has_canary(&unzip(&docx).1));
    let out = scrub(Format::Office, &docx, 1000).expect("scrubbed");
    assert!(!has_canary(&out));
    let (names, all) = unzip(&out);
    assert!(!has_canary(&all), "{}", String::from_utf8_lossy(&all));
    let has = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    assert!(
        has(&all, b"<w:t>isi laporan &amp; bukti</w:t>"),
        "text kept as written"
    );
    assert!(has(&all, b"<w:t>catatan</w:t>"));
    assert!(
        has(&all, b"w:author=\"-\""),
        "names blanked, attributes kept"
    );
    assert_eq!(names.len(), 9);

    let odt = zip_of(
        &[
            ("mimetype", b"application/vnd.oasis.opendocument.text", true),
            ("meta.xml", b"<office:document-meta><meta:initial-creator>CANARY-ODF</meta:initial-creator></office:document-meta>", false),
            (
                "content.xml",
                b"<office:text><office:annotation><dc:creator>CANARY-ANNOTATOR</dc:creator><text:p>catatan</text:p></office:annotation><text:p>isi</text:p></office:text>",
                false,
            ),
        ],
        b"",
    );
    let out = scrub(Format::Office, &odt, 7).expect("scrubbed");
    let (names, all) = unzip(&out);
    assert!(!has_canary(&all), "{}", String::from_utf8_lossy(&all));
    assert_eq!(names[0], "mimetype", "mimetype stays first");
    assert!(
        out[30..].starts_with(b"mimetypeapplication/vnd.oasis"),
        "and stored"
    );
    assert!(
        has(&all, b"<text:p>catatan</text:p>"),
        "annotation text kept"
    );
    assert!(
        has(&all, b"<dc:creator>-</dc:creator>"),
        "its author blanked"
    );
}

#[test]
fn broken_office_files_are_refused() {
    let bad_xml = zip_of(&[("a.xml", b"<a></b>", false)], b"");
    for bytes in [&b"PK\x03\x04not a zip"[..], &bad_xml] {
        assert_eq!(scrub(Format::Office, bytes, 5), Err(Unscrubbable));
    }
}
