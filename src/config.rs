//! One configuration struct, from defaults, then the TOML file, then command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::ServeArgs;
use crate::intake::deadline::DeadlinePolicy;

/// The TOML file. Every option is also a flag.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data: Option<PathBuf>,
    pub keys: Option<PathBuf>,
    pub production: Option<bool>,
    pub max_upload_mb: Option<u64>,
    pub max_attachments: Option<usize>,
    pub sled_cache_mb: Option<u64>,
    pub kdf_concurrency: Option<usize>,
    pub desk_listen: Option<SocketAddr>,
    pub deadlines: Option<DeadlinePolicy>,
    pub session_idle_minutes: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data: PathBuf,
    pub keys: PathBuf,
    pub production: bool,
    /// Total size of a submission's attachments.
    pub max_upload_bytes: u64,
    pub max_attachments: usize,
    pub sled_cache_bytes: u64,
    /// Argon2 derivations at once (each takes 19 MiB and ~10 ms of one core).
    pub kdf_concurrency: usize,
    /// The investigators' sync API: its own listener, loopback by default, never the public one.
    pub desk_listen: SocketAddr,
    pub deadlines: DeadlinePolicy,
    /// A reporter's session ends after this many minutes without use (and after 2 hours in any case).
    pub session_idle_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data: PathBuf::from("data"),
            keys: PathBuf::from("keys"),
            production: false,
            max_upload_bytes: 20 * 1024 * 1024,
            max_attachments: 10,
            sled_cache_bytes: 64 * 1024 * 1024,
            kdf_concurrency: 2,
            desk_listen: SocketAddr::from(([127, 0, 0, 1], 8081)),
            deadlines: DeadlinePolicy::default(),
            session_idle_secs: 15 * 60,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("the config file {0} is not valid: {1}")]
    Parse(PathBuf, String),
}

impl Config {
    pub fn load(args: &ServeArgs) -> Result<Self, ConfigError> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let mut c = Config::default();
        let mb = 1024 * 1024;
        if let Some(v) = file.listen {
            c.listen = v;
        }
        if let Some(v) = file.data {
            c.data = v;
        }
        if let Some(v) = file.keys {
            c.keys = v;
        }
        if let Some(v) = file.production {
            c.production = v;
        }
        if let Some(v) = file.max_upload_mb {
            c.max_upload_bytes = v.saturating_mul(mb);
        }
        if let Some(v) = file.max_attachments {
            c.max_attachments = v;
        }
        if let Some(v) = file.sled_cache_mb {
            c.sled_cache_bytes = v.saturating_mul(mb);
        }
        if let Some(v) = file.kdf_concurrency {
            c.kdf_concurrency = v.max(1);
        }
        if let Some(v) = file.desk_listen {
            c.desk_listen = v;
        }
        if let Some(v) = file.session_idle_minutes {
            c.session_idle_secs = v.saturating_mul(60);
        }
        if let Some(v) = file.deadlines {
            c.deadlines = v;
        }
        if let Some(v) = args.listen {
            c.listen = v;
        }
        if let Some(v) = args.desk_listen {
            c.desk_listen = v;
        }
        if let Some(v) = &args.data {
            c.data = v.clone();
        }
        if let Some(v) = &args.keys {
            c.keys = v.clone();
        }
        if args.production {
            c.production = true;
        }
        Ok(c)
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read(path.into(), e))?;
    // toml's messages quote the offending line of the config file, never report data: safe to show.
    toml::from_str(&text).map_err(|e| ConfigError::Parse(path.into(), e.message().to_owned()))
}
