//! Removes identifying metadata from photos as they stream in: EXIF (with GPS position, camera serial,
//! time), XMP, IPTC, comments and embedded previews from JPEG; text, EXIF and time chunks from PNG.
//! Image data is never touched: at anything unexpected the filter stops and passes the rest through
//! unchanged, so a photo is never damaged — at worst it keeps some metadata.

/// What the filter understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Signature,
    Segments,
    Passthrough,
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// PNG chunks that carry text, EXIF or a time stamp.
const PNG_DROP: [&[u8; 4]; 5] = [b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"];

/// A streaming filter: feed it chunks, then `finish`.
pub struct MetadataStripper {
    format: Format,
    state: State,
    pending: Vec<u8>,
    /// Bytes of the current segment still to drop, or to copy unchanged.
    skip: u64,
    copy: u64,
    removed: u64,
}

enum Step {
    Progress,
    NeedMore,
}

impl MetadataStripper {
    pub fn new(format: Format) -> Self {
        MetadataStripper {
            format,
            state: State::Signature,
            pending: Vec::new(),
            skip: 0,
            copy: 0,
            removed: 0,
        }
    }

    /// Bytes of metadata removed so far.
    pub(crate) fn removed(&self) -> u64 {
        self.removed
    }

    /// Takes the next bytes of the file and appends what is kept to `out`.
    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) {
        self.pending.extend_from_slice(input);
        self.process(out);
    }

    /// The end of the file: whatever is still held is kept.
    pub fn finish(mut self, out: &mut Vec<u8>) {
        if self.skip == 0 {
            out.append(&mut self.pending);
        }
    }

    fn process(&mut self, out: &mut Vec<u8>) {
        loop {
            if self.skip > 0 {
                let n = self.skip.min(self.pending.len() as u64) as usize;
                self.pending.drain(..n);
                self.skip -= n as u64;
                self.removed += n as u64;
                if self.skip > 0 {
                    return;
                }
                continue;
            }
            if self.copy > 0 {
                let n = self.copy.min(self.pending.len() as u64) as usize;
                out.extend(self.pending.drain(..n));
                self.copy -= n as u64;
                if self.copy > 0 {
                    return;
                }
                continue;
            }
            let step = match self.state {
                State::Passthrough => {
                    out.append(&mut self.pending);
                    return;
                }
                State::Signature => self.signature(out),
                State::Segments => match self.format {
                    Format::Jpeg => self.jpeg_segment(out),
                    Format::Png => self.png_chunk(out),
                },
            };
            if let Step::NeedMore = step {
                return;
            }
        }
    }

    fn emit(&mut self, n: usize, out: &mut Vec<u8>) {
        out.extend(self.pending.drain(..n));
    }

    fn drop_bytes(&mut self, n: usize) {
        self.pending.drain(..n);
        self.removed += n as u64;
    }

    fn signature(&mut self, out: &mut Vec<u8>) -> Step {
        let sig: &[u8] = match self.format {
            Format::Jpeg => b"\xFF\xD8",
            Format::Png => PNG_SIGNATURE,
        };
        if self.pending.len() < sig.len() {
            return Step::NeedMore;
        }
        self.state = if self.pending.starts_with(sig) {
            self.emit(sig.len(), out);
            State::Segments
        } else {
            State::Passthrough
        };
        Step::Progress
    }

    /// One JPEG marker segment before the image data (ITU T.81 B.1).
    fn jpeg_segment(&mut self, out: &mut Vec<u8>) -> Step {
        let p = &self.pending;
        if p.len() < 2 {
            return Step::NeedMore;
        }
        if p[0] != 0xFF {
            self.state = State::Passthrough;
            return Step::Progress;
        }
        let marker = p[1];
        match marker {
            // Fill byte before a marker.
            0xFF => {
                self.emit(1, out);
                return Step::Progress;
            }
            // Markers without a length.
            0x01 | 0xD0..=0xD8 => {
                self.emit(2, out);
                return Step::Progress;
            }
            0xD9 => {
                self.emit(2, out);
                self.state = State::Passthrough;
                return Step::Progress;
            }
            _ => {}
        }
        if p.len() < 4 {
            return Step::NeedMore;
        }
        let len = u64::from(u16::from_be_bytes([p[2], p[3]]));
        if len < 2 {
            self.state = State::Passthrough;
            return Step::Progress;
        }
        let body = len - 2;
        // APP2 holds either the colour profile (kept) or a multi-picture index with a full second
        // image and its own EXIF (dropped): tell them apart by the identifier.
        const ICC: &[u8] = b"ICC_PROFILE\0";
        if marker == 0xE2 && p.len() < 4 + ICC.len().min(body as usize) {
            return Step::NeedMore;
        }
        let drop = match marker {
            0xE1 | 0xE3..=0xED | 0xEF | 0xFE => true,
            0xE2 => !p[4..].starts_with(ICC),
            _ => false,
        };
        if drop {
            self.drop_bytes(4);
            self.skip = body;
        } else {
            self.emit(4, out);
            self.copy = body;
        }
        // Start of scan: the entropy-coded image data follows; copy the rest as it is.
        if marker == 0xDA {
            self.state = State::Passthrough;
        }
        Step::Progress
    }

    /// One PNG chunk: length, type, data, CRC.
    fn png_chunk(&mut self, out: &mut Vec<u8>) -> Step {
        let p = &self.pending;
        if p.len() < 8 {
            return Step::NeedMore;
        }
        let len = u64::from(u32::from_be_bytes([p[0], p[1], p[2], p[3]]));
        if len > 0x7FFF_FFFF {
            self.state = State::Passthrough;
            return Step::Progress;
        }
        let kind = [p[4], p[5], p[6], p[7]];
        if PNG_DROP.iter().any(|d| **d == kind) {
            self.drop_bytes(8);
            self.skip = len + 4;
        } else {
            self.emit(8, out);
            self.copy = len + 4;
            if &kind == b"IEND" {
                self.state = State::Passthrough;
            }
        }
        Step::Progress
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![0xFF, marker];
        v.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    /// A JPEG-shaped file with every kind of metadata, and what must remain of it.
    fn jpeg() -> (Vec<u8>, Vec<u8>) {
        let keep = [
            vec![0xFF, 0xD8],
            segment(0xE0, b"JFIF\0\x01\x02"),
            segment(0xE2, b"ICC_PROFILE\0colour"),
            segment(0xEE, b"Adobe\0"),
            segment(0xDB, &[1u8; 65]),
            segment(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]),
            segment(0xDA, &[1, 1, 0, 0, 0x3F, 0]),
            b"\x12\x34\xFF\x00GPS-ONLY-IN-EXIF?no\xFF\xD9trailer".to_vec(),
        ];
        let drop = [
            segment(0xE1, b"Exif\0\0GPS-CANARY-1 serial 1234"),
            segment(
                0xE1,
                b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>XMP-CANARY</x:xmpmeta>",
            ),
            segment(0xED, b"Photoshop 3.0\0IPTC-CANARY"),
            segment(0xE2, b"MPF\0second image with EXIF-CANARY"),
            segment(0xFE, b"COMMENT-CANARY"),
        ];
        let mut file = Vec::new();
        let mut kept = Vec::new();
        file.extend(&keep[0]);
        kept.extend(&keep[0]);
        for (i, k) in keep[1..].iter().enumerate() {
            if let Some(d) = drop.get(i) {
                file.extend(d);
            }
            file.extend(k);
            kept.extend(k);
        }
        (file, kept)
    }

    fn png() -> (Vec<u8>, Vec<u8>) {
        fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
            let mut v = (data.len() as u32).to_be_bytes().to_vec();
            v.extend_from_slice(kind);
            v.extend_from_slice(data);
            v.extend_from_slice(&[0, 0, 0, 0]);
            v
        }
        let mut file = PNG_SIGNATURE.to_vec();
        let mut kept = PNG_SIGNATURE.to_vec();
        for (k, keep) in [
            (chunk(b"IHDR", &[0; 13]), true),
            (chunk(b"tEXt", b"Author\0TEXT-CANARY"), false),
            (chunk(b"eXIf", b"MM\0*GPS-CANARY-2"), false),
            (chunk(b"IDAT", b"pixels"), true),
            (chunk(b"tIME", &[7, 234, 1, 2, 3, 4, 5]), false),
            (chunk(b"IEND", &[]), true),
        ] {
            file.extend(&k);
            if keep {
                kept.extend(&k);
            }
        }
        (file, kept)
    }

    fn strip(format: Format, file: &[u8], chunk: usize) -> Vec<u8> {
        let mut s = MetadataStripper::new(format);
        let mut out = Vec::new();
        for c in file.chunks(chunk.max(1)) {
            s.push(c, &mut out);
        }
        s.finish(&mut out);
        out
    }

    #[test]
    fn jpeg_metadata_goes_and_the_image_stays() {
        let (file, kept) = jpeg();
        let out = strip(Format::Jpeg, &file, 7);
        assert_eq!(out, kept);
        for canary in [
            "GPS-CANARY",
            "XMP-CANARY",
            "IPTC-CANARY",
            "EXIF-CANARY",
            "COMMENT-CANARY",
        ] {
            assert!(!out.windows(canary.len()).any(|w| w == canary.as_bytes()));
        }
    }

    #[test]
    fn png_metadata_goes_and_the_image_stays() {
        let (file, kept) = png();
        assert_eq!(strip(Format::Png, &file, 5), kept);
    }

    #[test]
    fn anything_unexpected_passes_through_unchanged() {
        for bytes in [
            &b"\xFF\xD8not a marker after all"[..],
            b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00then free text",
            b"\x89PNG\r\n\x1a\nnot really an image",
            b"\x89PNG\r\n\x1a\nrest",
            b"GIF89a",
        ] {
            let format = if bytes.starts_with(b"\x89PNG") {
                Format::Png
            } else {
                Format::Jpeg
            };
            assert_eq!(strip(format, bytes, 3), bytes, "{bytes:?}");
        }
    }

    proptest! {
        #[test]
        fn chunking_never_changes_the_result(chunk in 1usize..200) {
            let (file, kept) = jpeg();
            prop_assert_eq!(strip(Format::Jpeg, &file, chunk), kept);
            let (file, kept) = png();
            prop_assert_eq!(strip(Format::Png, &file, chunk), kept);
        }

        #[test]
        fn never_panics_and_never_grows(bytes in proptest::collection::vec(any::<u8>(), 0..600), chunk in 1usize..64) {
            for format in [Format::Jpeg, Format::Png] {
                let out = strip(format, &bytes, chunk);
                prop_assert!(out.len() <= bytes.len());
            }
        }
    }
}
