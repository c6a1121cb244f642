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
    pub statuses: Vec<Status>,
    /// Errors about the change as a whole (e.g. a message Meta could not process).
    #[serde(default)]
    pub errors: Vec<ErrorBody>,
}

/// A delivery status of a message we sent: only its id, state and error codes are read (never the
/// recipient or Meta's error text, which can echo content).
#[derive(Deserialize)]
pub(crate) struct Status {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub errors: Vec<ErrorBody>,
}

#[derive(Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub code: Option<i64>,
}

#[derive(Deserialize)]
pub(crate) struct Metadata {
    #[serde(default)]
    pub phone_number_id: String,
}

#[derive(Deserialize)]
pub(crate) struct Message {
    /// The sender's phone number; absent for a user with a username who hides it.
    #[serde(default)]
    pub from: String,
    /// The sender's business-scoped user id (BSUID, since 2026), e.g. `ID.1234567890`.
    #[serde(default)]
    pub from_user_id: String,
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
    #[serde(default)]
    pub location: Option<Location>,
    #[serde(default)]
    pub system: Option<SystemBody>,
    /// For a button tap or list pick: the message of ours it was on.
    #[serde(default)]
    pub context: Option<Context>,
}

#[derive(Deserialize)]
pub(crate) struct Context {
    #[serde(default)]
    pub id: String,
}

/// A location pin: only the place's name and address are read (coordinates are never kept).
#[derive(Deserialize)]
pub(crate) struct Location {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

/// A `system` notice. Only `user_changed_user_id` is acted on (the body, which names the user, is
/// never read).
#[derive(Deserialize)]
pub(crate) struct SystemBody {
    #[serde(default, rename = "type")]
    pub kind: String,
    /// The new business-scoped user id.
    #[serde(default)]
    pub user_id: String,
    #[serde(default)]
    pub previous_user_id: String,
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
    /// A location pin: its name and address as one line (may be empty: coordinates only).
    Place(Zeroizing<String>),
    /// What Meta could not pass on: an edited message, a poll, a message it could not decrypt.
    Edited,
    /// Voice notes and videos: refused with the reason.
    AudioVideo,
    /// Stickers, contacts, …
    Unsupported,
    /// The sender's business-scoped user id changed to this one.
    UserIdChanged(Zeroizing<String>),
    /// Reactions and other system notices: nothing to answer.
    Ignored,
}

/// Where a reply goes. Meta addresses a user by phone number (`to`) when it told us one, else by the
/// business-scoped user id (`recipient`); both live only in memory.
#[derive(Clone)]
pub(crate) enum Address {
    Phone(Zeroizing<String>),
    UserId(Zeroizing<String>),
}

impl Address {
    /// The request fields that name the addressee.
    pub(crate) fn field(&self) -> (&'static str, &str) {
        match self {
            Address::Phone(p) => ("to", p.as_str()),
            Address::UserId(u) => ("recipient", u.as_str()),
        }
    }
}

/// One message from a reporter. `from` and `to` live only in memory.
pub(crate) struct Inbound {
    pub id: String,
    /// Who the dialogue belongs to: the business-scoped user id when Meta sends one (it stays when a
    /// user hides the number behind a username), else the phone number.
    pub from: Zeroizing<String>,
    /// Where replies go.
    pub to: Address,
    /// Meta's timestamp (unix seconds).
    pub ts: u64,
    pub kind: InKind,
    /// Meta's id of the message of ours a button or row was tapped on.
    pub context: Option<String>,
}

/// Whether `s` looks like a business-scoped user id: a country code, a dot, and up to 128 letters
/// and digits (a parent id has `ENT.` in between).
pub(crate) fn is_user_id(s: &str) -> bool {
    let mut parts = s.split('.');
    let cc = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    let body = match rest.as_slice() {
        [body] => *body,
        ["ENT", body] => *body,
        _ => return false,
    };
    cc.len() == 2
        && cc.bytes().all(|b| b.is_ascii_uppercase())
        && !body.is_empty()
        && body.len() <= 128
        && body.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_phone(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_digit())
}

/// One failed delivery Meta reported: the message it was about and the first error code.
pub(crate) struct Failure {
    pub message_id: String,
    pub code: Option<i64>,
}

/// What a webhook delivery holds for us.
#[derive(Default)]
pub(crate) struct Delivery {
    pub messages: Vec<Inbound>,
    pub statuses: usize,
    /// Statuses saying a message of ours was not delivered.
    pub failures: Vec<Failure>,
    /// Errors Meta reported for the whole change (not about one message): their codes.
    pub errors: Vec<i64>,
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
        "location" => {
            let place = m.location.map(|l| {
                [l.name, l.address]
                    .into_iter()
                    .flatten()
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            InKind::Place(Zeroizing::new(place.unwrap_or_default()))
        }
        "system" => match m.system {
            Some(s) if s.kind == "user_changed_user_id" && is_user_id(&s.user_id) => {
                InKind::UserIdChanged(Zeroizing::new(s.user_id))
            }
            _ => InKind::Ignored,
        },
        // Meta delivers an edited message, a poll, or what it could not pass on as `unsupported`.
        "unsupported" | "edit" => InKind::Edited,
        "audio" | "video" => InKind::AudioVideo,
        "reaction" | "request_welcome" => InKind::Ignored,
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
            d.errors.extend(value.errors.iter().filter_map(|e| e.code));
            for st in value.statuses {
                if st.status == "failed" && !st.id.is_empty() && st.id.len() <= 256 {
                    d.failures.push(Failure {
                        message_id: st.id,
                        code: st.errors.iter().find_map(|e| e.code),
                    });
                }
            }
            for mut m in value.messages {
                if !is_user_id(&m.from_user_id) {
                    // A user-id change names the old id in the notice itself.
                    if let Some(prev) = m.system.as_ref().map(|s| &s.previous_user_id) {
                        m.from_user_id = prev.clone();
                    }
                }
                let phone = is_phone(&m.from);
                let user = is_user_id(&m.from_user_id);
                let valid = !m.id.is_empty() && m.id.len() <= 256 && (phone || user);
                if !valid {
                    d.foreign += 1;
                    continue;
                }
                // The user id is the identity when Meta sends one: it stays when the user hides
                // the number behind a username. Replies go to the number while Meta shows it.
                let to = if phone {
                    Address::Phone(Zeroizing::new(m.from.clone()))
                } else {
                    Address::UserId(Zeroizing::new(m.from_user_id.clone()))
                };
                let from = Zeroizing::new(if user {
                    m.from_user_id.clone()
                } else {
                    m.from.clone()
                });
                // Meta always sends one; without it, the message counts as sent now.
                let ts = m
                    .timestamp
                    .trim()
                    .parse()
                    .unwrap_or_else(|_| crate::protocol::day::unix_now());
                let context = m
                    .context
                    .as_ref()
                    .map(|c| c.id.clone())
                    .filter(|c| !c.is_empty() && c.len() <= 256);
                d.messages.push(Inbound {
                    id: m.id.clone(),
                    from,
                    to,
                    context,
                    ts,
                    kind: kind_of(m),
                });
            }
        }
        d
    }
}
