//! The daily sender keys (docs/whatsapp.md §4), kept out of sled: sled deletes by appending, so a key
//! deleted there may survive in its log, and a surviving key lets a copy of the disk test phone numbers
//! against dialogue records left in that log. Here they live in one fixed-size file of two slots (today,
//! yesterday) that is **overwritten in place** and synced: the day a key is rotated out, its bytes are
//! overwritten in the same file blocks. (A copy-on-write or log-structured file system, a snapshot or a
//! backup can still keep old blocks: SECURITY.md.)

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::protocol::day::Day;

/// The file's name inside the data directory.
pub(crate) const FILE: &str = "whatsapp-sender-keys";
const DAY_LEN: usize = 10;
const SLOT: usize = DAY_LEN + 32;
const LEN: usize = 2 * SLOT;

/// One slot: the day and its key.
pub(crate) type Slot = (Day, Zeroizing<[u8; 32]>);

pub(crate) struct KeyFile {
    path: PathBuf,
}

impl KeyFile {
    pub(crate) fn new(data_dir: &Path) -> Self {
        KeyFile {
            path: data_dir.join(FILE),
        }
    }

    fn open(&self) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            // Never truncated: the new keys are written over the old bytes.
            .truncate(false)
            .mode(0o600)
            .open(&self.path)
    }

    /// The keys in the file (a missing or short file holds none).
    pub(crate) fn load(&self) -> io::Result<Vec<Slot>> {
        let file = self.open()?;
        let mut buf = Zeroizing::new([0u8; LEN]);
        let mut read = 0;
        while read < LEN {
            let n = file.read_at(&mut buf[read..], read as u64)?;
            if n == 0 {
                break;
            }
            read += n;
        }
        let mut slots = Vec::new();
        for chunk in buf[..read - read % SLOT].chunks_exact(SLOT) {
            let Some(day) = std::str::from_utf8(&chunk[..DAY_LEN])
                .ok()
                .and_then(Day::parse)
            else {
                continue;
            };
            let mut key = Zeroizing::new([0u8; 32]);
            key.copy_from_slice(&chunk[DAY_LEN..]);
            slots.push((day, key));
        }
        Ok(slots)
    }

    /// Writes exactly these slots over the whole file, in place (never truncated or replaced, so
    /// the old bytes are overwritten), and syncs it.
    pub(crate) fn store(&self, slots: &[Slot]) -> io::Result<()> {
        let mut buf = Zeroizing::new([0u8; LEN]);
        for (i, (day, key)) in slots.iter().take(2).enumerate() {
            let at = i * SLOT;
            buf[at..at + DAY_LEN].copy_from_slice(day.as_str().as_bytes());
            buf[at + DAY_LEN..at + SLOT].copy_from_slice(key.as_ref());
        }
        let file = self.open()?;
        file.write_all_at(buf.as_ref(), 0)?;
        file.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_overwritten_in_place() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = KeyFile::new(dir.path());
        assert!(f.load().expect("empty").is_empty());
        let day = |s| Day::parse(s).expect("day");
        let old = Zeroizing::new([7u8; 32]);
        f.store(&[(day("2026-11-01"), old.clone())]).expect("store");
        assert_eq!(*f.load().expect("load")[0].1, *old);
        let new = Zeroizing::new([9u8; 32]);
        f.store(&[(day("2026-11-03"), new.clone())])
            .expect("rotate");
        let bytes = std::fs::read(dir.path().join(FILE)).expect("read");
        assert_eq!(bytes.len(), LEN, "same size: written in place");
        assert!(
            !bytes.windows(32).any(|w| w == &old[..]),
            "the old key is gone"
        );
        let slots = f.load().expect("load");
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].0.as_str(), "2026-11-03");
    }
}
