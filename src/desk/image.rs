//! Images shown inline in the desk (docs/design.md §3): which decrypted attachments are images the
//! browser may display, judged by their bytes (never by the media type the reporter's browser declared),
//! and which identifying metadata they still carry — EXIF (camera, time, often a GPS position), XMP,
//! IPTC, comments and text chunks — so the investigator is warned before forwarding a photo.
//!
//! A small walk over JPEG segments, PNG chunks and WebP's RIFF chunks, reading only their headers: no
//! pixel is decoded, and anything unexpected ends the walk (the image is then still shown, flagged
//! as "not fully checked"). The server's stripper (`intake::strip`) removes these at upload; this is
//! the reader's independent check of what is left (docs/design.md §16 says why it is hand-written).

/// An image type the desk shows inline. SVG and anything else are downloads only: they can be active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageType {
    Jpeg,
    Png,
    Webp,
}

impl ImageType {
    /// The strict content type the desk serves it with.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            ImageType::Jpeg => "image/jpeg",
            ImageType::Png => "image/png",
            ImageType::Webp => "image/webp",
        }
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The image type by the file's first bytes.
pub(crate) fn sniff(bytes: &[u8]) -> Option<ImageType> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageType::Jpeg)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        Some(ImageType::Png)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(ImageType::Webp)
    } else {
        None
    }
}

/// Metadata found in an image, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Metadata {
    Exif,
    Xmp,
    Iptc,
    Comment,
    Text,
    Time,
    /// The walk stopped at something unexpected: the rest was not checked.
    Unchecked,
}

impl Metadata {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Metadata::Exif => "EXIF",
            Metadata::Xmp => "XMP",
            Metadata::Iptc => "IPTC",
            Metadata::Comment => "comment",
            Metadata::Text => "text",
            Metadata::Time => "time",
            Metadata::Unchecked => "?",
        }
    }
}

/// The kinds of metadata `bytes` (an image of type `ty`) still carries, each once, sorted.
pub(crate) fn metadata(bytes: &[u8], ty: ImageType) -> Vec<Metadata> {
    let mut found = match ty {
        ImageType::Jpeg => jpeg(bytes),
        ImageType::Png => png(bytes),
        ImageType::Webp => webp(bytes),
    };
    found.sort();
    found.dedup();
    found
}

fn be16(b: &[u8], i: usize) -> Option<usize> {
    Some(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]) as usize)
}

fn be32(b: &[u8], i: usize) -> Option<usize> {
    let s = b.get(i..i + 4)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]) as usize)
}

fn le32(b: &[u8], i: usize) -> Option<usize> {
    let s = b.get(i..i + 4)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
}

fn jpeg(b: &[u8]) -> Vec<Metadata> {
    let mut out = Vec::new();
    let mut i = 2;
    loop {
        // Markers may be preceded by fill bytes (0xFF).
        while b.get(i) == Some(&0xFF) && b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (b.get(i), b.get(i + 1)) else {
            out.push(Metadata::Unchecked);
            return out;
        };
        match marker {
            // Start of scan or end of image: the headers are over.
            0xDA | 0xD9 => return out,
            0x01 | 0xD0..=0xD7 => {
                i += 2;
                continue;
            }
            _ => {}
        }
        let Some(len) = be16(b, i + 2).filter(|l| *l >= 2) else {
            out.push(Metadata::Unchecked);
            return out;
        };
        let data = b.get(i + 4..i + 2 + len).unwrap_or(&[]);
        match marker {
            // The scrubber's orientation-only block is the one tag it keeps on purpose.
            0xE1 if data.starts_with(b"Exif\0")
                && !crate::intake::scrub::is_orientation_only_exif(data) =>
            {
                out.push(Metadata::Exif)
            }
            0xE1 if data.starts_with(b"http://ns.adobe.com/xap/1.0/\0")
                || data.starts_with(b"http://ns.adobe.com/xmp/extension/\0") =>
            {
                out.push(Metadata::Xmp)
            }
            0xED => out.push(Metadata::Iptc),
            0xFE => out.push(Metadata::Comment),
            _ => {}
        }
        if i + 2 + len > b.len() {
            out.push(Metadata::Unchecked);
            return out;
        }
        i += 2 + len;
    }
}

fn png(b: &[u8]) -> Vec<Metadata> {
    let mut out = Vec::new();
    let mut i = PNG_SIGNATURE.len();
    loop {
        let (Some(len), Some(kind)) = (be32(b, i), b.get(i + 4..i + 8)) else {
            out.push(Metadata::Unchecked);
            return out;
        };
        let data = b.get(i + 8..i + 8 + len).unwrap_or(&[]);
        match kind {
            b"IEND" => return out,
            // The scrubber's orientation-only block is the one tag it keeps on purpose.
            b"eXIf" if !crate::intake::scrub::is_orientation_only_tiff(data) => {
                out.push(Metadata::Exif)
            }
            b"iTXt" if data.starts_with(b"XML:com.adobe.xmp\0") => out.push(Metadata::Xmp),
            b"tEXt" | b"zTXt" | b"iTXt" => out.push(Metadata::Text),
            b"tIME" => out.push(Metadata::Time),
            _ => {}
        }
        // Length, type, data and CRC.
        i = match i.checked_add(12).and_then(|n| n.checked_add(len)) {
            Some(n) if n <= b.len() => n,
            _ => {
                out.push(Metadata::Unchecked);
                return out;
            }
        };
    }
}

fn webp(b: &[u8]) -> Vec<Metadata> {
    let mut out = Vec::new();
    let mut i = 12;
    while i < b.len() {
        let (Some(kind), Some(len)) = (b.get(i..i + 4), le32(b, i + 4)) else {
            out.push(Metadata::Unchecked);
            return out;
        };
        match kind {
            b"EXIF" => out.push(Metadata::Exif),
            b"XMP " => out.push(Metadata::Xmp),
            _ => {}
        }
        // Chunks are padded to an even length.
        i = match i
            .checked_add(8)
            .and_then(|n| n.checked_add(len + (len & 1)))
        {
            Some(n) if n <= b.len() => n,
            _ => {
                out.push(Metadata::Unchecked);
                return out;
            }
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, data: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((data.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(data);
        s
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0; 4]);
        c
    }

    #[test]
    fn a_jpeg_with_exif_xmp_and_a_comment_is_flagged_and_a_clean_one_is_not() {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend(segment(0xE0, b"JFIF\0\x01\x01"));
        let clean_end = {
            let mut e = segment(0xDB, &[0; 65]);
            e.extend([0xFF, 0xDA, 0, 2, 1, 2, 3, 0xFF, 0xD9]);
            e
        };
        let mut clean = jpeg.clone();
        clean.extend(&clean_end);
        assert_eq!(sniff(&clean), Some(ImageType::Jpeg));
        assert_eq!(metadata(&clean, ImageType::Jpeg), vec![]);
        // The orientation the server's scrubber keeps (portrait photos) is not flagged; one more
        // byte in the block is.
        let mut oriented = jpeg.clone();
        let mut block =
            b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0".to_vec();
        oriented.extend(segment(0xE1, &block));
        oriented.extend(&clean_end);
        assert_eq!(metadata(&oriented, ImageType::Jpeg), vec![]);
        block.push(b'G');
        let mut more = jpeg.clone();
        more.extend(segment(0xE1, &block));
        more.extend(&clean_end);
        assert_eq!(metadata(&more, ImageType::Jpeg), vec![Metadata::Exif]);

        jpeg.extend(segment(0xE1, b"Exif\0\0MM\0*GPS"));
        jpeg.extend(segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>"));
        jpeg.extend(segment(0xFE, b"Kamera kantor"));
        jpeg.extend(&clean_end);
        assert_eq!(
            metadata(&jpeg, ImageType::Jpeg),
            vec![Metadata::Exif, Metadata::Xmp, Metadata::Comment]
        );
        // Cut short inside a segment: what was not read is said.
        assert_eq!(
            metadata(&jpeg[..30], ImageType::Jpeg).last(),
            Some(&Metadata::Unchecked)
        );
    }

    #[test]
    fn png_text_exif_and_xmp_chunks_are_flagged() {
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        let mut clean = png.clone();
        clean.extend(chunk(b"IEND", &[]));
        assert_eq!(sniff(&clean), Some(ImageType::Png));
        assert_eq!(metadata(&clean, ImageType::Png), vec![]);
        png.extend(chunk(b"tEXt", b"Author\0Melati"));
        png.extend(chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0<x/>"));
        png.extend(chunk(b"eXIf", b"MM\0*"));
        png.extend(chunk(b"IEND", &[]));
        assert_eq!(
            metadata(&png, ImageType::Png),
            vec![Metadata::Exif, Metadata::Xmp, Metadata::Text]
        );
    }

    #[test]
    fn only_jpeg_png_and_webp_bytes_count_as_images() {
        assert_eq!(sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), None);
        assert_eq!(sniff(b"%PDF-1.4"), None);
        assert_eq!(sniff(b"GIF89a"), None);
        let mut webp = b"RIFF\0\0\0\0WEBP".to_vec();
        webp.extend(b"EXIF");
        webp.extend(3u32.to_le_bytes());
        webp.extend(b"abc\0");
        assert_eq!(sniff(&webp), Some(ImageType::Webp));
        assert_eq!(metadata(&webp, ImageType::Webp), vec![Metadata::Exif]);
    }
}
