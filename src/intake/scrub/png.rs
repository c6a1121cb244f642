//! PNG (ISO/IEC 15948): only chunks that decide how the pixels look are written out — header,
//! palette, image data, transparency, colour space and profile, gamma, significant bits, background,
//! histogram, physical pixel size, and the APNG frame chunks. Text (`tEXt`, `zTXt`, `iTXt`), EXIF
//! (`eXIf`), times (`tIME`), provenance manifests (`caBX`, C2PA) and any chunk not on the list are
//! dropped, and so is everything after `IEND`. The EXIF orientation (values 2–8) of the first
//! `eXIf` before the image data is kept as a fresh orientation-only `eXIf` chunk, as the JPEG scrubber
//! keeps it, so portrait photos stay upright. Linear: a chunk's 8-byte header is the only thing held,
//! and an `eXIf` body of at most `MAX_EXIF` bytes to read the orientation from.

use super::jpeg::{orientation, orientation_exif};
use super::{fill, Unscrubbable};

/// The largest `eXIf` chunk read for its orientation; larger ones are dropped whole (a camera's EXIF
/// is a few KiB; JPEG limits it to 64 KiB too).
const MAX_EXIF: u32 = 0xFFFF;

const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Chunks kept as they are.
const KEEP: [&[u8; 4]; 18] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
    b"cICP", b"mDCV", b"cLLI", b"bKGD", b"hIST", b"pHYs", b"acTL", b"fcTL",
];
/// APNG frame data (kept too; the array above is at its line length).
const FRAME_DATA: &[u8; 4] = b"fdAT";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Signature,
    Header,
    Copy,
    Skip,
    /// Holding an `eXIf` body and CRC to read the orientation.
    Exif,
    Trailer,
}

pub(super) struct Png {
    state: State,
    hold: Vec<u8>,
    body: u64,
    seen_header: bool,
    /// An `IDAT` was seen: an `eXIf` after it is in no decoder's place.
    seen_data: bool,
    orientation_done: bool,
    last: bool,
    pub(super) removed: u64,
}

impl Png {
    pub(super) fn new() -> Self {
        Png {
            state: State::Signature,
            hold: Vec::new(),
            body: 0,
            seen_header: false,
            seen_data: false,
            orientation_done: false,
            last: false,
            removed: 0,
        }
    }

    pub(super) fn push(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), Unscrubbable> {
        while !input.is_empty() {
            match self.state {
                State::Signature | State::Header => {
                    let take = (8 - self.hold.len()).min(input.len());
                    self.hold.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    if self.hold.len() < 8 {
                        return Ok(());
                    }
                    let head = std::mem::take(&mut self.hold);
                    if self.state == State::Signature {
                        if head != SIGNATURE {
                            return Err(Unscrubbable);
                        }
                        out.extend_from_slice(&head);
                        self.state = State::Header;
                    } else {
                        self.chunk(&head, out)?;
                    }
                }
                State::Copy | State::Skip => {
                    let n = usize::try_from(self.body)
                        .unwrap_or(usize::MAX)
                        .min(input.len());
                    if self.state == State::Copy {
                        out.extend_from_slice(&input[..n]);
                    } else {
                        self.removed += n as u64;
                    }
                    input = &input[n..];
                    self.body -= n as u64;
                    if self.body == 0 {
                        self.state = if self.last {
                            State::Trailer
                        } else {
                            State::Header
                        };
                    }
                }
                State::Exif => {
                    let n = usize::try_from(self.body).unwrap_or(usize::MAX);
                    if !fill(&mut self.hold, &mut input, n) {
                        return Ok(());
                    }
                    let held = std::mem::take(&mut self.hold);
                    self.removed += held.len() as u64;
                    // The body without its CRC; the kept chunk gets a CRC of its own.
                    if let Some(v) = orientation(&held[..n - 4]).filter(|o| (2..=8).contains(o)) {
                        let exif = orientation_exif(v);
                        let chunk = exif_chunk(&exif[6..]);
                        self.removed = self.removed.saturating_sub(chunk.len() as u64);
                        out.extend_from_slice(&chunk);
                    }
                    self.state = State::Header;
                }
                State::Trailer => {
                    self.removed += input.len() as u64;
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// A chunk header: length, type. The body and CRC follow.
    fn chunk(&mut self, head: &[u8], out: &mut Vec<u8>) -> Result<(), Unscrubbable> {
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let kind: [u8; 4] = [head[4], head[5], head[6], head[7]];
        if len > 0x7FFF_FFFF || !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(Unscrubbable);
        }
        if !self.seen_header && &kind != b"IHDR" {
            return Err(Unscrubbable);
        }
        self.seen_header = true;
        self.body = u64::from(len) + 4;
        self.last = &kind == b"IEND";
        self.seen_data |= &kind == b"IDAT";
        if &kind == b"eXIf" && !self.orientation_done && !self.seen_data && len <= MAX_EXIF {
            self.orientation_done = true;
            self.removed += 8;
            self.state = State::Exif;
        } else if KEEP.contains(&&kind) || &kind == FRAME_DATA {
            out.extend_from_slice(head);
            self.state = State::Copy;
        } else {
            self.removed += 8;
            self.state = State::Skip;
        }
        Ok(())
    }

    pub(super) fn finish(&mut self) -> Result<(), Unscrubbable> {
        // Without its end chunk the file is cut off or not a PNG: refused rather than guessed at.
        if self.state == State::Trailer {
            Ok(())
        } else {
            Err(Unscrubbable)
        }
    }
}

/// An `eXIf` chunk holding `tiff`: length, type, data, CRC-32 of type and data (ISO/IEC 15948 §5.3).
fn exif_chunk(tiff: &[u8]) -> Vec<u8> {
    let mut chunk = (tiff.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(b"eXIf");
    chunk.extend_from_slice(tiff);
    let crc = crc32(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    chunk
}

/// The PNG CRC-32 (polynomial 0xEDB88320, reflected), bit by bit: it runs over one ~30-byte chunk per
/// file, so no table is worth having.
pub(super) fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
