//! The page that shows a replaced one-time receipt (WhatsApp, docs/design.md §9): once, in the direct
//! answer to the login POST (never in a redirect or a URL), with a session already open on the new
//! receipt's keys.

use askama::Template;
use axum::http::header;
use axum::response::Response;
use zeroize::Zeroizing;

use super::error::render;
use super::pages::Page;
use super::AppState;
use crate::intake::rekey::Rekeyed;
use crate::intake::Lang;
use crate::protocol::CaseId;

#[derive(Template)]
#[template(path = "rekey.html")]
struct RekeyTemplate {
    page: Page,
    receipt: Zeroizing<String>,
    case_id: CaseId,
}

pub(super) fn page(state: &AppState, l: Lang, case_id: CaseId, rekeyed: &Rekeyed) -> Response {
    let mut session = state.sessions.start(case_id.clone(), &rekeyed.keys.master);
    let mut response = render(&RekeyTemplate {
        page: Page::new(l, state.demo, "/pantau"),
        receipt: rekeyed.receipt.grouped(),
        case_id,
    });
    if let Some(cookie) = state.sessions.cookie(&mut session) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}
