//! Attachment ciphertext as files under `DATA/blobs/`: written under a temporary name, fsynced,
//! renamed into place, directory fsynced. File times are set to midnight so they do not narrow when a
//! report was made. Files never hold plaintext: callers write age ciphertext into them.

use std::collections::HashSet;
use std::fs::{self, File, FileTimes, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use rand::{CryptoRng, RngCore};

use crate::protocol::day::Day;

const TMP_PREFIX: &str = ".tmp-";
const SUFFIX: &str = ".age";

#[derive(Clone)]
pub struct BlobStore {
    dir: PathBuf,
}

impl BlobStore {
    pub fn open(dir: &Path) -> io::Result<Self> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        Ok(BlobStore {
            dir: dir.to_path_buf(),
        })
    }

    pub(crate) fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}{SUFFIX}"))
    }

    pub(crate) fn read(&self, id: &str) -> io::Result<Vec<u8>> {
        fs::read(self.path(id))
    }

    /// Starts a new blob under a temporary name. Dropping it without `commit` deletes it.
    pub(crate) fn begin(&self, rng: &mut (impl RngCore + CryptoRng)) -> io::Result<PendingBlob> {
        let mut raw = [0u8; 16];
        rng.fill_bytes(&mut raw);
        let id = data_encoding::BASE32_NOPAD.encode(&raw).to_lowercase();
        let tmp = self.dir.join(format!("{TMP_PREFIX}{id}"));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        Ok(PendingBlob {
            id,
            tmp,
            dir: self.dir.clone(),
            file: Some(file),
            committed: false,
        })
    }

    /// Bytes free for an unprivileged writer on the filesystem holding the data directory (the blobs
    /// and the store share it). `None` if the system will not say.
    pub(crate) fn free_bytes(&self) -> Option<u64> {
        let st = rustix::fs::statvfs(&self.dir).ok()?;
        Some(st.f_bavail.saturating_mul(st.f_frsize))
    }

    /// Copies every committed blob into `dir` (new, mode 0700), each synced; checks that every file
    /// in `referenced` was among them. Returns how many were copied.
    pub(crate) fn copy_into(&self, dir: &Path, referenced: &HashSet<String>) -> io::Result<usize> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let mut copied = HashSet::new();
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(id) = name.strip_suffix(SUFFIX) else {
                continue;
            };
            if name.starts_with(TMP_PREFIX) {
                continue;
            }
            let to = dir.join(&name);
            fs::copy(entry.path(), &to)?;
            fs::File::open(&to)?.sync_all()?;
            copied.insert(id.to_owned());
        }
        if let Some(missing) = referenced.iter().find(|id| !copied.contains(*id)) {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("attachment file {missing} is missing"),
            ));
        }
        sync_dir(dir)?;
        Ok(copied.len())
    }

    /// Removes interrupted uploads and blobs no case refers to. Returns how many files went.
    pub(crate) fn sweep(&self, referenced: &HashSet<String>) -> io::Result<usize> {
        let mut removed = 0;
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let orphan = name.starts_with(TMP_PREFIX)
                || name
                    .strip_suffix(SUFFIX)
                    .is_some_and(|id| !referenced.contains(id));
            if orphan {
                fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        if removed > 0 {
            sync_dir(&self.dir)?;
        }
        Ok(removed)
    }

    /// Deletes a committed blob (used when the case that would refer to it could not be stored).
    pub(crate) fn remove(&self, id: &str) -> io::Result<()> {
        fs::remove_file(self.path(id))
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

pub struct PendingBlob {
    id: String,
    tmp: PathBuf,
    dir: PathBuf,
    file: Option<File>,
    committed: bool,
}

impl PendingBlob {
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// Makes the blob durable under its final name.
    pub(crate) fn commit(mut self, day: &Day) -> io::Result<String> {
        if let Some(file) = self.file.take() {
            // Times first, so the fsync makes them durable together with the content.
            let t = day.midnight();
            file.set_times(FileTimes::new().set_accessed(t).set_modified(t))?;
            file.sync_all()?;
        }
        fs::rename(&self.tmp, self.dir.join(format!("{}{SUFFIX}", self.id)))?;
        sync_dir(&self.dir)?;
        self.committed = true;
        Ok(self.id.clone())
    }
}

impl Write for PendingBlob {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.file.as_mut() {
            Some(f) => f.write(buf),
            None => Err(io::Error::other("blob already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.file.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for PendingBlob {
    fn drop(&mut self) {
        if !self.committed {
            self.file = None;
            let _ = fs::remove_file(&self.tmp);
        }
    }
}
