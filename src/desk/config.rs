//! The investigator tools' own small files (docs/investigator.md, "Configuration"):
//!
//! - `desk.toml`: the server URL, identity path, keys directory and language, so that no command needs
//!   three flags. Found at `$WBS_DESK_CONFIG`, else `$XDG_CONFIG_HOME/wbs/desk.toml`, else
//!   `~/.config/wbs/desk.toml`. Unknown fields are refused. Written by `wbs config` with mode 0600.
//! - `known_servers`, next to it: `<server URL> <installation id>` lines, the installation id each desk
//!   API presented at the first login (pinned like an SSH host key).
//! - `seen`, next to it: `<server URL> <case id> <item count>` lines, how many items of each case this
//!   investigator had when they last ran `wbs show`, for the unread mark of `wbs cases`.
//!
//! None of them holds plaintext of a case: only paths, addresses, public ids and counts.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::protocol::wire::InstallationId;
use crate::protocol::{CaseId, Lang};

/// `desk.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeskConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
}

/// Where `desk.toml` is. `None` when neither `$WBS_DESK_CONFIG`, `$XDG_CONFIG_HOME` nor `$HOME` is set.
pub(crate) fn config_path() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(p) = var("WBS_DESK_CONFIG") {
        return Some(PathBuf::from(p));
    }
    let base = var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("wbs").join("desk.toml"))
}

impl DeskConfig {
    /// Reads `path`; a missing file is an empty configuration.
    pub(crate) fn load(path: &Path) -> Result<DeskConfig, String> {
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DeskConfig::default()),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        toml::from_str(&text).map_err(|e| {
            let why = e.message().lines().next().unwrap_or("").to_owned();
            format!(
                "{} is not a valid desk configuration ({why}): it may hold server, identity, keys and lang",
                path.display()
            )
        })
    }

    /// Writes `path` (mode 0600, its directory 0700 when created).
    pub(crate) fn save(&self, path: &Path) -> Result<(), String> {
        let text =
            toml::to_string(self).map_err(|_| "cannot write the configuration".to_owned())?;
        write_private(path, text.as_bytes())
    }
}

/// Writes a small private file atomically: a temporary file with mode 0600, then a rename.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let err = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            fs::create_dir_all(dir).map_err(err)?;
            let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
        }
    }
    let tmp = path.with_extension("tmp");
    let _ = fs::remove_file(&tmp);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(err)?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(err)?;
    fs::rename(&tmp, path).map_err(err)
}

/// The directory of `desk.toml`, which holds `known_servers` and `seen`.
pub(crate) fn state_dir(config: &Path) -> PathBuf {
    config
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// What the pin file says of a server.
pub(crate) enum Pin {
    /// The id matches the pinned one.
    Known,
    /// First login to this address: now pinned.
    New,
}

fn read_lines(path: &Path) -> Result<Vec<String>, String> {
    match fs::read_to_string(path) {
        Ok(t) => Ok(t.lines().map(str::to_owned).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Checks `installation` against the id pinned for `origin` in `dir/known_servers`, pinning it at the
/// first login. A different id is refused with one sentence: another server answers at this address.
pub(crate) fn check_pin(
    dir: &Path,
    origin: &str,
    installation: &InstallationId,
) -> Result<Pin, String> {
    let path = dir.join("known_servers");
    let mut lines = read_lines(&path)?;
    for line in &lines {
        let mut parts = line.split_whitespace();
        if parts.next() != Some(origin) {
            continue;
        }
        let pinned = parts.next().unwrap_or("");
        if pinned == installation.as_str() {
            return Ok(Pin::Known);
        }
        return Err(format!(
            "the server at {origin} presents installation id {installation}, but {} pins {pinned} for this address: another server is answering there (a relay or an impostor), so nothing was signed — if your administrator really replaced the server, confirm the new id with them and remove its line from that file",
            path.display()
        ));
    }
    lines.push(format!("{origin} {installation}"));
    let mut text = lines.join("\n");
    text.push('\n');
    write_private(&path, text.as_bytes())?;
    Ok(Pin::New)
}

/// How many items of `case` this investigator had seen at `origin` (0 when never shown).
pub(crate) fn seen(dir: &Path, origin: &str, case: &CaseId) -> u32 {
    read_lines(&dir.join("seen"))
        .unwrap_or_default()
        .iter()
        .find_map(|line| {
            let mut p = line.split_whitespace();
            (p.next() == Some(origin) && p.next() == Some(case.as_str()))
                .then(|| p.next()?.parse().ok())
                .flatten()
        })
        .unwrap_or(0)
}

/// Records that `count` items of `case` were shown. Best effort: the mark is a convenience.
pub(crate) fn mark_seen(dir: &Path, origin: &str, case: &CaseId, count: u32) {
    let path = dir.join("seen");
    let mut lines: Vec<String> = read_lines(&path)
        .unwrap_or_default()
        .into_iter()
        .filter(|line| {
            let mut p = line.split_whitespace();
            !(p.next() == Some(origin) && p.next() == Some(case.as_str()))
        })
        .collect();
    lines.push(format!("{origin} {case} {count}"));
    let mut text = lines.join("\n");
    text.push('\n');
    if let Err(e) = write_private(&path, text.as_bytes()) {
        eprintln!("wbs: warning: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_id_is_kept_and_another_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = InstallationId::parse(&"a".repeat(32)).expect("id");
        let b = InstallationId::parse(&"b".repeat(32)).expect("id");
        let origin = "http://127.0.0.1:8081";
        assert!(matches!(check_pin(dir.path(), origin, &a), Ok(Pin::New)));
        assert!(matches!(check_pin(dir.path(), origin, &a), Ok(Pin::Known)));
        let refused = check_pin(dir.path(), origin, &b).err().expect("refused");
        assert!(refused.contains("another server"), "{refused}");
        assert!(matches!(
            check_pin(dir.path(), "http://127.0.0.1:9000", &b),
            Ok(Pin::New)
        ));
        let mode = fs::metadata(dir.path().join("known_servers"))
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("desk.toml");
        fs::write(&p, "server = \"http://127.0.0.1:8081\"\nlang = \"en\"\n").expect("write");
        let c = DeskConfig::load(&p).expect("loads");
        assert_eq!(c.lang, Some(Lang::En));
        fs::write(&p, "servr = \"x\"\n").expect("write");
        assert!(DeskConfig::load(&p).is_err());
        let mut seen_dir = dir.path().to_path_buf();
        seen_dir.push("s");
        let case = CaseId::parse("WBS-0000-0000-0001").expect("id");
        assert_eq!(seen(&seen_dir, "o", &case), 0);
        mark_seen(&seen_dir, "o", &case, 4);
        mark_seen(&seen_dir, "o", &case, 5);
        assert_eq!(seen(&seen_dir, "o", &case), 5);
    }
}
