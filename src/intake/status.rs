//! Case statuses (docs/design.md §8): their labels. The type and its stable codes are
//! `protocol::status`'s.

use super::Lang;

pub(crate) use crate::protocol::Status;

impl Status {
    pub(crate) fn label(self, lang: Lang) -> &'static str {
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
