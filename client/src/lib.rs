//! A client for opsux's API for other services (`/api/v1/…`), with a tenant's API token:
//! start runs for a member of the tenant ([`Client::start`]) and do runs of a type you
//! registered (`opsux operation-type add`) in a worker loop ([`Worker`]) that claims them,
//! keeps their leases, reports progress and completes them.
//!
//! ```no_run
//! # async fn demo() -> Result<(), opsux_client::Error> {
//! use opsux_client::{Client, Done, Worker};
//! use opsux_core::{SummaryCounts, SummaryKey};
//!
//! let client = Client::new("http://127.0.0.1:8080", "opsux_…")?;
//! let worker = Worker::new(client, ["acme.invoice_export".parse().unwrap()]);
//! worker
//!     .run(|mut run| async move {
//!         let total = 3;
//!         for done in 1..=total {
//!             let counts = SummaryCounts::new()
//!                 .with(SummaryKey::Total, total)?
//!                 .with(SummaryKey::Processed, done)?;
//!             if run.progress(counts).await?.cancel_requested {
//!                 return Ok(Done::cancelled(run.counts().clone()));
//!             }
//!         }
//!         Ok(Done::succeeded(run.counts().clone()))
//!     }, std::future::pending())
//!     .await;
//! # Ok(()) }
//! ```

mod client;
mod error;
mod worker;

pub use client::Client;
pub use error::Error;
pub use worker::{Done, RunHandle, Worker};
