#![no_main]
//! Uploaded PDFs through the PDF scrubber (src/intake/scrub/pdf.rs, `lopdf`): never panic, and what it
//! writes out reads again as a PDF with nothing for the scrubber left to remove.
use libfuzzer_sys::fuzz_target;
use wbs::intake::scrub::{Format, Scrubber};

fn scrub(file: &[u8]) -> Option<Vec<u8>> {
    let mut s = Scrubber::new(Format::Pdf);
    let mut out = Vec::new();
    s.push(file, &mut out).ok()?;
    s.finish(&mut out).ok()?;
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    if let Some(out) = scrub(data) {
        let again = scrub(&out).expect("a scrubbed PDF is scrubbed again without refusal");
        // A second pass finds nothing more to drop (its bytes may differ only in the writer's
        // layout, never grow).
        assert!(again.len() <= out.len() + 64);
    }
});
