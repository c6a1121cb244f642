//! The two languages of WBS: Bahasa Indonesia first, English second. Stored and sent as `id` / `en`;
//! the texts themselves are `i18n`'s.

use serde::{Deserialize, Serialize};

/// A language of every user-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    /// From a `lang` parameter; anything but `en` is Indonesian.
    pub fn from_param(value: Option<&str>) -> Self {
        match value {
            Some(v) if v.eq_ignore_ascii_case("en") => Lang::En,
            _ => Lang::Id,
        }
    }

    /// From an `Accept-Language` header, for the API: English only when it comes before Indonesian.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let Some(h) = header else { return Lang::Id };
        for part in h.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("id") || tag.starts_with("in") {
                return Lang::Id;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Id
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }
}
