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
//! notification writer, the handle's constructor and `RunRecord`'s fields are private to this
//! module, and the finishing methods consume the handle. `bypasses.md` holds one attempt at
//! each bypass as a `compile_fail` doctest.

mod announcer;
mod claimed;
mod error;
mod identity;
pub mod queries;
mod record;
mod remote;
mod service;
mod store;
mod writer;

pub use claimed::{ClaimedRun, LeaseKeeper, Progressed};
pub use error::{RunError, is_transient_database_error};
pub use identity::identity;
pub use record::RunRecord;
pub use remote::{RemoteClaim, RemoteEnd, RemoteLease};
pub use service::{RescueReport, RunConfig, RunService, StartRun, Started, TenantRef};
pub use writer::{PausedWrites, WriterStats};

#[cfg(doctest)]
#[doc = include_str!("bypasses.md")]
struct Bypasses;

#[cfg(test)]
mod tests {
    /// The doctests in `bypasses.md` only prove that each bypass fails to compile; this proves
    /// that what they name exists, so each fails because it is private, not because it is gone
    /// (the notification writer, private to `writer.rs`, is named by that module's own test).
    #[test]
    fn what_the_bypasses_name_exists() {
        let _ = super::store::complete;
        let _ = super::RunService::finish;
        let _ = super::ClaimedRun::new;
        let _ = |record: super::RunRecord| record.state;
    }
}
