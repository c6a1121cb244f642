//! The protocol: every format that crosses a boundary, in one place (docs/design.md §12).
//!
//! Read this module to learn WBS's formats: case ids and days, the plaintext states of a case, the
//! sealed item bodies, and the wire types of the desk API, the follow-up API and the export. It is the
//! lowest layer: pure data and serde, no I/O, no crypto. Server, CLI and export share these types.

pub mod case_id;
pub mod day;
pub mod item;
pub mod lang;
pub mod report;
pub mod status;
pub mod wire;

pub use case_id::CaseId;
pub use day::Day;
pub use item::{ItemBody, ItemKind, Role};
pub use lang::Lang;
pub use status::{Channel, Status};
