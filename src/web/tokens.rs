//! Form tokens: keyed, expiring and single-use, so a form is accepted once and only from our own pages.

use std::collections::HashMap;
use std::sync::Mutex;

use rand::{rngs::OsRng, RngCore};

use crate::crypto::token::TokenKey;
use crate::protocol::day::unix_now;

/// How long a form may stay open: reporters on slow phones take their time.
const FORM_TTL_SECS: u64 = 6 * 3600;
/// Bound on remembered used tokens (memory only).
const MAX_USED: usize = 200_000;

pub(crate) struct FormTokens {
    key: TokenKey,
    used: Mutex<HashMap<[u8; 16], u64>>,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TokenCheck {
    Fresh([u8; 16]),
    AlreadyUsed,
    Invalid,
}

impl FormTokens {
    pub fn new() -> Self {
        let mut root = zeroize::Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(root.as_mut());
        FormTokens {
            key: TokenKey::new(&root, "wbs/v1/form-token"),
            used: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn issue(&self) -> String {
        self.key.issue(&mut OsRng, unix_now() + FORM_TTL_SECS)
    }

    pub(crate) fn check(&self, token: &str) -> TokenCheck {
        match self.key.verify(token, unix_now()) {
            None => TokenCheck::Invalid,
            Some(nonce) => match self.used.lock() {
                Ok(used) if used.contains_key(&nonce) => TokenCheck::AlreadyUsed,
                Ok(_) => TokenCheck::Fresh(nonce),
                Err(_) => TokenCheck::Invalid,
            },
        }
    }

    /// The nonce of an authentic, unexpired token, used or not: a repeated POST of the same form
    /// finds its remembered answer by it (web::receipt).
    pub(crate) fn nonce(&self, token: &str) -> Option<[u8; 16]> {
        self.key.verify(token, unix_now())
    }

    /// Marks a token used; `false` if it was used meanwhile (a double submit) or memory is full.
    pub(crate) fn consume(&self, nonce: [u8; 16]) -> bool {
        let Ok(mut used) = self.used.lock() else {
            return false;
        };
        if used.len() >= MAX_USED {
            let now = unix_now();
            used.retain(|_, expiry| *expiry >= now);
            if used.len() >= MAX_USED {
                return false;
            }
        }
        used.insert(nonce, unix_now() + FORM_TTL_SECS).is_none()
    }

    /// Gives a token back when its submission failed, so the reporter can send the same form again.
    pub(crate) fn release(&self, nonce: [u8; 16]) {
        if let Ok(mut used) = self.used.lock() {
            used.remove(&nonce);
        }
    }
}

impl Default for FormTokens {
    fn default() -> Self {
        Self::new()
    }
}
