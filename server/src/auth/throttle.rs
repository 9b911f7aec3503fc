//! Limits on signing in: attempts per client address, failed attempts per account, and how
//! many password hashes run at once.
//!
//! Per address every attempt counts (a client hammering the endpoint is refused whatever it
//! sends); per account only wrong passwords do, so a person signing in often is never held up
//! while someone guessing their password is. The account budget is kept per account *and*
//! client address: once failures from one address spend it, every attempt for that account
//! from that address — the right password too — is refused until it refills, while the owner
//! signing in from anywhere else is not, so wrong passwords sent on purpose cannot lock a
//! person out of the panel. Argon2 takes
//! tens of milliseconds of one core
//! by design; it runs on the blocking pool behind a semaphore of one permit per core, so a
//! flood of logins waits its turn instead of occupying the async workers that serve streams
//! and renew leases.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// Sign-in attempts per minute from an address, and failed attempts per minute for an
/// account (each also the burst allowed at once).
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

type FailureLimiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

#[derive(Debug)]
pub struct LoginThrottle {
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    /// Counts failures only; says how much budget is left.
    failures_by_account: FailureLimiter,
    /// How long one failure takes to come back into the budget.
    refill: Duration,
    /// Accounts (from one address) whose failures spent their budget, until when.
    locked: Mutex<HashMap<String, Instant>>,
    hashing: Semaphore,
    started: Instant,
    last_prune_ms: AtomicU64,
}

impl LoginThrottle {
    pub fn new(limits: LoginLimits) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            by_address: RateLimiter::keyed(Quota::per_minute(limits.per_address_per_minute)),
            failures_by_account: RateLimiter::keyed(Quota::per_minute(
                limits.per_account_per_minute,
            ))
            .with_middleware::<StateInformationMiddleware>(),
            refill: Quota::per_minute(limits.per_account_per_minute).replenish_interval(),
            locked: Mutex::new(HashMap::new()),
            started: Instant::now(),
            last_prune_ms: AtomicU64::new(0),
            hashing: Semaphore::new(cores),
        }
    }

    /// Counts one attempt from `address` (unknown when the server was not given the peer's
    /// address) for `email`; refuses it with a 429 naming the limit when the address has
    /// spent its budget or the account is locked by its failures.
    pub fn attempt(&self, address: Option<IpAddr>, email: &str) -> Result<(), ApiError> {
        if let Some(address) = address {
            if self.by_address.len() > MAX_TRACKED_KEYS && self.prune_due() {
                self.by_address.retain_recent();
                self.by_address.shrink_to_fit();
            }
            check(&self.by_address, &client_key(address))
                .map_err(|wait| refusal("too many sign-in attempts from this address", wait))?;
        }
        self.account_open(address, email)
    }

    /// Refuses with a 429 while failures from `address` have locked `email`'s account there.
    pub fn account_open(&self, address: Option<IpAddr>, email: &str) -> Result<(), ApiError> {
        let now = Instant::now();
        let key = account_key(address, email);
        let mut locked = self.locked.lock().unwrap_or_else(PoisonError::into_inner);
        match locked.get(&key) {
            Some(until) if *until > now => Err(refusal(
                "too many failed sign-ins for this account from this address",
                *until - now,
            )),
            Some(_) => {
                locked.remove(&key);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Records a wrong password (or unknown e-mail) for `email` from `address`; when that
    /// spends the budget, the account is locked for that address until the budget refills.
    pub fn failed(&self, address: Option<IpAddr>, email: &str) {
        if self.failures_by_account.len() > MAX_TRACKED_KEYS && self.prune_due() {
            self.failures_by_account.retain_recent();
            self.failures_by_account.shrink_to_fit();
        }
        let key = account_key(address, email);
        let now = Instant::now();
        let locked_for = match self.failures_by_account.check_key(&key) {
            Ok(left) if left.remaining_burst_capacity() > 0 => return,
            // This failure spent the last of the budget: locked until one comes back.
            Ok(_) => self.refill,
            Err(not_until) => not_until.wait_time_from(DefaultClock::default().now()),
        };
        let mut locked = self.locked.lock().unwrap_or_else(PoisonError::into_inner);
        if locked.len() > MAX_TRACKED_KEYS {
            locked.retain(|_, until| *until > now);
        }
        locked.insert(key, now + locked_for);
    }

    /// Whether a second has passed since the maps were last pruned: under a flood of fresh
    /// keys, pruning (a pass over a whole map) runs once a second, not per request.
    fn prune_due(&self) -> bool {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = self.last_prune_ms.load(Ordering::Relaxed);
        now.saturating_sub(last) >= 1_000
            && self
                .last_prune_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }

    /// The permit to run one password hash; waits while every core is hashing.
    pub async fn hashing_permit(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.hashing
            .acquire()
            .await
            .unwrap_or_else(|_| unreachable!("the hashing semaphore is never closed"))
    }
}

fn refusal(what: &str, wait: Duration) -> ApiError {
    ApiError::too_many(
        format!(
            "{what}; try again in {} s",
            crate::error::retry_after_secs(wait)
        ),
        wait,
    )
}

/// One attempt against `key`'s budget; how long until the next is allowed when it is spent.
fn check<K: Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), Duration> {
    limiter
        .check_key(key)
        .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
}

/// Who an address limit counts: an IPv4 address, or an IPv6 address's /64 (one subscriber's
/// network, whose 2^64 addresses would otherwise each get a budget).
fn client_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
    }
}

/// An account's budget key: its e-mail address, compared without case or surrounding space as
/// logins are (and bounded, so a megabyte "address" is not a megabyte key), with the client
/// it is spent from (unknown when the server was not given peers' addresses).
fn account_key(address: Option<IpAddr>, email: &str) -> String {
    let mut key: String = email
        .trim()
        .chars()
        .take(320)
        .flat_map(char::to_lowercase)
        .collect();
    if let Some(address) = address {
        key.push(' ');
        key.push_str(&client_key(address).to_string());
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_network_counts_as_one_client() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(client_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }
}
