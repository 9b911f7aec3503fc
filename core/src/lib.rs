//! The opsux contract.
//!
//! Everything the server and the browser must agree on lives here, so that both sides compute
//! the same state machine, the same progress and the same copy from the same code. The crate is
//! pure: no I/O, no clock, no async runtime; it builds for native targets and for
//! `wasm32-unknown-unknown`. Callers pass the current time in.

pub mod access;
pub mod badge;
pub mod ids;
pub mod live;
pub mod operation;
pub mod params;
pub mod presenter;
pub mod progress;
pub mod reason;
pub mod run;
pub mod sanitize;
pub mod state_machine;
pub mod summary;
pub mod when;
pub mod wire;

pub use access::{Capability, Role};
pub use badge::{Badge, Tone};
pub use ids::{RunId, TenantSlug, UserId};
pub use operation::{ExternalKey, InvalidExternalKey, OperationType};
pub use params::{OperationParams, ParamsError};
pub use progress::Progress;
pub use reason::ReasonCode;
pub use run::{RunOutcome, RunStatus};
#[cfg(feature = "sanitizer")]
pub use sanitize::sanitize_message;
pub use sanitize::{FailureEntry, FailureSummary};
pub use state_machine::{IllegalTransition, RunEvent, RunState, transition};
pub use summary::{SummaryCounts, SummaryError, SummaryKey};
