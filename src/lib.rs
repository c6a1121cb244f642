//! WBS — an anonymity-first encrypted whistleblowing drop box.
//!
//! Layers (docs/design.md §3): `web` → `intake` → (`crypto`, `store`). `desk` holds the investigator's
//! offline tools. `crypto` knows nothing of HTTP or sled; `store` never sees plaintext.

pub mod bench;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod desk;
pub mod i18n;
pub mod intake;
pub mod protocol;
pub mod server;
pub mod store;
pub mod web;
pub mod whatsapp;
