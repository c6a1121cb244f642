//! JPEG 2000 pictures inside PDFs (`/JPXDecode` streams; scanners and Acrobat write them). A JP2/JPX
//! file is a list of boxes: besides the picture (`jp2c`, the codestream) and what decoding needs
//! (`jP  `, `ftyp`, `rreq`, `jp2h`, `jpch`, `jplh`, `ftbl`, `comp`), it may carry XML (`xml `, often
//! XMP with author, software, times), `uuid` boxes (EXIF, XMP, GeoJP2 positions), `uinf`, IPR
//! (`jp2i`), labels and associations. Those become `free` boxes of zeros of the same length, as WebP's
//! removed chunks become `JUNK` (`webp`): a fragment table (`ftbl`) points at byte offsets in the
//! file, so nothing may move. Comments (`COM` segments) in the codestream's headers are zeroed the
//! same way. A picture whose boxes or codestream headers do not parse is refused (`Unscrubbable`).
//! A bare codestream (PDF allows one without boxes) has its comments zeroed.
//!
//! A `.jp2` file sent on its own is not accepted (`attachment::sniff`): the form lists what is.

use super::Unscrubbable;

/// Boxes kept as they are: what a reader needs to show the picture.
const KEPT: [&[u8; 4]; 8] = [
    b"jP  ", b"ftyp", b"rreq", b"jp2h", b"jpch", b"jplh", b"ftbl", b"comp",
];

const CODESTREAM: &[u8; 4] = b"jp2c";

/// The picture with its metadata boxes and comments zeroed; the same length as `file`.
pub(super) fn scrub(file: &[u8]) -> Result<Vec<u8>, Unscrubbable> {
    let mut out = file.to_vec();
    if out.starts_with(&[0xFF, 0x4F]) {
        codestream(&mut out)?;
        return Ok(out);
    }
    if !out.starts_with(b"\0\0\0\x0CjP  ") {
        return Err(Unscrubbable);
    }
    let mut at = 0;
    while at < out.len() {
        let (header, len) = box_len(&out[at..])?;
        let kind: [u8; 4] = out[at + 4..at + 8].try_into().map_err(|_| Unscrubbable)?;
        let body = at + header..at + len;
        if &kind == CODESTREAM {
            codestream(&mut out[body])?;
        } else if !KEPT.contains(&&kind) {
            out[at + 4..at + 8].copy_from_slice(b"free");
            out[body].fill(0);
        }
        at += len;
    }
    Ok(out)
}

/// The header length and the whole length of the box at the start of `b`.
fn box_len(b: &[u8]) -> Result<(usize, usize), Unscrubbable> {
    let short = u32::from_be_bytes(b.get(..4).ok_or(Unscrubbable)?.try_into().unwrap_or([0; 4]));
    let (header, len) = match short {
        // To the end of the file.
        0 => (8, b.len()),
        1 => {
            let long = b.get(8..16).ok_or(Unscrubbable)?;
            let long = u64::from_be_bytes(long.try_into().unwrap_or([0; 8]));
            (16, usize::try_from(long).map_err(|_| Unscrubbable)?)
        }
        n => (8, n as usize),
    };
    if len < header || len > b.len() {
        return Err(Unscrubbable);
    }
    Ok((header, len))
}

fn u16_at(b: &[u8], at: usize) -> Result<usize, Unscrubbable> {
    let v = b.get(at..at + 2).ok_or(Unscrubbable)?;
    Ok(usize::from(u16::from_be_bytes([v[0], v[1]])))
}

/// Zeroes the text of every comment (`COM`) in the main header and in each tile-part header.
fn codestream(cs: &mut [u8]) -> Result<(), Unscrubbable> {
    if !cs.starts_with(&[0xFF, 0x4F]) {
        return Err(Unscrubbable);
    }
    // Main header: marker segments up to the first tile-part (SOT).
    let mut at = header_segments(cs, 2, 0x90)?;
    // Tile-parts: SOT, its header up to SOD, then `Psot` bytes from the SOT in all (0: to the end).
    while at < cs.len() {
        match cs.get(at..at + 2) {
            Some([0xFF, 0x90]) => {
                let psot = cs.get(at + 6..at + 10).ok_or(Unscrubbable)?;
                let psot = u32::from_be_bytes([psot[0], psot[1], psot[2], psot[3]]) as usize;
                let start = at;
                header_segments(cs, at, 0x93)?;
                if psot == 0 {
                    return Ok(());
                }
                at = start.checked_add(psot).ok_or(Unscrubbable)?;
            }
            Some([0xFF, 0xD9]) => return Ok(()),
            _ => return Err(Unscrubbable),
        }
    }
    // A codestream cut off after a whole tile-part (no end marker): its headers were all seen.
    Ok(())
}

/// Walks the marker segments from `at` up to the marker `until` (not included), zeroing comments;
/// returns where `until` starts.
fn header_segments(cs: &mut [u8], mut at: usize, until: u8) -> Result<usize, Unscrubbable> {
    let first = at;
    loop {
        match cs.get(at..at + 2) {
            Some([0xFF, m]) if *m == until && at != first => return Ok(at),
            Some([0xFF, m]) => {
                let m = *m;
                let len = u16_at(cs, at + 2)?;
                let end = at + 2 + len;
                if len < 2 || end > cs.len() {
                    return Err(Unscrubbable);
                }
                // COM: Lcom, Rcom (2 bytes), then the comment.
                if m == 0x64 && len >= 4 {
                    cs[at + 6..end].fill(0);
                }
                at = end;
            }
            _ => return Err(Unscrubbable),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jp2_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(body);
        s
    }

    /// A codestream with a comment in its main header and one in its tile-part header.
    fn codestream_with(comment: &[u8], pixels: &[u8]) -> Vec<u8> {
        let mut cs = vec![0xFF, 0x4F];
        cs.extend(segment(0x51, &[0; 38]));
        cs.extend(segment(0x64, &[&[0, 1][..], comment].concat()));
        let mut tile = segment(0x64, &[&[0, 1][..], comment].concat());
        tile.extend_from_slice(&[0xFF, 0x93]);
        tile.extend_from_slice(pixels);
        let psot = (12 + tile.len()) as u32;
        let mut sot = vec![0, 0];
        sot.extend_from_slice(&psot.to_be_bytes());
        sot.extend_from_slice(&[0, 1]);
        cs.extend(segment(0x90, &sot));
        cs.extend(tile);
        cs.extend_from_slice(&[0xFF, 0xD9]);
        cs
    }

    fn has(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn xml_uuid_and_comments_go_the_picture_and_offsets_stay() {
        let mut file = jp2_box(b"jP  ", b"\r\n\x87\n");
        file.extend(jp2_box(b"ftyp", b"jp2 \0\0\0\0jp2 "));
        file.extend(jp2_box(b"jp2h", &jp2_box(b"ihdr", &[0; 14])));
        file.extend(jp2_box(
            b"xml ",
            b"<x:xmpmeta>Author CANARY-XML</x:xmpmeta>",
        ));
        file.extend(jp2_box(b"uuid", b"0123456789abcdefExif CANARY-GPS"));
        file.extend(jp2_box(
            b"jp2c",
            &codestream_with(b"Kakadu CANARY-COM", b"PIXELS-KEPT"),
        ));
        let out = scrub(&file).expect("scrubbed");
        assert_eq!(out.len(), file.len(), "nothing moves");
        for canary in [&b"CANARY"[..], b"xml ", b"uuid"] {
            assert!(!has(&out, canary), "{}", String::from_utf8_lossy(canary));
        }
        assert!(has(&out, b"PIXELS-KEPT") && has(&out, b"jp2h") && has(&out, b"ihdr"));
        assert_eq!(
            scrub(&out).expect("again"),
            out,
            "a scrubbed picture scrubs to itself"
        );
    }

    #[test]
    fn a_bare_codestream_loses_its_comments_and_broken_ones_are_refused() {
        let cs = codestream_with(b"CANARY-COM", b"PIXELS-KEPT");
        let out = scrub(&cs).expect("scrubbed");
        assert!(!has(&out, b"CANARY") && has(&out, b"PIXELS-KEPT"));
        assert_eq!(out.len(), cs.len());
        assert_eq!(scrub(&cs[..20]), Err(Unscrubbable), "cut inside a segment");
        let mut boxes = jp2_box(b"jP  ", b"\r\n\x87\n");
        boxes.extend_from_slice(&[0, 0, 0, 200, b'x', b'm', b'l', b' ']);
        assert_eq!(
            scrub(&boxes),
            Err(Unscrubbable),
            "a box longer than the file"
        );
        assert_eq!(scrub(b"not a picture"), Err(Unscrubbable));
    }
}
