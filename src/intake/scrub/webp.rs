//! WebP (RIFF container, RFC 9649): the image chunks (`VP8 `, `VP8L`, `VP8X`, `ALPH`, `ANIM`, `ANMF`)
//! and the colour profile (`ICCP`) are written out; `EXIF`, `XMP ` and any other chunk have their
//! content replaced by zeros under the RIFF padding name `JUNK`, and `VP8X` no longer announces them.
//! Overwriting instead of cutting keeps every size in the file right while streaming (the RIFF header,
//! which holds the total size, is written before the chunks are seen); decoders skip `JUNK`. What it
//! still tells: that a metadata chunk of that length was there. Everything after the RIFF's declared
//! end is dropped. Linear: only a chunk header (and the 10-byte `VP8X`) is held.

use super::{fill, Unscrubbable};

const KEEP: [&[u8; 4]; 7] = [
    b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Riff,
    Header,
    Extended,
    Copy,
    Zero,
    Trailer,
}

pub(super) struct Webp {
    state: State,
    hold: Vec<u8>,
    body: u64,
    /// Bytes of the RIFF payload still to come.
    left: u64,
    /// An image chunk was seen: a RIFF without one is not a picture.
    image: bool,
    pub(super) removed: u64,
}

impl Webp {
    pub(super) fn new() -> Self {
        Webp {
            state: State::Riff,
            hold: Vec::new(),
            body: 0,
            left: 0,
            image: false,
            removed: 0,
        }
    }

    pub(super) fn push(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), Unscrubbable> {
        while !input.is_empty() {
            // The RIFF's declared end: whatever follows is not part of the image.
            if self.state == State::Header && self.hold.is_empty() && self.left == 0 {
                self.state = State::Trailer;
            }
            match self.state {
                State::Riff => {
                    if !fill(&mut self.hold, &mut input, 12) {
                        return Ok(());
                    }
                    let h = std::mem::take(&mut self.hold);
                    if &h[..4] != b"RIFF" || &h[8..12] != b"WEBP" {
                        return Err(Unscrubbable);
                    }
                    let size = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
                    self.left = u64::from(size).checked_sub(4).ok_or(Unscrubbable)?;
                    out.extend_from_slice(&h);
                    self.state = State::Header;
                }
                State::Header => {
                    if self.left < 8 {
                        return Err(Unscrubbable);
                    }
                    if !fill(&mut self.hold, &mut input, 8) {
                        return Ok(());
                    }
                    let h = std::mem::take(&mut self.hold);
                    let size = u64::from(u32::from_le_bytes([h[4], h[5], h[6], h[7]]));
                    self.body = size + (size & 1);
                    self.left -= 8;
                    if self.body > self.left {
                        return Err(Unscrubbable);
                    }
                    self.left -= self.body;
                    let kind: [u8; 4] = [h[0], h[1], h[2], h[3]];
                    self.image |= matches!(&kind, b"VP8 " | b"VP8L" | b"ANMF");
                    if &kind == b"VP8X" {
                        if size != 10 {
                            return Err(Unscrubbable);
                        }
                        out.extend_from_slice(&h);
                        self.state = State::Extended;
                    } else if KEEP.contains(&&kind) {
                        out.extend_from_slice(&h);
                        self.state = State::Copy;
                    } else {
                        out.extend_from_slice(b"JUNK");
                        out.extend_from_slice(&h[4..]);
                        self.removed += 4;
                        self.state = State::Zero;
                    }
                    if self.body == 0 {
                        self.state = State::Header;
                    }
                }
                State::Extended => {
                    if !fill(&mut self.hold, &mut input, 10) {
                        return Ok(());
                    }
                    let mut x = std::mem::take(&mut self.hold);
                    // Flags: EXIF (0x08) and XMP (0x04) are no longer present.
                    x[0] &= !0x0C;
                    out.extend_from_slice(&x);
                    self.state = State::Header;
                }
                State::Copy | State::Zero => {
                    let n = usize::try_from(self.body)
                        .unwrap_or(usize::MAX)
                        .min(input.len());
                    if self.state == State::Copy {
                        out.extend_from_slice(&input[..n]);
                    } else {
                        out.resize(out.len() + n, 0);
                        self.removed += n as u64;
                    }
                    input = &input[n..];
                    self.body -= n as u64;
                    if self.body == 0 {
                        self.state = State::Header;
                    }
                }
                State::Trailer => {
                    self.removed += input.len() as u64;
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    pub(super) fn finish(&mut self) -> Result<(), Unscrubbable> {
        let complete = self.image && self.left == 0 && self.hold.is_empty();
        if complete && matches!(self.state, State::Header | State::Trailer) {
            Ok(())
        } else {
            Err(Unscrubbable)
        }
    }
}
