//! `wbs cases`, `wbs reply`, `wbs status` and `wbs note`: the investigator's side of the case mailbox
//! against the desk API (`wbs show` is in `show.rs`). Replies and notes are signed, padded and encrypted
//! here, on the investigator's machine; the server only stores ciphertext (docs/design.md §5).
//!
//! Who gets encrypted to: replies and status notes go to the reporter key named in the *verified* report
//! (item 0) — never one from server metadata — and to every investigator in `--keys`; internal notes go
//! to the investigators and one throwaway key, so they look like replies.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::UNIX_EPOCH;

use rand::rngs::OsRng;

use super::client::{Desk, Posted};
use super::decrypt::{load_identity, Ctx};
use super::render::{clean, status_label, Out};
use crate::crypto::envelope::genesis_digest;
use crate::crypto::keys::InvestigatorIdentity;
use crate::crypto::{hex, unhex};
use crate::intake::mailbox::{
    recipient_from_hex, seal_item, ItemDraft, MAX_MESSAGE_CHARS, MESSAGE_MIN,
};
use crate::intake::verify::{current_reporter_x25519, verify_case};
use crate::protocol::item::{ItemBody, MessageBody, StatusNoteBody};
use crate::protocol::wire::{CaseDetail, DeskDeadline, Stage};
use crate::protocol::{CaseId, Day, Role, Status};

/// How often an upload is sealed again when other items arrive meanwhile.
const UPLOAD_TRIES: usize = 5;

/// The flags every desk subcommand takes.
#[derive(Debug, Clone)]
pub(crate) struct DeskOptions {
    pub server: String,
    pub identity: PathBuf,
    pub keys: PathBuf,
}

/// A case id from the command line (any case, look-alikes forgiven).
pub(super) fn case_arg(raw: &str) -> Result<CaseId, String> {
    CaseId::parse_typed(raw).map_err(|_| {
        format!(
            "{} is not a case id (they look like WBS-XXXX-XXXX-XXXX)",
            clean(raw)
        )
    })
}

/// Whole days from `created` to today.
fn age_days(created: &Day, today: &Day) -> Option<u64> {
    let then = created.midnight().duration_since(UNIX_EPOCH).ok()?;
    let now = today.midnight().duration_since(UNIX_EPOCH).ok()?;
    now.checked_sub(then).map(|d| d.as_secs() / 86_400)
}

/// `acknowledge by 2026-12-02`, with `OVERDUE` when it has passed; `-` for a closed case.
pub(super) fn deadline_text(deadline: Option<&DeskDeadline>) -> String {
    match deadline {
        None => "-".to_owned(),
        Some(d) => {
            let stage = match d.stage {
                Stage::Acknowledge => "acknowledge",
                Stage::Feedback => "feedback",
                Stage::Settle => "settle",
            };
            let mut s = format!("{stage} by {}", d.due);
            if d.overdue {
                s.push_str("  OVERDUE");
            }
            s
        }
    }
}

/// `wbs cases`: every case with its status, age and deadline.
pub(crate) fn cases(opts: &DeskOptions) -> Result<ExitCode, String> {
    let identity = load_identity(&opts.identity)?;
    let desk = Desk::connect(&opts.server, &identity)?;
    let mut list = desk.cases()?;
    list.sort_by(|a, b| (&a.created, &a.case_id).cmp(&(&b.created, &b.case_id)));
    let today = Day::today();
    let mut out = Out::default();
    out.line(format!(
        "{:<18}  {:<8}  {:<10}  {:<16}  {:>5}  DEADLINE",
        "CASE", "CHANNEL", "CREATED", "STATUS", "AGE"
    ));
    let mut overdue = 0;
    for c in &list {
        let age = age_days(&c.created, &today).map_or_else(|| "?".to_owned(), |d| format!("{d}d"));
        if c.deadline.as_ref().is_some_and(|d| d.overdue) {
            overdue += 1;
        }
        out.line(format!(
            "{:<18}  {:<8}  {:<10}  {:<16}  {:>5}  {}",
            c.case_id.as_str(),
            c.channel.code(),
            c.created.as_str(),
            c.status.code(),
            age,
            deadline_text(c.deadline.as_ref())
        ));
    }
    out.line(format!("{} case(s), {overdue} overdue", list.len()));
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The identity and `--keys`: everything sealed here goes to every investigator named there. With no
/// keys at all, only a case sealed to this identity alone (a demo server's) may be written to: then
/// `solo` is set and `reporter_recipient` refuses any other case.
pub(super) fn sealing_context(opts: &DeskOptions) -> Result<(Ctx, bool), String> {
    let mut ctx = Ctx::load(&opts.identity, &opts.keys, false, None)?;
    if ctx.known_set.is_some() {
        return Ok((ctx, false));
    }
    let own = vec![ctx.identity.public("(this identity)")];
    ctx.known_set = Some(crate::crypto::keys::recipients_fingerprint(&own));
    ctx.investigators = own;
    Ok((ctx, true))
}

fn no_keys_error(opts: &DeskOptions) -> String {
    format!(
        "--keys {} holds no investigator public keys and this case was not sealed to your identity alone: pass a copy of the server's keys/ directory, so that what you write is sealed to every investigator",
        opts.keys.display()
    )
}

/// The reporter's age recipient from the verified report (item 0). Warns when the report was sealed to
/// another investigator set than `--keys`.
pub(super) fn reporter_recipient(
    ctx: &Ctx,
    solo: Option<&DeskOptions>,
    desk: &Desk,
    case_id: &CaseId,
) -> Result<age::x25519::Recipient, String> {
    // Every item, so that a reporter who re-keyed (a chat receipt replaced on the web) is written to
    // at their newest verified key.
    let detail = desk.case(case_id)?;
    let items = (0..detail.items.len() as u32)
        .map(|seq| desk.item(case_id, seq))
        .collect::<Result<Vec<_>, _>>()?;
    let checked = verify_case(case_id, &items, &ctx.identities(), &ctx.investigators);
    let sealed = match checked.first().map(|c| &c.outcome) {
        Some(Ok(item)) => match &item.body {
            ItemBody::Report(r) => r.recipients_digest.clone(),
            _ => return Err(format!("case {case_id} has no report")),
        },
        Some(Err(problem)) => {
            return Err(format!(
                "the report (item 0) of case {case_id} does not verify ({problem}): refusing to write to a reporter key that cannot be trusted"
            ))
        }
        None => return Err(format!("case {case_id} has no report")),
    };
    if let Some(opts) = solo {
        if Some(sealed.as_str()) != ctx.known_set.as_deref() {
            return Err(no_keys_error(opts));
        }
    } else if Some(sealed.as_str()) != ctx.known_set.as_deref() {
        eprintln!(
            "wbs: warning: the report of case {case_id} was sealed to a set of investigator keys other than the one in --keys; if your team does not know of a key change, someone may have added a key on the server"
        );
    }
    current_reporter_x25519(&checked)
        .and_then(|k| recipient_from_hex(&k))
        .ok_or_else(|| {
            format!("the report of case {case_id} names no usable reporter key: cannot reply")
        })
}

/// The `prev_digest` for the item after those the server lists.
fn next_prev(detail: &CaseDetail, case_id: &CaseId) -> Result<String, String> {
    match detail.items.last() {
        None => Ok(hex(&genesis_digest(case_id))),
        Some(last) => unhex::<32>(&last.ciphertext_sha256)
            .map(|d| hex(&d))
            .ok_or_else(|| {
                format!("the server lists a malformed digest for case {case_id}: do not trust this server")
            }),
    }
}

/// Seals an item for the next free `seq` and posts it; on a conflict re-reads the case and seals again.
/// Returns the `seq` the item was stored at.
pub(super) fn upload(
    desk: &Desk,
    case_id: &CaseId,
    mut seal: impl FnMut(u32, &str) -> Result<Vec<u8>, String>,
    post: impl Fn(u32, &[u8]) -> Result<Posted, String>,
) -> Result<u32, String> {
    for _ in 0..UPLOAD_TRIES {
        let detail = desk.case(case_id)?;
        let seq = detail.item_count;
        let ciphertext = seal(seq, &next_prev(&detail, case_id)?)?;
        match post(seq, &ciphertext)? {
            Posted::Stored => return Ok(seq),
            Posted::Conflict => continue,
        }
    }
    Err(format!(
        "case {case_id} kept changing while this was being stored ({UPLOAD_TRIES} tries): run the command again"
    ))
}

/// Seals one investigator item with `body` to `recipients`.
pub(super) fn sealer<'a>(
    ctx: &'a Ctx,
    case_id: &'a CaseId,
    body: ItemBody,
    recipients: Vec<age::x25519::Recipient>,
) -> impl FnMut(u32, &str) -> Result<Vec<u8>, String> + 'a {
    let today = Day::today();
    move |seq, prev| {
        let draft = ItemDraft {
            case_id,
            seq,
            prev_digest: prev,
            day: &today,
            role: Role::Investigator,
            body: &body,
        };
        seal_item(draft, ctx.identity.signing_key(), &recipients, MESSAGE_MIN)
            .map_err(|_| "sealing the item failed".to_owned())
    }
}

fn check_text(text: &str, what: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("the {what} is empty: write something to send"));
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(format!(
            "the {what} is longer than {MAX_MESSAGE_CHARS} characters: shorten it"
        ));
    }
    Ok(())
}

pub(super) fn investigator_recipients(ctx: &Ctx) -> Vec<age::x25519::Recipient> {
    // Retired keys (in the copy for their signatures) are never sealed to.
    ctx.investigators
        .iter()
        .filter(|i| i.is_active())
        .map(|i| i.recipient.clone())
        .collect()
}

fn done(line: String) -> Result<ExitCode, String> {
    let mut out = Out::default();
    out.line(line);
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `wbs reply … CASE MESSAGE`.
pub(crate) fn reply(opts: &DeskOptions, case: &str, message: &str) -> Result<ExitCode, String> {
    let case_id = case_arg(case)?;
    check_text(message, "message")?;
    let (ctx, solo) = sealing_context(opts)?;
    let solo = solo.then_some(opts);
    let desk = Desk::connect(&opts.server, &ctx.identity)?;
    let mut recipients = investigator_recipients(&ctx);
    let investigators = recipients.len();
    recipients.push(reporter_recipient(&ctx, solo, &desk, &case_id)?);
    let body = ItemBody::Reply(MessageBody {
        text: message.to_owned(),
    });
    let seal = sealer(&ctx, &case_id, body, recipients);
    let seq = upload(&desk, &case_id, seal, |seq, ct| {
        desk.post_item(&case_id, seq, ct)
    })?;
    done(format!(
        "case {case_id}: reply stored as item {seq}, sealed to the reporter and {investigators} investigator key(s)"
    ))
}

/// `wbs status … CASE STATUS [--note TEXT]`.
pub(crate) fn status(
    opts: &DeskOptions,
    case: &str,
    status: &str,
    note: Option<&str>,
) -> Result<ExitCode, String> {
    let case_id = case_arg(case)?;
    let Some(status) = Status::from_code(status.trim()) else {
        let codes: Vec<&str> = Status::ALL.iter().map(|s| s.code()).collect();
        return Err(format!(
            "{} is not a status code: use one of {}",
            clean(status),
            codes.join(", ")
        ));
    };
    let Some(text) = note else {
        let identity = load_identity(&opts.identity)?;
        let desk = Desk::connect(&opts.server, &identity)?;
        return match desk.post_status(&case_id, status, None)? {
            Posted::Stored => done(format!(
                "case {case_id}: status set to {}",
                status_label(status)
            )),
            Posted::Conflict => Err(format!(
                "case {case_id} kept changing while the status was being set: run the command again"
            )),
        };
    };
    check_text(text, "note")?;
    let (ctx, solo) = sealing_context(opts)?;
    let solo = solo.then_some(opts);
    let desk = Desk::connect(&opts.server, &ctx.identity)?;
    let mut recipients = investigator_recipients(&ctx);
    recipients.push(reporter_recipient(&ctx, solo, &desk, &case_id)?);
    let body = ItemBody::StatusNote(StatusNoteBody {
        status,
        text: text.to_owned(),
    });
    let seal = sealer(&ctx, &case_id, body, recipients);
    let seq = upload(&desk, &case_id, seal, |seq, ct| {
        desk.post_status(&case_id, status, Some((seq, ct)))
    })?;
    done(format!(
        "case {case_id}: status set to {}, with a note to the reporter stored as item {seq}",
        status_label(status)
    ))
}

/// `wbs note … CASE TEXT`.
pub(crate) fn note(opts: &DeskOptions, case: &str, text: &str) -> Result<ExitCode, String> {
    let case_id = case_arg(case)?;
    check_text(text, "note")?;
    let (ctx, solo) = sealing_context(opts)?;
    let solo = solo.then_some(opts);
    let desk = Desk::connect(&opts.server, &ctx.identity)?;
    if solo.is_some() {
        // Only to check that the case was sealed to this identity alone.
        reporter_recipient(&ctx, solo, &desk, &case_id)?;
    }
    let mut recipients = investigator_recipients(&ctx);
    let investigators = recipients.len();
    // A key nobody holds, so the note has as many recipients as a reply and looks like one.
    recipients.push(InvestigatorIdentity::generate(&mut OsRng).recipient());
    let body = ItemBody::InternalNote(MessageBody {
        text: text.to_owned(),
    });
    let seal = sealer(&ctx, &case_id, body, recipients);
    let seq = upload(&desk, &case_id, seal, |seq, ct| {
        desk.post_item(&case_id, seq, ct)
    })?;
    done(format!(
        "case {case_id}: internal note stored as item {seq}, sealed to {investigators} investigator key(s) only"
    ))
}
