//! Tests of real `opsux` processes: the binary this package builds, started as child
//! processes on a fresh database, driven over HTTP on loopback, and killed with SIGKILL.
//!
//! `crash` runs on either backend (see `support`); `several` and `relay` need PostgreSQL — several
//! processes on one SQLite file is not a supported deployment — so it is ignored unless asked
//! for: `cargo xtask test` runs it in its PostgreSQL step with `--include-ignored`.

#[path = "../support/mod.rs"]
mod support;

mod chaos;
mod crash;
mod demo;
mod exposed;
mod flood;
mod logs;
mod opsux;
mod own_operations;
mod relay;
mod secrets;
mod setup;
mod several;
mod shutdown;
mod tokens;
mod webhooks;
