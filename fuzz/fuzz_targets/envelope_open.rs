#![no_main]
//! Decrypted item bytes (what a thief of the disk could plant, once sealed): never panic, neither
//! opening the signed envelope nor reading its body as its kind (`protocol::item::ItemBody`).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(envelope) = wbs::crypto::envelope::Envelope::open(data) {
        let _ = envelope.body();
    }
    // Bodies without a valid signature still reach the typed reader in the tests and the fuzzer.
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        for kind in wbs::protocol::ItemKind::ALL {
            let _ = wbs::protocol::item::ItemBody::parse(kind, &value);
        }
    }
});
