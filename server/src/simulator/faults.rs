//! What a tenant's simulated service does wrong, set through the admin API.

use serde::{Deserialize, Serialize};

/// A tenant's faults. Each field is independent; the default is a healthy service.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Faults {
    /// Added before every answer.
    pub latency_ms: u64,
    /// The next N API requests answer 429 with `Retry-After: retry_after_secs`.
    pub throttle_next: u32,
    pub retry_after_secs: u64,
    /// The next N API requests answer 503.
    pub unavailable_next: u32,
    /// Every API request answers 503, until cleared.
    pub unavailable: bool,
    /// Every API request answers this status (a permanent refusal, e.g. 403), until cleared.
    pub status: Option<u16>,
    /// Each API request answers 503 with this probability (from the tenant's seeded
    /// generator, so a run is repeatable).
    pub failure_rate: f64,
    /// Requests for these policies (provider ids) fail (a partial failure of a bulk
    /// operation): with `failing_status`, by default 500 (retried, then given up).
    pub failing_policies: Vec<String>,
    /// The status of `failing_policies`' answers, e.g. 404 for policies deleted since the
    /// last sync.
    pub failing_status: Option<u16>,
    /// Graph's `error.message` in the body of a refusal set by `status`.
    pub message: Option<String>,
}

/// How the fault plan answers one API request: `None` goes on to the real answer.
pub(super) enum Injected {
    Throttled {
        retry_after_secs: u64,
    },
    Unavailable,
    /// A refusal with this status, and Graph's error message if one was set.
    Refused(u16, Option<String>),
}

impl Faults {
    /// Decides the fate of one API request touching `policy` (if any), consuming one-shot
    /// faults.
    pub(super) fn inject(
        &mut self,
        policy: Option<&str>,
        rng: &mut fastrand::Rng,
    ) -> Option<Injected> {
        if let Some(status) = self.status {
            return Some(Injected::Refused(status, self.message.clone()));
        }
        if self.unavailable {
            return Some(Injected::Unavailable);
        }
        if self.throttle_next > 0 {
            self.throttle_next -= 1;
            return Some(Injected::Throttled {
                retry_after_secs: self.retry_after_secs,
            });
        }
        if self.unavailable_next > 0 {
            self.unavailable_next -= 1;
            return Some(Injected::Unavailable);
        }
        if self.failure_rate > 0.0 && rng.f64() < self.failure_rate {
            return Some(Injected::Unavailable);
        }
        if policy.is_some_and(|id| self.failing_policies.iter().any(|f| f == id)) {
            return Some(Injected::Refused(self.failing_status.unwrap_or(500), None));
        }
        None
    }
}
