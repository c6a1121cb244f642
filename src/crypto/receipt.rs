//! Receipt codes and the keys derived from them (docs/design.md §5, docs/format.md).
//!
//! A receipt is the reporter's only credential. It is never stored: the store keeps only the `lookup`
//! value derived from it, and every derivation goes through Argon2id first.

use std::fmt;

use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::{CryptoRng, RngCore};
use zeroize::{Zeroize, Zeroizing};

use super::hkdf32;
// Crockford base32: the one alphabet of receipts and case ids.
use crate::protocol::case_id::CROCKFORD as ALPHABET;

/// Symbols in a receipt: epoch, 18 random symbols (90 bits), check symbol.
pub(crate) const RECEIPT_LEN: usize = 20;
const RANDOM_SYMBOLS: usize = 18;

/// One row of the KDF table compiled into the binary; parameters are never read from disk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KdfEpoch {
    pub symbol: u8,
    pub memory_kib: u32,
    pub iterations: u32,
    pub lanes: u32,
}

/// Every epoch a receipt may name. New receipts use the last one.
pub(crate) const KDF_EPOCHS: &[KdfEpoch] = &[KdfEpoch {
    symbol: b'1',
    memory_kib: 19 * 1024,
    iterations: 2,
    lanes: 1,
}];

fn current_epoch() -> KdfEpoch {
    KDF_EPOCHS[KDF_EPOCHS.len() - 1]
}

/// Why a typed receipt was not accepted. Only `Typo`-like answers are specific: they are decided
/// without any key derivation or store access, so they reveal nothing about existing cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("empty")]
    Empty,
    #[error("contains a symbol that is not in a receipt")]
    BadSymbol,
    #[error("wrong length")]
    WrongLength,
    #[error("check symbol does not match: a typo")]
    Typo,
    #[error("unknown KDF epoch")]
    UnknownEpoch,
}

/// A receipt in canonical form: 20 upper-case Crockford symbols, no separators.
#[derive(Clone, Zeroize)]
#[zeroize(drop)]
pub struct Receipt(String);

impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Receipt(<secret>)")
    }
}

fn symbol_value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// Luhn mod 32 over symbol values, right to left; returns the check value for `symbols`.
fn luhn_check_value(symbols: &[u8]) -> Option<u32> {
    let n = 32;
    let mut factor = 2;
    let mut sum = 0;
    for &c in symbols.iter().rev() {
        let mut addend = factor * symbol_value(c)?;
        factor = if factor == 2 { 1 } else { 2 };
        addend = addend / n + addend % n;
        sum += addend;
    }
    Some((n - sum % n) % n)
}

impl Receipt {
    /// A new receipt with 90 bits from `rng`, in the current KDF epoch.
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut s = String::with_capacity(RECEIPT_LEN);
        s.push(current_epoch().symbol as char);
        let mut random = Zeroizing::new([0u8; RANDOM_SYMBOLS]);
        rng.fill_bytes(random.as_mut());
        for b in random.iter() {
            s.push(ALPHABET[(b & 31) as usize] as char);
        }
        let check = luhn_check_value(s.as_bytes()).unwrap_or(0);
        s.push(ALPHABET[check as usize] as char);
        Receipt(s)
    }

    /// Parses what a person typed: case, spaces, dashes and look-alikes (O/0, I/L/1) are forgiven.
    pub fn parse(input: &str) -> Result<Self, ReceiptError> {
        let mut s = String::with_capacity(RECEIPT_LEN);
        for c in input.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' | '.' | '_' | '\t' | '\r' | '\n' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || symbol_value(c as u8).is_none() {
                return Err(ReceiptError::BadSymbol);
            }
            if s.len() > RECEIPT_LEN {
                return Err(ReceiptError::WrongLength);
            }
            s.push(c);
        }
        let r = Receipt(s);
        if r.0.is_empty() {
            return Err(ReceiptError::Empty);
        }
        if r.0.len() != RECEIPT_LEN {
            return Err(ReceiptError::WrongLength);
        }
        let (body, check) = r.0.as_bytes().split_at(RECEIPT_LEN - 1);
        if luhn_check_value(body) != symbol_value(check[0]) {
            return Err(ReceiptError::Typo);
        }
        if r.epoch().is_none() {
            return Err(ReceiptError::UnknownEpoch);
        }
        Ok(r)
    }

    fn epoch(&self) -> Option<KdfEpoch> {
        let first = *self.0.as_bytes().first()?;
        KDF_EPOCHS.iter().copied().find(|e| e.symbol == first)
    }

    /// The canonical form (secret).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The form shown to people: five groups of four, separated by dashes (secret).
    pub fn grouped(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(RECEIPT_LEN + 4));
        for (i, c) in self.0.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(c);
        }
        out
    }

    /// Argon2id with this receipt's epoch, then HKDF into the keys of docs/format.md. Allocates its
    /// working memory: the server uses `derive_in` with memory it keeps.
    pub fn derive(&self, installation_salt: &[u8; 32]) -> Result<ReceiptKeys, KdfError> {
        self.derive_in(installation_salt, &mut KdfMemory::new())
    }

    /// `derive` in working memory allocated once and reused (docs/design.md §11): a fresh 19 MiB per
    /// derivation on whichever thread runs it is what made the server's memory grow under load.
    pub(crate) fn derive_in(
        &self,
        installation_salt: &[u8; 32],
        memory: &mut KdfMemory,
    ) -> Result<ReceiptKeys, KdfError> {
        let epoch = self.epoch().ok_or(KdfError)?;
        let params = Params::new(epoch.memory_kib, epoch.iterations, epoch.lanes, Some(32))
            .map_err(|_| KdfError)?;
        let blocks = memory.blocks(params.block_count());
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut master = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into_with_memory(
                self.0.as_bytes(),
                installation_salt,
                master.as_mut(),
                blocks,
            )
            .map_err(|_| KdfError)?;
        Ok(ReceiptKeys::from_master(&master))
    }
}

/// Argon2 working memory for one derivation at a time, kept between derivations. Argon2 writes every
/// block before reading it, so what an earlier derivation left behind never affects the result; it is
/// wiped when the memory is dropped.
///
/// Its allocation reserves more than glibc's largest dynamic mmap threshold (32 MiB), so it is always
/// a mapping of its own and freeing it gives the memory back to the system (`Kdf::release_memory`).
/// A 19 MiB request would be mapped only the first time: freeing a mapping raises the threshold to
/// its size, and later blocks would come from (and stay in) the heap. Only the 19 MiB written are
/// resident; the reserve beyond them is never touched.
pub(crate) struct KdfMemory(Vec<Block>);

/// Bytes reserved per working memory: above glibc's `DEFAULT_MMAP_THRESHOLD_MAX` (32 MiB on 64-bit).
const RESERVE_BYTES: usize = 33 * 1024 * 1024;

impl KdfMemory {
    /// Empty: grows to the largest epoch's size at its first use, then stays.
    pub(crate) fn new() -> Self {
        KdfMemory(Vec::new())
    }

    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.0.len() < count {
            let reserve = count.max(RESERVE_BYTES / std::mem::size_of::<Block>());
            self.0.reserve_exact(reserve - self.0.len());
            self.0.resize(count, Block::default());
        }
        &mut self.0[..count]
    }
}

impl Drop for KdfMemory {
    /// Wipes the blocks written; the reserve beyond them was never written (wiping it would only
    /// make it resident).
    fn drop(&mut self) {
        self.0.iter_mut().for_each(zeroize::Zeroize::zeroize);
    }
}

#[derive(Debug, thiserror::Error)]
#[error("key derivation failed")]
pub struct KdfError;

/// The keys a receipt unlocks. `lookup` indexes the store; the others are the reporter's own keys.
pub struct ReceiptKeys {
    /// The Argon2 output; everything else is derived from it with HKDF (cheap), so a session keeps
    /// only this.
    pub master: Zeroizing<[u8; 32]>,
    pub lookup: Zeroizing<[u8; 32]>,
    pub reporter: super::keys::ReporterKeys,
}

impl ReceiptKeys {
    pub(crate) fn from_master(master: &[u8; 32]) -> Self {
        let lookup = hkdf32(master, "wbs/v1/lookup");
        let x = hkdf32(master, "wbs/v1/reporter-x25519");
        let ed = hkdf32(master, "wbs/v1/reporter-ed25519");
        ReceiptKeys {
            master: Zeroizing::new(*master),
            lookup,
            reporter: super::keys::ReporterKeys::from_seeds(&x, &ed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    fn sample(seed: u64) -> Receipt {
        Receipt::generate(&mut rand::rngs::StdRng::seed_from_u64(seed))
    }

    #[test]
    fn reused_memory_derives_the_same_keys() {
        let salt = [7u8; 32];
        let mut memory = KdfMemory::new();
        let (a, b) = (sample(4), sample(5));
        let fresh = |r: &Receipt| r.derive(&salt).map(|k| *k.lookup).ok();
        let reused = |r: &Receipt, m: &mut KdfMemory| r.derive_in(&salt, m).map(|k| *k.lookup).ok();
        assert_eq!(reused(&a, &mut memory), fresh(&a));
        // The second derivation runs in memory the first one filled.
        assert_eq!(reused(&b, &mut memory), fresh(&b));
        assert_ne!(fresh(&a), fresh(&b));
    }

    #[test]
    fn shape_is_five_groups_of_four() {
        let g = sample(1).grouped();
        assert_eq!(g.len(), 24);
        assert_eq!(g.split('-').count(), 5);
        assert!(g.starts_with('1'));
    }

    #[test]
    fn look_alikes_and_separators_are_forgiven() {
        let r = sample(2);
        let messy = r
            .grouped()
            .to_lowercase()
            .replace('0', "o")
            .replace('1', "l");
        let parsed = Receipt::parse(&format!("  {messy} ")).map(|p| p.expose().to_owned());
        assert_eq!(parsed.as_deref(), Ok(r.expose()));
    }

    #[test]
    fn unknown_symbols_and_lengths_are_rejected() {
        assert_eq!(Receipt::parse("").err(), Some(ReceiptError::Empty));
        assert_eq!(
            Receipt::parse("1ABC-U").err(),
            Some(ReceiptError::BadSymbol)
        );
        assert_eq!(
            Receipt::parse("1ABC").err(),
            Some(ReceiptError::WrongLength)
        );
        let long = format!("{}0", sample(3).expose());
        assert_eq!(Receipt::parse(&long).err(), Some(ReceiptError::WrongLength));
    }

    proptest! {
        #[test]
        fn encode_parse_round_trip(seed in any::<u64>()) {
            let r = sample(seed);
            let parsed = Receipt::parse(&r.grouped()).map(|p| p.expose().to_owned());
            prop_assert_eq!(parsed.as_deref(), Ok(r.expose()));
        }

        #[test]
        fn every_single_symbol_typo_is_caught(seed in any::<u64>(), pos in 0usize..RECEIPT_LEN, delta in 1u8..32) {
            let r = sample(seed);
            let mut bytes = r.expose().as_bytes().to_vec();
            let v = symbol_value(bytes[pos]).unwrap_or(0) as u8;
            bytes[pos] = ALPHABET[((v + delta) % 32) as usize];
            let typed = String::from_utf8(bytes).unwrap_or_default();
            let err = Receipt::parse(&typed).err();
            prop_assert!(matches!(err, Some(ReceiptError::Typo) | Some(ReceiptError::UnknownEpoch)));
        }
    }
}
