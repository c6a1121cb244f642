//! Case statuses (docs/design.md §8): their labels. The type and its stable codes are
//! `protocol::status`'s.

use super::Lang;

pub use crate::protocol::Status;

impl Status {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Status::Diterima => lang.pick("Diterima", "Received"),
            Status::Diverifikasi => lang.pick("Diverifikasi", "Verified"),
            Status::PerluDilengkapi => lang.pick("Perlu dilengkapi", "Needs more information"),
            Status::Ditindaklanjuti => lang.pick("Ditindaklanjuti", "Under investigation"),
            Status::Diteruskan => lang.pick("Diteruskan", "Referred"),
            Status::Selesai => lang.pick("Selesai", "Closed"),
        }
    }
}
