//! Signed envelopes: every item of a case says who wrote it, where it belongs and what came before it,
//! under an Ed25519 signature, all inside the age encryption (docs/design.md §5, docs/format.md).
//!
//! The signature covers the exact JSON bytes, whatever the body says; what the body must hold for
//! each kind is `protocol::item`'s, checked by `Envelope::body` (and by `intake::verify` before
//! anything is shown as genuine).

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{hex, sha256, unhex};
use crate::protocol::item::{Author, BadBody, ItemBody, ItemKind};
use crate::protocol::{CaseId, Day};

const SIGNATURE_CONTEXT: &[u8] = b"wbs/v1/envelope\n";
const SIGNATURE_PREFIX: &str = "ed25519:";
pub(crate) const ENVELOPE_VERSION: u32 = 1;

/// The signed part of an item. `body` holds plaintext: it lives only in memory and inside age.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    pub v: u32,
    pub kind: ItemKind,
    pub case_id: CaseId,
    pub seq: u32,
    pub prev_digest: String,
    pub day: Day,
    pub author: Author,
    /// As signed. Read it typed with `body()`; written only from an `ItemBody` (`Envelope::new`).
    body: serde_json::Value,
}

/// Where an item goes and who writes it: everything of an envelope but its body.
#[derive(Debug, Clone)]
pub struct Header {
    pub case_id: CaseId,
    pub seq: u32,
    /// Hex of the previous item's chain digest (`genesis_digest` for item 0).
    pub prev_digest: String,
    pub day: Day,
    pub author: Author,
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Envelope({:?}, case {}, seq {})",
            self.kind, self.case_id, self.seq
        )
    }
}

/// The `prev_digest` of item 0: binds the chain to its case.
pub(crate) fn genesis_digest(case_id: &CaseId) -> [u8; 32] {
    let mut data = b"wbs/v1/genesis\n".to_vec();
    data.extend_from_slice(case_id.as_str().as_bytes());
    sha256(&data)
}

/// The `prev_digest` of the item after one with this ciphertext.
pub(crate) fn chain_digest(ciphertext: &[u8]) -> [u8; 32] {
    sha256(ciphertext)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("not a signed envelope")]
    Malformed,
    #[error("the signature does not verify")]
    BadSignature,
    #[error("unsupported envelope version")]
    Version,
}

impl Envelope {
    /// An envelope for a typed body: the kind comes from the body, so they cannot disagree.
    pub fn new(header: Header, body: &ItemBody) -> Result<Self, EnvelopeError> {
        Ok(Envelope {
            v: ENVELOPE_VERSION,
            kind: body.kind(),
            case_id: header.case_id,
            seq: header.seq,
            prev_digest: header.prev_digest,
            day: header.day,
            author: header.author,
            body: body.to_value().map_err(|_| EnvelopeError::Malformed)?,
        })
    }

    /// The body as signed, for a tool that must write outside the protocol (a test forging an item).
    /// Everything else writes through `Envelope::new`.
    pub fn raw_body_mut(&mut self) -> &mut serde_json::Value {
        &mut self.body
    }

    /// The body, read as its kind. Unknown fields or values are an error, never a default.
    pub fn body(&self) -> Result<ItemBody, BadBody> {
        ItemBody::parse(self.kind, &self.body)
    }

    pub(crate) fn author_key(&self) -> Option<VerifyingKey> {
        unhex::<32>(&self.author.key).and_then(|b| VerifyingKey::from_bytes(&b).ok())
    }

    /// Serialises and signs: line 1 is the envelope JSON, line 2 the signature over it.
    pub fn sign(&self, key: &SigningKey) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
        let json = Zeroizing::new(serde_json::to_vec(self).map_err(|_| EnvelopeError::Malformed)?);
        let mut message = Zeroizing::new(SIGNATURE_CONTEXT.to_vec());
        message.extend_from_slice(&json);
        let signature = key.sign(&message);
        let mut out = Zeroizing::new(Vec::with_capacity(json.len() + 140));
        out.extend_from_slice(&json);
        out.push(b'\n');
        out.extend_from_slice(SIGNATURE_PREFIX.as_bytes());
        out.extend_from_slice(hex(&signature.to_bytes()).as_bytes());
        out.push(b'\n');
        Ok(out)
    }

    /// Parses a signed envelope and checks its signature against the key it names.
    /// Whether that key is *allowed* to write this item is the caller's decision (see `intake::verify`).
    pub fn open(signed: &[u8]) -> Result<Envelope, EnvelopeError> {
        let text = std::str::from_utf8(signed).map_err(|_| EnvelopeError::Malformed)?;
        let text = text.strip_suffix('\n').ok_or(EnvelopeError::Malformed)?;
        let (json, sig_line) = text.split_once('\n').ok_or(EnvelopeError::Malformed)?;
        let sig_hex = sig_line
            .strip_prefix(SIGNATURE_PREFIX)
            .ok_or(EnvelopeError::Malformed)?;
        let sig_bytes = unhex::<64>(sig_hex).ok_or(EnvelopeError::Malformed)?;
        let envelope: Envelope =
            serde_json::from_str(json).map_err(|_| EnvelopeError::Malformed)?;
        if envelope.v != ENVELOPE_VERSION {
            return Err(EnvelopeError::Version);
        }
        let key = envelope.author_key().ok_or(EnvelopeError::Malformed)?;
        let mut message = Zeroizing::new(SIGNATURE_CONTEXT.to_vec());
        message.extend_from_slice(json.as_bytes());
        key.verify(&message, &Signature::from_bytes(&sig_bytes))
            .map_err(|_| EnvelopeError::BadSignature)?;
        Ok(envelope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::item::Role;
    use proptest::prelude::*;

    fn envelope(key: &SigningKey, body: &str) -> Envelope {
        let case_id = CaseId::parse("WBS-TEST-0000-0000").expect("case id");
        Envelope {
            v: ENVELOPE_VERSION,
            kind: ItemKind::Report,
            prev_digest: hex(&genesis_digest(&case_id)),
            case_id,
            seq: 0,
            day: Day::parse("2026-11-29").expect("day"),
            author: Author {
                role: Role::Reporter,
                key: hex(key.verifying_key().as_bytes()),
            },
            body: serde_json::json!({ "text": body }),
        }
    }

    #[test]
    fn a_changed_byte_breaks_the_signature() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let signed = envelope(&key, "hello").sign(&key).expect("signs");
        let mut tampered = signed.to_vec();
        let pos = tampered
            .windows(5)
            .position(|w| w == b"hello")
            .expect("body text");
        tampered[pos] = b'j';
        assert_eq!(
            Envelope::open(&tampered).err(),
            Some(EnvelopeError::BadSignature)
        );
    }

    #[test]
    fn a_signature_by_another_key_fails() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let other = SigningKey::from_bytes(&[4; 32]);
        let signed = envelope(&key, "hello").sign(&other).expect("signs");
        assert_eq!(
            Envelope::open(&signed).err(),
            Some(EnvelopeError::BadSignature)
        );
    }

    proptest! {
        #[test]
        fn sign_open_round_trip(seed in any::<[u8; 32]>(), body in ".{0,200}") {
            let key = SigningKey::from_bytes(&seed);
            let e = envelope(&key, &body);
            let opened = Envelope::open(&e.sign(&key).expect("signs")).expect("opens");
            prop_assert_eq!(opened.body, e.body);
            prop_assert_eq!(opened.author, e.author);
        }

        #[test]
        fn open_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = Envelope::open(&bytes);
        }
    }
}
