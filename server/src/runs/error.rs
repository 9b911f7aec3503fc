use std::fmt;
use std::sync::Arc;

use opsux_core::{RunEvent, RunId, RunStatus};

/// Why the run service refused or failed an operation.
#[derive(Debug, Clone)]
pub enum RunError {
    /// The guarded write matched no row: the run is not in a state this event may leave, or
    /// the caller's lease is no longer the current one (R1, R8 fencing).
    Conflict {
        run: RunId,
        event: RunEvent,
        /// The status found afterwards, if the run exists.
        found: Option<RunStatus>,
    },
    /// The caller's lease is no longer the run's lease: another worker or the rescuer owns the
    /// run now, and this worker must stop working on it (R8 fencing).
    LeaseLost(RunId),
    NotFound(RunId),
    /// Stored data the contract rejects; a bug or a hand-edited database.
    Corrupt(String),
    /// The database failed; shared, since one failed commit fails every transition in it.
    Database(Arc<sqlx::Error>),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Conflict {
                run,
                event: RunEvent::Cancel,
                found: Some(status),
            } => {
                write!(f, "run {run} cannot be cancelled: it is already {status}")
            }
            Self::Conflict { run, event, found } => match found {
                Some(status) => write!(
                    f,
                    "run {run} cannot {} now: it is {status}, or its lease passed to another worker",
                    event.as_str()
                ),
                None => write!(f, "run {run} cannot {}: it does not exist", event.as_str()),
            },
            Self::LeaseLost(run) => write!(
                f,
                "run {run} is no longer held by this worker: its lease passed to another worker or the rescuer"
            ),
            Self::NotFound(run) => write!(f, "run {run} not found"),
            Self::Corrupt(what) => write!(f, "stored run data is invalid: {what}"),
            Self::Database(err) => write!(f, "database error: {err}"),
        }
    }
}

impl RunError {
    /// A failure that may pass (a busy database, an exhausted pool): worth retrying, and no
    /// evidence that the lease is lost.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Database(_))
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Database(err) => Some(&**err),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for RunError {
    fn from(err: sqlx::Error) -> Self {
        Self::Database(Arc::new(err))
    }
}
