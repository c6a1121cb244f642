#![no_main]
//! Files in keys/ and identity files: never panic.
use libfuzzer_sys::fuzz_target;
use wbs::crypto::keys::{InvestigatorIdentity, InvestigatorPublic};

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = InvestigatorPublic::parse("fuzz", s);
        let _ = InvestigatorIdentity::parse(s);
    }
});
