#![no_main]
//! Receipts typed by anyone: parsing must never panic, and whatever parses must print and parse back.
use libfuzzer_sys::fuzz_target;
use wbs::crypto::receipt::Receipt;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(r) = Receipt::parse(s) {
            let again = Receipt::parse(&r.grouped()).map(|p| p.expose().to_owned());
            assert_eq!(again.as_deref(), Ok(r.expose()));
        }
    }
});
