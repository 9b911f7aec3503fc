//! HTTP tests: the real router over a real database, driven in-process with `oneshot` and,
//! where the network path matters (streams), through a real socket on loopback.

#[path = "../support/mod.rs"]
mod support;

mod account;
mod assets;
mod audit;
mod auth;
mod backups;
mod bad_input;
mod catalog;
mod corrupt;
mod embedding;
mod error_classes;
mod errors;
mod inventory;
mod invitations;
mod limits;
mod login_limits;
mod members;
mod membership;
mod metrics;
mod notifications;
mod oidc;
mod openapi;
mod origin;
mod overview;
mod params;
mod runs;
mod schedules;
mod streams;
mod tenancy;
mod tokens;
mod webhooks;
mod worker;
mod workspace;
