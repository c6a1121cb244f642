//! `wbs cases`, `wbs reply`, `wbs status` and `wbs note`: the investigator's side of the case mailbox
//! against the desk API (`wbs show` is in `show.rs`). Replies and notes are signed, padded and encrypted
//! here, on the investigator's machine; the server only stores ciphertext (docs/design.md §5).
//!
//! Who gets encrypted to: replies and status notes go to the reporter key named in the *verified* report
//! (item 0) — never one from server metadata — and to every investigator in `--keys`; internal notes go
//! to the investigators and one throwaway key, so they look like replies.

use std::process::ExitCode;
use std::time::UNIX_EPOCH;

use rand::rngs::OsRng;

use super::client::{Desk, Posted};
use super::config;
use super::decrypt::{current_category, Ctx, WRONG_IDENTITY};
use super::render::{category_label, clean, criteria_short, deadline_text, l, status_label, Out};
use crate::crypto::envelope::genesis_digest;
use crate::crypto::keys::InvestigatorIdentity;
use crate::crypto::{hex, unhex};
use crate::intake::mailbox::{
    recipient_from_hex, seal_item, ItemDraft, MAX_MESSAGE_CHARS, MESSAGE_MIN,
};
use crate::intake::verify::{current_reporter_x25519, verify_case, CheckedItem, ItemProblem};
use crate::protocol::item::{ItemBody, MessageBody, RecategoriseBody, RevealBody, StatusNoteBody};
use crate::protocol::wire::{CaseDetail, CaseSummary};
use crate::protocol::{CaseId, Day, Role, Status};

/// How often an upload is sealed again when other items arrive meanwhile.
const UPLOAD_TRIES: usize = 5;

pub(crate) use super::DeskOptions;

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

/// What `wbs cases` learns of a case by verifying its items: the category (item 0, corrected by later
/// `recategorise` items), the criteria met, and the reporter's items this investigator has not seen.
struct Inbox {
    category: String,
    criteria: String,
    unread: usize,
}

fn inbox_line(ctx: &Ctx, desk: &Desk, c: &CaseSummary, seen: u32) -> Result<Inbox, String> {
    let items = (0..c.item_count)
        .map(|seq| desk.item(&c.case_id, seq))
        .collect::<Result<Vec<_>, _>>()?;
    let checked = verify_case(&c.case_id, &items, &ctx.identities(), &ctx.investigators);
    let mut inbox = Inbox {
        category: "?".to_owned(),
        criteria: "?".to_owned(),
        unread: 0,
    };
    for item in checked.iter().filter_map(|c| c.outcome.as_ref().ok()) {
        match &item.body {
            ItemBody::Report(r) => {
                if let Some(content) = &r.report {
                    inbox.category = content.category.clone();
                    inbox.criteria = criteria_short(&content.criteria);
                }
            }
            ItemBody::Recategorise(r) => inbox.category = r.category.clone(),
            ItemBody::Followup(_) if item.envelope.seq >= seen => inbox.unread += 1,
            _ => {}
        }
    }
    Ok(inbox)
}

/// Overdue first (longest overdue first), then the soonest due, then closed cases; then by day received.
fn inbox_order(a: &CaseSummary, b: &CaseSummary) -> std::cmp::Ordering {
    let key = |c: &CaseSummary| match &c.deadline {
        Some(d) if d.overdue => (0, Some(d.due.clone())),
        Some(d) => (1, Some(d.due.clone())),
        None => (2, None),
    };
    (key(a), &a.created, &a.case_id).cmp(&(key(b), &b.created, &b.case_id))
}

/// Pads every column but the last to its widest cell.
fn table(rows: &[Vec<String>]) -> Vec<String> {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|r| {
            let mut line = String::new();
            for (i, cell) in r.iter().enumerate() {
                if i + 1 == r.len() {
                    line.push_str(cell);
                } else {
                    line.push_str(&format!("{cell:<w$}  ", w = widths[i]));
                }
            }
            line.trim_end().to_owned()
        })
        .collect()
}

/// `wbs cases`: every case, overdue first, with its status, category, criteria, unread reporter
/// messages and deadline.
pub(crate) fn cases(opts: &DeskOptions) -> Result<ExitCode, String> {
    let ctx = Ctx::load(&opts.identity, &opts.keys, false, None)?;
    let desk = Desk::connect(opts, &ctx.identity)?;
    let all = desk.case_list()?;
    let deleted = all.deleted;
    let mut list = all.cases;
    list.sort_by(inbox_order);
    let today = Day::today();
    let lang = l();
    let mut rows = vec![vec![
        lang.text("cli-col-case").to_owned(),
        lang.text("cli-col-channel").to_owned(),
        lang.text("cli-col-received").to_owned(),
        lang.text("cli-col-status").to_owned(),
        lang.text("cli-col-age").to_owned(),
        lang.text("cli-col-category").to_owned(),
        lang.text("cli-col-new").to_owned(),
        lang.text("cli-col-deadline").to_owned(),
        lang.text("cli-col-criteria").to_owned(),
    ]];
    let (mut overdue, mut unread) = (0, 0);
    for c in &list {
        let age = age_days(&c.created, &today).map_or_else(|| "?".to_owned(), |d| format!("{d}d"));
        if c.deadline.as_ref().is_some_and(|d| d.overdue) {
            overdue += 1;
        }
        let seen = config::seen(&opts.state_dir, desk.origin(), &c.case_id);
        let inbox = inbox_line(&ctx, &desk, c, seen)?;
        if inbox.unread > 0 {
            unread += 1;
        }
        rows.push(vec![
            c.case_id.as_str().to_owned(),
            c.channel.code().to_owned(),
            c.created.as_str().to_owned(),
            c.status.code().to_owned(),
            age,
            clean(&inbox.category),
            if inbox.unread > 0 {
                format!("+{}", inbox.unread)
            } else {
                "-".to_owned()
            },
            deadline_text(c.deadline.as_ref()),
            inbox.criteria,
        ]);
    }
    let mut out = Out::default();
    for line in table(&rows) {
        out.line(line);
    }
    out.line(lang.text_with(
        "cli-cases-total",
        &[
            ("n", &list.len()),
            ("overdue", &overdue),
            ("unread", &unread),
        ],
    ));
    // Issue 11: cases deleted under the retention rule are counted and named, with the day.
    if !deleted.is_empty() {
        out.line(lang.text_with("retention-deleted-total", &[("n", &deleted.len())]));
        for d in &deleted {
            let rule = match d.rule {
                crate::protocol::wire::RetentionRule::Closed => lang.text("retention-rule-closed"),
                crate::protocol::wire::RetentionRule::NeverTakenUp => {
                    lang.text("retention-rule-never-taken-up")
                }
            };
            out.line(format!("  {} — {} ({rule})", d.case_id, d.deleted.as_str()));
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The identity and `--keys`: everything sealed here goes to every investigator named there. With no
/// keys at all, only a case sealed to this identity alone (a demo server's) may be written to: then
/// `solo` is set and `verified_case` refuses any other case.
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

/// A case read and verified before anything is written to it.
pub(super) struct Verified {
    pub detail: CaseDetail,
    pub checked: Vec<CheckedItem>,
}

/// Fetches and verifies the case. Refuses (nothing is written) when the report does not verify, or when
/// it was sealed to another set of investigators than `--keys` names: what is written here would not
/// reach the whole team the case belongs to.
pub(super) fn verified_case(
    ctx: &Ctx,
    opts: &DeskOptions,
    solo: bool,
    desk: &Desk,
    case_id: &CaseId,
) -> Result<Verified, String> {
    let detail = desk.case(case_id)?;
    let items = (0..detail.items.len() as u32)
        .map(|seq| desk.item(case_id, seq))
        .collect::<Result<Vec<_>, _>>()?;
    let checked = verify_case(case_id, &items, &ctx.identities(), &ctx.investigators);
    // The team the case is sealed to now: the report's, or the newest re-seal's (`desk::reshare`).
    let sealed = match checked.first().map(|c| &c.outcome) {
        Some(Ok(_)) => super::reshare::sealed_set(&checked)
            .ok_or_else(|| format!("case {case_id} has no report"))?,
        Some(Err(ItemProblem::CannotDecrypt)) => return Err(WRONG_IDENTITY.to_owned()),
        Some(Err(problem)) => {
            return Err(format!(
                "the report (item 0) of case {case_id} does not verify ({problem}): refusing to write to a case that cannot be trusted"
            ))
        }
        None => return Err(format!("case {case_id} has no report")),
    };
    if Some(sealed.as_str()) != ctx.known_set.as_deref() {
        if solo {
            return Err(no_keys_error(opts));
        }
        return Err(format!(
            "your --keys copy ({} key(s) in {}) is not the set of investigators case {case_id} was sealed to, so nothing was sent: get a current copy of the server's keys/ directory from your administrator and run the command again (after a new investigator joined, a teammate first runs wbs reshare {case_id})",
            ctx.investigators.len(),
            opts.keys.display()
        ));
    }
    Ok(Verified { detail, checked })
}

/// The reporter's age recipient from the verified report (or the newest verified re-key).
pub(super) fn reporter_recipient(
    v: &Verified,
    case_id: &CaseId,
) -> Result<age::x25519::Recipient, String> {
    current_reporter_x25519(&v.checked)
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

/// The investigators and a key nobody holds, so an item for investigators only has as many
/// recipients as a reply and looks like one.
/// The investigators and one throwaway key nobody holds, so an internal item has the shape of a reply.
pub(super) fn investigators_only(ctx: &Ctx) -> Vec<age::x25519::Recipient> {
    let mut recipients = investigator_recipients(ctx);
    recipients.push(InvestigatorIdentity::generate(&mut OsRng).recipient());
    recipients
}

fn done(line: String) -> Result<ExitCode, String> {
    let mut out = Out::default();
    out.line(line);
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Connects and verifies the case for writing.
fn for_writing(opts: &DeskOptions, case_id: &CaseId) -> Result<(Ctx, Desk, Verified), String> {
    let (ctx, solo) = sealing_context(opts)?;
    let desk = Desk::connect(opts, &ctx.identity)?;
    let verified = verified_case(&ctx, opts, solo, &desk, case_id)?;
    Ok((ctx, desk, verified))
}

/// `wbs reply … CASE MESSAGE`.
pub(crate) fn reply(opts: &DeskOptions, case: &str, message: &str) -> Result<ExitCode, String> {
    let case_id = case_arg(case)?;
    check_text(message, "message")?;
    let (ctx, desk, verified) = for_writing(opts, &case_id)?;
    let mut recipients = investigator_recipients(&ctx);
    let investigators = recipients.len();
    recipients.push(reporter_recipient(&verified, &case_id)?);
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

/// `wbs status … CASE STATUS [--note TEXT] [--reason TEXT]`: every status change is a signed
/// `status-note` item, sealed to the reporter and the investigators; the note may be empty (no message
/// to the reporter); closing needs a reason.
pub(crate) fn status(
    opts: &DeskOptions,
    case: &str,
    status: &str,
    note: &str,
    reason: &str,
) -> Result<ExitCode, String> {
    let case_id = case_arg(case)?;
    let Some(status) = Status::from_code(&status.trim().to_ascii_lowercase()) else {
        let codes: Vec<&str> = Status::ALL.iter().map(|s| s.code()).collect();
        return Err(format!(
            "{} is not a status code: use one of {}",
            clean(status),
            codes.join(", ")
        ));
    };
    if !note.is_empty() {
        check_text(note, "note")?;
    }
    if status == Status::Selesai && reason.trim().is_empty() {
        return Err(
            "closing a case (selesai) needs a reason: add --reason \"…\" (it is sealed in the signed status item)"
                .to_owned(),
        );
    }
    if !reason.is_empty() {
        check_text(reason, "reason")?;
    }
    let (ctx, desk, verified) = for_writing(opts, &case_id)?;
    let current = verified.detail.status;
    if !status.may_follow(current) {
        let next: Vec<&str> = current.next().iter().map(|s| s.code()).collect();
        let allowed = if next.is_empty() {
            "nothing: a closed case stays closed".to_owned()
        } else {
            next.join(", ")
        };
        return Err(format!(
            "case {case_id} is {}: the office's process allows {allowed} from there, not {}",
            current.code(),
            status.code()
        ));
    }
    let mut recipients = investigator_recipients(&ctx);
    recipients.push(reporter_recipient(&verified, &case_id)?);
    let body = ItemBody::StatusNote(StatusNoteBody {
        status,
        text: note.trim().to_owned(),
        reason: reason.trim().to_owned(),
    });
    let seal = sealer(&ctx, &case_id, body, recipients);
    let seq = upload(&desk, &case_id, seal, |seq, ct| {
        desk.post_status(&case_id, status, seq, ct)
    })?;
    let with = if note.trim().is_empty() {
        ""
    } else {
        ", with a note to the reporter"
    };
    done(format!(
        "case {case_id}: status set to {}, signed as item {seq}{with}",
        status_label(status)
    ))
}

/// `wbs note … CASE TEXT`.
pub(crate) fn note(opts: &DeskOptions, case: &str, text: &str) -> Result<ExitCode, String> {
    let case_id = case_arg(case)?;
    check_text(text, "note")?;
    let (ctx, desk, _) = for_writing(opts, &case_id)?;
    let investigators = ctx.investigators.len();
    let body = ItemBody::InternalNote(MessageBody {
        text: text.to_owned(),
    });
    let seal = sealer(&ctx, &case_id, body, investigators_only(&ctx));
    let seq = upload(&desk, &case_id, seal, |seq, ct| {
        desk.post_item(&case_id, seq, ct)
    })?;
    done(format!(
        "case {case_id}: internal note stored as item {seq}, sealed to {investigators} investigator key(s) only"
    ))
}

/// `wbs recategorise … CASE CODE --reason TEXT`: a signed `recategorise` item for the investigators.
pub(crate) fn recategorise(
    opts: &DeskOptions,
    case: &str,
    code: &str,
    reason: &str,
) -> Result<ExitCode, String> {
    let case_id = case_arg(case)?;
    let code = code.trim().to_ascii_uppercase();
    let Some(category) = crate::intake::report::category(&code) else {
        let codes: Vec<&str> = crate::intake::report::CATEGORIES
            .iter()
            .map(|c| c.code)
            .collect();
        return Err(format!(
            "{} is not a category code: use one of {}",
            clean(&code),
            codes.join(", ")
        ));
    };
    check_text(reason, "reason")?;
    let (ctx, desk, verified) = for_writing(opts, &case_id)?;
    let current = current_category(&verified.checked);
    if current.as_deref() == Some(category.code) {
        return Err(format!(
            "case {case_id} is already in category {}: nothing to correct",
            category.code
        ));
    }
    let body = ItemBody::Recategorise(RecategoriseBody {
        category: category.code.to_owned(),
        reason: reason.trim().to_owned(),
    });
    let seal = sealer(&ctx, &case_id, body, investigators_only(&ctx));
    let seq = upload(&desk, &case_id, seal, |seq, ct| {
        desk.post_item(&case_id, seq, ct)
    })?;
    done(format!(
        "case {case_id}: category corrected to {}, signed as item {seq}",
        category_label(category.code)
    ))
}

/// Records a reveal of the reporter's identity as a signed `reveal-record` item for the investigators,
/// before the identity is shown (`wbs show --reveal-identity --reason`). Returns its seq.
pub(super) fn record_reveal(
    opts: &DeskOptions,
    case_id: &CaseId,
    reason: &str,
) -> Result<u32, String> {
    check_text(reason, "reason")?;
    let (ctx, desk, _) = for_writing(opts, case_id)?;
    let body = ItemBody::RevealRecord(RevealBody {
        reason: reason.trim().to_owned(),
    });
    let seal = sealer(&ctx, case_id, body, investigators_only(&ctx));
    upload(&desk, case_id, seal, |seq, ct| {
        desk.post_item(case_id, seq, ct)
    })
}
