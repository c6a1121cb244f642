//! Compaction (docs/design.md §7, issue 11): sled keeps the bytes of deleted values in its segment
//! files until its own cleaner rewrites them, and has no call to force that. So after the retention
//! rule deleted a case (or a start-up migration removed an earlier version's records), every live record
//! is copied into a fresh store that is swapped in: the old segment files, with whatever deleted bytes
//! they still held, leave the data directory. The running server does it with the store closed under
//! `LiveStore`'s write lock (`store/live.rs`); a mark left by a stop or a failure, at the next start.
//!
//! Crash safety: the copy is written to `store.compacting` and flushed; then `store` becomes
//! `store.old` and the copy becomes `store`. [`recover`] finishes or undoes an interrupted run at the
//! next start, so every acknowledged record is in `store` or in a complete copy that takes its place.

use std::fs;
use std::path::{Path, PathBuf};

use super::{engine, SledStore, TREE_META};
use crate::store::StoreError;

/// The meta key that asks for a compaction (written after a purge or a migration; not copied).
pub(super) const PENDING: &str = "compact-pending";

fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    dir.with_file_name(name)
}

fn open(dir: &Path, cache_bytes: u64) -> Result<sled::Db, StoreError> {
    sled::Config::new()
        .path(dir)
        .cache_capacity(cache_bytes)
        .mode(sled::Mode::LowSpace)
        .open()
        .map_err(engine)
}

fn sync_dir(dir: &Path) {
    if let Some(parent) = dir.parent() {
        if let Ok(d) = fs::File::open(parent) {
            let _ = d.sync_all();
        }
    }
}

/// Finishes or undoes a compaction a crash interrupted (before the store is opened).
pub(crate) fn recover(dir: &Path) -> std::io::Result<()> {
    let fresh = sibling(dir, ".compacting");
    let old = sibling(dir, ".old");
    if old.exists() {
        if !dir.exists() && fresh.exists() {
            // Interrupted between the two renames: the copy is complete (flushed before them).
            fs::rename(&fresh, dir)?;
            sync_dir(dir);
        }
        fs::remove_dir_all(&old)?;
    }
    if fresh.exists() {
        // Interrupted while copying: the store is intact and still asks for a compaction.
        fs::remove_dir_all(&fresh)?;
    }
    Ok(())
}

impl SledStore {
    /// Whether a purge asked for a compaction.
    pub(crate) fn compaction_pending(&self) -> Result<bool, StoreError> {
        Ok(self.meta.get(PENDING).map_err(engine)?.is_some())
    }
}

/// Copies every live record of the (closed) store at `dir` into a fresh one and swaps it in; returns
/// how many records were copied. The caller opens the store again afterwards.
pub(crate) fn compact(dir: &Path, cache_bytes: u64) -> Result<u64, StoreError> {
    let fresh = sibling(dir, ".compacting");
    let old = sibling(dir, ".old");
    let io = |e: std::io::Error| StoreError::Engine(e.to_string());
    recover(dir).map_err(io)?;
    let mut copied = 0u64;
    {
        let from = open(dir, cache_bytes)?;
        let to = open(&fresh, cache_bytes)?;
        for name in from.tree_names() {
            let src = from.open_tree(&name).map_err(engine)?;
            let dst = to.open_tree(&name).map_err(engine)?;
            for entry in src.iter() {
                let (k, v) = entry.map_err(engine)?;
                if name.as_ref() == TREE_META.as_bytes() && k.as_ref() == PENDING.as_bytes() {
                    continue;
                }
                dst.insert(k, v).map_err(engine)?;
                copied += 1;
            }
        }
        to.flush().map_err(engine)?;
    }
    fs::rename(dir, &old).map_err(io)?;
    fs::rename(&fresh, dir).map_err(io)?;
    sync_dir(dir);
    // A failure here leaves `store.old` for the next start's `recover` to remove.
    let _ = fs::remove_dir_all(&old);
    Ok(copied)
}
