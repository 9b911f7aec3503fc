//! The run service's conformance suite: every transition, every refused transition, guarded
//! writes and stale leases, against a real database. Written against `RunService` only, so a
//! second storage backend runs it unchanged.

#[path = "../support/mod.rs"]
mod support;

mod cancel;
mod connections;
mod errors;
mod final_write;
mod group_commit;
mod leases;
mod lifecycle;
mod notifications;
mod quotas;
mod rescue;
mod start;
mod worker;
