#![no_main]
//! Uploaded photos through the metadata filter, in arbitrary chunks: never panic, never grow.
use libfuzzer_sys::fuzz_target;
use wbs::intake::strip::{Format, MetadataStripper};

fuzz_target!(|data: &[u8]| {
    let Some((&split, file)) = data.split_first() else {
        return;
    };
    for format in [Format::Jpeg, Format::Png] {
        let mut s = MetadataStripper::new(format);
        let mut out = Vec::new();
        for chunk in file.chunks(usize::from(split).max(1)) {
            s.push(chunk, &mut out);
        }
        s.finish(&mut out);
        assert!(out.len() <= file.len());
    }
});
