//! How a dialogue record is stored (docs/format.md, "WhatsApp dialogue records"): `wa-dialogue-v2`, the
//! record sealed with XChaCha20-Poly1305 under a key derived from the daily sender key of its index and
//! the index itself. The daily key lives only in the in-place key file (`keyfile`), so once its slot is
//! overwritten no copy of the record opens, the ones sled's log keeps included (docs/design.md §9).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::{rngs::OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::state::DialogueV1;
use crate::store::StoreError;

/// What is stored at a dialogue's index: `wa-dialogue-v2`, the `wa-dialogue-v1` JSON sealed under the
/// record key (`record_key`). Nothing in clear but the version: no day, no time, no id.
#[derive(Serialize, Deserialize)]
#[serde(tag = "record", deny_unknown_fields)]
enum SealedRecord {
    #[serde(rename = "wa-dialogue-v2")]
    V2 {
        /// Base64 of `nonce(24) ‖ XChaCha20-Poly1305(wa-dialogue-v1 JSON)`, AAD = `RECORD_AAD ‖ index`.
        sealed: String,
    },
}

const RECORD_LABEL: &[u8] = b"wbs/v2/wa-dialogue\n";

/// The key a record at `index` is sealed under: HKDF-SHA256 of the day's sender key, salt
/// `RECORD_LABEL`, info the index. Gone with the day's key (docs/format.md).
fn record_key(day_key: &[u8; 32], index: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    let hk = hkdf::Hkdf::<Sha256>::new(Some(RECORD_LABEL), day_key);
    // 32 bytes is always a valid HKDF-SHA256 output length.
    let _ = hk.expand(index, out.as_mut());
    out
}

fn record_aad(index: &[u8; 32]) -> Vec<u8> {
    let mut aad = RECORD_LABEL.to_vec();
    aad.extend_from_slice(index);
    aad
}

/// Seals a dialogue for storage at `index` under the day key's record key.
pub(super) fn seal_record(
    day_key: &[u8; 32],
    index: &[u8; 32],
    d: &DialogueV1,
) -> Result<Vec<u8>, StoreError> {
    let plain = Zeroizing::new(d.encode()?);
    let key = record_key(day_key, index);
    let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(key.as_ref()));
    let mut nonce = [0u8; 24];
    OsRng.fill_bytes(&mut nonce);
    let aad = record_aad(index);
    let ct = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &plain,
                aad: &aad,
            },
        )
        .map_err(|_| StoreError::Corrupt)?;
    let mut raw = nonce.to_vec();
    raw.extend_from_slice(&ct);
    let record = SealedRecord::V2 {
        sealed: data_encoding::BASE64.encode(&raw),
    };
    serde_json::to_vec(&record).map_err(|_| StoreError::Corrupt)
}

/// A stored record as found: sealed (needs a day key) or an earlier version's plain record.
pub(super) enum Stored {
    Sealed(Vec<u8>),
    Plain(DialogueV1),
}

pub(super) fn parse_stored(bytes: &[u8]) -> Option<Stored> {
    if let Ok(SealedRecord::V2 { sealed }) = serde_json::from_slice(bytes) {
        return data_encoding::BASE64
            .decode(sealed.as_bytes())
            .ok()
            .map(Stored::Sealed);
    }
    DialogueV1::decode(bytes).ok().map(Stored::Plain)
}

pub(super) fn open_sealed(day_key: &[u8; 32], index: &[u8; 32], raw: &[u8]) -> Option<DialogueV1> {
    if raw.len() < 24 {
        return None;
    }
    let (nonce, ct) = raw.split_at(24);
    let key = record_key(day_key, index);
    let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(key.as_ref()));
    let aad = record_aad(index);
    let plain = Zeroizing::new(
        cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .ok()?,
    );
    DialogueV1::decode(&plain).ok()
}
