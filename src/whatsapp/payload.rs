//! The webhook payload (docs/design.md §15), read leniently: only what the intake needs is parsed. Contact
//! profiles (the reporter's WhatsApp name) are never read into a field; delivery statuses only counted.

use serde::Deserialize;
use zeroize::Zeroizing;

#[derive(Deserialize)]
pub(crate) struct Event {
    #[serde(default)]
    pub object: String,
    #[serde(default)]
    pub entry: Vec<Entry>,
}

#[derive(Deserialize)]
pub(crate) struct Entry {
    #[serde(default)]
    pub changes: Vec<Change>,
}

#[derive(Deserialize)]
pub(crate) struct Change {
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub value: Option<ChangeValue>,
}

#[derive(Deserialize)]
pub(crate) struct ChangeValue {
    #[serde(default)]
    pub metadata: Option<Metadata>,
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(default)]
    pub statuses: Vec<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
pub(crate) struct Metadata {
    #[serde(default)]
    pub phone_number_id: String,
}

#[derive(Deserialize)]
pub(crate) struct Message {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub timestamp: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub text: Option<TextBody>,
    #[serde(default)]
    pub interactive: Option<Interactive>,
    /// A quick-reply button of a template message.
    #[serde(default)]
    pub button: Option<TemplateButton>,
    #[serde(default)]
    pub image: Option<MediaBody>,
    #[serde(default)]
    pub document: Option<MediaBody>,
}

#[derive(Deserialize)]
pub(crate) struct TextBody {
    #[serde(default)]
    pub body: String,
}

#[derive(Deserialize)]
pub(crate) struct Interactive {
    #[serde(default)]
    pub button_reply: Option<Choice>,
    #[serde(default)]
    pub list_reply: Option<Choice>,
}

#[derive(Deserialize)]
pub(crate) struct Choice {
    #[serde(default)]
    pub id: String,
}

#[derive(Deserialize)]
pub(crate) struct TemplateButton {
    #[serde(default)]
    pub payload: String,
    #[serde(default)]
    pub text: String,
}

#[derive(Deserialize)]
pub(crate) struct MediaBody {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub mime_type: String,
    #[serde(default)]
    pub sha256: String,
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
}

/// A photo or document to fetch.
#[derive(Clone)]
pub(crate) struct MediaIn {
    pub media_id: String,
    pub mime_type: String,
    /// Meta's digest of the bytes, as sent (hex or base64).
    pub sha256: String,
    pub filename: Option<String>,
    pub caption: Option<String>,
    pub image: bool,
}

/// What the reporter sent, as the intake sees it.
pub(crate) enum InKind {
    Text(Zeroizing<String>),
    /// A tapped reply button or list row: its id.
    Choice(String),
    Media(MediaIn),
    /// Stickers, locations, voice notes, videos, contacts, …
    Unsupported,
    /// Reactions and system notices: nothing to answer.
    Ignored,
}

/// One message from a reporter. `from` (the phone number) lives only in memory.
pub(crate) struct Inbound {
    pub id: String,
    pub from: Zeroizing<String>,
    /// Meta's timestamp (unix seconds).
    pub ts: u64,
    pub kind: InKind,
}

/// What a webhook delivery holds for us.
#[derive(Default)]
pub(crate) struct Delivery {
    pub messages: Vec<Inbound>,
    pub statuses: usize,
    /// Changes for another phone number, or of a field we do not handle.
    pub foreign: usize,
}

fn media(m: MediaBody, image: bool) -> InKind {
    let valid_id = !m.id.is_empty()
        && m.id.len() <= 128
        && m.id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    if !valid_id {
        return InKind::Unsupported;
    }
    InKind::Media(MediaIn {
        media_id: m.id,
        mime_type: m.mime_type,
        sha256: m.sha256,
        filename: m.filename,
        caption: m.caption,
        image,
    })
}

fn kind_of(m: Message) -> InKind {
    match m.kind.as_str() {
        "text" => InKind::Text(Zeroizing::new(m.text.map(|t| t.body).unwrap_or_default())),
        "interactive" => {
            let choice = m
                .interactive
                .and_then(|i| i.button_reply.or(i.list_reply))
                .map(|c| c.id);
            match choice {
                Some(id) => InKind::Choice(id),
                None => InKind::Ignored,
            }
        }
        "button" => match m.button {
            Some(b) if !b.payload.is_empty() => InKind::Choice(b.payload),
            Some(b) => InKind::Text(Zeroizing::new(b.text)),
            None => InKind::Ignored,
        },
        "image" => m.image.map_or(InKind::Unsupported, |i| media(i, true)),
        "document" => m.document.map_or(InKind::Unsupported, |d| media(d, false)),
        "reaction" | "system" | "unsupported" | "request_welcome" => InKind::Ignored,
        _ => InKind::Unsupported,
    }
}

impl Delivery {
    /// The messages of an event addressed to `phone_number_id`, in the order they came.
    pub(crate) fn from_event(event: Event, phone_number_id: &str) -> Self {
        let mut d = Delivery::default();
        if event.object != "whatsapp_business_account" {
            d.foreign += 1;
            return d;
        }
        for change in event.entry.into_iter().flat_map(|e| e.changes) {
            let Some(value) = change.value else { continue };
            let ours = value
                .metadata
                .as_ref()
                .is_some_and(|m| m.phone_number_id == phone_number_id);
            if change.field != "messages" || !ours {
                d.foreign += 1;
                continue;
            }
            d.statuses += value.statuses.len();
            for m in value.messages {
                let valid = !m.id.is_empty()
                    && m.id.len() <= 256
                    && !m.from.is_empty()
                    && m.from.len() <= 32
                    && m.from.bytes().all(|b| b.is_ascii_digit());
                if !valid {
                    d.foreign += 1;
                    continue;
                }
                // Meta always sends one; without it, the message counts as sent now.
                let ts = m
                    .timestamp
                    .trim()
                    .parse()
                    .unwrap_or_else(|_| crate::protocol::day::unix_now());
                d.messages.push(Inbound {
                    id: m.id.clone(),
                    from: Zeroizing::new(m.from.clone()),
                    ts,
                    kind: kind_of(m),
                });
            }
        }
        d
    }
}
