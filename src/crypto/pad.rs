//! Padding before encryption, so that only size buckets are visible (docs/design.md §6).
//!
//! Scheme: `content ‖ 0x80 ‖ 0x00…` up to `max(minimum, Padmé(len + 1))`. Padmé leaks at most
//! O(log log n) bits of the length and costs at most ~12 % of overhead.

use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PadError {
    #[error("content does not fit the fixed size")]
    TooLong,
    #[error("padding is malformed")]
    Malformed,
}

/// The Padmé bucket for a length `l` (Nikitin et al., PETS 2019).
pub(crate) fn padme(l: u64) -> u64 {
    if l < 2 {
        return l;
    }
    let e = 63 - u64::from(l.leading_zeros()); // floor(log2 l)
    let s = 64 - u64::from(e.leading_zeros()); // floor(log2 e) + 1
    let last_bits = e - s;
    let mask = (1u64 << last_bits) - 1;
    (l + mask) & !mask
}

/// Total padded length for `content_len` bytes with a minimum bucket.
pub(crate) fn padded_len(content_len: u64, minimum: u64) -> u64 {
    padme(content_len + 1).max(minimum)
}

/// Pads `content` to its bucket (at least `minimum`).
pub fn pad(content: &[u8], minimum: usize) -> Zeroizing<Vec<u8>> {
    let total = padded_len(content.len() as u64, minimum as u64) as usize;
    pad_to(content, total).unwrap_or_else(|_| Zeroizing::new(Vec::new()))
}

/// Pads `content` to exactly `size` bytes, for items whose size must never vary (the identity block).
pub(crate) fn pad_exact(content: &[u8], size: usize) -> Result<Zeroizing<Vec<u8>>, PadError> {
    pad_to(content, size)
}

fn pad_to(content: &[u8], total: usize) -> Result<Zeroizing<Vec<u8>>, PadError> {
    if content.len() + 1 > total {
        return Err(PadError::TooLong);
    }
    let mut out = Zeroizing::new(Vec::with_capacity(total));
    out.extend_from_slice(content);
    out.push(0x80);
    out.resize(total, 0);
    Ok(out)
}

/// The padding bytes to append after `content_len` bytes of streamed content.
pub(crate) fn trailer(content_len: u64, minimum: u64) -> impl Iterator<Item = u8> {
    let total = padded_len(content_len, minimum);
    std::iter::once(0x80u8).chain(std::iter::repeat_n(0u8, (total - content_len - 1) as usize))
}

/// Removes the padding, rejecting anything that is not exactly `content ‖ 0x80 ‖ 0x00…`.
pub fn unpad(padded: &[u8]) -> Result<&[u8], PadError> {
    let end = padded
        .iter()
        .rposition(|&b| b != 0)
        .ok_or(PadError::Malformed)?;
    if padded[end] != 0x80 {
        return Err(PadError::Malformed);
    }
    Ok(&padded[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn padme_matches_the_paper() {
        assert_eq!(padme(0), 0);
        assert_eq!(padme(1), 1);
        assert_eq!(padme(9), 10);
        assert_eq!(padme(1000), 1024);
        assert_eq!(padme(1100), 1152);
        assert_eq!(padme(1024), 1024);
        assert_eq!(padme(1025), 1088);
    }

    #[test]
    fn exact_padding_refuses_overflow() {
        assert_eq!(pad_exact(&[1; 10], 10).err(), Some(PadError::TooLong));
        assert_eq!(pad_exact(&[1; 9], 10).map(|p| p.len()), Ok(10));
    }

    #[test]
    fn malformed_padding_is_rejected() {
        assert!(unpad(&[]).is_err());
        assert!(unpad(&[0, 0, 0]).is_err());
        assert!(unpad(b"abc\x81\0").is_err());
        assert_eq!(unpad(b"abc\x80\0\0"), Ok(&b"abc"[..]));
    }

    proptest! {
        #[test]
        fn pad_unpad_round_trip(content in proptest::collection::vec(any::<u8>(), 0..5000), min in 0usize..9000) {
            let padded = pad(&content, min);
            prop_assert!(padded.len() >= min);
            prop_assert_eq!(padded.len() as u64, padded_len(content.len() as u64, min as u64));
            prop_assert_eq!(unpad(&padded), Ok(&content[..]));
        }

        #[test]
        fn streamed_trailer_equals_pad(content in proptest::collection::vec(any::<u8>(), 0..3000)) {
            let mut streamed = content.clone();
            streamed.extend(trailer(content.len() as u64, 0));
            prop_assert_eq!(&streamed[..], &pad(&content, 0)[..]);
        }

        #[test]
        fn padme_overhead_is_bounded(l in 2u64..1_000_000_000) {
            let p = padme(l);
            prop_assert!(p >= l);
            prop_assert!((p - l) as f64 <= l as f64 * 0.12 + 1.0);
        }
    }
}
