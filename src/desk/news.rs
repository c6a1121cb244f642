//! The WhatsApp "news on your report" notice (`wbs news`, and the desk's button; docs/whatsapp.md §8).
//! The reporter's WhatsApp address is inside the sealed identity block: it is read here, on the
//! investigator's machine, from the verified case, and sent to the server's
//! `POST /api/v1/desk/whatsapp/news`, which names no case. What goes out is the office's approved
//! template: it says only that there is news — no case number, no reply, no status, nothing of the
//! report. The address is never shown or printed.

use std::process::ExitCode;

use zeroize::Zeroizing;

use super::client::Desk;
use super::decrypt::{Ctx, WRONG_IDENTITY};
use super::mailbox::{case_arg, DeskOptions};
use super::render::Out;
use crate::intake::verify::{verify_case, CheckedItem, GenuineItem, ItemProblem};
use crate::protocol::item::ItemBody;
use crate::protocol::{CaseId, Channel, Lang};

/// The sentence both the command and the button end with.
pub(super) const NO_CONTENT: &str = "the message carries no content of the report: no case number, no reply, no status — only that there is news, in the office's approved template";

/// The WhatsApp address of a WhatsApp case whose reporter agreed to be contacted, as the verified
/// identity block holds it (`WhatsApp +62…` or `WhatsApp user id …`), and the chat's language (the
/// template's language). `None` for any other case.
pub(super) fn whatsapp_contact(checked: &[CheckedItem]) -> Option<(Zeroizing<String>, Lang)> {
    let genuine = |seq: usize| checked.get(seq)?.outcome.as_ref().ok();
    let Some(GenuineItem {
        body: ItemBody::Report(report),
        ..
    }) = genuine(0)
    else {
        return None;
    };
    if report.channel != Channel::WhatsApp {
        return None;
    }
    match genuine(1) {
        Some(GenuineItem {
            body: ItemBody::Identity(id),
            ..
        }) if !id.anonymous && id.contact.starts_with("WhatsApp") => Some((
            Zeroizing::new(id.contact.clone()),
            report.language.unwrap_or(Lang::Id),
        )),
        _ => None,
    }
}

/// Verifies the case and asks the server to send the notice, in the language of the reporter's chat.
pub(super) fn send(ctx: &Ctx, desk: &Desk, case_id: &CaseId) -> Result<(), String> {
    let detail = desk.case(case_id)?;
    let items = (0..detail.items.len() as u32)
        .map(|seq| desk.item(case_id, seq))
        .collect::<Result<Vec<_>, _>>()?;
    let checked = verify_case(case_id, &items, &ctx.identities(), &ctx.investigators);
    match checked.first().map(|c| &c.outcome) {
        Some(Err(ItemProblem::CannotDecrypt)) => return Err(WRONG_IDENTITY.to_owned()),
        Some(Err(problem)) => {
            return Err(format!(
            "the report (item 0) of case {case_id} does not verify ({problem}): no notice was sent"
        ))
        }
        None => return Err(format!("case {case_id} has no report")),
        Some(Ok(_)) => {}
    }
    let Some((to, lang)) = whatsapp_contact(&checked) else {
        return Err(format!(
            "case {case_id} did not come by WhatsApp, or its reporter did not agree to be contacted: there is no WhatsApp address to send the notice to (a reply reaches the reporter on the follow-up page)"
        ));
    };
    desk.post_news(&to, lang)
}

/// `wbs news CASE`.
pub(crate) fn run(opts: &DeskOptions, case: &str) -> Result<ExitCode, String> {
    let case_id = case_arg(case)?;
    let ctx = Ctx::load(&opts.identity, &opts.keys, false, None)?;
    let desk = Desk::connect(opts, &ctx.identity)?;
    send(&ctx, &desk, &case_id)?;
    let mut out = Out::default();
    out.line(format!(
        "case {case_id}: the WhatsApp notice that there is news was queued for the reporter's number; {NO_CONTENT}"
    ));
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
