//! R20: how long to wait before trying a throttled or unavailable call again — exponential
//! back-off with full jitter, or the provider's `Retry-After` when it says — bounded in
//! attempts and in total time, and cut short by a cancel request.

use std::time::{Duration, Instant};

use super::{Cancel, ProviderError};

/// The retry budget of one provider call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The first back-off's ceiling; it doubles per attempt, up to `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// No wait starts that would end after this much time since the first attempt.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_total: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (`attempt` ≥ 1 failed so far): the provider's
    /// `Retry-After` if it sent one — never less, so the provider is not asked early; a wait
    /// beyond the budget ends the call instead (see [`Self::allows`]) — else a uniformly random
    /// time up to the exponential ceiling ("full jitter", so many clients throttled at once do
    /// not come back at once).
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait;
        }
        let ceiling = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max_delay);
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=ceiling_ms))
    }

    /// Whether another attempt may follow `attempt` failed ones after waiting `wait`, given
    /// the first attempt began at `started`.
    pub fn allows(&self, attempt: u32, wait: Duration, started: Instant) -> bool {
        attempt < self.max_attempts && started.elapsed() + wait <= self.max_total
    }
}

/// Sleeps `wait`, waking early (with `Cancelled`) when a cancel is requested.
pub(super) async fn wait_unless_cancelled(
    wait: Duration,
    cancel: &Cancel,
) -> Result<(), ProviderError> {
    const SLICE: Duration = Duration::from_millis(100);
    let until = tokio::time::Instant::now() + wait;
    loop {
        if cancel.is_requested() {
            return Err(ProviderError::Cancelled);
        }
        let now = tokio::time::Instant::now();
        if now >= until {
            return Ok(());
        }
        tokio::time::sleep((until - now).min(SLICE)).await;
    }
}

/// `Retry-After` as seconds or as an HTTP date.
pub(super) fn parse_retry_after(value: &str, now: time::OffsetDateTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at =
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    Some(Duration::try_from(at - now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_jitter_stays_under_the_growing_ceiling() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        for _ in 0..200 {
            assert!(policy.delay(1, None) <= Duration::from_millis(100));
            assert!(policy.delay(3, None) <= Duration::from_millis(400));
            assert!(policy.delay(30, None) <= Duration::from_secs(1));
        }
        assert_eq!(
            policy.delay(2, Some(Duration::from_millis(700))),
            Duration::from_millis(700)
        );
        assert_eq!(
            policy.delay(2, Some(Duration::from_secs(60))),
            Duration::from_secs(60),
            "a Retry-After is never undercut"
        );
        assert!(
            !policy.allows(2, Duration::from_secs(600), Instant::now()),
            "a Retry-After beyond the budget ends the call"
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = time::macros::datetime!(2026-11-29 10:00:00 UTC);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Sun, 29 Nov 2026 10:00:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn the_budget_bounds_attempts_and_total_time() {
        let policy = RetryPolicy {
            max_attempts: 3,
            max_total: Duration::from_secs(10),
            ..RetryPolicy::default()
        };
        let started = Instant::now();
        assert!(policy.allows(2, Duration::from_secs(1), started));
        assert!(!policy.allows(3, Duration::from_secs(1), started));
        assert!(!policy.allows(1, Duration::from_secs(11), started));
    }
}
