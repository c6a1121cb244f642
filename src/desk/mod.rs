//! The investigator's side: key generation, export and offline decryption, the case mailbox against the
//! server's desk API (`cases`, `show`, `reply`, `status`, `note`), and the entry point of `wbs serve`.
//!
//! Every function here returns `Err(sentence)` for usage and I/O errors (the binary prints it and exits
//! with 2) and `Ok(ExitCode)` otherwise: 0 when everything verified, 1 when something was rejected.

mod attachments;
mod client;
pub mod decrypt;
pub mod export;
pub mod keygen;
pub mod mailbox;
mod render;
mod show;
mod single;

use std::process::ExitCode;

use crate::cli::{Command, DeskArgs, ServeArgs};
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
        Command::Cases { desk } => mailbox::cases(&desk_options(desk)),
        Command::Show {
            desk,
            reveal_identity,
            attachments,
            case,
        } => show::run(&desk_options(desk), &case, reveal_identity, attachments),
        Command::Reply {
            desk,
            case,
            message,
        } => mailbox::reply(&desk_options(desk), &case, &message),
        Command::Status {
            desk,
            case,
            status,
            note,
        } => mailbox::status(&desk_options(desk), &case, &status, note.as_deref()),
        Command::Note { desk, case, text } => mailbox::note(&desk_options(desk), &case, &text),
    }
}

fn desk_options(args: DeskArgs) -> mailbox::DeskOptions {
    mailbox::DeskOptions {
        server: args.server,
        identity: args.identity,
        keys: args.keys,
    }
}
