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
    /// A person's start met an active-run cap; the message names it.
    OverQuota(String),
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
            Self::OverQuota(message) => f.write_str(message),
            Self::Corrupt(what) => write!(f, "stored run data is invalid: {what}"),
            Self::Database(err) => write!(f, "database error: {err}"),
        }
    }
}

impl RunError {
    /// A failure that may pass (a busy database, an exhausted pool): worth retrying, and no
    /// evidence that the lease is lost.
    /// Constraint violations, schema errors and rows that do not decode are not: retrying
    /// them only repeats the failure (and, in a retry loop, hides it for a while).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Database(err) => is_transient_database_error(err),
            _ => false,
        }
    }
}

/// Whether a database error may pass by itself: the connection or pool failed, or the
/// database refused for now (SQLite busy or locked; PostgreSQL serialization failures,
/// deadlocks, lock timeouts, connection and resource limits, a server shutting down).
pub fn is_transient_database_error(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // The primary result code is the extended code's low byte.
                let code = db
                    .code()
                    .and_then(|c| c.parse::<i32>().ok())
                    .unwrap_or_default();
                return matches!(code & 0xff, 5 | 6);
            }
            db.code().is_some_and(|code| {
                matches!(
                    &*code,
                    "40001" | "40P01" | "55P03" | "57P01" | "57P02" | "57P03"
                ) || code.starts_with("08")
                    || code.starts_with("53")
            })
        }
        _ => false,
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
