//! The memory a held document takes at its peak, per byte of the file (issue 11): what
//! `scrub::Format::memory_per_byte` charges to `[limits] document_memory_mb`.
//!
//! Run: `cargo bench --bench document_memory`. Each ~20 MB file is made here and measured in a fresh
//! process (this program, run again with the shape and the file), since `VmHWM` only ever grows: the
//! peak resident memory around feeding the scrubber the file in 256 KiB batches and `finish`, minus
//! the peak before, divided by the file's size. The held copy, the parser's objects and the rewritten
//! output all count; the file as read from disk (the upload's own bytes) does not.

use std::io::{Cursor, Write};
use std::process::Command;

use wbs::intake::scrub::{Format, Scrubber};

const TARGET: usize = 20 * 1024 * 1024;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;
/// Makes one shape's file.
type Make = fn() -> Result<Vec<u8>>;

fn vm_hwm_kib() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or("no VmHWM in /proc/self/status")?;
    Ok(kib)
}

/// A PDF of ~20 MB made of pages whose content streams are `content` bytes long.
fn pdf(content: usize) -> Result<Vec<u8>> {
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.7");
    let pages = doc.new_object_id();
    let text = b"BT /F1 12 Tf 20 100 Td (Isi laporan bukti) Tj ET\n".repeat(content / 40 + 1);
    let mut kids = Vec::new();
    for _ in 0..TARGET / (content + 150) {
        let c = doc.add_object(Stream::new(dictionary! {}, text[..content].to_vec()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages, "Contents" => c,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

/// A `.docx` of ~20 MB whose `word/document.xml` is stored (not compressed).
fn docx() -> Result<Vec<u8>> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("[Content_Types].xml", o)?;
    w.write_all(b"<?xml version=\"1.0\"?><Types/>")?;
    w.start_file("word/document.xml", o)?;
    let p = b"<w:p w:rsidR=\"00AB12CD\"><w:r><w:t>Isi laporan bukti yang panjang</w:t></w:r></w:p>";
    w.write_all(b"<w:document xmlns:w=\"x\"><w:body>")?;
    for _ in 0..TARGET / p.len() {
        w.write_all(p)?;
    }
    w.write_all(b"</w:body></w:document>")?;
    Ok(w.finish()?.into_inner())
}

/// In a fresh process: the peak around scrubbing the file at `path`.
fn measure(shape: &str, path: &str) -> Result<()> {
    let format = if shape.starts_with("pdf-") {
        Format::Pdf
    } else {
        Format::Office
    };
    let file = std::fs::read(path)?;
    let before = vm_hwm_kib()?;
    let mut s = Scrubber::new(format);
    let mut out = Vec::new();
    for batch in file.chunks(256 * 1024) {
        s.push(batch, &mut out).map_err(|_| "not scrubbed")?;
    }
    s.finish(&mut out).map_err(|_| "not scrubbed")?;
    let peak = vm_hwm_kib()?;
    let mb = file.len() as f64 / (1024.0 * 1024.0);
    let extra = (peak - before) as f64 / 1024.0;
    println!(
        "{shape}: file {mb:.1} MB, peak +{extra:.1} MB = {:.1} × the file",
        extra / mb
    );
    if format == Format::Pdf {
        println!("{shape}: {}", in_cleaner(&file)?);
    }
    Ok(())
}

/// The running server's way: `wbs scrub-pdf` in a child limited to what the budget charges for the
/// file (`scrub::pdf_cleaner_memory_limit`). The charge must leave room for every ordinary shape.
fn in_cleaner(file: &[u8]) -> Result<String> {
    use std::process::Stdio;
    let limit = wbs::intake::scrub::pdf_cleaner_memory_limit(file.len(), 0);
    let started = std::time::Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wbs"))
        .args(["scrub-pdf", "--allowance", "0"])
        .arg("--memory-limit")
        .arg(limit.to_string())
        .arg("--len")
        .arg(file.len().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    child.stdin.take().ok_or("no stdin")?.write_all(file)?;
    let status = child.wait()?;
    let took = started.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!("the cleaner within {} MiB: {status}", limit >> 20).into());
    }
    Ok(format!(
        "cleaned in a child within {} MiB in {took:.2} s",
        limit >> 20
    ))
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if let [shape, path] = args.as_slice() {
        return measure(shape, path);
    }
    // Files are made here, so that making them does not raise the measuring process's peak.
    let dir = std::env::temp_dir().join(format!("wbs-document-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let exe = std::env::current_exe()?;
    let shapes: [(&str, Make); 4] = [
        ("pdf-large-streams", || pdf(1 << 20)),
        ("pdf-2kb-pages", || pdf(2000)),
        ("pdf-small-objects", || pdf(20)),
        ("docx-stored", docx),
    ];
    for (shape, make) in shapes {
        let path = dir.join(shape);
        std::fs::write(&path, make()?)?;
        let status = Command::new(&exe).arg(shape).arg(&path).status()?;
        let _ = std::fs::remove_file(&path);
        if !status.success() {
            return Err(format!("{shape}: {status}").into());
        }
    }
    let _ = std::fs::remove_dir(&dir);
    Ok(())
}
