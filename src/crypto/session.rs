//! Reporter sessions (docs/design.md §5): the cookie is `XChaCha20-Poly1305(random nonce, key =
//! HKDF(process root key, "wbs/v1/session"))` over everything the session holds: its id, both
//! expiries, the case id and the receipt's master key. Nothing is in clear (issue 11: the case id and
//! the times were), so a cookie says nothing to whoever sees it. The root key lives only in memory, so
//! every session dies with the process; nothing about sessions is written to disk.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::protocol::CaseId;

use super::hkdf32;

const AAD_CONTEXT: &[u8] = b"wbs/v1/session\n";
const MAX_CASE_ID: usize = 64;
/// id, two expiries, the case id's length and the case id padded to its maximum, the master key: every
/// cookie has the same length.
const PLAIN_LEN: usize = 16 + 8 + 8 + 1 + MAX_CASE_ID + 32;

/// A reporter's logged-in state. Only the server process can open it.
pub(crate) struct Session {
    pub id: [u8; 16],
    pub case_id: CaseId,
    /// Unix seconds after which the session is idle-expired (renewed on each use).
    pub idle_expiry: u64,
    /// Unix seconds after which the session ends however active it is.
    pub absolute_expiry: u64,
    pub master: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Session(case {})", self.case_id)
    }
}

pub(crate) struct SessionSealer {
    cipher: XChaCha20Poly1305,
}

impl SessionSealer {
    pub fn new(root: &[u8; 32]) -> Self {
        let key = hkdf32(root, "wbs/v1/session");
        SessionSealer {
            cipher: XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&key[..])),
        }
    }

    /// The cookie value for `s`: base64url(nonce ‖ sealed session).
    pub fn seal(&self, s: &Session, rng: &mut (impl RngCore + CryptoRng)) -> Option<String> {
        let id = s.case_id.as_str().as_bytes();
        if id.len() > MAX_CASE_ID {
            return None;
        }
        let mut plain = Zeroizing::new(Vec::with_capacity(PLAIN_LEN));
        plain.extend_from_slice(&s.id);
        plain.extend_from_slice(&s.idle_expiry.to_be_bytes());
        plain.extend_from_slice(&s.absolute_expiry.to_be_bytes());
        plain.push(id.len() as u8);
        plain.extend_from_slice(id);
        plain.resize(16 + 8 + 8 + 1 + MAX_CASE_ID, 0);
        plain.extend_from_slice(s.master.as_ref());
        let mut nonce = [0u8; 24];
        rng.fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: AAD_CONTEXT,
                },
            )
            .ok()?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Some(data_encoding::BASE64URL_NOPAD.encode(&out))
    }

    /// Opens a cookie value if it is authentic and neither expiry has passed at `now`.
    pub fn open(&self, cookie: &str, now: u64) -> Option<Session> {
        let raw = data_encoding::BASE64URL_NOPAD
            .decode(cookie.as_bytes())
            .ok()?;
        let (nonce, ct) = split(&raw, 24)?;
        let plain = Zeroizing::new(
            self.cipher
                .decrypt(
                    XNonce::from_slice(nonce),
                    Payload {
                        msg: ct,
                        aad: AAD_CONTEXT,
                    },
                )
                .ok()?,
        );
        if plain.len() != PLAIN_LEN {
            return None;
        }
        let (id, rest) = split(&plain, 16)?;
        let (idle, rest) = split(rest, 8)?;
        let (absolute, rest) = split(rest, 8)?;
        let (len, rest) = split(rest, 1)?;
        let (padded, master) = split(rest, MAX_CASE_ID)?;
        let case_id = padded.get(..usize::from(len[0]))?;
        let idle = u64::from_be_bytes(idle.try_into().ok()?);
        let absolute = u64::from_be_bytes(absolute.try_into().ok()?);
        if now > idle || now > absolute {
            return None;
        }
        Some(Session {
            id: id.try_into().ok()?,
            case_id: CaseId::parse(std::str::from_utf8(case_id).ok()?).ok()?,
            idle_expiry: idle,
            absolute_expiry: absolute,
            master: Zeroizing::new(master.try_into().ok()?),
        })
    }
}

fn split(b: &[u8], n: usize) -> Option<(&[u8], &[u8])> {
    (b.len() >= n).then(|| b.split_at(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn session() -> Session {
        Session {
            id: [1; 16],
            case_id: CaseId::parse("WBS-AAAA-BBBB-CCCC").expect("id"),
            idle_expiry: 100,
            absolute_expiry: 200,
            master: Zeroizing::new([9; 32]),
        }
    }

    #[test]
    fn sealed_sessions_open_until_expiry_and_only_here() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let sealer = SessionSealer::new(&[7; 32]);
        let cookie = sealer.seal(&session(), &mut rng).expect("seal");
        let opened = sealer.open(&cookie, 50).expect("open");
        assert_eq!(opened.case_id.as_str(), "WBS-AAAA-BBBB-CCCC");
        assert_eq!(*opened.master, [9; 32]);
        assert!(sealer.open(&cookie, 101).is_none(), "idle expiry");
        assert!(
            SessionSealer::new(&[8; 32]).open(&cookie, 50).is_none(),
            "other process"
        );
    }

    /// Issue 11: neither the case id nor a time can be read from the cookie.
    #[test]
    fn nothing_is_in_clear() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let sealer = SessionSealer::new(&[7; 32]);
        let raw = data_encoding::BASE64URL_NOPAD
            .decode(sealer.seal(&session(), &mut rng).expect("seal").as_bytes())
            .expect("b64");
        let has = |needle: &[u8]| raw.windows(needle.len()).any(|w| w == needle);
        assert!(!has(b"WBS-AAAA"));
        assert!(!has(&100u64.to_be_bytes()) && !has(&200u64.to_be_bytes()));
        assert!(!has(&[1; 16]));
    }

    #[test]
    fn any_changed_byte_is_refused() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        let sealer = SessionSealer::new(&[7; 32]);
        let raw = data_encoding::BASE64URL_NOPAD
            .decode(sealer.seal(&session(), &mut rng).expect("seal").as_bytes())
            .expect("b64");
        for i in 0..raw.len() {
            let mut t = raw.clone();
            t[i] ^= 1;
            let c = data_encoding::BASE64URL_NOPAD.encode(&t);
            assert!(sealer.open(&c, 50).is_none(), "byte {i}");
        }
    }
}
