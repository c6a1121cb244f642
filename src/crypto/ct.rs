//! The one place where secrets are compared: always in constant time.

use subtle::ConstantTimeEq;

/// Constant-time equality of two byte strings (the length is not secret).
pub(crate) fn eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
