#![no_main]
//! Decrypted item bytes (what a thief of the disk could plant, once sealed): never panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = wbs::crypto::envelope::Envelope::open(data);
});
