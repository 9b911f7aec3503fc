//! The tenant provider: what a flow asks of a tenant's device-management service (SPEC §5).
//!
//! [`TenantProvider`] is the seam: list, read and update device-management policies, list
//! directory groups, page by page. [`GraphProvider`] implements it over HTTP against Microsoft
//! Graph-shaped endpoints — the real Graph, or the simulator (`crate::simulator`) that the demo
//! and the tests run. Every failure comes back as a [`ProviderError`], whose reason code is
//! decided in one place (`error.rs`); throttling and outages are retried first (R20,
//! `retry.rs`), and a cancel request is honoured during every wait (R9).

mod body;
mod error;
mod graph;
mod limits;
mod listing;
mod origins;
mod retry;

pub use error::ProviderError;
pub use graph::{Credentials, GraphEndpoints, GraphProvider};
pub use limits::{ProviderConfig, ProviderLimits};
pub use listing::every_page;
pub use origins::{MICROSOFT_HOSTS, ProviderOrigins};
pub use retry::RetryPolicy;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

/// A device-management policy as the provider holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub id: String,
    /// The policy's type, e.g. `windows10GeneralConfiguration` (Graph's `@odata.type`).
    pub kind: String,
    pub display_name: String,
    /// When the provider last saw it change (RFC 3339, as the provider wrote it).
    pub last_modified: String,
    /// The provider's version counter; a change bumps it.
    pub version: i64,
    /// The whole object as the provider returned it: what a backup captures and a restore
    /// pushes back.
    pub snapshot: serde_json::Value,
}

/// A directory group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
}

/// One page of a listing and where the next one is.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back to get the next page; `None` on the last.
    pub next: Option<String>,
}

/// When waiting for the provider must end: a person's request to stop (set by the run's
/// handle, read between requests and during every back-off), and the deadline of the step the
/// call belongs to (R20: one deadline for all of a step's requests and retries).
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    flag: Arc<AtomicBool>,
    deadline: Option<Instant>,
}

impl Cancel {
    /// Follows `flag` (a claimed run's cancel flag).
    pub fn following(flag: Arc<AtomicBool>) -> Self {
        Self {
            flag,
            deadline: None,
        }
    }

    pub fn request(&self) {
        self.flag.store(true, Ordering::SeqCst);
    }

    pub fn is_requested(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// The same cancel flag with a deadline `timeout` from now, unless an earlier one is set
    /// already: a call inside a step keeps the step's deadline.
    pub fn within(&self, timeout: Duration) -> Self {
        let ours = Instant::now() + timeout;
        Self {
            flag: Arc::clone(&self.flag),
            deadline: Some(self.deadline.map_or(ours, |theirs| theirs.min(ours))),
        }
    }

    /// Time left before the deadline; `None` without one.
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|deadline| deadline.saturating_duration_since(Instant::now()))
    }

    /// Whether the deadline has passed.
    pub fn is_past_deadline(&self) -> bool {
        self.remaining() == Some(Duration::ZERO)
    }
}

/// What the flows need of a tenant's service.
pub trait TenantProvider: Send + Sync + std::fmt::Debug {
    /// One page of the tenant's device-management policies; `next` from the previous page.
    fn list_policies<'a>(
        &'a self,
        next: Option<&'a str>,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<Page<Policy>, ProviderError>>;

    fn get_policy<'a>(
        &'a self,
        id: &'a str,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<Policy, ProviderError>>;

    /// Writes `snapshot` (a policy's captured object) back to the policy `id`.
    fn update_policy<'a>(
        &'a self,
        id: &'a str,
        snapshot: &'a serde_json::Value,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<(), ProviderError>>;

    /// One page of the tenant's directory groups.
    fn list_groups<'a>(
        &'a self,
        next: Option<&'a str>,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<Page<Group>, ProviderError>>;
}
