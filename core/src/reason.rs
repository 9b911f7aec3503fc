//! Stable failure reason codes (R6).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::operation::write_list;

/// Why a run (or one item of it) failed. The snake_case id is stable: stored, sent, and what
/// integrators match on. Human text comes from [`ReasonCode::label`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    ProviderThrottled,
    ProviderUnavailable,
    ProviderAuthFailed,
    ProviderRedirected,
    ProviderResponseTooLarge,
    ProviderTimedOut,
    PermissionDenied,
    NotFound,
    ValidationFailed,
    CircuitBreakerOpen,
    WorkerLost,
    CancelledByUser,
    InternalError,
}

impl ReasonCode {
    pub const ALL: [Self; 13] = [
        Self::ProviderThrottled,
        Self::ProviderUnavailable,
        Self::ProviderAuthFailed,
        Self::ProviderRedirected,
        Self::ProviderResponseTooLarge,
        Self::ProviderTimedOut,
        Self::PermissionDenied,
        Self::NotFound,
        Self::ValidationFailed,
        Self::CircuitBreakerOpen,
        Self::WorkerLost,
        Self::CancelledByUser,
        Self::InternalError,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProviderThrottled => "provider_throttled",
            Self::ProviderUnavailable => "provider_unavailable",
            Self::ProviderAuthFailed => "provider_auth_failed",
            Self::ProviderRedirected => "provider_redirected",
            Self::ProviderResponseTooLarge => "provider_response_too_large",
            Self::ProviderTimedOut => "provider_timed_out",
            Self::PermissionDenied => "permission_denied",
            Self::NotFound => "not_found",
            Self::ValidationFailed => "validation_failed",
            Self::CircuitBreakerOpen => "circuit_breaker_open",
            Self::WorkerLost => "worker_lost",
            Self::CancelledByUser => "cancelled_by_user",
            Self::InternalError => "internal_error",
        }
    }

    /// A short sentence a tenant admin can act on.
    pub const fn label(self) -> &'static str {
        match self {
            Self::ProviderThrottled => "The tenant's service kept throttling requests",
            Self::ProviderUnavailable => "The tenant's service was unavailable",
            Self::ProviderAuthFailed => "Signing in to the tenant failed",
            Self::ProviderRedirected => "The tenant's service sent us elsewhere; not followed",
            Self::ProviderResponseTooLarge => "The tenant's service answered more than we accept",
            Self::ProviderTimedOut => "The tenant's service took too long",
            Self::PermissionDenied => "The app lacks a permission in the tenant",
            Self::NotFound => "An item no longer exists",
            Self::ValidationFailed => "The request was not valid",
            Self::CircuitBreakerOpen => "Stopped after repeated failures",
            Self::WorkerLost => "The worker running it stopped responding",
            Self::CancelledByUser => "Cancelled by a user",
            Self::InternalError => "An internal error occurred",
        }
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReasonCode {
    type Err = UnknownReasonCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownReasonCode(s.chars().take(80).collect()))
    }
}

/// A string that names no reason code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownReasonCode(String);

impl fmt::Display for UnknownReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown reason code {:?}; known codes: ", self.0)?;
        write_list(f, ReasonCode::ALL.iter().map(|r| r.as_str()))
    }
}

impl std::error::Error for UnknownReasonCode {}
