//! Re-sealing a case for a changed team (`wbs reshare`, and the desk's "re-seal" button; docs/design.md
//! §10). A teammate who can read the case appends `reshare` items: each carries earlier items exactly as
//! their authors signed them, sealed now to the team in the teammate's keys copy (and one throwaway key,
//! like every internal item). Nothing stored is overwritten. A new investigator's tools read the items
//! they cannot open from these (`intake::verify::verify_case`), check each original signature, case,
//! position and chain digest, and from then on may write to the case, because the newest genuine
//! `reshare` names the team the case is now sealed to.
//!
//! What re-sealing cannot do is take anything back: a departing investigator could already read every
//! item sealed while they were on the team. `exposure` says so in numbers.

use std::process::ExitCode;

use super::attachments::{open_entry, resealed_blobs};
use super::client::Desk;
use super::decrypt::{Ctx, WRONG_IDENTITY};
use super::mailbox::{case_arg, investigators_only, sealer, upload, DeskOptions};
use super::render::Out;
use crate::crypto::envelope::chain_digest;
use crate::crypto::envelope::Envelope;
use crate::crypto::{hex, seal};
use crate::intake::answers::{self, Reopened};
use crate::intake::attachment::ManifestEntry;
use crate::intake::verify::{reopened_answers, verify_case, CheckedItem, GenuineItem, ItemProblem};
use crate::protocol::item::{
    Answers, ItemBody, ResealedAnswer, ResealedBlob, ReshareBody, ResharedItem,
};
use crate::protocol::{CaseId, ItemKind};

/// Base64 of signed envelopes per `reshare` item: with padding and age's overhead, well under the
/// server's largest upload (`MAX_UPLOADED_ITEM`, 256 KiB).
const CHUNK: usize = 128 * 1024;

/// The investigator set a case is sealed to now: the newest genuine `reshare`'s, else the report's.
pub(super) fn sealed_set(checked: &[CheckedItem]) -> Option<String> {
    let mut set = match checked.first().map(|c| &c.outcome) {
        Some(Ok(GenuineItem {
            body: ItemBody::Report(r),
            ..
        })) => r.recipients_digest.clone(),
        _ => return None,
    };
    for c in checked.iter().skip(1) {
        if let Ok(GenuineItem {
            body: ItemBody::Reshare(r),
            ..
        }) = &c.outcome
        {
            set = r.recipients_digest.clone();
        }
    }
    Some(set)
}

/// The `reshare` bodies that carry every item this identity verified (re-seals themselves excluded),
/// with the chat answers sealed inside them opened, and how many items it could not carry (they do not
/// verify for this identity). The last body names `blobs`, the attachment files re-sealed beforehand.
pub(super) fn bodies(
    checked: &[CheckedItem],
    stored: &[Vec<u8>],
    set: &str,
    identities: &[&dyn age::Identity],
    blobs: Vec<ResealedBlob>,
) -> (Vec<ItemBody>, usize) {
    let reopened = reopened_answers(checked);
    let mut out = Vec::new();
    let mut chunk: Vec<ResharedItem> = Vec::new();
    let mut size = 0;
    let mut missing = 0;
    for c in checked {
        let item = match &c.outcome {
            Ok(item) if item.envelope.kind == ItemKind::Reshare => continue,
            Ok(item) => item,
            Err(_) => {
                missing += 1;
                continue;
            }
        };
        let signed = data_encoding::BASE64.encode(&item.signed);
        let Some(answers) = carried_answers(&item.signed, identities, &reopened) else {
            missing += 1;
            continue;
        };
        let answer_len: usize = answers.iter().map(|a| a.fragment.len() + a.of.len()).sum();
        if size + signed.len() + answer_len > CHUNK && !chunk.is_empty() {
            out.push(std::mem::take(&mut chunk));
            size = 0;
        }
        size += signed.len() + answer_len;
        let Some(ciphertext) = stored.get(c.seq) else {
            missing += 1;
            continue;
        };
        chunk.push(ResharedItem {
            seq: c.seq as u32,
            ciphertext_sha256: hex(&chain_digest(ciphertext)),
            signed,
            answers,
        });
    }
    if !chunk.is_empty() || out.is_empty() {
        out.push(chunk);
    }
    let last = out.len() - 1;
    let mut blobs = Some(blobs);
    let bodies = out
        .into_iter()
        .enumerate()
        .map(|(i, items)| {
            ItemBody::Reshare(ReshareBody {
                recipients_digest: set.to_owned(),
                items,
                attachments: if i == last {
                    blobs.take().unwrap_or_default()
                } else {
                    Vec::new()
                },
            })
        })
        .collect();
    (bodies, missing)
}

/// The chat answers sealed inside a signed envelope, opened (by this identity, or from an earlier
/// re-seal) so the changed team can read them: `None` when one of them does not open here.
fn carried_answers(
    signed: &[u8],
    identities: &[&dyn age::Identity],
    reopened: &Reopened,
) -> Option<Vec<ResealedAnswer>> {
    let body = Envelope::open(signed).ok()?.body().ok()?;
    let sealed = match &body {
        ItemBody::Report(b) => b.answers.as_ref(),
        ItemBody::Identity(b) => b.answers.as_ref(),
        ItemBody::Manifest(b) => b.answers.as_ref(),
        _ => None,
    };
    let Some(Answers::Sealed(sealed)) = sealed else {
        return Some(Vec::new());
    };
    let opened = answers::plaintexts(sealed, identities, reopened)?;
    Some(
        opened
            .into_iter()
            .map(|(of, plain)| ResealedAnswer {
                of,
                fragment: data_encoding::BASE64.encode(&plain),
            })
            .collect(),
    )
}

/// Every attachment a genuine manifest or follow-up names.
fn attachment_entries(checked: &[CheckedItem]) -> Vec<ManifestEntry> {
    checked
        .iter()
        .filter_map(|c| c.outcome.as_ref().ok())
        .flat_map(|g| match &g.body {
            ItemBody::Manifest(b) => b.attachments.clone(),
            ItemBody::Followup(b) => b.attachments.clone(),
            _ => Vec::new(),
        })
        .collect()
}

/// Re-seals every attachment file this identity opens to the team in `ctx`, uploading each as a new
/// blob (nothing stored is replaced). Returns the copies and how many files could not be re-sealed.
fn reseal_blobs(
    ctx: &Ctx,
    desk: &Desk,
    case_id: &CaseId,
    checked: &[CheckedItem],
) -> Result<(Vec<ResealedBlob>, usize), String> {
    let entries = attachment_entries(checked);
    if desk.offline() {
        return Ok((Vec::new(), entries.len()));
    }
    let earlier = resealed_blobs(checked);
    let fetch = |blob: &str| desk.attachment(case_id, blob);
    let recipients = investigators_only(ctx);
    let mut out = Vec::new();
    let mut missing = 0;
    for entry in entries {
        let Ok(opened) = open_entry(&fetch, &ctx.identities(), &entry, &earlier)? else {
            missing += 1;
            continue;
        };
        // Padded like the original (`intake::attachment`): the copy's size says no more than it did.
        let ciphertext = seal::seal(&opened.plain, 0, &recipients)
            .map_err(|_| "sealing an attachment failed".to_owned())?;
        let blob = desk.post_resealed(case_id, &ciphertext)?;
        out.push(ResealedBlob {
            of: entry.ciphertext_sha256.clone(),
            blob,
            ciphertext_sha256: hex(&crate::crypto::sha256(&ciphertext)),
            ciphertext_len: ciphertext.len() as u64,
        });
    }
    Ok((out, missing))
}

/// What a retired investigator in the keys copy could already read of this case: the items dated up
/// to their retirement day, which were sealed while they were on the team. `(name, day, items)`.
pub(super) fn exposure(ctx: &Ctx, checked: &[CheckedItem]) -> Vec<(String, String, usize)> {
    ctx.investigators
        .iter()
        .filter_map(|i| {
            let day = i.retired.as_ref()?;
            let n = checked
                .iter()
                .filter_map(|c| c.outcome.as_ref().ok())
                .filter(|g| g.envelope.kind != ItemKind::Reshare && g.envelope.day <= *day)
                .count();
            Some((i.display_name().to_owned(), day.to_string(), n))
        })
        .collect()
}

/// What a re-seal did.
pub(super) enum Resealed {
    /// The case is already sealed to the team in the keys copy.
    Already,
    /// `items` items carried in `stored` new `reshare` items; `missing` could not be carried. `files`
    /// attachment files re-sealed as new blobs; `missing_files` could not be.
    Done {
        items: usize,
        stored: usize,
        missing: usize,
        files: usize,
        missing_files: usize,
    },
}

/// Re-seals one case for the team in `ctx`'s keys copy (which must hold investigator keys).
pub(super) fn reseal(ctx: &Ctx, desk: &Desk, case_id: &CaseId) -> Result<Resealed, String> {
    let Some(set) = ctx.known_set.clone() else {
        return Err("re-sealing needs the team: pass --keys with a current copy of the server's keys/ directory (it must hold the new investigator's key)".to_owned());
    };
    let detail = desk.case(case_id)?;
    let items = (0..detail.items.len() as u32)
        .map(|seq| desk.item(case_id, seq))
        .collect::<Result<Vec<_>, _>>()?;
    let checked = verify_case(case_id, &items, &ctx.identities(), &ctx.investigators);
    match checked.first().map(|c| &c.outcome) {
        Some(Ok(_)) => {}
        Some(Err(ItemProblem::CannotDecrypt)) => return Err(WRONG_IDENTITY.to_owned()),
        Some(Err(problem)) => {
            return Err(format!(
                "the report (item 0) of case {case_id} does not verify ({problem}): refusing to re-seal a case that cannot be trusted"
            ))
        }
        None => return Err(format!("case {case_id} has no report")),
    }
    if sealed_set(&checked).as_deref() == Some(set.as_str()) {
        return Ok(Resealed::Already);
    }
    let (blobs, missing_files) = reseal_blobs(ctx, desk, case_id, &checked)?;
    let files = blobs.len();
    let (bodies, missing) = bodies(&checked, &items, &set, &ctx.identities(), blobs);
    let items = checked.len() - missing - count_reshares(&checked);
    let stored = bodies.len();
    for body in bodies {
        let seal = sealer(ctx, case_id, body, investigators_only(ctx));
        upload(desk, case_id, seal, |seq, ct| {
            desk.post_item(case_id, seq, ct)
        })?;
    }
    Ok(Resealed::Done {
        items,
        stored,
        missing,
        files,
        missing_files,
    })
}

fn count_reshares(checked: &[CheckedItem]) -> usize {
    checked
        .iter()
        .filter(|c| {
            c.outcome
                .as_ref()
                .is_ok_and(|g| g.envelope.kind == ItemKind::Reshare)
        })
        .count()
}

/// `wbs reshare [--all | CASE…]`: re-seals cases for the team in `--keys`, and says what each retired
/// investigator in the copy could already read.
pub(crate) fn run(opts: &DeskOptions, cases: &[String], all: bool) -> Result<ExitCode, String> {
    if all != cases.is_empty() {
        return Err("name the cases to re-seal (WBS-XXXX-XXXX-XXXX …) or pass --all".to_owned());
    }
    let ctx = Ctx::load(&opts.identity, &opts.keys, false, None)?;
    let desk = Desk::connect(opts, &ctx.identity)?;
    let ids = if all {
        desk.cases()?.into_iter().map(|c| c.case_id).collect()
    } else {
        cases
            .iter()
            .map(|c| case_arg(c))
            .collect::<Result<Vec<_>, _>>()?
    };
    let mut out = Out::default();
    let mut failed = false;
    for case_id in &ids {
        match reseal(&ctx, &desk, case_id) {
            Ok(Resealed::Already) => out.line(format!(
                "case {case_id}: already sealed to the {} investigator key(s) in {}",
                active(&ctx),
                opts.keys.display()
            )),
            Ok(Resealed::Done {
                items,
                stored,
                missing,
                files,
                missing_files,
            }) => {
                out.line(format!(
                    "case {case_id}: {items} item(s) re-sealed to the {} investigator key(s) in {} ({stored} new reshare item(s), {files} attachment file(s) re-sealed as new files; nothing was overwritten)",
                    active(&ctx),
                    opts.keys.display()
                ));
                if missing_files > 0 {
                    out.line(format!(
                        "  {missing_files} attachment file(s) were not re-sealed (they do not open for this identity or differ from their signed manifest, or the desk is an offline bundle, which cannot take new files): run wbs reshare against the server, or ask a colleague who can read them to"
                    ));
                    failed = true;
                }
                if missing > 0 {
                    out.line(format!(
                        "  {missing} item(s) do not verify for this identity and were not re-sealed: ask a colleague who can read them to run wbs reshare too"
                    ));
                    failed = true;
                }
            }
            Err(e) => {
                out.line(format!("case {case_id}: not re-sealed: {e}"));
                failed = true;
            }
        }
    }
    out.line(exposure_note(&ctx));
    out.flush()?;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn active(ctx: &Ctx) -> usize {
    ctx.investigators.iter().filter(|i| i.is_active()).count()
}

/// One sentence per retired investigator in the keys copy: re-sealing does not take back what they read.
fn exposure_note(ctx: &Ctx) -> String {
    let retired: Vec<String> = ctx
        .investigators
        .iter()
        .filter_map(|i| {
            Some(format!(
                "{} (retired {})",
                i.display_name(),
                i.retired.as_ref()?
            ))
        })
        .collect();
    if retired.is_empty() {
        return "no retired investigator in the keys copy".to_owned();
    }
    format!(
        "{}: could already read every item sealed to them up to their retirement day; re-sealing does not take that back",
        retired.join(", ")
    )
}
