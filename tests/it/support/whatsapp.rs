//! Test support for the WhatsApp channel: a local stand-in for Meta's Graph API (an axum server on
//! 127.0.0.1 that serves media look-ups and bytes and records every message the bot sends), a
//! `wbs serve` configured to use it, and a chat that posts correctly signed webhook events built from
//! the real payload shapes in `tests/data/whatsapp/`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::Env;

pub const APP_SECRET: &str = "test-app-secret-0f3c";
pub const VERIFY_TOKEN: &str = "test-verify-token-77a1";
pub const ACCESS_TOKEN: &str = "test-access-token-5be2";
pub const PHONE_NUMBER_ID: &str = "109876543210987";
/// The Graph API version the test configuration sets (the stand-in records what requests name).
pub const GRAPH_VERSION: &str = "v26.0";

/// A served media file: bytes, MIME type, Meta's digest as sent.
type Served = (Vec<u8>, String, String);

/// The Graph API stand-in.
#[derive(Default)]
pub struct Meta {
    pub sent: Mutex<Vec<Value>>,
    media: Mutex<HashMap<String, Served>>,
    /// Answer this many sends with Meta's pair-rate-limit error first.
    pub fail_sends: AtomicUsize,
    /// Requests that came without the right bearer token.
    pub unauthorized: AtomicUsize,
    pub lookups: AtomicUsize,
    /// File sizes the look-up claims instead of the real ones.
    sizes: Mutex<HashMap<String, u64>>,
    base: OnceLock<String>,
    /// The Graph API version of every API request (look-ups and sends), in order.
    pub versions: Mutex<Vec<String>>,
}

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/whatsapp")
        .join(name);
    serde_json::from_slice(&std::fs::read(&path).expect("fixture")).expect("fixture JSON")
}

fn authorized(meta: &Meta, headers: &HeaderMap) -> bool {
    let ok = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {ACCESS_TOKEN}"));
    if !ok {
        meta.unauthorized.fetch_add(1, Ordering::SeqCst);
    }
    ok
}

async fn lookup(
    State(meta): State<Arc<Meta>>,
    UrlPath((version, id)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    meta.versions.lock().unwrap().push(version);
    if !authorized(&meta, &headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    meta.lookups.fetch_add(1, Ordering::SeqCst);
    let Some((bytes, mime, sha)) = meta.media.lock().unwrap().get(&id).cloned() else {
        return (StatusCode::NOT_FOUND, Json(json!({"error": {"code": 100}}))).into_response();
    };
    let mut v = fixture("media_lookup_response.json");
    v["url"] = json!(format!("{}/files/{id}?hash=ATs", meta.base()));
    v["mime_type"] = json!(mime);
    v["sha256"] = json!(sha);
    let claimed = meta.sizes.lock().unwrap().get(&id).copied();
    v["file_size"] = json!(claimed.unwrap_or(bytes.len() as u64));
    v["id"] = json!(id);
    Json(v).into_response()
}

async fn file(
    State(meta): State<Arc<Meta>>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    if !authorized(&meta, &headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match meta.media.lock().unwrap().get(&id).cloned() {
        Some((bytes, mime, _)) => ([("content-type", mime)], bytes).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn send(
    State(meta): State<Arc<Meta>>,
    UrlPath((version, phone)): UrlPath<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    meta.versions.lock().unwrap().push(version);
    if !authorized(&meta, &headers) || phone != PHONE_NUMBER_ID {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let message: Value = serde_json::from_slice(&body).expect("the bot sends JSON");
    if meta
        .fail_sends
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(fixture("error_pair_rate_limit.json")),
        )
            .into_response();
    }
    // Each message gets its own id, as at Meta (kept beside the request as `_wamid`), so that a
    // test can report a delivery status for it.
    let mut sent = meta.sent.lock().unwrap();
    let id = format!("wamid.SENT{}", sent.len());
    let mut message = message;
    message["_wamid"] = json!(id);
    sent.push(message);
    let mut answer = fixture("send_response.json");
    answer["messages"][0]["id"] = json!(id);
    Json(answer).into_response()
}

impl Meta {
    /// Starts the stand-in on a free loopback port.
    pub async fn start() -> Arc<Meta> {
        let meta = Arc::new(Meta::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        meta.base.set(format!("http://{addr}")).expect("once");
        let app = Router::new()
            .route("/{version}/{id}", get(lookup))
            .route("/{version}/{id}/messages", post(send))
            .route("/files/{id}", get(file))
            .with_state(meta.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        meta
    }

    pub fn base(&self) -> String {
        self.base.get().cloned().expect("started")
    }

    /// Serves `bytes` as media `id`; Meta's digest is given as hex or base64.
    pub fn add_media(&self, id: &str, bytes: Vec<u8>, mime: &str, base64: bool) {
        let digest = Sha256::digest(&bytes);
        let sha = if base64 {
            data_encoding::BASE64.encode(&digest)
        } else {
            data_encoding::HEXLOWER.encode(&digest)
        };
        self.media
            .lock()
            .unwrap()
            .insert(id.to_owned(), (bytes, mime.to_owned(), sha));
    }

    /// Serves `bytes` as media `id` but says other things of it: its size (in the look-up) and
    /// Meta's digest.
    pub fn add_media_claiming(
        &self,
        id: &str,
        bytes: Vec<u8>,
        mime: &str,
        size: Option<u64>,
        sha: &str,
    ) {
        if let Some(size) = size {
            self.sizes.lock().unwrap().insert(id.to_owned(), size);
        }
        self.media
            .lock()
            .unwrap()
            .insert(id.to_owned(), (bytes, mime.to_owned(), sha.to_owned()));
    }

    pub fn sent_to(&self, wa: &str) -> Vec<Value> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m["to"] == wa)
            .cloned()
            .collect()
    }

    /// Messages addressed by business-scoped user id (`recipient`, for users without a number) to
    /// any of `user_ids`.
    pub fn sent_to_users(&self, user_ids: &[String]) -> Vec<Value> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .filter(|m| {
                m.get("to").is_none() && user_ids.iter().any(|u| m["recipient"] == u.as_str())
            })
            .cloned()
            .collect()
    }
}

/// The configuration that turns the channel on, pointed at the stand-in.
pub fn config(meta: &Meta) -> String {
    format!(
        "max_upload_mb = 20\n\n[whatsapp]\nverify_token = \"{VERIFY_TOKEN}\"\napp_secret = \"{APP_SECRET}\"\naccess_token = \"{ACCESS_TOKEN}\"\nphone_number_id = \"{PHONE_NUMBER_ID}\"\ngraph_base_url = \"{}\"\ngraph_api_version = \"{GRAPH_VERSION}\"\npublic_url = \"https://wbs.example\"\ndisplay_number = \"+62 811-5000-0000\"\n",
        meta.base()
    )
}

/// A test environment whose server has the WhatsApp channel on.
pub fn env(meta: &Meta) -> Env {
    Env::with_config(&config(meta))
}

pub fn sign(body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(APP_SECRET.as_bytes()).expect("key");
    mac.update(body);
    format!(
        "sha256={}",
        data_encoding::HEXLOWER.encode(&mac.finalize().into_bytes())
    )
}

/// What a bot message says: its text, or an interactive message's body.
pub fn text_of(m: &Value) -> String {
    m["text"]["body"]
        .as_str()
        .or_else(|| m["interactive"]["body"]["text"].as_str())
        .unwrap_or("")
        .to_owned()
}

/// The reply ids an interactive message offers (buttons or list rows).
pub fn choices(m: &Value) -> Vec<String> {
    let buttons = m["interactive"]["action"]["buttons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["reply"]["id"].as_str());
    let rows = m["interactive"]["action"]["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["rows"].as_array().into_iter().flatten())
        .filter_map(|r| r["id"].as_str());
    buttons.chain(rows).map(str::to_owned).collect()
}

/// One reporter's chat with the server.
pub struct Chat {
    pub meta: Arc<Meta>,
    pub server: String,
    pub wa: String,
    /// The business-scoped user id Meta sends along (since 2026), when set.
    pub user_id: Option<String>,
    /// A user with a username: Meta sends neither `from` nor `wa_id`, only the user id.
    pub hide_number: bool,
    /// User ids the chat had before (Meta changed them): messages to them are still this chat's.
    pub old_user_ids: Vec<String>,
    pub name: String,
    pub ts: u64,
    seq: u32,
    cursor: usize,
    client: reqwest::Client,
}

impl Chat {
    /// A reporter with a fresh phone number and a profile name that carries a canary.
    pub fn new(meta: &Arc<Meta>, server: &super::Server) -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        Chat {
            meta: meta.clone(),
            server: server.url("/webhook/whatsapp"),
            wa: format!("62811{:08}", rand::random::<u32>() % 100_000_000),
            user_id: None,
            hide_number: false,
            old_user_ids: Vec::new(),
            name: format!("Warga {}", super::marker()),
            ts: now - 3600,
            seq: 0,
            cursor: 0,
            client: super::client(),
        }
    }

    /// A reporter who adopted a WhatsApp username: known to the bot only by a business-scoped user
    /// id (the number is still made up, for the searches that must not find it).
    pub fn username(meta: &Arc<Meta>, server: &super::Server) -> Self {
        let mut chat = Chat::new(meta, server);
        chat.user_id = Some(new_user_id());
        chat.hide_number = true;
        chat
    }

    /// Everything the bot sent this reporter, at the address Meta requires for them.
    pub fn sent(&self) -> Vec<Value> {
        match (&self.user_id, self.hide_number) {
            (Some(u), true) => {
                let mut ids = self.old_user_ids.clone();
                ids.push(u.clone());
                self.meta.sent_to_users(&ids)
            }
            _ => self.meta.sent_to(&self.wa),
        }
    }

    /// Meta gave the user a new business-scoped id.
    pub fn change_user_id(&mut self, new: &str) {
        if let Some(old) = self.user_id.replace(new.to_owned()) {
            self.old_user_ids.push(old);
        }
    }

    /// Points the chat at a (re)started server.
    pub fn reconnect(&mut self, server: &super::Server) {
        self.server = server.url("/webhook/whatsapp");
    }

    /// The next message id and timestamp.
    pub fn stamp(&mut self) -> (String, u64) {
        self.seq += 1;
        self.ts += 5;
        (format!("wamid.TEST{}.{}", self.wa, self.seq), self.ts)
    }

    /// A fixture made this reporter's: number, profile name, ids and timestamps.
    pub fn event(&mut self, name: &str) -> Value {
        let mut v = fixture(name);
        let value = &mut v["entry"][0]["changes"][0]["value"];
        if let Some(contacts) = value["contacts"].as_array_mut() {
            for c in contacts {
                c["wa_id"] = json!(self.wa);
                c["profile"]["name"] = json!(self.name);
                if let Some(u) = &self.user_id {
                    c["user_id"] = json!(u);
                    c["profile"]["username"] = json!(format!("@{}", self.name.replace(' ', "_")));
                }
                if self.hide_number {
                    c.as_object_mut().unwrap().remove("wa_id");
                }
            }
        }
        let n = value["messages"].as_array().map_or(0, Vec::len);
        for i in 0..n {
            let (id, ts) = self.stamp();
            let m = &mut value["messages"][i];
            m["from"] = json!(self.wa);
            m["id"] = json!(id);
            m["timestamp"] = json!(ts.to_string());
            if let Some(u) = &self.user_id {
                m["from_user_id"] = json!(u);
            }
            if self.hide_number {
                m.as_object_mut().unwrap().remove("from");
            }
        }
        v
    }

    pub async fn post(&self, event: &Value) -> u16 {
        let body = serde_json::to_vec(event).expect("json");
        self.client
            .post(&self.server)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", sign(&body))
            .body(body)
            .send()
            .await
            .expect("POST webhook")
            .status()
            .as_u16()
    }

    pub fn text_event(&mut self, body: &str) -> Value {
        let mut v = self.event("text.json");
        v["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = json!(body);
        v
    }

    pub async fn text(&mut self, body: &str) {
        let v = self.text_event(body);
        assert_eq!(self.post(&v).await, 200);
    }

    /// Meta's id of the newest message to this chat that offers `choice` (where a person taps it).
    pub fn offering(&self, choice: &str) -> Option<String> {
        self.sent()
            .iter()
            .rev()
            .find(|m| choices(m).iter().any(|c| c == choice))
            .and_then(|m| m["_wamid"].as_str().map(str::to_owned))
    }

    fn with_context(v: &mut Value, on: Option<String>) {
        let m = &mut v["entry"][0]["changes"][0]["value"]["messages"][0];
        match on {
            Some(id) => m["context"]["id"] = json!(id),
            None => {
                m.as_object_mut().unwrap().remove("context");
            }
        }
    }

    /// Taps a reply button, on the newest message that offers it.
    pub async fn tap(&mut self, id: &str) {
        let on = self.offering(id);
        self.tap_on(id, on).await;
    }

    /// Taps a reply button on the message Meta knows as `on`.
    pub async fn tap_on(&mut self, id: &str, on: Option<String>) {
        let mut v = self.event("button_reply.json");
        v["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]["button_reply"]["id"] =
            json!(id);
        Self::with_context(&mut v, on);
        assert_eq!(self.post(&v).await, 200);
    }

    /// Picks a list row, on the newest message that offers it.
    pub async fn pick(&mut self, id: &str) {
        let mut v = self.event("list_reply.json");
        v["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]["list_reply"]["id"] =
            json!(id);
        let on = self.offering(id);
        Self::with_context(&mut v, on);
        assert_eq!(self.post(&v).await, 200);
    }

    /// Sends a photo or document that the stand-in serves as `media_id`.
    pub async fn media(&mut self, fixture: &str, media_id: &str, caption: &str) {
        self.media_at(fixture, media_id, caption, None).await;
    }

    /// A photo or document, sent with Meta's timestamp `ts` when given (a late delivery).
    pub async fn media_at(
        &mut self,
        fixture: &str,
        media_id: &str,
        caption: &str,
        ts: Option<u64>,
    ) {
        let mut v = self.event(fixture);
        if let Some(ts) = ts {
            v["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] =
                json!(ts.to_string());
        }
        let kind = if fixture == "image.json" {
            "image"
        } else {
            "document"
        };
        let m = &mut v["entry"][0]["changes"][0]["value"]["messages"][0][kind];
        m["id"] = json!(media_id);
        m["caption"] = json!(caption);
        let (_, _, sha) = self.meta.media.lock().unwrap()[media_id].clone();
        m["sha256"] = json!(sha);
        assert_eq!(self.post(&v).await, 200);
    }

    /// Waits for the next bot message to this reporter that contains `needle`; returns it.
    pub async fn expect(&mut self, needle: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let sent = self.sent();
            if let Some(pos) = sent[self.cursor..]
                .iter()
                .position(|m| text_of(m).contains(needle))
            {
                self.cursor += pos + 1;
                return sent[self.cursor - 1].clone();
            }
            if Instant::now() > deadline {
                let texts: Vec<String> = sent[self.cursor..].iter().map(text_of).collect();
                panic!(
                    "no message containing {needle:?}; since the last expected one:\n{texts:#?}"
                );
            }
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    }

    /// Asserts that the bot says nothing more for a while.
    pub async fn silence(&self, ms: u64) {
        let before = self.sent().len();
        tokio::time::sleep(Duration::from_millis(ms)).await;
        let after = self.sent();
        assert_eq!(
            after.len(),
            before,
            "unexpected: {:#?}",
            after[before..].iter().map(text_of).collect::<Vec<_>>()
        );
    }

    /// Everything the bot sent this reporter so far.
    pub fn all_texts(&self) -> String {
        self.sent()
            .iter()
            .map(text_of)
            .collect::<Vec<_>>()
            .join("\n---\n")
    }
}

/// A business-scoped user id as Meta writes them: country code, dot, digits.
pub fn new_user_id() -> String {
    format!("ID.{}{:012}", 7, rand::random::<u64>() % 1_000_000_000_000)
}

/// The value between `start` and the next `*` in a bot message (case id, receipt).
pub fn starred(text: &str, start: &str) -> String {
    let at = text
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} in {text}"))
        + start.len();
    text[at..].split('*').next().unwrap_or("").to_owned()
}

/// A small JPEG-structured file (JFIF header, scan header, scan data, end) whose scan data carries
/// `text`: one the metadata scrubber keeps byte for byte.
pub fn jpeg_with(text: &str) -> Vec<u8> {
    let mut v = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00".to_vec();
    v.extend_from_slice(b"\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00");
    v.extend_from_slice(text.as_bytes());
    v.extend(std::iter::repeat_n(0x42u8, 3000));
    v.extend_from_slice(b"\xFF\xD9");
    v
}
