//! The domain: what a report is, when it is actionable (the office's four criteria), how a submission
//! becomes a sealed case, and how a case's items are verified.

pub mod answers;
pub mod attachment;
pub mod deadline;
pub mod mailbox;
pub mod rekey;
pub mod report;
pub mod status;
pub mod strip;
pub mod submit;
pub mod verify;

pub use crate::i18n::Lang;
