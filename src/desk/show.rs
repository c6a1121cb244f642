//! `wbs show [--server URL --identity FILE --keys DIR] [--reveal-identity --reason TEXT]
//! [--attachments DIR] CASE`: fetches a case's items from the desk API, verifies the whole chain
//! (`intake::verify::verify_case`) and prints the report and the thread in order, exactly as `wbs
//! decrypt` prints an exported case. An item that fails verification is printed as `item N: REJECTED —
//! why`, never with its content. A reveal of the reporter's identity is first recorded in the case as a
//! signed `reveal-record` item; only then is the identity printed. Afterwards the number of items shown
//! is remembered (`seen`, next to the configuration) for the unread mark of `wbs cases`.
//! Exit status: 0 when everything verified, 1 when anything was rejected, 2 on errors.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use super::attachments::{self, Source};
use super::client::Desk;
use super::config;
use super::decrypt::{self, Ctx};
use super::export::{
    attachment_file_name, is_safe_id, item_file_name, AttachmentEntry, CaseFile, ItemEntry,
};
use super::mailbox::{case_arg, record_reveal, DeskOptions};
use super::render::{self, deadline_text, l, label, Out};
use crate::crypto::{hex, sha256};
use crate::intake::verify::verify_case;

pub fn run(
    opts: &DeskOptions,
    case: &str,
    reveal_reason: Option<&str>,
    attachments_out: Option<PathBuf>,
) -> Result<ExitCode, String> {
    let case_id = case_arg(case)?;
    // The reveal is recorded first: if it cannot be, the identity is not shown.
    let recorded = match reveal_reason {
        Some(reason) => Some(record_reveal(opts, &case_id, reason)?),
        None => None,
    };
    let ctx = Ctx::load(
        &opts.identity,
        &opts.keys,
        recorded.is_some(),
        attachments_out,
    )?;
    let desk = Desk::connect(opts, &ctx.identity)?;
    let detail = desk.case(&case_id)?;
    let mut files = Vec::with_capacity(detail.items.len());
    let mut notes = Vec::new();
    for (seq, listed) in (0u32..).zip(&detail.items) {
        let bytes = desk.item(&case_id, seq)?;
        if listed.seq != seq || hex(&sha256(&bytes)) != listed.ciphertext_sha256 {
            notes.push(format!(
                "note: item {seq} differs from what the server's case listing says of it"
            ));
        }
        files.push(bytes);
    }
    let meta = CaseFile {
        case_id: case_id.clone(),
        channel: detail.channel,
        created: detail.created.clone(),
        statuses: detail.status_history.clone(),
        items: (0u32..)
            .zip(&detail.items)
            .map(|(seq, i)| ItemEntry {
                seq,
                file: item_file_name(seq),
                ciphertext_sha256: i.ciphertext_sha256.clone(),
            })
            .collect(),
        attachments: detail
            .attachments
            .iter()
            .filter(|a| is_safe_id(&a.id))
            .map(|a| AttachmentEntry {
                id: a.id.clone(),
                file: attachment_file_name(&a.id),
                ciphertext_len: a.ciphertext_len,
                ciphertext_sha256: a.ciphertext_sha256.clone(),
            })
            .collect(),
    };

    let mut out = Out::default();
    out.line(format!("==== case {case_id} ===="));
    out.field(&label(l().text("cli-channel")), meta.channel.code());
    out.field(&label(l().text("cli-created")), meta.created.as_str());
    out.line(format!("  {}", label(l().text("cli-status-history"))));
    for s in &meta.statuses {
        out.line(format!(
            "      {}  {}",
            s.day,
            render::status_label(s.status)
        ));
    }
    out.field(
        &label(l().text("cli-deadline")),
        &deadline_text(detail.deadline.as_ref()),
    );
    if let Some(u) = &detail.chat_undelivered {
        // Reported by the server (unsigned): Meta did not deliver the chat receipt.
        let text = format!("{} ({})", u.day, u.code);
        out.field(&label(l().text("wa-cli-chat-undelivered")), &text);
    }
    let mut problems = notes.len();
    for n in notes {
        out.line(n);
    }
    // Verified against the case id asked for, never the one the server names.
    let checked = verify_case(&case_id, &files, &ctx.identities(), &ctx.investigators);
    if let Some(signed) = decrypt::signed_status(&checked).filter(|s| *s != detail.status) {
        problems += 1;
        out.line(format!(
            "WARNING: the server says this case is {}, but the newest signed status change says {}: trust the signed one, and tell your administrator",
            render::status_label(detail.status),
            render::status_label(signed)
        ));
    }
    let resealed = attachments::resealed_blobs(&checked);
    let (item_problems, manifest) = decrypt::items(&ctx, &meta, &files, checked, &[], &mut out);
    problems += item_problems;
    out.flush()?;

    let fetch = |blob: &str| desk.attachment(&case_id, blob);
    let source = Source {
        fetch: &fetch,
        listing: "the server's case listing",
        listing_why: "",
        missing: "is not on the server",
    };
    problems += attachments::check(&ctx, &source, &meta, &manifest, &resealed)?;

    config::mark_seen(&opts.state_dir, desk.origin(), &case_id, files.len() as u32);
    let mut out = Out::default();
    if let Some(seq) = recorded {
        out.line(format!(
            "case {case_id}: this reveal of the reporter's identity is recorded as item {seq}, signed by you and visible to every investigator"
        ));
    }
    if problems == 0 {
        out.line(format!(
            "case {case_id}: all {} item(s) verified",
            files.len()
        ));
    } else {
        out.line(format!(
            "case {case_id}: {problems} problem(s) — do not trust the rejected parts"
        ));
    }
    out.flush()?;
    if problems == 0 {
        Ok(ExitCode::SUCCESS)
    } else {
        let _ = writeln!(
            io::stderr(),
            "wbs: {problems} problem(s) found: rejected parts were not shown as genuine"
        );
        Ok(ExitCode::from(1))
    }
}
