//! Keyed, expiring tokens (form tokens now; desk tokens later), each kind under its own HKDF label
//! from a process root key that lives only in memory.

use hmac::{Hmac, Mac};
use rand::{CryptoRng, RngCore};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::{ct, hkdf32};

const NONCE_LEN: usize = 16;
const TOKEN_LEN: usize = NONCE_LEN + 8 + 32;

/// A MAC key for one kind of token.
pub(crate) struct TokenKey(Zeroizing<[u8; 32]>);

impl TokenKey {
    pub fn new(root: &[u8; 32], label: &str) -> Self {
        TokenKey(hkdf32(root, label))
    }

    fn mac(&self, nonce: &[u8], expiry: u64) -> [u8; 32] {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_ref()) {
            Ok(m) => m,
            Err(_) => return [0; 32],
        };
        mac.update(nonce);
        mac.update(&expiry.to_be_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A fresh token valid until `expiry` (unix seconds).
    pub(crate) fn issue(&self, rng: &mut (impl RngCore + CryptoRng), expiry: u64) -> String {
        let mut raw = Vec::with_capacity(TOKEN_LEN);
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&expiry.to_be_bytes());
        raw.extend_from_slice(&self.mac(&nonce, expiry));
        data_encoding::BASE64URL_NOPAD.encode(&raw)
    }

    /// The token's nonce if its MAC is right and it has not expired at `now`.
    pub(crate) fn verify(&self, token: &str, now: u64) -> Option<[u8; NONCE_LEN]> {
        let raw = data_encoding::BASE64URL_NOPAD
            .decode(token.as_bytes())
            .ok()?;
        if raw.len() != TOKEN_LEN {
            return None;
        }
        let (nonce, rest) = raw.split_at(NONCE_LEN);
        let (expiry, mac) = rest.split_at(8);
        let expiry = u64::from_be_bytes(expiry.try_into().ok()?);
        if !ct::eq(&self.mac(nonce, expiry), mac) || now > expiry {
            return None;
        }
        nonce.try_into().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn tokens_verify_until_expiry_and_only_under_their_label() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let key = TokenKey::new(&[9; 32], "wbs/v1/form-token");
        let other = TokenKey::new(&[9; 32], "wbs/v1/desk-token");
        let t = key.issue(&mut rng, 100);
        assert!(key.verify(&t, 100).is_some());
        assert!(key.verify(&t, 101).is_none());
        assert!(other.verify(&t, 50).is_none());
        let mut forged = t.into_bytes();
        forged[3] ^= 1;
        assert!(key.verify(&String::from_utf8_lossy(&forged), 50).is_none());
    }
}
