use std::fmt;

use opsux_core::wire::ErrorCode;

/// Why a request to opsux failed.
#[derive(Debug)]
pub enum Error {
    /// The request did not get an answer (connection, timeout), or the answer was not JSON of
    /// the expected shape.
    Http(reqwest::Error),
    /// opsux refused: its error code and message, which says what to change.
    Api {
        status: u16,
        code: Option<ErrorCode>,
        message: String,
    },
    /// The run's fencing token is no longer its own (409): the lease passed to another worker
    /// or the rescuer, or the run ended. Stop working on it.
    LeaseLost(String),
    /// A value the caller gave is not acceptable before anything is sent.
    Invalid(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Http(err) => write!(f, "request to opsux failed: {err}"),
            Self::Api {
                status, message, ..
            } => write!(f, "opsux answered {status}: {message}"),
            Self::LeaseLost(message) => write!(f, "the run is no longer held: {message}"),
            Self::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Http(err) => Some(err),
            _ => None,
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(err: reqwest::Error) -> Self {
        Self::Http(err)
    }
}

impl From<opsux_core::SummaryError> for Error {
    fn from(err: opsux_core::SummaryError) -> Self {
        Self::Invalid(err.to_string())
    }
}
