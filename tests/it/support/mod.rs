//! What the integration tests share. Start here:
//!
//! - [`server`]: the real `wbs serve` on a free port in a temporary directory ([`Env`], [`Server`]).
//! - [`app`]: the router in-process, for `tower::ServiceExt::oneshot` tests that need no process.
//! - [`fixtures`]: the one valid report, as form fields, API JSON or a library `ReportInput`.
//! - [`command`]: the one runner for the `wbs` CLI.
//! - [`http`]: form and JSON-API helpers for the public routes; [`pages`] reads what they serve;
//!   [`raw`] talks HTTP/1.1 over a plain socket.
//! - [`files`]: what is on disk (canary searches, age payload sizes).
//! - [`internal`]: every crate-internal (`wbs::…`) API the tests use, so a renamed path is fixed here.
//! - [`whatsapp`]: the Graph API stand-in and webhook signing; [`browser`]: Chromium via WebDriver.

pub mod app;
pub mod browser;
pub mod command;
pub mod files;
pub mod fixtures;
pub mod http;
pub mod internal;
pub mod pages;
pub mod raw;
pub mod server;
pub mod whatsapp;

pub use files::*;
pub use fixtures::{Fields, Report};
pub use pages::*;
pub use raw::*;
pub use server::*;
