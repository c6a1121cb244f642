//! The investigator's side: key generation, export and offline decryption, the case mailbox against the
//! server's desk API (`cases`, `show`, `reply`, `status`, `note`, `recategorise`), and the tools' own
//! configuration (`config`). `cli` dispatches to these.
//!
//! Every function here returns `Err(sentence)` for usage and I/O errors (the binary prints it and exits
//! with 2) and `Ok(ExitCode)` otherwise: 0 when everything verified, 1 when something was rejected.

pub(crate) mod app;
mod attachments;
pub(crate) mod bundle;
mod client;
pub(crate) mod config;
pub(crate) mod decrypt;
pub(crate) mod export;
pub(crate) mod image;
pub(crate) mod keygen;
pub(crate) mod mailbox;
pub(crate) mod news;
mod passphrase;
mod render;
pub(crate) mod reshare;
pub(crate) mod retire;
mod show;
mod single;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use config::DeskConfig;

pub(crate) use show::run as show;

/// What every desk subcommand needs, from its flags over the desk configuration.
#[derive(Debug, Clone)]
pub(crate) struct DeskOptions {
    pub server: String,
    pub identity: PathBuf,
    pub keys: PathBuf,
    /// Where `known_servers` and `seen` live (the configuration's directory).
    pub state_dir: PathBuf,
    /// Offline (`wbs desk --bundle`): an export and its outbox in place of the server.
    pub bundle: Option<bundle::Bundle>,
}

/// A relative path in the configuration file is relative to the file's directory.
fn from_file(dir: &Path, p: PathBuf) -> PathBuf {
    if p.is_absolute() {
        p
    } else {
        dir.join(p)
    }
}

/// The configuration file (or an empty one) and its directory.
fn load_config() -> Result<(DeskConfig, Option<PathBuf>), String> {
    let Some(path) = config::config_path() else {
        return Ok((DeskConfig::default(), None));
    };
    let mut c = DeskConfig::load(&path)?;
    let dir = config::state_dir(&path);
    c.identity = c.identity.map(|p| from_file(&dir, p));
    c.keys = c.keys.map(|p| from_file(&dir, p));
    Ok((c, Some(dir)))
}

impl DeskOptions {
    /// Flags first, then the configuration file. Sets the language of this run.
    pub(crate) fn resolve(
        flags: DeskConfig,
        bundle: Option<bundle::Bundle>,
    ) -> Result<DeskOptions, String> {
        let (file, dir) = load_config()?;
        render::set_lang(flags.lang.or(file.lang).unwrap_or_default());
        let server = match flags.server.or(file.server) {
            Some(server) => server,
            // Offline, no server is asked.
            None if bundle.is_some() => String::new(),
            None => return Err(
                "no server given: pass --server http://127.0.0.1:8081 (the desk API, usually through an SSH tunnel), or save it once with `wbs config --server URL`".to_owned(),
            ),
        };
        let identity = flags.identity.or(file.identity).ok_or(
            "no identity given: pass --identity FILE (the file `wbs keygen` wrote), or save it once with `wbs config --identity FILE`",
        )?;
        let keys = flags.keys.or(file.keys).unwrap_or_else(|| "keys".into());
        let state_dir = dir.ok_or(
            "there is no place for the list of known servers: set HOME, XDG_CONFIG_HOME or WBS_DESK_CONFIG",
        )?;
        Ok(DeskOptions {
            server,
            identity,
            keys,
            state_dir,
            bundle,
        })
    }

    /// The identity and keys of `wbs decrypt` (which needs no server). Sets the language of this run.
    pub(crate) fn offline(
        identity: Option<PathBuf>,
        keys: Option<PathBuf>,
        lang: Option<crate::protocol::Lang>,
    ) -> Result<(PathBuf, PathBuf), String> {
        let (file, _) = load_config()?;
        render::set_lang(lang.or(file.lang).unwrap_or_default());
        let identity = identity.or(file.identity).ok_or(
            "no identity given: pass --identity FILE (the file `wbs keygen` wrote), or save it once with `wbs config --identity FILE`",
        )?;
        Ok((
            identity,
            keys.or(file.keys).unwrap_or_else(|| "keys".into()),
        ))
    }
}

/// `wbs config [--server URL] [--identity FILE] [--keys DIR] [--lang id|en]`: merges the given values
/// into the configuration file (paths made absolute) and prints it.
pub(crate) fn configure(flags: DeskConfig) -> Result<ExitCode, String> {
    let path = config::config_path().ok_or(
        "there is no place for the desk configuration: set HOME, XDG_CONFIG_HOME or WBS_DESK_CONFIG",
    )?;
    let mut c = DeskConfig::load(&path)?;
    let changed = flags != DeskConfig::default();
    if let Some(server) = flags.server {
        client::origin_of(&server)?;
        c.server = Some(server.trim().to_owned());
    }
    let absolute = |p: PathBuf| -> Result<PathBuf, String> {
        std::path::absolute(&p).map_err(|e| format!("{}: {e}", p.display()))
    };
    if let Some(identity) = flags.identity {
        decrypt::load_identity(&identity)?;
        c.identity = Some(absolute(identity)?);
    }
    if let Some(keys) = flags.keys {
        c.keys = Some(absolute(keys)?);
    }
    c.lang = flags.lang.or(c.lang);
    if changed {
        c.save(&path)?;
    }
    let mut out = render::Out::default();
    out.line(format!("# {}", path.display()));
    out.line(toml::to_string(&c).unwrap_or_default().trim_end());
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
