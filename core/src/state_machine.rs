//! The run state machine (R1, R8, R9), pure and exhaustive.
//!
//! ```text
//!            Claim                     Finish(outcome)
//!  queued ───────────▶ running ──────────────────────▶ completed(outcome)
//!    │  ▲                │ │  Cancel: stays running,          ▲
//!    │  └────Requeue─────┘ │  cancel requested; the handler   │
//!    │                     │  then finishes `cancelled`       │
//!    │                     └──GiveUp──────────────────────────┤ (failed, worker_lost)
//!    ├──Cancel────────────────────────────────────────────────┤ (cancelled)
//!    └──Refuse────────────────────────────────────────────────┘ (failed)
//! ```
//!
//! Who moves each state — nobody else may:
//! - `queued`: entered when the run service starts a run, or when the rescuer re-queues a run
//!   whose worker lost its lease and attempts remain. Left by a worker's claim, by a user's
//!   cancel, or by dispatch refusing the run.
//! - `running`: entered by a claim (the run service, on behalf of a worker, hands out a lease).
//!   Left only by the handle holding the current lease (finish), or by the rescuer once that
//!   lease has expired (re-queue or give up).
//! - `completed`: terminal. Nothing leaves it; the transition into it writes the one
//!   `run_completed` notification (R2).
//!
//! The server turns every event into one guarded compare-and-set whose allowed sources are
//! [`RunEvent::source_statuses`], so this table and the SQL cannot disagree.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::run::{RunOutcome, RunStatus};

/// A run's status and outcome together, so that "completed without outcome" and "queued with
/// an outcome" cannot be represented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "outcome")]
pub enum RunState {
    Queued,
    Running,
    Completed(RunOutcome),
}

/// Something that happens to a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event", content = "outcome")]
pub enum RunEvent {
    /// A worker takes a queued run (run service `claim`).
    Claim,
    /// The handler holding the lease ends the run with this outcome (claimed-run handle).
    Finish(RunOutcome),
    /// A person cancels (run service `cancel`, R9): a queued run completes `cancelled` at once;
    /// a running run stays running with a cancel request its handler observes.
    Cancel,
    /// Dispatch refuses a queued run before it starts, e.g. its target no longer exists.
    Refuse,
    /// The rescuer finds the lease expired and attempts remain (R8).
    Requeue,
    /// The rescuer finds the lease expired and no attempts remain: `failed`, `worker_lost` (R8).
    GiveUp,
}

impl RunEvent {
    /// The statuses this event may start from; the server's guarded `UPDATE … WHERE status IN
    /// (…)` uses exactly this list.
    pub const fn source_statuses(self) -> &'static [RunStatus] {
        match self {
            Self::Claim | Self::Refuse => &[RunStatus::Queued],
            Self::Finish(_) | Self::Requeue | Self::GiveUp => &[RunStatus::Running],
            Self::Cancel => &[RunStatus::Queued, RunStatus::Running],
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Claim => "claim",
            Self::Finish(_) => "finish",
            Self::Cancel => "cancel",
            Self::Refuse => "refuse",
            Self::Requeue => "requeue",
            Self::GiveUp => "give_up",
        }
    }
}

impl RunState {
    pub const fn status(self) -> RunStatus {
        match self {
            Self::Queued => RunStatus::Queued,
            Self::Running => RunStatus::Running,
            Self::Completed(_) => RunStatus::Completed,
        }
    }

    pub const fn outcome(self) -> Option<RunOutcome> {
        match self {
            Self::Completed(outcome) => Some(outcome),
            Self::Queued | Self::Running => None,
        }
    }

    /// Rebuilds the state from the two stored columns, refusing combinations the machine never
    /// produces.
    pub fn from_parts(
        status: RunStatus,
        outcome: Option<RunOutcome>,
    ) -> Result<Self, InconsistentRunState> {
        match (status, outcome) {
            (RunStatus::Queued, None) => Ok(Self::Queued),
            (RunStatus::Running, None) => Ok(Self::Running),
            (RunStatus::Completed, Some(outcome)) => Ok(Self::Completed(outcome)),
            _ => Err(InconsistentRunState { status, outcome }),
        }
    }
}

/// The next state after `event`, or why the event is not allowed from `from`.
pub fn transition(from: RunState, event: RunEvent) -> Result<RunState, IllegalTransition> {
    use RunEvent as E;
    use RunState as S;
    match (from, event) {
        (S::Queued, E::Claim) => Ok(S::Running),
        (S::Queued, E::Cancel) => Ok(S::Completed(RunOutcome::Cancelled)),
        (S::Queued, E::Refuse) => Ok(S::Completed(RunOutcome::Failed)),
        (S::Running, E::Finish(outcome)) => Ok(S::Completed(outcome)),
        (S::Running, E::Cancel) => Ok(S::Running),
        (S::Running, E::Requeue) => Ok(S::Queued),
        (S::Running, E::GiveUp) => Ok(S::Completed(RunOutcome::Failed)),
        (S::Queued, E::Finish(_) | E::Requeue | E::GiveUp)
        | (S::Running, E::Claim | E::Refuse)
        | (S::Completed(_), _) => Err(IllegalTransition { from, event }),
    }
}

/// An event that is not allowed from the run's current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: RunState,
    pub event: RunEvent,
}

impl fmt::Display for IllegalTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot {} a run that is {}",
            self.event.as_str(),
            self.from.status()
        )
    }
}

impl std::error::Error for IllegalTransition {}

/// Stored status and outcome that no transition produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InconsistentRunState {
    pub status: RunStatus,
    pub outcome: Option<RunOutcome>,
}

impl fmt::Display for InconsistentRunState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.outcome {
            Some(outcome) => write!(f, "a {} run cannot have outcome {outcome}", self.status),
            None => write!(f, "a {} run must have an outcome", self.status),
        }
    }
}

impl std::error::Error for InconsistentRunState {}
