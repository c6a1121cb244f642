//! The "there is news on your report" notice (docs/whatsapp.md §8): the office's approved template,
//! sent on an investigator's request through the desk API, to an address the investigator read in
//! the case's sealed identity block. The server is told only the address, never the case: it keeps no
//! link between a number and a case, and the template carries no content.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;
use zeroize::Zeroizing;

use super::outbox::Outgoing;
use super::payload::{is_user_id, Address};
use super::reply::Reply;
use super::WhatsApp;

/// `POST /api/v1/desk/whatsapp/news`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewsRequest {
    /// `+62 811-…` as the identity block shows it, or a business-scoped user id.
    to: String,
    /// The reporter's language (`id` or `en`); the template's first language when it has no such one.
    #[serde(default)]
    lang: Option<String>,
}

/// The address a request names: a phone number (digits, with `+`, spaces and dashes allowed) or a
/// business-scoped user id.
pub(crate) fn address(to: &str) -> Option<Address> {
    let t = to.trim();
    let t = t.strip_prefix("WhatsApp user id ").unwrap_or(t);
    let t = t.strip_prefix("WhatsApp ").unwrap_or(t).trim();
    if is_user_id(t) {
        return Some(Address::UserId(Zeroizing::new(t.to_owned())));
    }
    let digits: String = t
        .trim_start_matches('+')
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    let ok = (6..=20).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| Address::Phone(Zeroizing::new(digits)))
}

fn answer(status: StatusCode, code: &'static str) -> Response {
    (status, Json(json!({ "error": code }))).into_response()
}

/// Queues the template. `404` when the channel is off, `409` when no template is configured, `400`
/// for an address that is neither a number nor a user id; `202` once queued (Meta's delivery is
/// asynchronous; a failure is logged by code like any send).
pub(crate) async fn send_news(
    channel: Option<Extension<Option<Arc<WhatsApp>>>>,
    body: Result<Json<NewsRequest>, JsonRejection>,
) -> Response {
    let Some(Extension(Some(wa))) = channel else {
        return answer(StatusCode::NOT_FOUND, "whatsapp-off");
    };
    let Some(template) = wa.config.news_template.as_ref() else {
        return answer(StatusCode::CONFLICT, "no-template");
    };
    let Ok(Json(mut req)) = body else {
        return answer(StatusCode::BAD_REQUEST, "bad-request");
    };
    let to = address(&req.to);
    zeroize::Zeroize::zeroize(&mut req.to);
    let Some(to) = to else {
        return answer(StatusCode::BAD_REQUEST, "bad-address");
    };
    let language = req
        .lang
        .as_deref()
        .and_then(|l| template.languages.iter().find(|t| t.as_str() == l))
        .or_else(|| template.languages.first())
        .cloned()
        .unwrap_or_default();
    let group = wa.state.local_hash(to.field().1);
    let reply = Reply::Template {
        name: template.name.clone(),
        language,
    };
    // Templates are not bound to the 24-hour window.
    wa.outbox.push(Outgoing::new(to, group, reply, u64::MAX));
    (StatusCode::ACCEPTED, Json(json!({ "queued": true }))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_numbers_as_shown_or_user_ids() {
        let phone = |s| match address(s) {
            Some(Address::Phone(p)) => Some(p.to_string()),
            _ => None,
        };
        assert_eq!(
            phone("WhatsApp +62 811-5000-1234").as_deref(),
            Some("6281150001234")
        );
        assert_eq!(phone("628115000").as_deref(), Some("628115000"));
        assert!(matches!(
            address("WhatsApp user id ID.123abc"),
            Some(Address::UserId(_))
        ));
        for bad in ["", "+62 811 abc", "ID.", "12345", "https://x"] {
            assert!(address(bad).is_none(), "{bad}");
        }
    }
}
