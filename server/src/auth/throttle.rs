//! Limits on signing in: attempts per client address and per account, and how many password
//! hashes run at once.
//!
//! Every attempt counts, right or wrong, so the limits are set well above what a person signing
//! in needs and far below what guessing needs. Argon2 takes tens of milliseconds of one core
//! by design; it runs on the blocking pool behind a semaphore of one permit per core, so a
//! flood of logins waits its turn instead of occupying the async workers that serve streams
//! and renew leases.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// Sign-in attempts allowed per minute (each also the burst allowed at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    pub per_address_per_minute: NonZeroU32,
    pub per_account_per_minute: NonZeroU32,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_address_per_minute: NonZeroU32::new(60).unwrap_or(NonZeroU32::MIN),
            per_account_per_minute: NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN),
        }
    }
}

/// Past this many remembered keys, forget those whose budget is full again, so a flood of
/// made-up e-mail addresses cannot grow the maps without bound.
const MAX_TRACKED_KEYS: usize = 50_000;

#[derive(Debug)]
pub struct LoginThrottle {
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    by_account: DefaultKeyedRateLimiter<String>,
    hashing: Semaphore,
}

impl LoginThrottle {
    pub fn new(limits: LoginLimits) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            by_address: RateLimiter::keyed(Quota::per_minute(limits.per_address_per_minute)),
            by_account: RateLimiter::keyed(Quota::per_minute(limits.per_account_per_minute)),
            hashing: Semaphore::new(cores),
        }
    }

    /// Counts one attempt from `address` (unknown when the server was not given the peer's
    /// address) for `email`; refuses it with a 429 naming the limit when either is spent.
    pub fn attempt(&self, address: Option<IpAddr>, email: &str) -> Result<(), ApiError> {
        if let Some(address) = address {
            check(&self.by_address, &address).map_err(|wait| {
                ApiError::too_many(
                    format!(
                        "too many sign-in attempts from this address; try again in {} s",
                        crate::error::retry_after_secs(wait)
                    ),
                    wait,
                )
            })?;
        }
        check(&self.by_account, &account_key(email)).map_err(|wait| {
            ApiError::too_many(
                format!(
                    "too many sign-in attempts for this account; try again in {} s",
                    crate::error::retry_after_secs(wait)
                ),
                wait,
            )
        })
    }

    /// The permit to run one password hash; waits while every core is hashing.
    pub async fn hashing_permit(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.hashing
            .acquire()
            .await
            .unwrap_or_else(|_| unreachable!("the hashing semaphore is never closed"))
    }
}

/// One attempt against `key`'s budget; how long until the next is allowed when it is spent.
fn check<K: Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), Duration> {
    if limiter.len() > MAX_TRACKED_KEYS {
        limiter.retain_recent();
        limiter.shrink_to_fit();
    }
    limiter
        .check_key(key)
        .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
}

/// E-mail addresses are compared without case or surrounding space, as logins are; bounded,
/// so a megabyte "address" is not a megabyte key.
fn account_key(email: &str) -> String {
    email
        .trim()
        .chars()
        .take(320)
        .flat_map(char::to_lowercase)
        .collect()
}
