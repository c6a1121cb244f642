//! Case statuses (DESIGN.md §8). The stable codes are the lower-case Indonesian names.

use super::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Status::Diterima => lang.text("status-diterima"),
            Status::Diverifikasi => lang.text("status-diverifikasi"),
            Status::PerluDilengkapi => lang.text("status-perlu-dilengkapi"),
            Status::Ditindaklanjuti => lang.text("status-ditindaklanjuti"),
            Status::Diteruskan => lang.text("status-diteruskan"),
            Status::Selesai => lang.text("status-selesai"),
        }
    }
}
