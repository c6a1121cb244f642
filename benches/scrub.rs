//! Metadata scrubbing is linear in the file's size (issue 11; the old filter drained its buffer from the
//! front and took 19.5 s at 4 MB, issue 9).
//!
//! Run: `cargo bench --bench scrub` (or `--profile dev` for the shape without a release build). Prints
//! the time and throughput for JPEGs of 1, 4 and 16 MB fed in 64 KiB chunks, as uploads arrive.

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
    Ok(())
}
