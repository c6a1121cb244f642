//! The integration tests, as one binary: one module per topic, and `support/` for what they share
//! (the real `wbs` binary on a free port, the in-process router, the report fixture, the command
//! runner, the WhatsApp Graph API stand-in, the browser driver).
//!
//! Tests that need a process (crash and SIGKILL durability, canary searches of every byte written, the
//! CLI, the browser, start-up refusals, the desk API listener, WhatsApp with its stand-in) run the real
//! binary; handler behaviour that needs none drives the router in-process (`tower::ServiceExt::oneshot`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod accessibility;
mod api;
mod attachments;
mod backup;
mod bounds;
mod browser;
mod bundle;
mod canary;
mod cli;
mod cli_config;
mod cli_mailbox;
mod conversation;
mod crash;
mod desk_api;
mod desk_app;
mod desk_images;
mod desk_rollback;
mod document_memory;
mod followup_api;
mod form;
mod headers;
mod keys;
mod load;
mod logs;
mod pantau;
mod pantau_paging;
mod passphrase;
mod privacy;
mod refusals;
mod reshare;
mod reshare_files;
mod retention;
mod same_origin;
mod scrub;
mod site;
mod startup;
mod stored_v1;
mod vectors;
mod whatsapp;
mod whatsapp_2026;
mod whatsapp_desk;
mod whatsapp_unlinkable;
