//! `GET /webhook/whatsapp` (Meta's `hub.challenge` handshake) and `POST /webhook/whatsapp` (events,
//! accepted only with a valid `X-Hub-Signature-256` over the raw body). Both answer 404 when the
//! channel is not configured. No request is logged: the web layer counts them hourly by status.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::payload::{Delivery, Event};
use super::{Counters, WhatsApp};
use crate::crypto::ct;

pub(crate) const PATH: &str = "/webhook/whatsapp";
/// Meta's event payloads are small; a batch of many messages stays far below this.
pub(crate) const BODY_LIMIT: usize = 1024 * 1024;
const SIGNATURE_HEADER: &str = "x-hub-signature-256";

type Channel = Option<Arc<WhatsApp>>;

/// The two routes, with their own state; merge them into the public router.
pub(crate) fn routes<S>(whatsapp: Channel) -> Router<S> {
    Router::new()
        .route(PATH, get(verify).post(receive))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(whatsapp)
}

fn plain(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The handshake: echo `hub.challenge` when `hub.verify_token` is ours (compared in constant time).
async fn verify(State(wa): State<Channel>, Query(q): Query<HashMap<String, String>>) -> Response {
    let Some(wa) = wa else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    let mode_ok = q.get("hub.mode").is_some_and(|m| m == "subscribe");
    let token = q
        .get("hub.verify_token")
        .map(String::as_bytes)
        .unwrap_or(b"");
    let token_ok = ct::eq(token, wa.config.verify_token.as_bytes());
    let challenge = q.get("hub.challenge").filter(|c| {
        !c.is_empty()
            && c.len() <= 256
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
    });
    match (mode_ok && token_ok, challenge) {
        (true, Some(c)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            c.clone(),
        )
            .into_response(),
        _ => plain(StatusCode::FORBIDDEN, "forbidden"),
    }
}

/// Whether `header` is `sha256=<hex of HMAC-SHA256(app secret, body)>`, checked in constant time.
pub(crate) fn signature_ok(app_secret: &[u8], body: &[u8], header: &[u8]) -> bool {
    let Some(hex) = header.strip_prefix(b"sha256=") else {
        return false;
    };
    let Ok(given) = data_encoding::HEXLOWER_PERMISSIVE.decode(hex) else {
        return false;
    };
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(app_secret) else {
        return false;
    };
    mac.update(body);
    let expected = mac.finalize().into_bytes();
    ct::eq(&expected, &given)
}

/// Events: checked, parsed, every message stored before the 200; replies and media fetches follow.
async fn receive(State(wa): State<Channel>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(wa) = wa else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    let Some(signature) = headers.get(SIGNATURE_HEADER) else {
        return plain(StatusCode::UNAUTHORIZED, "signature required");
    };
    if !signature_ok(wa.config.app_secret.as_bytes(), &body, signature.as_bytes()) {
        return plain(StatusCode::FORBIDDEN, "bad signature");
    }
    let Ok(event) = serde_json::from_slice::<Event>(&body) else {
        return plain(StatusCode::BAD_REQUEST, "not an event");
    };
    drop(body);
    let delivery = Delivery::from_event(event, &wa.config.phone_number_id);
    Counters::add_n(&wa.counters.statuses, delivery.statuses);
    Counters::add_n(&wa.counters.foreign, delivery.foreign);
    for f in &delivery.failures {
        wa.outbox.failed(&f.message_id, f.code);
    }
    for code in &delivery.errors {
        // Errors about the whole change (e.g. a message Meta could not process): logged by code.
        let code = format!("webhook-{code}");
        if wa.counters.first_this_hour(&code) {
            tracing::warn!(code = %code, "whatsapp: Meta reports an error in a webhook event (further ones this hour are only counted)");
        }
    }
    if delivery.messages.is_empty() {
        return plain(StatusCode::OK, "ok");
    }
    let worker = Arc::clone(&wa);
    let done = tokio::task::spawn_blocking(move || worker.process(delivery.messages)).await;
    match done {
        Ok((effects, all_stored)) => {
            wa.dispatch(effects);
            if all_stored {
                plain(StatusCode::OK, "ok")
            } else {
                // Meta delivers again; what was stored is recognised as a duplicate.
                plain(StatusCode::INTERNAL_SERVER_ERROR, "retry")
            }
        }
        Err(_) => plain(StatusCode::INTERNAL_SERVER_ERROR, "retry"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_checked_over_the_raw_bytes() {
        let body = br#"{"object":"whatsapp_business_account"}"#;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"secret").expect("key");
        mac.update(body);
        let good = format!(
            "sha256={}",
            crate::crypto::hex(&mac.finalize().into_bytes())
        );
        assert!(signature_ok(b"secret", body, good.as_bytes()));
        assert!(!signature_ok(b"other", body, good.as_bytes()));
        assert!(!signature_ok(b"secret", b"{ }", good.as_bytes()));
        assert!(!signature_ok(b"secret", body, &good.as_bytes()[7..]));
        assert!(!signature_ok(b"secret", body, b"sha256=zz"));
    }
}
