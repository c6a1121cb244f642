//! Command-line types only.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "wbs",
    version,
    about = "WBS — encrypted whistleblowing drop box",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Flags of `serve`, the default subcommand.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the public server (the default).
    Serve(ServeArgs),
    /// Make an investigator identity (standard age format) and print its public lines for keys/.
    Keygen {
        /// Where to write the identity (created with mode 0600; never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// Copy every case out of a stopped server's data directory as standard age files.
    Export {
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Decrypt and verify exported cases on the investigator's machine.
    Decrypt {
        /// The investigator's age identity file.
        #[arg(long)]
        identity: PathBuf,
        /// Investigators' public key files, to check who signed replies.
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
        /// Show the reporter's name and contact.
        #[arg(long)]
        reveal_identity: bool,
        /// Write decrypted attachments into this directory.
        #[arg(long)]
        attachments: Option<PathBuf>,
        /// Export directories, case directories or single .age files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

#[derive(Debug, Default, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Address of the investigators' sync API (default 127.0.0.1:8081). Keep it off the internet.
    #[arg(long)]
    pub desk_listen: Option<SocketAddr>,
    /// Data directory (default ./data).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Directory of investigators' public key files (default ./keys).
    #[arg(long)]
    pub keys: Option<PathBuf>,
    /// TOML configuration file.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Refuse demo mode; require at least two investigators.
    #[arg(long)]
    pub production: bool,
}
