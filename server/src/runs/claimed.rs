use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use opsux_core::{
    FailureSummary, ReasonCode, RunEvent, RunId, RunOutcome, RunState, SummaryCounts,
};

use super::RunError;
use super::record::RunRecord;
use super::service::{RunService, duration_ms, load_existing};
use super::store::{self, Completion, LeaseGuard};
use crate::events::Event;
use crate::metrics::TransitionCounters;

/// What a handler should do after reporting progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progressed {
    Continue,
    /// A person asked to cancel (R9): stop and finish with [`RunOutcome::Cancelled`].
    CancelRequested,
}

/// A run this worker holds the lease of: the only way to move a running run on. The finishing
/// methods consume it, so a run cannot be finished twice through one handle; a second handle
/// (another worker, a stale lease) is refused by the lease guard in the database (R8).
#[derive(Debug)]
pub struct ClaimedRun {
    service: RunService,
    record: RunRecord,
    lease_token: String,
    cancel_flag: Arc<AtomicBool>,
    /// Latest counts not yet written (progress is coalesced).
    pending: Option<SummaryCounts>,
    last_write: Option<Instant>,
}

impl ClaimedRun {
    pub(super) fn new(
        service: RunService,
        record: RunRecord,
        lease_token: String,
        cancel_flag: Arc<AtomicBool>,
    ) -> Self {
        Self {
            service,
            record,
            lease_token,
            cancel_flag,
            pending: None,
            last_write: None,
        }
    }

    pub fn id(&self) -> RunId {
        self.record.id()
    }

    /// The run as claimed (status `running`), with its parameters in `context`.
    pub fn record(&self) -> &RunRecord {
        &self.record
    }

    pub fn cancel_requested(&self) -> bool {
        self.cancel_flag.load(Ordering::SeqCst)
    }

    /// Extends the lease. A conflict means the lease was taken over: stop working on this run.
    pub async fn heartbeat(&self) -> Result<(), RunError> {
        self.lease_keeper().heartbeat().await
    }

    /// A handle that can only renew this run's lease, for a heartbeat task running beside
    /// the handler.
    pub fn lease_keeper(&self) -> LeaseKeeper {
        LeaseKeeper {
            service: self.service.clone(),
            id: self.id(),
            lease_token: self.lease_token.clone(),
        }
    }

    /// Reports the run's counts. Writes are coalesced to one per `progress_interval`; the final
    /// counts are always written by the finishing call.
    pub async fn report_progress(&mut self, counts: SummaryCounts) -> Result<Progressed, RunError> {
        self.pending = Some(counts);
        let due = self
            .last_write
            .is_none_or(|at| at.elapsed() >= self.service.config().progress_interval);
        if due {
            self.flush().await?;
        }
        Ok(if self.cancel_requested() {
            Progressed::CancelRequested
        } else {
            Progressed::Continue
        })
    }

    async fn flush(&mut self) -> Result<(), RunError> {
        let Some(counts) = self.pending.take() else {
            return Ok(());
        };
        let mut conn = self.service.pool().acquire().await?;
        match store::save_progress(&mut conn, self.id(), &self.lease_token, &counts).await? {
            Some(cancel_requested) => {
                TransitionCounters::bump(&self.service.counters().progress);
                if cancel_requested {
                    self.cancel_flag.store(true, Ordering::SeqCst);
                }
                self.last_write = Some(Instant::now());
                self.record.summary.summary_counts = counts;
                self.record.summary.cancel_requested = cancel_requested;
                self.service
                    .publish(Event::RunChanged(self.record.summary.clone()));
                Ok(())
            }
            None => Err(self
                .conflict(RunEvent::Finish(RunOutcome::Failed), &mut conn)
                .await),
        }
    }

    /// Finishes the run with `outcome` and its failures; the latest reported counts are stored
    /// with it. The reason code is the first failure's, or `cancelled_by_user` for a cancel.
    pub async fn complete(
        mut self,
        outcome: RunOutcome,
        failures: FailureSummary,
    ) -> Result<RunRecord, RunError> {
        let reason = match outcome {
            RunOutcome::Cancelled => Some(ReasonCode::CancelledByUser),
            RunOutcome::Succeeded => None,
            RunOutcome::PartiallySucceeded | RunOutcome::Failed => {
                failures.entries().first().map(|f| f.reason_code)
            }
        };
        let message = match outcome {
            RunOutcome::Cancelled => Some("Cancelled while running.".to_owned()),
            _ => failures.entries().first().map(|f| f.message.clone()),
        };
        let counts = self
            .pending
            .take()
            .unwrap_or_else(|| self.record.summary.summary_counts.clone());
        self.finish(outcome, reason, message.as_deref(), &counts, &failures)
            .await
    }

    /// Finishes the run `failed` with one reason; the message is sanitized before it is stored.
    pub async fn fail(mut self, reason: ReasonCode, message: &str) -> Result<RunRecord, RunError> {
        let mut failures = FailureSummary::new();
        failures.push(reason, message);
        let sanitized = failures.entries().first().map(|f| f.message.clone());
        let counts = self
            .pending
            .take()
            .unwrap_or_else(|| self.record.summary.summary_counts.clone());
        self.finish(
            RunOutcome::Failed,
            Some(reason),
            sanitized.as_deref(),
            &counts,
            &failures,
        )
        .await
    }

    async fn finish(
        self,
        outcome: RunOutcome,
        reason: Option<ReasonCode>,
        message: Option<&str>,
        counts: &SummaryCounts,
        failures: &FailureSummary,
    ) -> Result<RunRecord, RunError> {
        let done = Completion {
            event: RunEvent::Finish(outcome),
            reason,
            message,
            counts: Some(counts),
            failures: Some(failures),
            now_ms: self.service.now_ms(),
        };
        self.service
            .finish(
                self.id(),
                RunState::Running,
                LeaseGuard::Held(&self.lease_token),
                &done,
            )
            .await
    }

    async fn conflict(&self, event: RunEvent, conn: &mut sqlx::SqliteConnection) -> RunError {
        conflict(self.id(), event, conn).await
    }
}

async fn conflict(id: RunId, event: RunEvent, conn: &mut sqlx::SqliteConnection) -> RunError {
    let found = load_existing(conn, id).await.ok().map(|r| r.summary.status);
    RunError::Conflict {
        run: id,
        event,
        found,
    }
}

/// Renews one run's lease and nothing else.
#[derive(Debug, Clone)]
pub struct LeaseKeeper {
    service: RunService,
    id: RunId,
    lease_token: String,
}

impl LeaseKeeper {
    pub async fn heartbeat(&self) -> Result<(), RunError> {
        let expires = self
            .service
            .now_ms()
            .saturating_add(duration_ms(self.service.config().lease));
        let mut conn = self.service.pool().acquire().await?;
        if store::renew_lease(&mut conn, self.id, &self.lease_token, expires).await? {
            Ok(())
        } else {
            Err(conflict(self.id, RunEvent::Finish(RunOutcome::Failed), &mut conn).await)
        }
    }
}
