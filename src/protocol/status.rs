//! The plaintext states of a case (docs/design.md §2, §8): its status and the channel it came through.
//! Both are stored and sent as stable lower-case codes; an unknown code is an error, never a default.

use serde::{Deserialize, Serialize};

/// A case's status. The stable codes are the lower-case Indonesian names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Diterima,
    Diverifikasi,
    PerluDilengkapi,
    Ditindaklanjuti,
    Diteruskan,
    Selesai,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Diterima,
        Status::Diverifikasi,
        Status::PerluDilengkapi,
        Status::Ditindaklanjuti,
        Status::Diteruskan,
        Status::Selesai,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Diterima => "diterima",
            Status::Diverifikasi => "diverifikasi",
            Status::PerluDilengkapi => "perlu-dilengkapi",
            Status::Ditindaklanjuti => "ditindaklanjuti",
            Status::Diteruskan => "diteruskan",
            Status::Selesai => "selesai",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether a case in status `from` may be set to `self` (docs/design.md §8). The office's process:
    ///
    /// | from               | to                                                   |
    /// |--------------------|------------------------------------------------------|
    /// | `diterima`         | `diverifikasi`, `perlu-dilengkapi`, `selesai`        |
    /// | `diverifikasi`     | `perlu-dilengkapi`, `ditindaklanjuti`, `selesai`     |
    /// | `perlu-dilengkapi` | `diverifikasi`, `ditindaklanjuti`, `selesai`         |
    /// | `ditindaklanjuti`  | `diteruskan`, `selesai`                              |
    /// | `diteruskan`       | `ditindaklanjuti`, `selesai`                         |
    /// | `selesai`          | nothing: a closed case stays closed                  |
    ///
    /// A status never follows itself (a note without a change is a reply). Closing (`selesai`) is
    /// possible from every open status and needs a reason, which is sealed: the server cannot see it,
    /// so the investigator's tools require it.
    pub fn may_follow(self, from: Status) -> bool {
        use Status::*;
        matches!(
            (from, self),
            (Diterima, Diverifikasi | PerluDilengkapi)
                | (Diverifikasi, PerluDilengkapi | Ditindaklanjuti)
                | (PerluDilengkapi, Diverifikasi | Ditindaklanjuti)
                | (Ditindaklanjuti, Diteruskan)
                | (Diteruskan, Ditindaklanjuti)
        ) || (self == Selesai && from != Selesai)
    }

    /// The statuses that may follow `self`, in process order.
    pub fn next(self) -> Vec<Status> {
        Self::ALL
            .into_iter()
            .filter(|s| s.may_follow(self))
            .collect()
    }

    /// Whether the case is closed.
    pub fn is_closed(self) -> bool {
        self == Status::Selesai
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_code(&s.trim().to_ascii_lowercase()).ok_or_else(|| {
            let codes: Vec<&str> = Self::ALL.iter().map(|s| s.code()).collect();
            format!("not a status; one of {}", codes.join(", "))
        })
    }
}

/// Where a case came from. Stored in plaintext (docs/design.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Web,
    Api,
    #[serde(rename = "whatsapp")]
    WhatsApp,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Api => "api",
            Channel::WhatsApp => "whatsapp",
        }
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_process_table_allows_forward_steps_and_closing_only() {
        use Status::*;
        assert!(Diverifikasi.may_follow(Diterima));
        assert!(PerluDilengkapi.may_follow(Diverifikasi));
        assert!(Diverifikasi.may_follow(PerluDilengkapi));
        assert!(Diteruskan.may_follow(Ditindaklanjuti));
        assert!(!Ditindaklanjuti.may_follow(Diterima));
        assert!(!Diterima.may_follow(Diverifikasi));
        assert!(!Diteruskan.may_follow(Diverifikasi));
        for s in Status::ALL {
            assert!(!s.may_follow(s), "{s} follows itself");
            assert!(!s.may_follow(Selesai), "{s} after selesai");
            assert_eq!(Selesai.may_follow(s), s != Selesai);
        }
        assert_eq!(Diterima.next(), [Diverifikasi, PerluDilengkapi, Selesai]);
    }

    #[test]
    fn codes_round_trip_through_serde_and_unknown_codes_fail() {
        for s in Status::ALL {
            let json = serde_json::to_string(&s).expect("serialises");
            assert_eq!(json, format!("\"{}\"", s.code()));
            assert_eq!(serde_json::from_str::<Status>(&json).ok(), Some(s));
        }
        assert!(serde_json::from_str::<Status>("\"dibuka\"").is_err());
        for c in [Channel::Web, Channel::Api, Channel::WhatsApp] {
            let json = serde_json::to_string(&c).expect("serialises");
            assert_eq!(json, format!("\"{}\"", c.code()));
        }
        assert!(serde_json::from_str::<Channel>("\"email\"").is_err());
        assert_eq!(
            "Perlu-Dilengkapi".parse::<Status>(),
            Ok(Status::PerluDilengkapi)
        );
    }
}
