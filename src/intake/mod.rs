//! The domain: what a report is, when it is actionable (the office's four criteria), how a submission
//! becomes a sealed case, and how a case's items are verified.

pub(crate) mod answers;
pub mod attachment;
pub(crate) mod deadline;
pub(crate) mod kdf;
pub(crate) mod limits;
pub use limits::DocumentBudget;
pub mod mailbox;
#[cfg(test)]
mod paging_tests;
pub(crate) mod rekey;
pub mod report;
pub mod retention;
pub mod scrub;
pub(crate) mod status;
pub mod submit;
pub mod team;
pub(crate) mod verify;

pub use crate::i18n::Lang;
