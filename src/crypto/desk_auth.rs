//! Investigator login to the desk API (docs/design.md §5): the server hands out a random nonce with an
//! expiry; the investigator signs `wbs/v1/desk-auth\n{origin}\n{nonce}\n{expires}` with the Ed25519 key
//! derived from their age identity. Nothing is decrypted to log in, so login cannot be used as a
//! decryption oracle. Shared by the server (`web::desk_api`) and the CLI (`desk::client`).

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use super::{hex, unhex};

/// The label that starts every signed login message.
pub(crate) const DESK_AUTH_LABEL: &str = "wbs/v1/desk-auth";

/// The exact bytes an investigator signs to log in. `origin` is the desk URL as the client uses it,
/// scheme, host and port, without a trailing slash (`http://127.0.0.1:8081`).
pub(crate) fn message(origin: &str, nonce: &str, expires: u64) -> Vec<u8> {
    format!("{DESK_AUTH_LABEL}\n{origin}\n{nonce}\n{expires}").into_bytes()
}

/// The hex signature of a login message.
pub fn sign(key: &SigningKey, origin: &str, nonce: &str, expires: u64) -> String {
    hex(&key.sign(&message(origin, nonce, expires)).to_bytes())
}

/// Whether `signature_hex` is `key`'s signature over the login message.
pub(crate) fn verify(
    key: &VerifyingKey,
    origin: &str,
    nonce: &str,
    expires: u64,
    signature_hex: &str,
) -> bool {
    let Some(bytes) = unhex::<64>(signature_hex) else {
        return false;
    };
    key.verify(
        &message(origin, nonce, expires),
        &Signature::from_bytes(&bytes),
    )
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_binds_origin_nonce_and_expiry() {
        let key = SigningKey::from_bytes(&[5; 32]);
        let public = key.verifying_key();
        let sig = sign(&key, "http://127.0.0.1:8081", "n", 10);
        assert!(verify(&public, "http://127.0.0.1:8081", "n", 10, &sig));
        assert!(!verify(&public, "http://evil.example", "n", 10, &sig));
        assert!(!verify(&public, "http://127.0.0.1:8081", "m", 10, &sig));
        assert!(!verify(&public, "http://127.0.0.1:8081", "n", 11, &sig));
        assert!(!verify(&public, "http://127.0.0.1:8081", "n", 10, "00"));
        assert_eq!(message("o", "n", 7), b"wbs/v1/desk-auth\no\nn\n7".to_vec());
    }
}
