//! `/`: every case, overdue first, with what its verified report says (category, criteria), the
//! reporter's follow-ups and the deadline; filters by status and category; a search over the decrypted
//! text, in memory.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State as AxState};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::model::{self, category_label, criteria_words, deadline_words};
use super::page::{link, problem, render, DeskLang, Page};
use super::State;
use crate::intake::report::CATEGORIES;
use crate::intake::Lang;
use crate::protocol::Status;

#[derive(Default, Deserialize)]
pub(super) struct Filter {
    #[serde(default)]
    status: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    q: String,
}

pub(super) struct Row {
    pub id: String,
    pub href: String,
    pub status: &'static str,
    pub category: String,
    pub corrected: bool,
    pub channel: &'static str,
    pub received: String,
    pub met: String,
    pub missing: String,
    pub reporter_items: usize,
    /// A follow-up arrived since the case was last opened in this desk.
    pub unread: bool,
    pub deadline: String,
    pub overdue: bool,
    pub rejected: usize,
    pub rollback: bool,
}

pub(super) struct Choice {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "desk/inbox.html")]
struct InboxTemplate {
    page: Page,
    rows: Vec<Row>,
    /// `3 of 5 cases`.
    count: String,
    statuses: Vec<Choice>,
    categories: Vec<Choice>,
    q: String,
    /// Cases that could not be read (one sentence each).
    errors: Vec<String>,
}

pub(super) async fn inbox(
    AxState(state): AxState<Arc<State>>,
    DeskLang(l): DeskLang,
    Query(filter): Query<Filter>,
) -> Response {
    let st = state.clone();
    let q = filter.q.trim().to_lowercase();
    let status = Status::from_code(filter.status.trim());
    let cat = CATEGORIES
        .iter()
        .find(|c| c.code == filter.category.trim())
        .map(|c| c.code);
    let built = tokio::task::spawn_blocking(move || rows(&st, l, status, cat, &q)).await;
    let (rows, total, errors) = match built {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return problem(l, StatusCode::BAD_GATEWAY, e),
        Err(_) => return problem(l, StatusCode::INTERNAL_SERVER_ERROR, String::new()),
    };
    render(&InboxTemplate {
        page: Page::new(l, "/"),
        count: l.text_with(
            "desk-inbox-count",
            &[("shown", &rows.len()), ("total", &total)],
        ),
        rows,
        statuses: Status::ALL
            .iter()
            .map(|s| Choice {
                code: s.code(),
                label: s.label(l),
                selected: Some(*s) == status,
            })
            .collect(),
        categories: CATEGORIES
            .iter()
            .map(|c| Choice {
                code: c.code,
                label: c.label(l),
                selected: Some(c.code) == cat,
            })
            .collect(),
        q: filter.q,
        errors,
    })
}

type Rows = (Vec<Row>, usize, Vec<String>);

fn rows(
    state: &State,
    l: Lang,
    status: Option<Status>,
    cat: Option<&str>,
    q: &str,
) -> Result<Rows, String> {
    let desk = model::connect(state)?;
    let mut list = desk.cases()?;
    let total = list.len();
    // Overdue first, then by deadline, then oldest first.
    list.sort_by(|a, b| {
        let key = |c: &crate::protocol::wire::CaseSummary| {
            (
                !c.deadline.as_ref().is_some_and(|d| d.overdue),
                c.deadline.as_ref().map(|d| d.due.to_string()),
                c.created.to_string(),
                c.case_id.to_string(),
            )
        };
        key(a).cmp(&key(b))
    });
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for c in list {
        if status.is_some_and(|s| s != c.status) {
            continue;
        }
        let loaded = match model::load(state, &desk, &c.case_id) {
            Ok(loaded) => loaded,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let g = model::gist(&loaded.checked);
        if cat.is_some() && g.category.as_deref() != cat {
            continue;
        }
        if !q.is_empty() && !g.text.contains(q) && !c.case_id.as_str().to_lowercase().contains(q) {
            continue;
        }
        let (met, missing) = criteria_words(l, g.criteria.as_ref());
        let (deadline, overdue) = deadline_words(l, c.deadline.as_ref());
        rows.push(Row {
            id: c.case_id.to_string(),
            href: link(l, &format!("/case/{}", c.case_id)),
            status: c.status.label(l),
            category: category_label(l, g.category.as_deref()),
            corrected: g.corrected,
            channel: c.channel.code(),
            received: c.created.to_string(),
            met,
            missing,
            reporter_items: g.reporter_items,
            unread: g.last_reporter_item.is_some_and(|seq| {
                let read = state.memory().read.get(&c.case_id).copied();
                // Before this run opened the case: what the `seen` file says (shared with the CLI).
                let read = read.unwrap_or_else(|| {
                    crate::desk::config::seen(&state.opts.state_dir, desk.origin(), &c.case_id)
                        as usize
                });
                seq >= read
            }),
            deadline,
            overdue,
            rejected: g.rejected + loaded.mismatched,
            rollback: loaded.rollback.is_some(),
        });
    }
    Ok((rows, total, errors))
}

/// The search words may quote a report: `Debug` never shows them.
impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Filter(<redacted>)")
    }
}
