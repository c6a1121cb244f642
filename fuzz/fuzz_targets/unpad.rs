#![no_main]
//! Padding removal on decrypted bytes: never panic; what unpads re-pads to a prefix of the input.
use libfuzzer_sys::fuzz_target;
use wbs::crypto::pad;

fuzz_target!(|data: &[u8]| {
    if let Ok(content) = pad::unpad(data) {
        assert!(data.starts_with(content));
    }
});
