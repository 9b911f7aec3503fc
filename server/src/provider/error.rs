//! Provider failures and the reason code each becomes (R6, R20): the one place that decides.

use std::fmt;

use opsux_core::ReasonCode;

/// Why a provider call failed, after any retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderError {
    /// 429 until the retry budget ran out.
    Throttled { attempts: u32 },
    /// 5xx or no answer until the retry budget ran out.
    Unavailable { status: Option<u16>, attempts: u32 },
    /// 401, or the token endpoint refused the credentials.
    AuthFailed,
    /// 403: the app lacks a permission in the tenant.
    PermissionDenied,
    /// 404: the item is gone.
    NotFound,
    /// A person asked to cancel while the call waited.
    Cancelled,
    /// The provider answered with a redirect; none is followed (R20).
    Redirected { status: u16 },
    /// An answer or a listing bigger than the limits; says which.
    TooLarge(String),
    /// The step's deadline passed before the provider's answer was complete.
    TimedOut,
    /// Any other refusal or an answer that is not what Graph sends; never echoes secrets.
    Invalid(String),
}

impl ProviderError {
    pub fn reason_code(&self) -> ReasonCode {
        match self {
            Self::Throttled { .. } => ReasonCode::ProviderThrottled,
            Self::Unavailable { .. } => ReasonCode::ProviderUnavailable,
            Self::AuthFailed => ReasonCode::ProviderAuthFailed,
            Self::PermissionDenied => ReasonCode::PermissionDenied,
            Self::NotFound => ReasonCode::NotFound,
            Self::Cancelled => ReasonCode::CancelledByUser,
            Self::Redirected { .. } => ReasonCode::ProviderRedirected,
            Self::TooLarge(_) => ReasonCode::ProviderResponseTooLarge,
            Self::TimedOut => ReasonCode::ProviderTimedOut,
            Self::Invalid(_) => ReasonCode::ValidationFailed,
        }
    }

    /// The error for a final (not retried) HTTP status, with what the provider said (Graph's
    /// `error.message`) where the status alone does not say it.
    pub(super) fn refused(status: u16, message: Option<String>) -> Self {
        match (Self::from_status(status), message) {
            (Self::Invalid(_), Some(message)) => Self::Invalid(format!(
                "the provider refused the request ({status}): {message}"
            )),
            (error, _) => error,
        }
    }

    /// The error for a final (not retried) HTTP status.
    pub(super) fn from_status(status: u16) -> Self {
        match status {
            401 => Self::AuthFailed,
            403 => Self::PermissionDenied,
            404 => Self::NotFound,
            429 => Self::Throttled { attempts: 1 },
            500..=599 => Self::Unavailable {
                status: Some(status),
                attempts: 1,
            },
            other => Self::Invalid(format!("the provider refused the request ({other})")),
        }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Throttled { attempts } => {
                let attempts = tries(*attempts);
                write!(f, "the provider kept throttling requests ({attempts})")
            }
            Self::Unavailable {
                status: Some(status),
                attempts,
            } => {
                let attempts = tries(*attempts);
                write!(
                    f,
                    "the provider was unavailable (HTTP {status}, {attempts})"
                )
            }
            Self::Unavailable {
                status: None,
                attempts,
            } => write!(f, "the provider did not answer ({})", tries(*attempts)),
            Self::AuthFailed => f.write_str("signing in to the provider failed"),
            Self::PermissionDenied => f.write_str("the app lacks a permission in the tenant"),
            Self::NotFound => f.write_str("the item no longer exists at the provider"),
            Self::Cancelled => f.write_str("cancelled while waiting for the provider"),
            Self::Redirected { status } => write!(
                f,
                "the provider answered with a redirect (HTTP {status}); redirects are not followed"
            ),
            Self::TooLarge(what) => write!(f, "the provider's answer is too large: {what}"),
            Self::TimedOut => f.write_str("the provider did not finish answering in time"),
            Self::Invalid(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for ProviderError {}

/// "1 attempt", "3 attempts".
fn tries(attempts: u32) -> String {
    match attempts {
        1 => "1 attempt".to_owned(),
        n => format!("{n} attempts"),
    }
}
