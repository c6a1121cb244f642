//! Case ids: `WBS-` and 12 random Crockford base32 symbols (60 bits) in groups of four
//! (docs/design.md §6: random, never sequential). Parsed once, at the edge; everything inside holds a
//! `CaseId`, so a malformed id cannot reach the store, a file name or a URL.

use std::fmt;

use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Crockford's base32 alphabet (no I, L, O, U): the one alphabet of case ids and receipts.
pub const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

const PREFIX: &str = "WBS-";
const SYMBOLS: usize = 12;
/// `WBS-XXXX-XXXX-XXXX`.
const LEN: usize = PREFIX.len() + SYMBOLS + 2;

/// A case id in its canonical form, `WBS-XXXX-XXXX-XXXX`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseId(String);

/// Not a case id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a case id (they look like WBS-XXXX-XXXX-XXXX)")]
pub struct BadCaseId;

/// The Crockford value of a symbol, reading look-alikes as the symbol they resemble.
pub fn crockford_value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    CROCKFORD
        .iter()
        .position(|&a| char::from(a) == c)
        .and_then(|p| u8::try_from(p).ok())
}

impl CaseId {
    /// A fresh random id.
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut raw = [0u8; SYMBOLS];
        rng.fill_bytes(&mut raw);
        let symbols: Vec<u8> = raw.iter().map(|b| CROCKFORD[usize::from(b & 31)]).collect();
        Self::from_symbols(&symbols)
    }

    fn from_symbols(symbols: &[u8]) -> Self {
        let mut id = String::from("WBS");
        for (i, s) in symbols.iter().enumerate() {
            if i % 4 == 0 {
                id.push('-');
            }
            id.push(char::from(*s));
        }
        CaseId(id)
    }

    /// The canonical form only: what the server writes and its APIs carry.
    pub fn parse(s: &str) -> Result<Self, BadCaseId> {
        let b = s.as_bytes();
        let canonical = b.len() == LEN
            && s.starts_with(PREFIX)
            && b[PREFIX.len()..].iter().enumerate().all(|(i, &c)| {
                if i % 5 == 4 {
                    c == b'-'
                } else {
                    CROCKFORD.contains(&c)
                }
            });
        canonical.then(|| CaseId(s.to_owned())).ok_or(BadCaseId)
    }

    /// What a person typed: any case, look-alikes (O→0, I/L→1), dashes or spaces between groups.
    pub fn parse_typed(s: &str) -> Result<Self, BadCaseId> {
        let t = s.trim();
        match Self::find_in(t) {
            Some(id) if Self::strip_separators(t).len() == PREFIX.len() - 1 + SYMBOLS => Ok(id),
            _ => Err(BadCaseId),
        }
    }

    fn strip_separators(s: &str) -> String {
        s.chars()
            .filter(|c| !matches!(c, '-' | '–' | '—' | ' '))
            .collect()
    }

    /// The first case id in free text (a chat message), forgiving case and look-alikes.
    pub fn find_in(text: &str) -> Option<Self> {
        let upper = text.to_uppercase();
        let at = upper.find("WBS")?;
        let mut symbols = Vec::with_capacity(SYMBOLS);
        for c in upper[at + 3..].chars() {
            if matches!(c, '-' | '–' | '—' | ' ') {
                continue;
            }
            match crockford_value(c) {
                Some(v) if symbols.len() < SYMBOLS => symbols.push(CROCKFORD[usize::from(v)]),
                _ => break,
            }
        }
        (symbols.len() == SYMBOLS).then(|| Self::from_symbols(&symbols))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as the store keys it.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaseId({})", self.0)
    }
}

impl std::str::FromStr for CaseId {
    type Err = BadCaseId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_typed(s)
    }
}

impl AsRef<str> for CaseId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for CaseId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for CaseId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl Serialize for CaseId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CaseId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CaseId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    #[test]
    fn canonical_ids_parse_and_others_do_not() {
        assert!(CaseId::parse("WBS-ABCD-EFGH-JKMN").is_ok());
        assert!(CaseId::parse("WBS-TEST-0000-0000").is_ok());
        for bad in [
            "",
            "WBS-ABCD-EFGH-JKM",
            "WBS-ABCD-EFGH-JKMNP",
            "wbs-abcd-efgh-jkmn",
            "WBS-ABCD-EFGH-JKMU",
            "WBS-ABCDEFGH-JKMN-",
            "WBS-ABCD-EFGH-JKM/",
            "../../etc/passwd",
        ] {
            assert_eq!(CaseId::parse(bad), Err(BadCaseId), "{bad}");
        }
    }

    #[test]
    fn typed_ids_forgive_case_and_look_alikes_but_not_extra_text() {
        let id = CaseId::parse("WBS-AB01-EFGH-JKMN").expect("canonical");
        assert_eq!(CaseId::parse_typed(" wbs-abo1-efgh-jkmn "), Ok(id.clone()));
        assert_eq!(CaseId::parse_typed("WBS ABOI EFGH JKMN"), Ok(id.clone()));
        assert!(CaseId::parse_typed("WBS-AB01-EFGH-JKMN-X").is_err());
        assert!(CaseId::parse_typed("see WBS-AB01-EFGH-JKMN").is_err());
        assert_eq!(
            CaseId::find_in("status wbs-ab01-efgh-jkmn please"),
            Some(id)
        );
        assert_eq!(CaseId::find_in("WBS-ABCD"), None);
    }

    #[test]
    fn generated_ids_are_canonical_and_differ() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let a = CaseId::generate(&mut rng);
        let b = CaseId::generate(&mut rng);
        assert_ne!(a, b);
        assert_eq!(CaseId::parse(a.as_str()), Ok(a));
    }

    #[test]
    fn serde_rejects_a_malformed_id() {
        assert!(serde_json::from_str::<CaseId>("\"WBS-ABCD-EFGH-JKMN\"").is_ok());
        assert!(serde_json::from_str::<CaseId>("\"WBS-../x\"").is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in ".{0,40}") {
            let _ = CaseId::parse(&s);
            let _ = CaseId::parse_typed(&s);
            let _ = CaseId::find_in(&s);
        }
    }
}
