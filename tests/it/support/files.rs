//! What the server leaves on disk: every file under a directory, byte searches for canaries, the size
//! of an age payload; and the markers and small files tests send.

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Every regular file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.filter_map(|e| e.ok()) {
            let p = e.path();
            let Ok(meta) = fs::symlink_metadata(&p) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(p);
            } else if meta.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The files under `dir` whose bytes contain any of `needles`, as `(file, needle)`.
pub fn files_containing(dir: &Path, needles: &[&[u8]]) -> Vec<(PathBuf, String)> {
    let mut hits = Vec::new();
    for f in files_under(dir) {
        let mut bytes = Vec::new();
        File::open(&f)
            .and_then(|mut h| h.read_to_end(&mut bytes))
            .expect("read file");
        for n in needles {
            if contains(&bytes, n) {
                hits.push((f.clone(), String::from_utf8_lossy(n).into_owned()));
            }
        }
    }
    hits
}

/// The length of an age file's payload (after the header, whose size varies: age adds a random
/// "grease" stanza to every header).
pub fn age_payload_len(file: &[u8]) -> usize {
    assert!(
        file.starts_with(b"age-encryption.org/v1\n"),
        "not an age file"
    );
    let mac = file
        .windows(5)
        .position(|w| w == b"\n--- ")
        .expect("age header end");
    let end = mac
        + 1
        + file[mac + 1..]
            .iter()
            .position(|&b| b == b'\n')
            .expect("mac line")
        + 1;
    file.len() - end
}

/// A fresh random marker such as `CANARY-3f9a…`.
pub fn marker() -> String {
    format!(
        "CANARY-{:016x}{:08x}",
        rand::random::<u64>(),
        rand::random::<u32>()
    )
}

/// A small, well-formed one-page PDF whose page content carries `text`. Made with `lopdf` the way the
/// server's PDF scrubber writes documents, so scrubbing gives back these very bytes (docs/design.md §6)
/// and tests can compare what investigators get with what was sent.
pub fn pdf_with(text: &str) -> Vec<u8> {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)");
    pdf_page(format!("BT /F1 12 Tf 20 100 Td ({escaped}) Tj ET").into_bytes())
}

/// A well-formed PDF of exactly `len` bytes (at least about 400), a fixed point of the scrubber too.
pub fn pdf_of_len(len: usize) -> Vec<u8> {
    let mut pad = len.saturating_sub(pdf_page(Vec::new()).len());
    loop {
        // A comment in the content stream: the page stays empty.
        let mut content = b"%".to_vec();
        content.resize(pad.max(1), b'x');
        let pdf = pdf_page(content);
        match pdf.len().cmp(&len) {
            std::cmp::Ordering::Equal => return pdf,
            std::cmp::Ordering::Less => pad += len - pdf.len(),
            std::cmp::Ordering::Greater => {
                assert!(pad > 1, "no PDF is as short as {len} bytes");
                pad -= (pdf.len() - len).min(pad - 1);
            }
        }
    }
}

/// A small PDF whose cross-reference streams inflate to `sections` × 5.6 million free entries: each
/// section is 16 MiB of zeros over an id range of its own (`/W [1 1 1]`), compressed twice (a few
/// hundred bytes), chained by `/Prev` behind a newest section that locates one empty page. Opening
/// it in full takes ~100 MiB per section.
pub fn pdf_with_inflating_cross_references(sections: usize) -> Vec<u8> {
    use flate2::{write::ZlibEncoder, Compression};
    use std::io::Write;
    let deflate = |bytes: &[u8]| {
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        z.write_all(bytes).expect("deflate");
        z.finish().expect("deflate")
    };
    let per = (16 << 20) / 3 - 1;
    let zeros = deflate(&deflate(&vec![0u8; per * 3]));
    let mut pdf = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
    for (n, body) in [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
    ]
    .iter()
    .enumerate()
    {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", n + 1).as_bytes());
    }
    // One cross-reference stream object: its dictionary's start, the link to the one before, its data.
    let section = |pdf: &mut Vec<u8>, head: String, prev: Option<usize>, data: &[u8]| {
        let link = prev.map(|p| format!(" /Prev {p}")).unwrap_or_default();
        let length = data.len();
        pdf.extend_from_slice(
            format!("{head} /Length {length} /Root 1 0 R{link} >>\nstream\n").as_bytes(),
        );
        pdf.extend_from_slice(data);
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
    };
    let mut prev = None;
    for i in 0..sections {
        let at = pdf.len();
        let start = 1000 + i * per;
        let head = format!(
            "{} 0 obj\n<< /Type /XRef /Size {} /W [1 1 1] /Index [{start} {per}] \
             /Filter [/FlateDecode /FlateDecode]",
            10 + i,
            start + per,
        );
        section(&mut pdf, head, prev, &zeros);
        prev = Some(at);
    }
    // The newest section: the three objects and itself, `/W [1 4 1]`, uncompressed.
    let n = 10 + sections;
    let at = pdf.len();
    let mut rows = Vec::new();
    for offset in offsets.iter().copied().chain([at]) {
        rows.push(1u8);
        rows.extend_from_slice(&u32::try_from(offset).expect("offset").to_be_bytes());
        rows.push(0);
    }
    let head = format!(
        "{n} 0 obj\n<< /Type /XRef /Size {} /W [1 4 1] /Index [1 3 {n} 1]",
        n + 1
    );
    section(&mut pdf, head, prev, &rows);
    pdf.extend_from_slice(format!("startxref\n{at}\n%%EOF\n").as_bytes());
    pdf
}

fn pdf_page(content: Vec<u8>) -> Vec<u8> {
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.7");
    let pages = doc.new_object_id();
    let contents = doc.add_object(Stream::new(dictionary! {}, content));
    let page = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages,
        "MediaBox" => vec![0.into(), 0.into(), 200.into(), 200.into()],
        "Contents" => contents,
    });
    doc.objects.insert(
        pages,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("a PDF in memory");
    out
}

/// The smallest well-formed PNG structure (signature, header, data, end): what the scrubber accepts.
pub fn tiny_png() -> Vec<u8> {
    let chunk = |kind: &[u8; 4], data: &[u8]| {
        let mut v = (data.len() as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(data);
        v.extend_from_slice(&[0, 0, 0, 0]);
        v
    };
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
    v.extend(chunk(b"IDAT", b"x"));
    v.extend(chunk(b"IEND", &[]));
    v
}

/// Copies a directory tree (e.g. a data directory, as someone taking a copy of the disk would).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create the copy");
    for entry in fs::read_dir(from).expect("read dir").filter_map(|e| e.ok()) {
        let target = to.join(entry.file_name());
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            copy_dir(&entry.path(), &target);
        } else {
            // A file removed meanwhile (a running server) is simply not in the copy.
            let _ = fs::copy(entry.path(), &target);
        }
    }
}
