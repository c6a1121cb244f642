//! The investigator's side: key generation, export and offline decryption, the case mailbox against the
//! server's desk API (`cases`, `show`, `reply`, `status`, `note`). `cli` dispatches to these.
//!
//! Every function here returns `Err(sentence)` for usage and I/O errors (the binary prints it and exits
//! with 2) and `Ok(ExitCode)` otherwise: 0 when everything verified, 1 when something was rejected.

pub(crate) mod app;
mod attachments;
mod client;
pub(crate) mod decrypt;
pub(crate) mod export;
pub(crate) mod keygen;
pub(crate) mod mailbox;
mod render;
pub(crate) mod retire;
mod show;
mod single;

pub(crate) use mailbox::DeskOptions;
pub(crate) use show::run as show;
