//! JPEG (ITU T.81 B.1): only what decoding needs is written out — quantisation and Huffman tables, frame
//! and scan headers, restart intervals, the entropy-coded scans byte for byte, the colour profile
//! (APP2 `ICC_PROFILE`), the JFIF header without its thumbnail and Adobe's colour-transform flag. Every
//! other segment (EXIF, XMP, IPTC, MPF second images, maker notes, comments), every stray byte before a
//! marker and everything after the end-of-image marker (motion-photo videos, appended files) is dropped.
//! The EXIF orientation is kept as a new, minimal EXIF block holding that one tag, so portrait photos
//! still stand up. Linear: every input byte is looked at once; only one marker segment (at most 64 KiB)
//! is ever held.

use super::{fill, Unscrubbable};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// The start-of-image marker.
    Soi,
    /// Looking for the next marker's 0xFF; anything else here is a stray byte.
    Marker,
    /// 0xFF seen: the marker code follows (more 0xFF are fill).
    MarkerCode,
    /// The segment length of this marker.
    Length(u8),
    /// Copying or dropping the rest of a segment.
    Copy,
    Skip,
    /// Holding a segment whose fate depends on its identifier.
    Hold(u8),
    /// Entropy-coded data after a scan header, and a 0xFF inside it.
    Scan,
    ScanFf,
    /// After the end-of-image marker: everything is dropped.
    Trailer,
}

pub(super) struct Jpeg {
    state: State,
    hold: Vec<u8>,
    /// Bytes of the current segment's body still to copy, skip or hold.
    body: usize,
    /// The segment being copied is a scan header: entropy-coded data follows it.
    scan_follows: bool,
    seen_scan: bool,
    orientation_done: bool,
    pub(super) removed: u64,
}

/// Segments decoding needs, copied as they are: SOFn, DHT, DAC, DQT, DRI, DNL, DHP, EXP, SOS, and
/// JPEG-LS's frame header and parameters (SOF55, LSE).
fn structural(marker: u8) -> bool {
    (matches!(marker, 0xC0..=0xCF | 0xDA..=0xDF) && marker != 0xC8) || matches!(marker, 0xF7 | 0xF8)
}

impl Jpeg {
    pub(super) fn new() -> Self {
        Jpeg {
            state: State::Soi,
            hold: Vec::new(),
            body: 0,
            scan_follows: false,
            seen_scan: false,
            orientation_done: false,
            removed: 0,
        }
    }

    pub(super) fn push(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), Unscrubbable> {
        while !input.is_empty() {
            match self.state {
                State::Soi => {
                    if !fill(&mut self.hold, &mut input, 2) {
                        return Ok(());
                    }
                    if self.hold != [0xFF, 0xD8] {
                        return Err(Unscrubbable);
                    }
                    out.extend_from_slice(&self.hold);
                    self.hold.clear();
                    self.state = State::Marker;
                }
                State::Marker => match input.iter().position(|&b| b == 0xFF) {
                    None => {
                        self.removed += input.len() as u64;
                        return Ok(());
                    }
                    Some(p) => {
                        self.removed += p as u64;
                        input = &input[p + 1..];
                        self.state = State::MarkerCode;
                    }
                },
                State::MarkerCode => {
                    let code = input[0];
                    input = &input[1..];
                    match code {
                        // Fill before a marker.
                        0xFF => self.removed += 1,
                        // Not a marker, or one that means nothing outside a scan: stray bytes.
                        0x00 | 0x01 | 0xD0..=0xD7 => {
                            self.removed += 2;
                            self.state = State::Marker;
                        }
                        // A second image starting inside the first.
                        0xD8 => return Err(Unscrubbable),
                        0xD9 => {
                            if !self.seen_scan {
                                return Err(Unscrubbable);
                            }
                            out.extend_from_slice(&[0xFF, 0xD9]);
                            self.state = State::Trailer;
                        }
                        marker => self.state = State::Length(marker),
                    }
                }
                State::Length(marker) => {
                    if !fill(&mut self.hold, &mut input, 2) {
                        return Ok(());
                    }
                    let len = usize::from(u16::from_be_bytes([self.hold[0], self.hold[1]]));
                    self.hold.clear();
                    if len < 2 {
                        return Err(Unscrubbable);
                    }
                    self.body = len - 2;
                    if structural(marker) {
                        out.extend_from_slice(&[0xFF, marker]);
                        out.extend_from_slice(&(len as u16).to_be_bytes());
                        self.scan_follows = marker == 0xDA;
                        self.seen_scan |= self.scan_follows;
                        self.state = State::Copy;
                    } else if matches!(marker, 0xE0 | 0xE1 | 0xE2 | 0xEE) {
                        self.state = State::Hold(marker);
                    } else {
                        self.removed += 4;
                        self.state = State::Skip;
                    }
                    self.end_of_body_check(out);
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
                    self.end_of_body_check(out);
                }
                State::Hold(_) => {
                    let body = self.body;
                    fill(&mut self.hold, &mut input, body);
                    self.end_of_body_check(out);
                }
                State::Scan => match input.iter().position(|&b| b == 0xFF) {
                    None => {
                        out.extend_from_slice(input);
                        return Ok(());
                    }
                    Some(p) => {
                        out.extend_from_slice(&input[..p]);
                        input = &input[p + 1..];
                        self.state = State::ScanFf;
                    }
                },
                State::ScanFf => match input[0] {
                    // A stuffed 0xFF data byte, or a restart marker: part of the scan.
                    b @ (0x00 | 0xD0..=0xD7) => {
                        out.extend_from_slice(&[0xFF, b]);
                        input = &input[1..];
                        self.state = State::Scan;
                    }
                    0xFF => {
                        self.removed += 1;
                        input = &input[1..];
                    }
                    // The scan ends at any other marker: read it as one (not consumed here).
                    _ => self.state = State::MarkerCode,
                },
                State::Trailer => {
                    self.removed += input.len() as u64;
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// When a segment's body is complete: what follows it, and the verdict on a held segment.
    fn end_of_body_check(&mut self, out: &mut Vec<u8>) {
        match self.state {
            State::Copy | State::Skip if self.body == 0 => {
                self.state = if self.state == State::Copy && self.scan_follows {
                    State::Scan
                } else {
                    State::Marker
                };
            }
            State::Hold(marker) if self.hold.len() >= self.body => {
                let held = std::mem::take(&mut self.hold);
                let kept = self.held_segment(marker, &held, out);
                self.removed += (4 + held.len()).saturating_sub(kept) as u64;
                self.state = State::Marker;
            }
            _ => {}
        }
    }

    /// Writes what is kept of an APP0, APP1, APP2 or APP14 segment; returns the bytes written.
    fn held_segment(&mut self, marker: u8, body: &[u8], out: &mut Vec<u8>) -> usize {
        let kept: Option<Vec<u8>> = match marker {
            // JFIF: version, units and density; the thumbnail size set to none.
            0xE0 if body.starts_with(b"JFIF\0") && body.len() >= 14 => {
                let mut b = body[..12].to_vec();
                b.extend_from_slice(&[0, 0]);
                Some(b)
            }
            // The colour profile is needed to show the pixels as taken.
            0xE2 if body.starts_with(b"ICC_PROFILE\0") => Some(body.to_vec()),
            // Adobe: version, flags and the colour transform, nothing after.
            0xEE if body.starts_with(b"Adobe") && body.len() >= 12 => Some(body[..12].to_vec()),
            // The orientation is taken from the first EXIF block before the image data only: a block
            // written out between scans would be in no decoder's place.
            0xE1 if body.starts_with(b"Exif\0\0") && !self.orientation_done && !self.seen_scan => {
                self.orientation_done = true;
                orientation(&body[6..])
                    .filter(|o| (2..=8).contains(o))
                    .map(orientation_exif)
            }
            _ => None,
        };
        let Some(kept) = kept else { return 0 };
        out.extend_from_slice(&[0xFF, marker]);
        out.extend_from_slice(&((kept.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&kept);
        4 + kept.len()
    }

    pub(super) fn finish(&mut self) -> Result<(), Unscrubbable> {
        // A file cut off inside its image data keeps what arrived (a decoder shows the top part);
        // one cut off before any image data is not a photo.
        match self.state {
            State::Trailer => Ok(()),
            _ if self.seen_scan => Ok(()),
            _ => Err(Unscrubbable),
        }
    }
}

/// The orientation tag (0x0112) of IFD0 in a TIFF-structured EXIF block, if it is there and sane.
/// Hand-written (docs/design.md §16): one tag, every read bounds-checked, no allocation.
pub(super) fn orientation(tiff: &[u8]) -> Option<u16> {
    let big = match tiff.get(..4)? {
        b"MM\0*" => true,
        b"II*\0" => false,
        _ => return None,
    };
    let u16_at = |i: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(i..i + 2)?.try_into().ok()?;
        Some(if big {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |i: usize| -> Option<usize> {
        let b: [u8; 4] = tiff.get(i..i + 4)?.try_into().ok()?;
        let v = if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        };
        usize::try_from(v).ok()
    };
    let ifd = u32_at(4)?;
    let count = usize::from(u16_at(ifd)?);
    (0..count).find_map(|n| {
        let entry = ifd.checked_add(2 + 12 * n)?;
        // Tag 0x0112, type SHORT, one value.
        (u16_at(entry)? == 0x0112 && u16_at(entry + 2)? == 3 && u32_at(entry + 4)? == 1)
            .then(|| u16_at(entry + 8))
            .flatten()
    })
}

/// A minimal EXIF block: big-endian TIFF, IFD0 with the orientation and nothing else.
pub(super) fn orientation_exif(value: u16) -> Vec<u8> {
    let mut b = b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
    b.extend_from_slice(&value.to_be_bytes());
    b.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    b
}
