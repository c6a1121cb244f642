#![no_main]
//! Uploaded photos through the metadata scrubber (src/intake/scrub), in arbitrary chunks: never
//! panic, never grow beyond a rewritten orientation block, and give the same result however chunked.
use libfuzzer_sys::fuzz_target;
use wbs::intake::scrub::{Format, Scrubber};

fn scrub(format: Format, file: &[u8], chunk: usize) -> Option<Vec<u8>> {
    let mut s = Scrubber::new(format);
    let mut out = Vec::new();
    for c in file.chunks(chunk.max(1)) {
        s.push(c, &mut out).ok()?;
    }
    s.finish(&mut out).ok()?;
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, file)) = data.split_first() else {
        return;
    };
    for format in [
        Format::Jpeg,
        Format::Png,
        Format::Gif,
        Format::Webp,
        Format::Office,
    ] {
        let out = scrub(format, file, usize::from(split));
        if let Some(out) = &out {
            assert!(out.len() <= file.len() + 36);
        }
        assert_eq!(out, scrub(format, file, file.len()));
    }
});
