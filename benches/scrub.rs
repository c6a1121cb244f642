//! Metadata scrubbing is linear in the file's size (issue 11; the old filter drained its buffer from the
//! front and took 19.5 s at 4 MB, issue 9).
//!
//! Run: `cargo bench --bench scrub` (or `--profile dev` for the shape without a release build). Prints
//! the time and throughput for JPEGs of 1, 4 and 16 MB fed in 64 KiB chunks, as uploads arrive, and
//! for PDFs of 1, 4 and 20 MB (the upload limit; pages of 1 KiB content each, so the object count grows
//! with the size — the costly shape for a parser), which are held whole and rewritten at the end.

use std::time::Instant;

use wbs::intake::scrub::{Format, Scrubber};

fn jpeg(size: usize) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8];
    let exif = b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0";
    v.extend_from_slice(&[0xFF, 0xE1, 0, (exif.len() + 2) as u8]);
    v.extend_from_slice(exif);
    v.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0]);
    let mut x: u32 = 1;
    while v.len() < size - 2 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let b = (x >> 16) as u8;
        v.push(b);
        if b == 0xFF {
            v.push(0);
        }
    }
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

/// A PDF of about `size` bytes: pages of 1 KiB content streams, with document info.
fn pdf(size: usize) -> Vec<u8> {
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.7");
    let pages = doc.new_object_id();
    let content = b"BT /F1 12 Tf 20 100 Td (Isi laporan) Tj ET\n".repeat(24);
    let mut kids = Vec::new();
    for _ in 0..size / (content.len() + 200) {
        let c = doc.add_object(Stream::new(dictionary! {}, content.clone()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages, "Contents" => c,
            "MediaBox" => vec![0.into(), 0.into(), 200.into(), 200.into()],
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    let info = doc.add_object(dictionary! { "Author" => Object::string_literal("Budi") });
    doc.trailer.set("Root", catalog);
    doc.trailer.set("Info", info);
    let mut out = Vec::new();
    doc.save_to(&mut out).map(|_| out).unwrap_or_default()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for mb in [1usize, 4, 16] {
        let file = jpeg(mb << 20);
        let t = Instant::now();
        let mut s = Scrubber::new(Format::Jpeg);
        let mut out = Vec::with_capacity(file.len());
        for chunk in file.chunks(64 << 10) {
            let mut kept = Vec::with_capacity(chunk.len());
            s.push(chunk, &mut kept).map_err(|_| "not a JPEG")?;
            out.extend_from_slice(&kept);
        }
        s.finish(&mut out).map_err(|_| "not a JPEG")?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "scrub {mb:>2} MB JPEG: {:>8.1} ms, {:>7.1} MB/s",
            secs * 1e3,
            mb as f64 / secs
        );
        assert!(out.len() + 100 > file.len());
    }
    for mb in [1usize, 4, 20] {
        let file = pdf(mb << 20);
        let t = Instant::now();
        let mut s = Scrubber::new(Format::Pdf);
        let mut out = Vec::new();
        for chunk in file.chunks(64 << 10) {
            s.push(chunk, &mut out).map_err(|_| "not a PDF")?;
        }
        s.finish(&mut out).map_err(|_| "not a PDF")?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "scrub {:>4.1} MB PDF: {:>8.1} ms, {:>7.1} MB/s",
            file.len() as f64 / (1 << 20) as f64,
            secs * 1e3,
            file.len() as f64 / (1 << 20) as f64 / secs
        );
        assert!(out.len() < file.len(), "the info dictionary went");
    }
    Ok(())
}
