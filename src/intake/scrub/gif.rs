//! GIF (GIF89a specification): the header, colour tables, image descriptors, image data, graphic
//! control and plain-text extensions are written out; comment extensions and application extensions
//! (XMP, ICC, vendor data) are dropped — except the two that only say how often an animation loops
//! (`NETSCAPE2.0`, `ANIMEXTS1.0`). Everything after the trailer byte is dropped. Linear: at most one
//! 255-byte data sub-block is held.

use super::{fill, Unscrubbable};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Signature and logical screen descriptor (13 bytes).
    Header,
    /// Copying or dropping `body` bytes, then `after`.
    Copy,
    Skip,
    /// The introducer of the next block.
    Block,
    /// An image descriptor's 9 bytes.
    Image,
    /// The LZW minimum code size before image data.
    CodeSize,
    /// An extension's label.
    Label,
    /// An application extension's first sub-block (its identifier), held.
    AppId,
    /// The length byte of the next data sub-block: copied or dropped.
    SubBlocks {
        keep: bool,
    },
    Trailer,
}

pub(super) struct Gif {
    state: State,
    after: State,
    hold: Vec<u8>,
    body: usize,
    pub(super) removed: u64,
}

/// The size of a colour table a packed-fields byte announces.
fn table(flags: u8) -> usize {
    if flags & 0x80 == 0 {
        0
    } else {
        3 << ((flags & 7) + 1)
    }
}

impl Gif {
    pub(super) fn new() -> Self {
        Gif {
            state: State::Header,
            after: State::Block,
            hold: Vec::new(),
            body: 0,
            removed: 0,
        }
    }

    fn then(&mut self, copy: bool, n: usize, after: State) {
        self.body = n;
        self.after = after;
        self.state = if n == 0 {
            after
        } else if copy {
            State::Copy
        } else {
            State::Skip
        };
    }

    pub(super) fn push(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), Unscrubbable> {
        while !input.is_empty() {
            match self.state {
                State::Header => {
                    if !fill(&mut self.hold, &mut input, 13) {
                        return Ok(());
                    }
                    let h = std::mem::take(&mut self.hold);
                    if !(h.starts_with(b"GIF87a") || h.starts_with(b"GIF89a")) {
                        return Err(Unscrubbable);
                    }
                    out.extend_from_slice(&h);
                    self.then(true, table(h[10]), State::Block);
                }
                State::Copy | State::Skip => {
                    let n = self.body.min(input.len());
                    if self.state == State::Copy {
                        out.extend_from_slice(&input[..n]);
                    } else {
                        self.removed += n as u64;
                    }
                    input = &input[n..];
                    self.body -= n;
                    if self.body == 0 {
                        self.state = self.after;
                    }
                }
                State::Block => {
                    let b = input[0];
                    input = &input[1..];
                    match b {
                        0x2C => self.state = State::Image,
                        0x21 => self.state = State::Label,
                        0x3B => {
                            out.push(0x3B);
                            self.state = State::Trailer;
                        }
                        _ => return Err(Unscrubbable),
                    }
                }
                State::Image => {
                    if !fill(&mut self.hold, &mut input, 9) {
                        return Ok(());
                    }
                    let d = std::mem::take(&mut self.hold);
                    out.push(0x2C);
                    out.extend_from_slice(&d);
                    self.then(true, table(d[8]), State::CodeSize);
                }
                State::CodeSize => {
                    out.push(input[0]);
                    input = &input[1..];
                    self.state = State::SubBlocks { keep: true };
                }
                State::Label => {
                    let label = input[0];
                    input = &input[1..];
                    match label {
                        // Graphic control (timing, transparency) and plain text (drawn content).
                        0xF9 | 0x01 => {
                            out.extend_from_slice(&[0x21, label]);
                            self.state = State::SubBlocks { keep: true };
                        }
                        0xFF => self.state = State::AppId,
                        _ => {
                            self.removed += 2;
                            self.state = State::SubBlocks { keep: false };
                        }
                    }
                }
                State::AppId => {
                    if self.hold.is_empty() {
                        self.hold.push(input[0]);
                        input = &input[1..];
                        continue;
                    }
                    let n = usize::from(self.hold[0]) + 1;
                    if !fill(&mut self.hold, &mut input, n) {
                        return Ok(());
                    }
                    let id = std::mem::take(&mut self.hold);
                    let looping = id.len() == 12
                        && (&id[1..] == b"NETSCAPE2.0" || &id[1..] == b"ANIMEXTS1.0");
                    if looping {
                        out.extend_from_slice(&[0x21, 0xFF]);
                        out.extend_from_slice(&id);
                    } else {
                        self.removed += 2 + id.len() as u64;
                    }
                    // A zero-length identifier block ends the extension at once.
                    self.state = if id == [0] {
                        State::Block
                    } else {
                        State::SubBlocks { keep: looping }
                    };
                }
                State::SubBlocks { keep } => {
                    let n = input[0];
                    input = &input[1..];
                    if keep {
                        out.push(n);
                    } else {
                        self.removed += 1;
                    }
                    let next = if n == 0 {
                        State::Block
                    } else {
                        State::SubBlocks { keep }
                    };
                    self.then(keep, usize::from(n), next);
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
        if self.state == State::Trailer {
            Ok(())
        } else {
            Err(Unscrubbable)
        }
    }
}
