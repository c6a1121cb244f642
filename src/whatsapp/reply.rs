//! What the bot says: plain texts, reply buttons and list messages, within the Cloud API's limits, and
//! their JSON for `POST /{phone-number-id}/messages`. Several replies to one sender in one delivery are
//! merged into as few messages as possible (Meta paces messages to one user to about one every 6 s).

use serde_json::{json, Value};

use super::payload::Address;

/// Limits of the Cloud API (docs/design.md §15).
pub(crate) const MAX_TEXT: usize = 4096;
pub(crate) const MAX_INTERACTIVE_BODY: usize = 1024;
pub(crate) const MAX_BUTTONS: usize = 3;
pub(crate) const MAX_BUTTON_TITLE: usize = 20;
pub(crate) const MAX_ROWS: usize = 10;
pub(crate) const MAX_ROW_TITLE: usize = 24;
pub(crate) const MAX_ROW_DESCRIPTION: usize = 72;
pub(crate) const MAX_LIST_BUTTON: usize = 20;

/// One row of a list message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub id: String,
    pub title: String,
    pub description: String,
}

/// One message to the reporter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    Text(String),
    /// Up to three reply buttons: `(id, title)`.
    Buttons {
        body: String,
        buttons: Vec<(String, String)>,
    },
    /// A list of up to ten rows behind one button.
    List {
        body: String,
        button: String,
        section: String,
        rows: Vec<Row>,
    },
    /// An approved template without variables (the "news on your report" notice, docs/whatsapp.md §8):
    /// its text is Meta's, so nothing of a report can be in it.
    Template {
        name: String,
        language: String,
    },
}

/// Cuts `s` to at most `max` characters, marking the cut with an ellipsis.
pub(crate) fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

impl Reply {
    pub(crate) fn text(s: impl Into<String>) -> Self {
        Reply::Text(s.into())
    }

    pub(crate) fn buttons(body: impl Into<String>, buttons: &[(&str, &str)]) -> Self {
        Reply::Buttons {
            body: body.into(),
            buttons: buttons
                .iter()
                .map(|(id, t)| ((*id).to_owned(), (*t).to_owned()))
                .collect(),
        }
    }

    /// Whether it offers buttons or a list.
    pub(crate) fn is_interactive(&self) -> bool {
        matches!(self, Reply::Buttons { .. } | Reply::List { .. })
    }

    fn body(&self) -> &str {
        match self {
            Reply::Text(b) | Reply::Buttons { body: b, .. } | Reply::List { body: b, .. } => b,
            Reply::Template { .. } => "",
        }
    }

    fn body_mut(&mut self) -> Option<&mut String> {
        match self {
            Reply::Text(b) | Reply::Buttons { body: b, .. } | Reply::List { body: b, .. } => {
                Some(b)
            }
            Reply::Template { .. } => None,
        }
    }

    fn body_limit(&self) -> usize {
        match self {
            Reply::Text(_) => MAX_TEXT,
            _ => MAX_INTERACTIVE_BODY,
        }
    }

    /// The request body that sends this to `to` (a phone number or a business-scoped user id, held
    /// only in memory).
    pub(crate) fn to_json(&self, to: &Address) -> Value {
        let (field, address) = to.field();
        let mut message = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
        });
        message[field] = json!(address);
        let (kind, content) = match self {
            Reply::Template { name, language } => (
                "template",
                json!({ "name": name, "language": { "code": language } }),
            ),
            Reply::Text(body) => (
                "text",
                json!({ "preview_url": false, "body": cut(body, MAX_TEXT) }),
            ),
            Reply::Buttons { body, buttons } => (
                "interactive",
                json!({
                    "type": "button",
                    "body": { "text": cut(body, MAX_INTERACTIVE_BODY) },
                    "action": { "buttons": buttons.iter().take(MAX_BUTTONS).map(|(id, title)| json!({
                        "type": "reply",
                        "reply": { "id": id, "title": cut(title, MAX_BUTTON_TITLE) },
                    })).collect::<Vec<_>>() },
                }),
            ),
            Reply::List {
                body,
                button,
                section,
                rows,
            } => (
                "interactive",
                json!({
                    "type": "list",
                    "body": { "text": cut(body, MAX_INTERACTIVE_BODY) },
                    "action": {
                        "button": cut(button, MAX_LIST_BUTTON),
                        "sections": [{
                            "title": cut(section, MAX_ROW_TITLE),
                            "rows": rows.iter().take(MAX_ROWS).map(|r| json!({
                                "id": r.id,
                                "title": cut(&r.title, MAX_ROW_TITLE),
                                "description": cut(&r.description, MAX_ROW_DESCRIPTION),
                            })).collect::<Vec<_>>(),
                        }],
                    },
                }),
            ),
        };
        message["type"] = json!(kind);
        message[kind] = content;
        message
    }
}

/// The reply ids an interactive message offers (empty for text).
fn choice_ids(r: &Reply) -> Vec<&str> {
    match r {
        Reply::Text(_) | Reply::Template { .. } => Vec::new(),
        Reply::Buttons { buttons, .. } => buttons.iter().map(|(id, _)| id.as_str()).collect(),
        Reply::List { rows, .. } => rows.iter().map(|r| r.id.as_str()).collect(),
    }
}

/// Merges the replies of one delivery to one sender into as few messages as possible: a prompt
/// superseded by a later one with the same choices (a batch of answers to one question) is dropped;
/// an earlier prompt's buttons are stale once something follows, so only its words are kept; texts
/// are joined (blank line between) and put in front of the next message's body, as long as the
/// result fits. What does not fit stays a message of its own.
pub(crate) fn merge(replies: Vec<Reply>) -> Vec<Reply> {
    let mut out: Vec<Reply> = Vec::new();
    for r in replies {
        let Some(last) = out.last_mut() else {
            out.push(r);
            continue;
        };
        if matches!(r, Reply::Template { .. }) || matches!(last, Reply::Template { .. }) {
            // A template is Meta's text: never merged with ours.
            out.push(r);
            continue;
        }
        let ids = choice_ids(&r);
        if !ids.is_empty() && choice_ids(last) == ids {
            *last = r;
            continue;
        }
        if !matches!(last, Reply::Text(_)) {
            *last = Reply::Text(last.body().to_owned());
        }
        if let Reply::Text(prev) = last {
            let joined = prev.chars().count() + 2 + r.body().chars().count();
            if joined <= r.body_limit() {
                let mut merged = r;
                let body = format!("{prev}\n\n{}", merged.body());
                if let Some(b) = merged.body_mut() {
                    *b = body;
                }
                *last = merged;
                continue;
            }
        }
        out.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_merge_into_the_next_prompt_when_they_fit() {
        let merged = merge(vec![
            Reply::text("Diterima."),
            Reply::text("Lanjut."),
            Reply::buttons("Setuju?", &[("y", "Ya")]),
        ]);
        assert_eq!(
            merged,
            vec![Reply::buttons(
                "Diterima.\n\nLanjut.\n\nSetuju?",
                &[("y", "Ya")]
            )]
        );
        let merged = merge(vec![
            Reply::buttons("1 pesan", &[("next", "Lanjut")]),
            Reply::buttons("2 pesan", &[("next", "Lanjut")]),
        ]);
        assert_eq!(
            merged,
            vec![Reply::buttons("2 pesan", &[("next", "Lanjut")])]
        );
        let merged = merge(vec![
            Reply::buttons("Diterima.", &[("next", "Lanjut")]),
            Reply::text("Berikutnya?"),
        ]);
        assert_eq!(merged, vec![Reply::text("Diterima.\n\nBerikutnya?")]);
        let long = "x".repeat(1020);
        let merged = merge(vec![
            Reply::text(&long),
            Reply::buttons("Setuju?", &[("y", "Ya")]),
        ]);
        assert_eq!(
            merged.len(),
            2,
            "an interactive body holds at most 1024 characters"
        );
    }

    fn phone() -> Address {
        Address::Phone(zeroize::Zeroizing::new("62811".into()))
    }

    #[test]
    fn json_has_the_cloud_api_shape() {
        let v =
            Reply::buttons("Apakah Anda setuju?", &[("consent-yes", "Setuju")]).to_json(&phone());
        assert_eq!(v["type"], "interactive");
        assert_eq!(
            v["interactive"]["action"]["buttons"][0]["reply"]["id"],
            "consent-yes"
        );
        let v = Reply::text("Halo").to_json(&phone());
        assert_eq!(v["text"]["body"], "Halo");
        assert_eq!(v["text"]["preview_url"], false);
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(v["to"], "62811");
        let user = Address::UserId(zeroize::Zeroizing::new("ID.123abc".into()));
        let v = Reply::text("Halo").to_json(&user);
        assert_eq!(
            v["recipient"], "ID.123abc",
            "a username user is addressed by user id"
        );
        assert!(v.get("to").is_none());
        let news = Reply::Template {
            name: "wbs_ada_kabar".into(),
            language: "id".into(),
        };
        let v = news.to_json(&user);
        assert_eq!(v["type"], "template");
        assert_eq!(v["template"]["name"], "wbs_ada_kabar");
        assert_eq!(v["template"]["language"]["code"], "id");
        assert!(v["template"].get("components").is_none(), "no variables");
        assert_eq!(
            merge(vec![Reply::text("x"), news.clone()]),
            vec![Reply::text("x"), news]
        );
    }
}
