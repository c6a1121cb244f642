//! Cryptography of WBS: receipts and the keys derived from them, investigator keys, padding, signed
//! envelopes, age sealing and short-lived tokens. Nothing here knows about HTTP or storage.

pub(crate) mod ct;
pub mod desk_auth;
pub mod envelope;
pub mod keys;
pub mod pad;
pub mod receipt;
pub mod seal;
pub(crate) mod session;
pub(crate) mod token;

use sha2::{Digest, Sha256};

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Lower-case hex.
pub fn hex(data: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(data)
}

/// Parses lower- or upper-case hex of an exact length.
pub fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let bytes = data_encoding::HEXLOWER_PERMISSIVE
        .decode(s.as_bytes())
        .ok()?;
    bytes.try_into().ok()
}

/// HKDF-SHA256 with an empty salt: one 32-byte key per versioned label.
pub(crate) fn hkdf32(ikm: &[u8], label: &str) -> zeroize::Zeroizing<[u8; 32]> {
    let mut out = zeroize::Zeroizing::new([0u8; 32]);
    let hk = hkdf::Hkdf::<Sha256>::new(None, ikm);
    // 32 bytes is always a valid HKDF-SHA256 output length, so this cannot fail.
    let _ = hk.expand(label.as_bytes(), out.as_mut());
    out
}
