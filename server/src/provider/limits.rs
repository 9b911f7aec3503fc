//! R20: how much a provider may send and how long one step may take. A hostile or broken
//! endpoint meets these before it meets the server's memory or a worker's patience.

use std::time::Duration;

use super::{ProviderOrigins, RetryPolicy};

/// The bounds of what one tenant's provider may make a run read or wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderLimits {
    /// The largest answer read, in bytes; a bigger one fails the step with
    /// `provider_response_too_large` after reading no more than this.
    pub max_body_bytes: usize,
    /// The most pages one listing follows.
    pub max_pages: usize,
    /// The most items one listing collects.
    pub max_items: usize,
    /// One step — a whole listing, or one read or write — with all its requests and retries
    /// ends `provider_timed_out` after this long.
    pub step_timeout: Duration,
}

impl Default for ProviderLimits {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 * 1024 * 1024,
            max_pages: 500,
            max_items: 100_000,
            step_timeout: Duration::from_secs(10 * 60),
        }
    }
}

/// Everything a [`super::GraphProvider`] is built with besides where it points and whose
/// credentials it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderConfig {
    pub retry: RetryPolicy,
    pub limits: ProviderLimits,
    pub origins: ProviderOrigins,
}
