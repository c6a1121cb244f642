//! Investigator login to the desk API (docs/design.md §5): the server hands out a random nonce with an
//! expiry and its installation id; the investigator signs
//! `wbs/v1/desk-auth\n{installation}\n{origin}\n{nonce}\n{expires}` with the Ed25519 key derived from
//! their age identity. Nothing is decrypted to log in, so login cannot be used as a
//! decryption oracle. Shared by the server (`web::desk_api`) and the CLI (`desk::client`).

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use super::{hex, unhex};

/// The label that starts every signed login message.
pub(crate) const DESK_AUTH_LABEL: &str = "wbs/v1/desk-auth";

/// What a login signature covers: the installation, the address the client used, and the challenge.
#[derive(Debug, Clone, Copy)]
pub struct LoginMessage<'a> {
    /// The server's installation id (from the challenge, checked against the pinned one by clients).
    pub installation: &'a str,
    /// The desk URL as the client uses it: scheme, host and port, no trailing slash
    /// (`http://127.0.0.1:8081`).
    pub origin: &'a str,
    pub nonce: &'a str,
    pub expires: u64,
}

impl LoginMessage<'_> {
    /// The exact bytes an investigator signs to log in.
    pub(crate) fn bytes(&self) -> Vec<u8> {
        format!(
            "{DESK_AUTH_LABEL}\n{}\n{}\n{}\n{}",
            self.installation, self.origin, self.nonce, self.expires
        )
        .into_bytes()
    }

    /// The hex signature of this login message.
    pub fn sign(&self, key: &SigningKey) -> String {
        hex(&key.sign(&self.bytes()).to_bytes())
    }

    /// Whether `signature_hex` is `key`'s signature over this message.
    pub(crate) fn verify(&self, key: &VerifyingKey, signature_hex: &str) -> bool {
        let Some(bytes) = unhex::<64>(signature_hex) else {
            return false;
        };
        key.verify(&self.bytes(), &Signature::from_bytes(&bytes))
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg<'a>(
        installation: &'a str,
        origin: &'a str,
        nonce: &'a str,
        expires: u64,
    ) -> LoginMessage<'a> {
        LoginMessage {
            installation,
            origin,
            nonce,
            expires,
        }
    }

    #[test]
    fn a_signature_binds_installation_origin_nonce_and_expiry() {
        let key = SigningKey::from_bytes(&[5; 32]);
        let public = key.verifying_key();
        let o = "http://127.0.0.1:8081";
        let sig = msg("i1", o, "n", 10).sign(&key);
        assert!(msg("i1", o, "n", 10).verify(&public, &sig));
        assert!(!msg("i2", o, "n", 10).verify(&public, &sig));
        assert!(!msg("i1", "http://evil.example", "n", 10).verify(&public, &sig));
        assert!(!msg("i1", o, "m", 10).verify(&public, &sig));
        assert!(!msg("i1", o, "n", 11).verify(&public, &sig));
        assert!(!msg("i1", o, "n", 10).verify(&public, "00"));
        assert_eq!(
            msg("i", "o", "n", 7).bytes(),
            b"wbs/v1/desk-auth\ni\no\nn\n7".to_vec()
        );
    }
}
