//! The run service: the only code that changes a run's `status` or `outcome` (R1), and the only
//! code that writes operation notifications (R2, R3).
//!
//! [`RunService`] starts, claims, cancels and rescues runs; a claimed run is a [`ClaimedRun`]
//! handle, the only way a worker moves it on, consumed by its finishing methods so it cannot
//! finish twice. Every transition is one guarded compare-and-set in `store.rs` whose allowed
//! source statuses come from the contract's state machine; zero rows is a [`RunError::Conflict`].
//!
//! # What the compiler refuses
//!
//! The transition SQL (`store`), the terminal transition (`RunService::finish`), the
//! notification writer and the handle's constructor are private to this module, and the
//! finishing methods consume the handle. Each attempt below fails to compile (R1, R2):
//!
//! A run read back cannot be edited into another state outside the service:
//! ```compile_fail,E0616
//! # fn f(mut record: opsux_server::runs::RunRecord) {
//! record.state = opsux_core::RunState::Completed(opsux_core::RunOutcome::Succeeded);
//! # }
//! ```
//! A finished handle cannot finish again:
//! ```compile_fail,E0382
//! # async fn f(claimed: opsux_server::runs::ClaimedRun) {
//! use opsux_core::{FailureSummary, RunOutcome};
//! let _ = claimed.complete(RunOutcome::Succeeded, FailureSummary::new()).await;
//! let _ = claimed.fail(opsux_core::ReasonCode::InternalError, "again").await;
//! # }
//! ```
//! No code outside the service can make a handle, so none can skip the claim and its lease:
//! ```compile_fail,E0624
//! # fn f(service: opsux_server::runs::RunService, record: opsux_server::runs::RunRecord) {
//! let _ = opsux_server::runs::ClaimedRun::new(service, record, String::new(), Default::default());
//! # }
//! ```
//! The transition SQL is out of reach:
//! ```compile_fail,E0603
//! let _ = opsux_server::runs::store::complete;
//! ```
//! So is the terminal transition, which writes the notification:
//! ```compile_fail,E0624
//! # async fn f(service: opsux_server::runs::RunService, id: opsux_core::RunId) {
//! let _ = service.finish;
//! # }
//! ```
//! And the notification writer itself:
//! ```compile_fail,E0624
//! # async fn f(service: opsux_server::runs::RunService) {
//! let _ = opsux_server::runs::RunService::notify_completion;
//! # }
//! ```

mod claimed;
mod error;
mod identity;
pub mod queries;
mod record;
mod service;
mod store;

pub use claimed::{ClaimedRun, LeaseKeeper, Progressed};
pub use error::RunError;
pub use identity::identity;
pub use record::RunRecord;
pub use service::{RescueReport, RunConfig, RunService, StartRun, Started, TenantRef};
