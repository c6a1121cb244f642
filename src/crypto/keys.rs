//! Investigator and reporter keys.
//!
//! An investigator holds one standard age X25519 identity; their Ed25519 signing key is derived from it
//! (HKDF label `wbs/v1/investigator-ed25519`), so one file serves both. The server only ever sees the
//! public halves, read from `keys/`.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::{CryptoRng, RngCore};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::{hex, hkdf32, sha256, unhex};
use crate::protocol::day::Day;

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
const RETIRED_PREFIX: &str = "retired:";
/// The subdirectory of `keys/` for retired investigators' files.
pub(crate) const RETIRED_DIR: &str = "retired";

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("no AGE-SECRET-KEY- line found")]
    NoIdentity,
    #[error("more than one identity in the file")]
    SeveralIdentities,
    #[error("the identity is not a valid age X25519 key")]
    BadIdentity,
    #[error("line {0} is neither a comment, an age1… recipient, an ed25519: signing key nor a retired: day")]
    UnknownLine(usize),
    #[error("the file must hold exactly one age1… recipient and one ed25519: signing key")]
    Incomplete,
    #[error("line {0} holds a malformed key")]
    Malformed(usize),
    #[error("line {0} is not a retirement day of the form retired: YYYY-MM-DD (once only)")]
    BadRetired(usize),
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
            retired: None,
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
    /// The investigator's retirement day (a `retired:` line, or the file's place in `keys/retired/`):
    /// never sealed to and no login, but signatures stay genuine on items dated up to this day.
    pub retired: Option<Day>,
}

impl fmt::Debug for InvestigatorPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InvestigatorPublic({}, {}", self.name, self.recipient)?;
        match &self.retired {
            Some(day) => write!(f, ", retired {day})"),
            None => f.write_str(")"),
        }
    }
}

impl InvestigatorPublic {
    /// Parses a public key file (`age1…` line, `ed25519:` line, an optional `retired: YYYY-MM-DD`
    /// line, `#` comments).
    pub fn parse(name: &str, text: &str) -> Result<Self, KeyError> {
        let mut recipient = None;
        let mut signing = None;
        let mut retired = None;
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
            } else if let Some(day) = line.strip_prefix(RETIRED_PREFIX) {
                if retired.is_some() {
                    return Err(KeyError::BadRetired(n));
                }
                retired = Some(Day::parse(day.trim()).ok_or(KeyError::BadRetired(n))?);
            } else {
                return Err(KeyError::UnknownLine(n));
            }
        }
        match (recipient, signing) {
            (Some(recipient), Some(signing)) => Ok(InvestigatorPublic {
                name: name.to_owned(),
                recipient,
                signing,
                retired,
            }),
            _ => Err(KeyError::Incomplete),
        }
    }

    /// The lines to save as a file in `keys/`.
    pub fn to_file_text(&self, created: &str) -> String {
        let mut text = format!(
            "# WBS investigator public key, created {created}\n{}\n{}\n",
            self.recipient,
            signing_key_text(&self.signing)
        );
        if let Some(day) = &self.retired {
            text.push_str(&retired_line(day));
        }
        text
    }

    pub(crate) fn signing_hex(&self) -> String {
        hex(self.signing.as_bytes())
    }

    /// Whether this investigator is on the team today: sealed to, and may log in.
    pub fn is_active(&self) -> bool {
        self.retired.is_none()
    }

    /// Whether this investigator's signature is genuine on an item dated `day` (docs/design.md §10):
    /// always while active, and up to the retirement day once retired.
    pub(crate) fn may_sign_on(&self, day: &Day) -> bool {
        self.retired.as_ref().is_none_or(|r| day <= r)
    }

    /// The file name without a `.pub` ending, for log lines.
    pub(crate) fn display_name(&self) -> &str {
        self.name.strip_suffix(".pub").unwrap_or(&self.name)
    }
}

/// The line that retires a key file (docs/format.md, "Investigator keys").
pub(crate) fn retired_line(day: &Day) -> String {
    format!("{RETIRED_PREFIX} {day}\n")
}

/// SHA-256 over the sorted recipient strings of the active keys (retired keys are never sealed to):
/// the identity of a recipient set.
pub(crate) fn recipients_fingerprint(recipients: &[InvestigatorPublic]) -> String {
    let mut all: Vec<String> = recipients
        .iter()
        .filter(|r| r.is_active())
        .map(|r| r.recipient.to_string())
        .collect();
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
    #[error(
        "{1} holds the same key as {0}: two key files must be two people, so remove one of them"
    )]
    Duplicate(PathBuf, PathBuf),
}

/// Why one file of `keys/` is not used. The codes are stable, for log lines that name the file but
/// never its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileProblem {
    PrivateKey,
    Unreadable(String),
    NotText,
    Invalid(KeyError),
}

impl FileProblem {
    pub(crate) fn code(&self) -> &'static str {
        match self {
            FileProblem::PrivateKey => "WBS-KEY-PRIVATE",
            FileProblem::Unreadable(_) => "WBS-KEY-UNREADABLE",
            FileProblem::NotText => "WBS-KEY-NOT-TEXT",
            FileProblem::Invalid(_) => "WBS-KEY-INVALID",
        }
    }

    fn into_dir_error(self, path: PathBuf) -> KeyDirError {
        match self {
            FileProblem::PrivateKey => KeyDirError::PrivateKey(path),
            FileProblem::Unreadable(e) => KeyDirError::BadFile(path, e),
            FileProblem::NotText => KeyDirError::BadFile(path, "not UTF-8 text".into()),
            FileProblem::Invalid(e) => KeyDirError::BadFile(path, e.to_string()),
        }
    }
}

/// What a cheap look at a file tells: if none of it changed, the file was not rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileStamp {
    len: u64,
    modified_ns: i128,
    inode: u64,
    /// Seconds since the epoch of the last modification (a retired file's day when it has no line).
    pub modified_secs: u64,
}

/// One file of `keys/` or `keys/retired/`, listed but not read.
#[derive(Debug, Clone)]
pub(crate) struct KeyDirEntry {
    /// The name relative to `keys/` (`budi.pub`, `retired/siti.pub`), for log lines and messages.
    pub rel: String,
    pub path: PathBuf,
    pub stamp: FileStamp,
    pub in_retired: bool,
}

fn stamp_of(meta: &fs::Metadata) -> FileStamp {
    use std::os::unix::fs::MetadataExt;
    FileStamp {
        len: meta.len(),
        modified_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        inode: meta.ino(),
        modified_secs: u64::try_from(meta.mtime()).unwrap_or(0),
    }
}

fn list_one(
    dir: &Path,
    prefix: &str,
    in_retired: bool,
    out: &mut Vec<KeyDirEntry>,
) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.to_ascii_lowercase().ends_with(".md") {
            continue;
        }
        let path = entry.path();
        // Follows symlinks, as reading the file does.
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        found.push(KeyDirEntry {
            rel: format!("{prefix}{name}"),
            path,
            stamp: stamp_of(&meta),
            in_retired,
        });
    }
    found.sort_by(|a, b| a.rel.cmp(&b.rel));
    out.extend(found);
    Ok(())
}

/// Lists the key files of `keys/` and `keys/retired/` in name order (retired ones last), without
/// reading them. Names starting with `.` or ending in `.md` are not key files; a missing directory
/// holds none.
pub(crate) fn list_key_dir(dir: &Path) -> io::Result<Vec<KeyDirEntry>> {
    let mut out = Vec::new();
    list_one(dir, "", false, &mut out)?;
    list_one(
        &dir.join(RETIRED_DIR),
        &format!("{RETIRED_DIR}/"),
        true,
        &mut out,
    )?;
    Ok(out)
}

/// Reads one listed key file. A file in `keys/retired/` without a `retired:` line is retired as of the
/// day it was last modified (UTC), the safe reading: it never makes a later signature genuine.
pub(crate) fn read_key_file(entry: &KeyDirEntry) -> Result<InvestigatorPublic, FileProblem> {
    let bytes = fs::read(&entry.path).map_err(|e| FileProblem::Unreadable(e.kind().to_string()))?;
    if contains_secret_key(&bytes) {
        return Err(FileProblem::PrivateKey);
    }
    let text = String::from_utf8(bytes).map_err(|_| FileProblem::NotText)?;
    let name = entry.rel.rsplit('/').next().unwrap_or(&entry.rel);
    let mut key = InvestigatorPublic::parse(name, &text).map_err(FileProblem::Invalid)?;
    if entry.in_retired && key.retired.is_none() {
        key.retired = Some(Day::from_unix(entry.stamp.modified_secs));
    }
    Ok(key)
}

/// A key file refused because an earlier one holds the same recipient or signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Duplicate {
    /// The file that stays in force.
    pub kept: String,
    /// The file that is ignored.
    pub refused: String,
}

/// Keeps one file per person: of two files with the same age recipient or the same signing key, the
/// later one by name is refused — except that a retired file goes first, so a leftover active copy
/// never undoes a retirement. Input and output are `(name relative to keys/, key)`, in name order.
pub(crate) fn one_per_person(
    keys: Vec<(String, InvestigatorPublic)>,
) -> (Vec<(String, InvestigatorPublic)>, Vec<Duplicate>) {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| (keys[i].1.is_active(), i));
    let mut kept: Vec<usize> = Vec::new();
    let mut duplicates = Vec::new();
    for i in order {
        let (rel, key) = &keys[i];
        match kept.iter().find(|&&k| {
            keys[k].1.recipient.to_string() == key.recipient.to_string()
                || keys[k].1.signing == key.signing
        }) {
            Some(&k) => duplicates.push(Duplicate {
                kept: keys[k].0.clone(),
                refused: rel.clone(),
            }),
            None => kept.push(i),
        }
    }
    kept.sort_unstable();
    let mut keys: Vec<Option<(String, InvestigatorPublic)>> = keys.into_iter().map(Some).collect();
    let out = kept.into_iter().filter_map(|i| keys[i].take()).collect();
    (out, duplicates)
}

/// Reads `keys/` (and `keys/retired/`) strictly, as at start-up (docs/format.md): any private key or
/// broken file is an error; of two files with the same key, one is kept and the pair is returned.
pub(crate) fn read_key_dir_checked(
    dir: &Path,
) -> Result<(Vec<InvestigatorPublic>, Vec<Duplicate>), KeyDirError> {
    let entries = list_key_dir(dir).map_err(|e| KeyDirError::BadFile(dir.into(), e.to_string()))?;
    let mut keys = Vec::with_capacity(entries.len());
    for entry in entries {
        let key = read_key_file(&entry).map_err(|p| p.into_dir_error(entry.path.clone()))?;
        keys.push((entry.rel, key));
    }
    let (keys, duplicates) = one_per_person(keys);
    Ok((keys.into_iter().map(|(_, k)| k).collect(), duplicates))
}

/// Reads a copy of `keys/` as the investigator tools do: every key, active and retired (each with its
/// retirement day), in name order; a private key, a broken file or two files of one person are
/// refused.
pub(crate) fn read_key_dir(dir: &Path) -> Result<Vec<InvestigatorPublic>, KeyDirError> {
    let (keys, duplicates) = read_key_dir_checked(dir)?;
    if let Some(d) = duplicates.first() {
        return Err(KeyDirError::Duplicate(
            dir.join(&d.kept),
            dir.join(&d.refused),
        ));
    }
    Ok(keys)
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

/// The first line of every age file: an identity file that starts with it is passphrase-protected
/// (age's scrypt format, as `age -p` writes it and as `age -d -i` reads it).
const AGE_HEADER: &[u8] = b"age-encryption.org/v1\n";

/// Whether an identity file is sealed with a passphrase.
pub(crate) fn is_passphrase_protected(bytes: &[u8]) -> bool {
    bytes.starts_with(AGE_HEADER)
}

/// Seals an identity file's text with a passphrase: a standard age file with one scrypt stanza, whose
/// work factor age picks to take about a second on this machine.
pub(crate) fn seal_with_passphrase(text: &[u8], passphrase: &str) -> io::Result<Vec<u8>> {
    use std::io::Write;
    let secret = age::secrecy::SecretString::from(passphrase.to_owned());
    let mut out = Vec::new();
    let mut writer = age::Encryptor::with_user_passphrase(secret)
        .wrap_output(&mut out)
        .map_err(io::Error::other)?;
    writer.write_all(text)?;
    writer.finish()?;
    Ok(out)
}

/// Why a passphrase-protected identity does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PassphraseError {
    #[error("the passphrase does not open it")]
    Wrong,
    #[error("it is not a readable age file")]
    Damaged,
}

/// Opens a passphrase-protected identity file into its text.
pub(crate) fn open_with_passphrase(
    bytes: &[u8],
    passphrase: &str,
) -> Result<Zeroizing<String>, PassphraseError> {
    use std::io::Read;
    let decryptor = age::Decryptor::new_buffered(bytes).map_err(|_| PassphraseError::Damaged)?;
    if !decryptor.is_scrypt() {
        return Err(PassphraseError::Damaged);
    }
    let identity =
        age::scrypt::Identity::new(age::secrecy::SecretString::from(passphrase.to_owned()));
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed
            | age::DecryptError::KeyDecryptionFailed
            | age::DecryptError::NoMatchingKeys => PassphraseError::Wrong,
            _ => PassphraseError::Damaged,
        })?;
    let mut text = Zeroizing::new(Vec::new());
    reader
        .read_to_end(&mut text)
        .map_err(|_| PassphraseError::Damaged)?;
    String::from_utf8(text.to_vec())
        .map(Zeroizing::new)
        .map_err(|_| PassphraseError::Damaged)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_passphrase_protected_identity_opens_only_with_its_passphrase() {
        let id = super::InvestigatorIdentity::generate(&mut rand::rngs::OsRng);
        let text = id.to_file_text("2026-12-01");
        let sealed = super::seal_with_passphrase(text.as_bytes(), "kuda lumping 7").expect("seals");
        assert!(super::is_passphrase_protected(&sealed));
        assert!(!super::is_passphrase_protected(text.as_bytes()));
        let opened = super::open_with_passphrase(&sealed, "kuda lumping 7").expect("opens");
        assert_eq!(opened.as_str(), text.as_str());
        assert_eq!(
            super::open_with_passphrase(&sealed, "kuda lumping 8").err(),
            Some(super::PassphraseError::Wrong)
        );
    }

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
    fn a_retired_line_is_read_once_and_written_back() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let mut public = InvestigatorIdentity::generate(&mut rng).public("budi.pub");
        public.retired = Day::parse("2026-11-30");
        let text = public.to_file_text("x");
        assert!(text.ends_with("retired: 2026-11-30\n"));
        let parsed = InvestigatorPublic::parse("budi.pub", &text).expect("ok");
        assert_eq!(parsed.retired, Day::parse("2026-11-30"));
        assert!(!parsed.is_active());
        assert_eq!(
            InvestigatorPublic::parse("b", &format!("{text}retired: 2026-12-01\n")).err(),
            Some(KeyError::BadRetired(5))
        );
        assert_eq!(
            InvestigatorPublic::parse("b", &text.replace("2026-11-30", "2026-02-30")).err(),
            Some(KeyError::BadRetired(4))
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
