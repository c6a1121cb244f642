//! Investigator and reporter keys.
//!
//! An investigator holds one standard age X25519 identity; their Ed25519 signing key is derived from it
//! (HKDF label `wbs/v1/investigator-ed25519`), so one file serves both. The server only ever sees the
//! public halves, read from `keys/`.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::{CryptoRng, RngCore};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::{hex, hkdf32, sha256, unhex};

const SECRET_HRP: &str = "AGE-SECRET-KEY-";
const PUBLIC_HRP: &str = "age";
/// The marker of a private key; any file in `keys/` that contains one is refused.
pub(crate) const SECRET_KEY_MARKER: &str = "AGE-SECRET-KEY-";
const BECH32_CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// Whether `bytes` hold an age private key (the marker, `1`, and a run of Bech32 data), in any case.
/// Text that merely names the marker, such as a README, is not a key.
pub(crate) fn contains_secret_key(bytes: &[u8]) -> bool {
    let marker = SECRET_KEY_MARKER.as_bytes();
    bytes.windows(marker.len()).enumerate().any(|(i, w)| {
        w.eq_ignore_ascii_case(marker)
            && bytes.get(i + marker.len()) == Some(&b'1')
            && bytes[i + marker.len() + 1..]
                .iter()
                .take(40)
                .filter(|b| BECH32_CHARSET.contains(&b.to_ascii_lowercase()))
                .count()
                == 40
    })
}
const SIGNING_PREFIX: &str = "ed25519:";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("no AGE-SECRET-KEY- line found")]
    NoIdentity,
    #[error("more than one identity in the file")]
    SeveralIdentities,
    #[error("the identity is not a valid age X25519 key")]
    BadIdentity,
    #[error("line {0} is neither a comment, an age1… recipient nor an ed25519: signing key")]
    UnknownLine(usize),
    #[error("the file must hold exactly one age1… recipient and one ed25519: signing key")]
    Incomplete,
    #[error("line {0} holds a malformed key")]
    Malformed(usize),
}

/// The age recipient string for raw X25519 public bytes (classic Bech32, HRP `age`).
pub(crate) fn recipient_from_bytes(public: &[u8; 32]) -> Option<age::x25519::Recipient> {
    let hrp = bech32::Hrp::parse(PUBLIC_HRP).ok()?;
    let s = bech32::encode::<bech32::Bech32>(hrp, public).ok()?;
    s.parse().ok()
}

fn identity_from_bytes(secret: &[u8; 32]) -> Option<age::x25519::Identity> {
    let hrp = bech32::Hrp::parse(SECRET_HRP).ok()?;
    let s = Zeroizing::new(
        bech32::encode::<bech32::Bech32>(hrp, secret)
            .ok()?
            .to_uppercase(),
    );
    s.parse().ok()
}

fn signing_key_text(key: &VerifyingKey) -> String {
    format!("{SIGNING_PREFIX}{}", hex(key.as_bytes()))
}

/// An investigator's secret identity, as held on their own machine.
pub struct InvestigatorIdentity {
    secret: Zeroizing<[u8; 32]>,
    age: age::x25519::Identity,
    signing: SigningKey,
}

impl fmt::Debug for InvestigatorIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InvestigatorIdentity({})", self.recipient())
    }
}

impl InvestigatorIdentity {
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut secret = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(secret.as_mut());
        // Clamping is done by X25519 itself; any 32 bytes are a valid age identity.
        Self::from_secret(secret).unwrap_or_else(unreachable_identity)
    }

    fn from_secret(secret: Zeroizing<[u8; 32]>) -> Option<Self> {
        let age = identity_from_bytes(&secret)?;
        let seed = hkdf32(secret.as_ref(), "wbs/v1/investigator-ed25519");
        let signing = SigningKey::from_bytes(&seed);
        Some(InvestigatorIdentity {
            secret,
            age,
            signing,
        })
    }

    /// Reads an identity file in the age format: `#` comments and exactly one `AGE-SECRET-KEY-1…` line.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let mut found = None;
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with(SECRET_KEY_MARKER) {
                if found.is_some() {
                    return Err(KeyError::SeveralIdentities);
                }
                found = Some(line);
            }
        }
        let line = found.ok_or(KeyError::NoIdentity)?;
        let (hrp, data) = bech32::decode(line).map_err(|_| KeyError::BadIdentity)?;
        let data = Zeroizing::new(data);
        if !hrp.as_str().eq_ignore_ascii_case(SECRET_HRP) {
            return Err(KeyError::BadIdentity);
        }
        let bytes: [u8; 32] = data
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::BadIdentity)?;
        Self::from_secret(Zeroizing::new(bytes)).ok_or(KeyError::BadIdentity)
    }

    /// The identity file, in the format `age-keygen` writes.
    pub fn to_file_text(&self, created: &str) -> Zeroizing<String> {
        let hrp = bech32::Hrp::parse(SECRET_HRP);
        let encoded = hrp
            .ok()
            .and_then(|h| bech32::encode::<bech32::Bech32>(h, self.secret.as_ref()).ok())
            .unwrap_or_default();
        let encoded = Zeroizing::new(encoded.to_uppercase());
        Zeroizing::new(format!(
            "# created: {created}\n# public key: {}\n# WBS signing key: {}\n{}\n",
            self.recipient(),
            signing_key_text(&self.signing.verifying_key()),
            encoded.as_str()
        ))
    }

    pub fn recipient(&self) -> age::x25519::Recipient {
        self.age.to_public()
    }

    pub fn age_identity(&self) -> &age::x25519::Identity {
        &self.age
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    pub fn public(&self, name: &str) -> InvestigatorPublic {
        InvestigatorPublic {
            name: name.to_owned(),
            recipient: self.recipient(),
            signing: self.signing.verifying_key(),
        }
    }
}

#[allow(clippy::panic)]
fn unreachable_identity() -> InvestigatorIdentity {
    // Bech32 encoding of 32 bytes under a fixed, valid HRP cannot fail.
    panic!("age identity encoding failed")
}

/// What the server knows of an investigator: their age recipient and signing public key.
#[derive(Clone)]
pub struct InvestigatorPublic {
    /// The key file's name, for messages; not a secret and not authoritative.
    pub name: String,
    pub recipient: age::x25519::Recipient,
    pub signing: VerifyingKey,
}

impl fmt::Debug for InvestigatorPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InvestigatorPublic({}, {})", self.name, self.recipient)
    }
}

impl InvestigatorPublic {
    /// Parses a public key file (`age1…` line, `ed25519:` line, `#` comments).
    pub fn parse(name: &str, text: &str) -> Result<Self, KeyError> {
        let mut recipient = None;
        let mut signing = None;
        for (i, line) in text.lines().map(str::trim).enumerate() {
            let n = i + 1;
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with("age1") {
                if recipient.is_some() {
                    return Err(KeyError::Incomplete);
                }
                recipient = Some(
                    line.parse::<age::x25519::Recipient>()
                        .map_err(|_| KeyError::Malformed(n))?,
                );
            } else if let Some(hexkey) = line.strip_prefix(SIGNING_PREFIX) {
                if signing.is_some() {
                    return Err(KeyError::Incomplete);
                }
                let bytes = unhex::<32>(hexkey).ok_or(KeyError::Malformed(n))?;
                signing =
                    Some(VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::Malformed(n))?);
            } else {
                return Err(KeyError::UnknownLine(n));
            }
        }
        match (recipient, signing) {
            (Some(recipient), Some(signing)) => Ok(InvestigatorPublic {
                name: name.to_owned(),
                recipient,
                signing,
            }),
            _ => Err(KeyError::Incomplete),
        }
    }

    /// The lines to save as a file in `keys/`.
    pub fn to_file_text(&self, created: &str) -> String {
        format!(
            "# WBS investigator public key, created {created}\n{}\n{}\n",
            self.recipient,
            signing_key_text(&self.signing)
        )
    }

    pub(crate) fn signing_hex(&self) -> String {
        hex(self.signing.as_bytes())
    }
}

/// SHA-256 over the sorted recipient strings: the identity of a recipient set.
pub(crate) fn recipients_fingerprint(recipients: &[InvestigatorPublic]) -> String {
    let mut all: Vec<String> = recipients.iter().map(|r| r.recipient.to_string()).collect();
    all.sort();
    hex(&sha256(all.join("\n").as_bytes()))
}

/// Why a directory of investigator public key files (`keys/`) cannot be used. Each is one sentence
/// saying what to do.
#[derive(Debug, thiserror::Error)]
pub enum KeyDirError {
    #[error("{0} contains a private key (AGE-SECRET-KEY-): move it off this server and keep only the public lines that `wbs keygen` printed")]
    PrivateKey(PathBuf),
    #[error("{0} is not a valid investigator key file ({1}): save exactly the lines that `wbs keygen` printed")]
    BadFile(PathBuf, String),
}

/// Reads a `keys/` directory (docs/format.md): refuses any private key, parses every key file, in
/// name order. Files whose names start with `.` or end in `.md` are not key files; a missing
/// directory holds no keys.
pub(crate) fn read_key_dir(dir: &Path) -> Result<Vec<InvestigatorPublic>, KeyDirError> {
    let mut out = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(KeyDirError::BadFile(dir.into(), e.to_string())),
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if !path.is_file() {
            continue;
        }
        let bytes =
            fs::read(&path).map_err(|e| KeyDirError::BadFile(path.clone(), e.to_string()))?;
        if contains_secret_key(&bytes) {
            return Err(KeyDirError::PrivateKey(path));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || name.to_ascii_lowercase().ends_with(".md") {
            continue;
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| KeyDirError::BadFile(path.clone(), "not UTF-8 text".into()))?;
        let key = InvestigatorPublic::parse(&name, &text)
            .map_err(|e| KeyDirError::BadFile(path.clone(), e.to_string()))?;
        out.push(key);
    }
    Ok(out)
}

/// A reporter's keys, derived from the receipt: X25519 to read replies, Ed25519 to sign items.
pub struct ReporterKeys {
    x25519: StaticSecret,
    signing: SigningKey,
}

impl fmt::Debug for ReporterKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReporterKeys(<secret>)")
    }
}

impl ReporterKeys {
    pub(crate) fn from_seeds(x25519_seed: &[u8; 32], ed25519_seed: &[u8; 32]) -> Self {
        ReporterKeys {
            x25519: StaticSecret::from(*x25519_seed),
            signing: SigningKey::from_bytes(ed25519_seed),
        }
    }

    pub fn x25519_public(&self) -> [u8; 32] {
        PublicKey::from(&self.x25519).to_bytes()
    }

    /// The reporter as an age recipient, for replies.
    pub fn recipient(&self) -> Option<age::x25519::Recipient> {
        recipient_from_bytes(&self.x25519_public())
    }

    /// The reporter as an age identity, to read replies.
    pub fn age_identity(&self) -> Option<age::x25519::Identity> {
        identity_from_bytes(&Zeroizing::new(self.x25519.to_bytes()))
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn identity_file_round_trips_and_derives_the_same_signing_key() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let id = InvestigatorIdentity::generate(&mut rng);
        let text = id.to_file_text("2026-11-29");
        let again = InvestigatorIdentity::parse(&text).expect("parses");
        assert_eq!(again.recipient(), id.recipient());
        assert_eq!(
            again.signing_key().verifying_key(),
            id.signing_key().verifying_key()
        );
    }

    #[test]
    fn public_file_round_trips() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(8);
        let id = InvestigatorIdentity::generate(&mut rng);
        let public = id.public("alice");
        let parsed = InvestigatorPublic::parse("alice", &public.to_file_text("today")).expect("ok");
        assert_eq!(parsed.recipient, public.recipient);
        assert_eq!(parsed.signing, public.signing);
    }

    #[test]
    fn incomplete_public_files_are_refused() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let id = InvestigatorIdentity::generate(&mut rng);
        let only_age = format!("# x\n{}\n", id.recipient());
        assert_eq!(
            InvestigatorPublic::parse("a", &only_age).err(),
            Some(KeyError::Incomplete)
        );
        assert_eq!(
            InvestigatorPublic::parse("a", "hello\n").err(),
            Some(KeyError::UnknownLine(1))
        );
    }

    #[test]
    fn secret_keys_are_found_but_mentions_are_not() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(10);
        let id = InvestigatorIdentity::generate(&mut rng);
        assert!(contains_secret_key(id.to_file_text("x").as_bytes()));
        assert!(contains_secret_key(
            id.to_file_text("x").to_lowercase().as_bytes()
        ));
        assert!(!contains_secret_key(
            b"never put an AGE-SECRET-KEY- line here"
        ));
        assert!(!contains_secret_key(b"AGE-SECRET-KEY-1..."));
    }

    #[test]
    fn reporter_recipient_matches_identity() {
        let keys = ReporterKeys::from_seeds(&[1; 32], &[2; 32]);
        let id = keys.age_identity().expect("identity");
        assert_eq!(Some(id.to_public()), keys.recipient());
    }
}
