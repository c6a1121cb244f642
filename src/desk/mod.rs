//! The investigator's side: key generation, export and offline decryption (the desk app comes later),
//! and the entry point of `wbs serve`.
//!
//! Every function here returns `Err(sentence)` for usage and I/O errors (the binary prints it and exits
//! with 2) and `Ok(ExitCode)` otherwise: 0 when everything verified, 1 when something was rejected.

mod attachments;
pub mod decrypt;
pub mod export;
pub mod keygen;
mod render;
mod single;

use std::process::ExitCode;

use crate::cli::{Command, ServeArgs};
use crate::config::Config;
use crate::server;

/// `wbs serve`: loads the configuration, checks keys and mode (failing closed), then serves until a
/// signal arrives. Every refusal is the one sentence of `StartError`.
pub fn run_serve(args: &ServeArgs) -> Result<ExitCode, String> {
    let config = Config::load(args).map_err(|e| e.to_string())?;
    let prepared = server::prepare(config).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime
        .block_on(server::serve(prepared))
        .map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

/// The scripting subcommands.
pub fn run_tool(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Serve(args) => run_serve(&args),
        Command::Keygen { out } => keygen::run(&out),
        Command::Export { data, out } => export::run(&data, &out),
        Command::Decrypt {
            identity,
            keys,
            reveal_identity,
            attachments,
            paths,
        } => decrypt::run(&decrypt::Options {
            identity,
            keys,
            reveal_identity,
            attachments,
            paths,
        }),
    }
}
