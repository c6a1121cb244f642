//! The prompt for each step, the summary, and the STATUS answer.

use super::reply::{cut, Reply, Row, MAX_INTERACTIVE_BODY};
use super::state::{open_summary, DialogueV1, Step};
use super::texts as t;
use crate::intake::answers::Field;
use crate::intake::report::CATEGORIES;
use crate::intake::submit::{Intake, IntakeError};
use crate::intake::Lang;
use crate::protocol::CaseId;

/// How many categories the first list page shows (plus a "more" row: ten rows at most).
const FIRST_PAGE: usize = 9;

/// Numbers, limits and addresses the prompts mention.
pub(crate) struct PromptInfo {
    pub max_attachments: usize,
    pub max_upload_mb: u64,
}

fn category_rows(l: Lang, more: bool) -> Vec<Row> {
    let (page, extra) = if more {
        (&CATEGORIES[FIRST_PAGE..], t::back(l))
    } else {
        (&CATEGORIES[..FIRST_PAGE], t::more(l))
    };
    let mut rows: Vec<Row> = page
        .iter()
        .map(|c| Row {
            id: format!("cat-{}", c.code),
            title: t::category_title(c.code, l).to_owned(),
            description: c.label(l).to_owned(),
        })
        .collect();
    rows.push(Row {
        id: if more { "cat-back" } else { "cat-more" }.to_owned(),
        title: extra.0.to_owned(),
        description: extra.1.to_owned(),
    });
    rows
}

fn list(body: &str, button: &str, section: &str, rows: Vec<Row>) -> Reply {
    Reply::List {
        body: body.to_owned(),
        button: button.to_owned(),
        section: section.to_owned(),
        rows,
    }
}

/// The question of the current step.
pub(crate) fn prompt(d: &DialogueV1, info: &PromptInfo, key: &[u8; 32]) -> Vec<Reply> {
    let l = d.lang();
    let next = [t::next_button(l)];
    match d.step {
        Step::Category => vec![list(
            t::category_prompt(l),
            t::category_button(l),
            t::category_section(l),
            category_rows(l, false),
        )],
        Step::CategoryMore => vec![list(
            t::category_more_prompt(l),
            t::category_button(l),
            t::category_section(l),
            category_rows(l, true),
        )],
        Step::ReporterKind => vec![Reply::buttons(t::kind_prompt(l), &t::kind_buttons(l))],
        Step::Chronology if d.has(Field::Chronology) => vec![Reply::buttons(
            t::chronology_ack(l, d.count(Field::Chronology)),
            &next,
        )],
        Step::Chronology => vec![Reply::text(t::chronology_prompt(l))],
        Step::Party if d.has(Field::Party) => vec![Reply::buttons(
            t::party_prompt(l, d.count(Field::Party) + 1),
            &next,
        )],
        Step::Party => vec![Reply::text(t::party_prompt(l, 1))],
        Step::PartyMore => vec![Reply::buttons(
            t::party_ack(l, d.count(Field::Party)),
            &t::party_buttons(l),
        )],
        Step::When => vec![Reply::text(t::when_prompt(l))],
        Step::Place => vec![Reply::text(t::place_prompt(l))],
        Step::Name => vec![Reply::buttons(t::name_prompt(l), &[t::anon_button(l)])],
        Step::Evidence => vec![Reply::buttons(
            t::evidence_prompt(l, info.max_attachments, info.max_upload_mb),
            &next,
        )],
        Step::Contact => vec![Reply::buttons(t::contact_prompt(l), &t::contact_buttons(l))],
        Step::Summary => summary(d, key),
        Step::Change => vec![list(
            t::change_prompt(l),
            t::change_button(l),
            t::change_button(l),
            change_rows(l),
        )],
    }
}

/// The parts a reporter may change from the summary: `(row id, title)`.
fn change_rows(l: Lang) -> Vec<Row> {
    let labels = t::summary_labels(l);
    let rows = [
        ("edit-category", labels[0]),
        ("edit-kind", labels[1]),
        ("edit-chronology", labels[2]),
        ("edit-parties", labels[3]),
        ("edit-when", labels[4]),
        ("edit-place", labels[5]),
        ("edit-name", labels[6]),
        ("edit-evidence", labels[7]),
        ("edit-files", t::files_label(l)),
        ("edit-contact", labels[8]),
    ];
    rows.iter()
        .map(|(id, title)| Row {
            id: (*id).to_owned(),
            title: cut(title, 24),
            description: String::new(),
        })
        .collect()
}

/// The summary lines of one field, and whether any could not be shown again (restart).
fn field_lines(d: &DialogueV1, key: &[u8; 32], field: Field, each: usize) -> (Vec<String>, bool) {
    let mut hidden = false;
    let lines = d
        .answers
        .iter()
        .filter(|a| a.field == field)
        .map(|a| match open_summary(key, &d.id, &a.summary) {
            Some(text) => cut(&text, each),
            None => {
                hidden = true;
                t::not_repeated(d.lang()).to_owned()
            }
        })
        .collect();
    (lines, hidden)
}

/// The summary with the confirm / change / cancel buttons (two messages when it is too long for one).
pub(crate) fn summary(d: &DialogueV1, key: &[u8; 32]) -> Vec<Reply> {
    let l = d.lang();
    let labels = t::summary_labels(l);
    let mut hidden_any = false;
    let mut show = |field: Field, each: usize, sep: &str| {
        let (lines, hidden) = field_lines(d, key, field, each);
        hidden_any |= hidden;
        if lines.is_empty() {
            "—".to_owned()
        } else {
            lines.join(sep)
        }
    };
    let category = show(Field::Category, 60, "; ");
    let kind = show(Field::ReporterKind, 40, "; ");
    let chronology = cut(&show(Field::Chronology, 200, " "), 240);
    let parties = show(Field::Party, 70, "; ");
    let when = show(Field::When, 60, "; ");
    let place = show(Field::Place, 60, "; ");
    let name = match d.anonymous {
        Some(true) => l.text("wa-summary-no-name").to_owned(),
        _ => show(Field::Name, 40, "; "),
    };
    let mut evidence = show(Field::Evidence, 60, "; ");
    let files = show(Field::Attachment, 40, ", ");
    if d.has(Field::Attachment) {
        evidence = format!(
            "{evidence}; {} {}: {files}",
            d.count(Field::Attachment),
            l.text("wa-summary-files")
        );
    }
    let contact = t::yes_no(l, d.contact == Some(true));
    let values = [
        category, kind, chronology, parties, when, place, name, evidence,
    ];
    let mut body = format!("{}\n", t::summary_head(l));
    for (label, value) in labels.iter().zip(values.iter()) {
        body.push_str(&format!("• {label}: {value}\n"));
    }
    body.push_str(&format!("• {}: {contact}\n", labels[8]));
    if hidden_any {
        body.push_str(&format!("\n{}\n", t::summary_restarted(l)));
    }
    let foot = t::summary_foot(l);
    let buttons = t::summary_buttons(l);
    let whole = format!("{body}\n{foot}");
    if whole.chars().count() <= MAX_INTERACTIVE_BODY {
        vec![Reply::buttons(whole, &buttons)]
    } else {
        vec![Reply::text(body), Reply::buttons(foot, &buttons)]
    }
}

/// A case id in what the reporter typed (forgiving case and look-alikes), if any.
pub(crate) fn find_case_id(text: &str) -> Option<CaseId> {
    CaseId::find_in(text)
}

/// The STATUS answer for a case id: status codes and dates only.
pub(crate) fn status_answer(
    intake: &Intake,
    case_id: &CaseId,
    l: Lang,
) -> Result<Reply, IntakeError> {
    let Some(case) = intake.case(case_id)? else {
        return Ok(Reply::text(t::status_unknown(l)));
    };
    let mut body = t::status_head(l, case.id.as_str());
    for s in &case.statuses {
        let label = s.status.label(l);
        body.push_str(&format!("\n• {label} — {}", s.day));
    }
    body.push_str(&format!("\n{}", t::status_foot(l)));
    Ok(Reply::text(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_ids_are_found_in_sloppy_text() {
        assert_eq!(
            find_case_id("status wbs-abcd-efgh-jkmn ya")
                .map(|c| c.to_string())
                .as_deref(),
            Some("WBS-ABCD-EFGH-JKMN")
        );
        assert_eq!(
            find_case_id("WBS ABCD EFGH JKMN")
                .map(|c| c.to_string())
                .as_deref(),
            Some("WBS-ABCD-EFGH-JKMN")
        );
        assert_eq!(
            find_case_id("WBS-ABCD").map(|c| c.to_string()).as_deref(),
            None
        );
        assert_eq!(find_case_id("halo").map(|c| c.to_string()).as_deref(), None);
    }

    #[test]
    fn category_pages_fit_a_list_message() {
        for more in [false, true] {
            let rows = category_rows(Lang::Id, more);
            assert!(rows.len() <= 10);
        }
        let all: usize = [false, true]
            .iter()
            .map(|m| category_rows(Lang::En, *m).len() - 1)
            .sum();
        assert_eq!(all, CATEGORIES.len());
        assert!(change_rows(Lang::Id).len() <= 10);
    }
}
