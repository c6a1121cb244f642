//! From the desk API to what a page shows: fetch a case's items (ciphertext cached by revision, in
//! memory), verify the whole chain with `intake::verify::verify_case`, and turn each verified item into
//! labelled text. A rejected item becomes a warning line and nothing of its content. Everything here is
//! blocking (the desk API client is): handlers call it inside `spawn_blocking`.

use zeroize::Zeroizing;

use super::State;
use crate::crypto::{hex, sha256};
use crate::desk::client::Desk;
use crate::desk::render::clean;
use crate::intake::report::category;
use crate::intake::verify::{verify_case, CheckedItem, GenuineItem};
use crate::intake::Lang;
use crate::protocol::item::ItemBody;
use crate::protocol::report::{Criteria, ManifestEntry};
use crate::protocol::wire::{CaseDetail, DeskDeadline};
use crate::protocol::{CaseId, ItemKind, Role};

/// A case as fetched and verified.
pub(super) struct Loaded {
    pub detail: CaseDetail,
    pub checked: Vec<CheckedItem>,
    /// Items whose bytes differ from the server's own listing.
    pub mismatched: usize,
    /// The server lists fewer items than the desk verified before: `(before, now)`.
    pub rollback: Option<(usize, usize)>,
}

/// Logs in to the desk API (a fresh login per action: tokens expire, logins are cheap).
pub(super) fn connect(state: &State) -> Result<Desk, String> {
    Desk::connect(&state.opts, &state.ctx.identity)
}

/// Fetches every item of a case (reusing cached ciphertext whose digest the listing still names),
/// verifies the chain against the case id asked for, and checks for a rollback.
pub(super) fn load(state: &State, desk: &Desk, case_id: &CaseId) -> Result<Loaded, String> {
    let detail = desk.case(case_id)?;
    let cached = state
        .memory()
        .items
        .get(case_id)
        .map(|(_, items)| items.clone())
        .unwrap_or_default();
    let mut files = Vec::with_capacity(detail.items.len());
    let mut mismatched = 0;
    for (seq, listed) in (0u32..).zip(&detail.items) {
        let reuse = cached
            .get(seq as usize)
            .filter(|c| hex(&sha256(c)) == listed.ciphertext_sha256);
        let bytes = match reuse {
            Some(c) => c.clone(),
            None => desk.item(case_id, seq)?,
        };
        if listed.seq != seq || hex(&sha256(&bytes)) != listed.ciphertext_sha256 {
            mismatched += 1;
        }
        files.push(bytes);
    }
    let checked = verify_case(
        case_id,
        &files,
        &state.ctx.identities(),
        &state.ctx.investigators,
    );
    let verified = checked.iter().filter(|c| c.outcome.is_ok()).count();
    let mut memory = state.memory();
    memory
        .items
        .insert(case_id.clone(), (detail.revision, files));
    let rollback = remember(
        memory.seen.entry(case_id.clone()).or_insert(0),
        detail.items.len(),
        verified,
    );
    drop(memory);
    Ok(Loaded {
        detail,
        checked,
        mismatched,
        rollback,
    })
}

/// Keeps the highest number of verified items seen of a case; `(seen before, listed now)` when the
/// server now lists fewer items than were verified before (a rollback, or items removed).
fn remember(seen: &mut usize, listed: usize, verified: usize) -> Option<(usize, usize)> {
    let rollback = (listed < *seen).then_some((*seen, listed));
    *seen = (*seen).max(verified);
    rollback
}

/// What the inbox and the case header say of a case's verified content.
pub(super) struct Gist {
    /// The category code: the report's, or the newest verified correction's.
    pub category: Option<String>,
    pub corrected: bool,
    pub criteria: Option<Criteria>,
    /// Verified follow-ups from the reporter.
    pub reporter_items: usize,
    /// The position of the newest of them.
    pub last_reporter_item: Option<usize>,
    pub rejected: usize,
    /// Every verified text except the identity block, lower-cased, for the search box.
    pub text: Zeroizing<String>,
}

pub(super) fn gist(checked: &[CheckedItem]) -> Gist {
    let mut g = Gist {
        category: None,
        corrected: false,
        criteria: None,
        reporter_items: 0,
        last_reporter_item: None,
        rejected: 0,
        text: Zeroizing::new(String::new()),
    };
    for c in checked {
        let Ok(item) = &c.outcome else {
            g.rejected += 1;
            continue;
        };
        let mut add = |s: &str| {
            g.text.push_str(&s.to_lowercase());
            g.text.push('\n');
        };
        match &item.body {
            ItemBody::Report(r) => {
                if let Some(content) = &r.report {
                    g.category = Some(content.category.clone());
                    g.criteria = Some(content.criteria);
                    add(&content.category);
                    add(&content.chronology);
                    for p in &content.parties {
                        add(&p.name);
                        add(&p.position);
                        add(&p.unit);
                    }
                    add(&content.incident_when);
                    add(&content.incident_place);
                    add(&content.evidence);
                }
            }
            ItemBody::Followup(f) => {
                g.reporter_items += 1;
                g.last_reporter_item = Some(c.seq);
                add(&f.text);
            }
            ItemBody::Reply(m) | ItemBody::InternalNote(m) => add(&m.text),
            ItemBody::StatusNote(s) => add(&s.text),
            ItemBody::Recategorise(r) => {
                if category(&r.category).is_some() {
                    g.category = Some(r.category.clone());
                    g.corrected = true;
                }
                add(&r.reason);
            }
            ItemBody::RevealRecord(r) => add(&r.reason),
            _ => {}
        }
    }
    g
}

/// A category code in words.
pub(super) fn category_label(l: Lang, code: Option<&str>) -> String {
    match code {
        None => l.text("desk-unknown").to_owned(),
        Some(code) => match category(code) {
            Some(c) => c.label(l).to_owned(),
            None => clean(code),
        },
    }
}

/// The criteria met and missing, in words.
pub(super) fn criteria_words(l: Lang, c: Option<&Criteria>) -> (String, String) {
    let Some(c) = c else {
        return (l.text("desk-unknown").to_owned(), String::new());
    };
    let all = [
        (c.identity, l.text("desk-criterion-identity")),
        (c.chronology, l.text("desk-criterion-chronology")),
        (c.parties, l.text("desk-criterion-parties")),
        (c.time_and_place, l.text("desk-criterion-time-place")),
    ];
    let pick = |met: bool| {
        all.iter()
            .filter(|(ok, _)| *ok == met)
            .map(|(_, w)| *w)
            .collect::<Vec<_>>()
            .join(", ")
    };
    (pick(true), pick(false))
}

/// The deadline in words, and whether it has passed.
pub(super) fn deadline_words(l: Lang, d: Option<&DeskDeadline>) -> (String, bool) {
    match d {
        None => (l.text("desk-deadline-none").to_owned(), false),
        Some(d) => {
            // The reporter's words for the same deadline (`deadline-*`, docs/design.md §8): one name
            // for each deadline on both sides.
            let mut s = crate::desk::render::reporters_words(d, l);
            if d.overdue {
                s.push_str(" — ");
                s.push_str(l.text("desk-overdue"));
            }
            (s, d.overdue)
        }
    }
}

/// One labelled value of an item; `block` values are multi-line text.
pub(super) struct Field {
    pub label: &'static str,
    pub value: String,
    pub block: bool,
}

/// A file an item names, with its place in the case's list of files (for the download link).
pub(super) struct FileView {
    pub n: usize,
    pub name: String,
    pub media_type: String,
    pub size: u64,
    pub stripped: bool,
    /// Not a type the server scrubs: its metadata is as sent (issue 11).
    pub unscrubbed: bool,
    /// Shown inline: its decrypted bytes are a JPEG, PNG or WebP image (`desk::image`).
    pub inline: bool,
    /// The metadata it still carries, named (empty when none was found).
    pub metadata: String,
}

/// One item of the thread as a page shows it.
pub(super) struct ItemView {
    pub seq: usize,
    pub kind: &'static str,
    /// A CSS class: `reporter`, `investigator`, `internal`, `rejected`.
    pub class: &'static str,
    pub signer: String,
    pub day: String,
    /// Why the item is not shown.
    pub rejected: Option<String>,
    pub fields: Vec<Field>,
    pub files: Vec<FileView>,
    /// The identity block, hidden until revealed.
    pub identity_hidden: bool,
}

fn kind_label(l: Lang, kind: ItemKind) -> &'static str {
    l.text(match kind {
        ItemKind::Report => "desk-kind-report",
        ItemKind::Identity => "desk-kind-identity",
        ItemKind::Manifest => "desk-kind-manifest",
        ItemKind::Followup => "desk-kind-followup",
        ItemKind::Reply => "desk-kind-reply",
        ItemKind::InternalNote => "desk-kind-internal-note",
        ItemKind::StatusNote => "desk-kind-status-note",
        ItemKind::RevealRecord => "desk-kind-reveal-record",
        ItemKind::Rekey => "desk-kind-rekey",
        ItemKind::Recategorise => "desk-kind-recategorise",
        ItemKind::Reshare => "desk-kind-reshare",
    })
}

/// Every item in order, and the files the verified manifest and follow-ups name (in that order).
pub(super) fn thread(
    l: Lang,
    checked: &[CheckedItem],
    reveal: bool,
) -> (Vec<ItemView>, Vec<ManifestEntry>) {
    let mut views = Vec::with_capacity(checked.len());
    let mut files = Vec::new();
    for c in checked {
        match &c.outcome {
            Err(problem) => views.push(ItemView {
                seq: c.seq,
                kind: l.text("desk-kind-rejected"),
                class: "rejected",
                signer: String::new(),
                day: String::new(),
                rejected: Some(problem.to_string()),
                fields: Vec::new(),
                files: Vec::new(),
                identity_hidden: false,
            }),
            Ok(item) => views.push(item_view(l, c.seq, item, reveal, &mut files)),
        }
    }
    (views, files)
}

fn item_view(
    l: Lang,
    seq: usize,
    item: &GenuineItem,
    reveal: bool,
    files: &mut Vec<ManifestEntry>,
) -> ItemView {
    let env = &item.envelope;
    let mut signer = match (&item.investigator, env.author.role) {
        (Some(name), _) => l.text_with("desk-signed-by-investigator", &[("name", &clean(name))]),
        (None, Role::Reporter) | (None, Role::Investigator) => {
            l.text("desk-signed-by-reporter").to_owned()
        }
    };
    if let Some(by) = &item.reshared_by {
        signer.push_str(&l.text_with("desk-reshared-by", &[("name", &clean(by))]));
    }
    let class = match env.kind {
        ItemKind::Reply | ItemKind::StatusNote => "investigator",
        ItemKind::InternalNote
        | ItemKind::RevealRecord
        | ItemKind::Recategorise
        | ItemKind::Reshare => "internal",
        _ => "reporter",
    };
    let mut v = ItemView {
        seq,
        kind: kind_label(l, env.kind),
        class,
        signer,
        day: env.day.to_string(),
        rejected: None,
        fields: Vec::new(),
        files: Vec::new(),
        identity_hidden: false,
    };
    let mut field = |label: &'static str, value: &str, block: bool| {
        v.fields.push(Field {
            label: l.text(label),
            value: clean(value),
            block,
        })
    };
    let mut named: &[ManifestEntry] = &[];
    match &item.body {
        ItemBody::Report(r) => match &r.report {
            None => field("desk-field-unreadable", "", false),
            Some(c) => {
                field(
                    "desk-field-category",
                    &category_label(l, Some(&c.category)),
                    false,
                );
                field("desk-field-reporter-kind", c.reporter_kind.label(l), false);
                let (met, missing) = criteria_words(l, Some(&c.criteria));
                field("desk-field-criteria-met", &met, false);
                if !missing.is_empty() {
                    field("desk-field-criteria-missing", &missing, false);
                }
                field("desk-field-chronology", &c.chronology, true);
                let parties: Vec<String> = c
                    .parties
                    .iter()
                    .map(|p| format!("{} — {}, {}", p.name, p.position, p.unit))
                    .collect();
                field("desk-field-parties", &parties.join("\n"), true);
                field("desk-field-when", &c.incident_when, false);
                field("desk-field-where", &c.incident_place, false);
                if !c.evidence.trim().is_empty() {
                    field("desk-field-evidence", &c.evidence, true);
                }
                let good_faith = match c.good_faith {
                    Some(true) => l.text("desk-good-faith-yes"),
                    Some(false) => l.text("desk-good-faith-no"),
                    None => l.text("desk-good-faith-not-asked"),
                };
                field("desk-field-good-faith", good_faith, false);
                field("desk-field-attachments", &r.attachments.to_string(), false);
            }
        },
        ItemBody::Identity(id) => {
            if !reveal {
                v.identity_hidden = true;
            } else if id.anonymous {
                field("desk-field-identity", l.text("desk-anonymous"), false);
            } else {
                field("desk-field-name", &id.name, false);
                field("desk-field-contact", &id.contact, false);
            }
        }
        ItemBody::Manifest(m) => named = &m.attachments,
        ItemBody::Followup(f) => {
            field("desk-field-text", &f.text, true);
            named = &f.attachments;
        }
        ItemBody::Reply(m) | ItemBody::InternalNote(m) => field("desk-field-text", &m.text, true),
        ItemBody::StatusNote(s) => {
            field("desk-field-status", s.status.label(l), false);
            field("desk-field-text", &s.text, true);
        }
        ItemBody::RevealRecord(r) => field("desk-field-reason", &r.reason, true),
        ItemBody::Recategorise(r) => {
            field(
                "desk-field-category",
                &category_label(l, Some(&r.category)),
                false,
            );
            field("desk-field-reason", &r.reason, true);
        }
        ItemBody::Rekey(_) => field("desk-field-text", l.text("desk-rekey-text"), false),
        ItemBody::Reshare(r) => field("desk-field-text", &r.items.len().to_string(), false),
    }
    for e in named {
        v.files.push(FileView {
            n: files.len(),
            name: clean(&e.name),
            media_type: clean(&e.media_type),
            size: e.size,
            stripped: e.original_sha256.is_some(),
            unscrubbed: !crate::intake::scrub::scrubbed_type(&e.media_type),
            inline: false,
            metadata: String::new(),
        });
        files.push(e.clone());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fewer_items_than_verified_before_is_a_rollback() {
        let mut seen = 0;
        assert_eq!(remember(&mut seen, 3, 3), None);
        assert_eq!(remember(&mut seen, 5, 5), None);
        assert_eq!(seen, 5);
        // A rejected item does not raise the mark, but a shorter listing is noticed.
        assert_eq!(remember(&mut seen, 6, 5), None);
        assert_eq!(remember(&mut seen, 4, 4), Some((5, 4)));
        assert_eq!(seen, 5, "the mark stays after a rollback");
        assert_eq!(remember(&mut seen, 5, 5), None);
    }

    #[test]
    fn criteria_and_deadlines_read_as_words() {
        let c = Criteria {
            identity: false,
            chronology: true,
            parties: true,
            time_and_place: true,
        };
        let (met, missing) = criteria_words(Lang::En, Some(&c));
        assert_eq!(met, "chronology, reported parties, time and place");
        assert_eq!(missing, "identity");
        let d = DeskDeadline {
            stage: Stage::Acknowledge,
            due: crate::protocol::Day::parse("2020-01-09").expect("a day"),
            overdue: true,
        };
        let (text, overdue) = deadline_words(Lang::En, Some(&d));
        assert_eq!(text, "To be verified by 2020-01-09 — OVERDUE");
        assert!(overdue);
    }

    use crate::protocol::wire::Stage;

    #[test]
    fn each_deadline_has_the_reporters_name_on_the_desk_and_the_command_line() {
        for l in [Lang::Id, Lang::En] {
            for (stage, key) in [
                (Stage::Acknowledge, "deadline-acknowledge"),
                (Stage::Feedback, "deadline-feedback"),
                (Stage::Settle, "deadline-settle"),
            ] {
                let d = DeskDeadline {
                    stage,
                    due: crate::protocol::Day::parse("2026-12-04").expect("a day"),
                    overdue: false,
                };
                // What the reporter's follow-up page says (src/web/pantau.rs writes the day out).
                let reporter = crate::intake::deadline::Deadline {
                    stage,
                    due: d.due.clone(),
                    overdue: false,
                }
                .describe(l);
                assert_eq!(reporter, format!("{} 2026-12-04", l.text(key)));
                assert_eq!(deadline_words(l, Some(&d)).0, reporter, "desk, {l:?}");
                assert_eq!(
                    crate::desk::render::deadline_text_in(l, Some(&d)),
                    reporter,
                    "command line, {l:?}"
                );
            }
        }
    }
}
