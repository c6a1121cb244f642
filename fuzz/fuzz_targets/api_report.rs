#![no_main]
//! JSON bodies of POST /api/v1/reports: parsing and validation never panic.
use libfuzzer_sys::fuzz_target;
use wbs::intake::Lang;

fuzz_target!(|data: &[u8]| {
    if let Ok(input) = wbs::web::api::parse_report(data, Lang::Id) {
        let _ = wbs::intake::report::validate(&input);
    }
});
