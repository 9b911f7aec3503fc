use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use opsux_core::wire::RunSummary;
use opsux_core::{
    FailureSummary, ReasonCode, RunEvent, RunId, RunOutcome, RunState, SummaryCounts,
};
use tokio::sync::Mutex;

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
    record: RunRecord,
    lease: Lease,
}

/// What the handle shares with its [`LeaseKeeper`]: the lease, and the coalesced progress.
#[derive(Debug, Clone)]
struct Lease {
    service: RunService,
    id: RunId,
    token: String,
    cancel_flag: Arc<AtomicBool>,
    /// Held across each progress write, so writes land in the order they were reported.
    progress: Arc<Mutex<ProgressState>>,
}

#[derive(Debug)]
struct ProgressState {
    /// The run as last published.
    summary: RunSummary,
    /// Latest counts not yet written.
    pending: Option<SummaryCounts>,
    last_write: Option<Instant>,
}

impl ClaimedRun {
    pub(super) fn new(
        service: RunService,
        record: RunRecord,
        token: String,
        cancel_flag: Arc<AtomicBool>,
    ) -> Self {
        let lease = Lease {
            service,
            id: record.id(),
            token,
            cancel_flag,
            progress: Arc::new(Mutex::new(ProgressState {
                summary: record.summary.clone(),
                pending: None,
                last_write: None,
            })),
        };
        Self { record, lease }
    }

    pub fn id(&self) -> RunId {
        self.lease.id
    }

    /// The run as claimed (status `running`), with its parameters in `context`.
    pub fn record(&self) -> &RunRecord {
        &self.record
    }

    pub fn cancel_requested(&self) -> bool {
        self.lease.cancel_flag.load(Ordering::SeqCst)
    }

    /// Extends the lease. A conflict means the lease was taken over: stop working on this run.
    pub async fn heartbeat(&self) -> Result<(), RunError> {
        self.lease_keeper().heartbeat().await
    }

    /// A handle for a task running beside the handler: it renews the lease and writes
    /// progress the handler reported while a write was not yet due.
    pub fn lease_keeper(&self) -> LeaseKeeper {
        LeaseKeeper {
            lease: self.lease.clone(),
        }
    }

    /// Reports the run's counts. Writes are coalesced to one per `progress_interval`; a report
    /// that is not written at once is written by the [`LeaseKeeper`] when due, or by the
    /// finishing call, which always stores the final counts.
    pub async fn report_progress(&mut self, counts: SummaryCounts) -> Result<Progressed, RunError> {
        let mut progress = self.lease.progress.lock().await;
        progress.pending = Some(counts);
        self.lease.write_if_due(&mut progress).await?;
        drop(progress);
        Ok(if self.cancel_requested() {
            Progressed::CancelRequested
        } else {
            Progressed::Continue
        })
    }

    /// Finishes the run with `outcome` and its failures; the latest reported counts are stored
    /// with it. The reason code is the first failure's, or `cancelled_by_user` for a cancel.
    pub async fn complete(
        self,
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
        self.finish(outcome, reason, message.as_deref(), &failures)
            .await
    }

    /// Finishes the run `failed` with one reason; the message is sanitized before it is stored.
    pub async fn fail(self, reason: ReasonCode, message: &str) -> Result<RunRecord, RunError> {
        let mut failures = FailureSummary::new();
        failures.push(reason, message);
        let sanitized = failures.entries().first().map(|f| f.message.clone());
        self.finish(
            RunOutcome::Failed,
            Some(reason),
            sanitized.as_deref(),
            &failures,
        )
        .await
    }

    async fn finish(
        self,
        outcome: RunOutcome,
        reason: Option<ReasonCode>,
        message: Option<&str>,
        failures: &FailureSummary,
    ) -> Result<RunRecord, RunError> {
        // Holding the progress lock keeps the keeper from writing counts after the end.
        let mut progress = self.lease.progress.lock().await;
        let counts = progress
            .pending
            .take()
            .unwrap_or_else(|| progress.summary.summary_counts.clone());
        let service = &self.lease.service;
        let done = Completion {
            event: RunEvent::Finish(outcome),
            reason,
            message,
            counts: Some(&counts),
            failures: Some(failures),
            now_ms: service.now_ms(),
        };
        let notifies = self.record.summary.initiator.is_some();
        service
            .finish(
                self.id(),
                RunState::Running,
                LeaseGuard::Held(&self.lease.token),
                &done,
                notifies,
            )
            .await
    }
}

impl Lease {
    /// Writes the pending counts if the last write is at least `progress_interval` old.
    async fn write_if_due(&self, progress: &mut ProgressState) -> Result<(), RunError> {
        let interval = self.service.config().progress_interval;
        let due = progress
            .last_write
            .is_none_or(|at| at.elapsed() >= interval);
        let Some(counts) = progress.pending.take_if(|_| due) else {
            return Ok(());
        };
        let mut conn = self.service.pool().acquire().await?;
        let Some(cancel_requested) =
            store::save_progress(&mut conn, self.id, &self.token, &counts).await?
        else {
            return Err(conflict(self.id, RunEvent::Finish(RunOutcome::Failed), &mut conn).await);
        };
        TransitionCounters::bump(&self.service.counters().progress);
        if cancel_requested {
            self.cancel_flag.store(true, Ordering::SeqCst);
        }
        progress.last_write = Some(Instant::now());
        progress.summary.summary_counts = counts;
        progress.summary.cancel_requested = cancel_requested;
        self.service
            .publish(Event::RunChanged(progress.summary.clone()));
        Ok(())
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

/// Keeps a claimed run current from beside its handler: renews the lease and writes progress
/// that became due. It cannot finish the run.
#[derive(Debug, Clone)]
pub struct LeaseKeeper {
    lease: Lease,
}

impl LeaseKeeper {
    pub async fn heartbeat(&self) -> Result<(), RunError> {
        let lease = &self.lease;
        let expires = lease
            .service
            .now_ms()
            .saturating_add(duration_ms(lease.service.config().lease));
        let mut conn = lease.service.pool().acquire().await?;
        if store::renew_lease(&mut conn, lease.id, &lease.token, expires).await? {
            Ok(())
        } else {
            Err(conflict(lease.id, RunEvent::Finish(RunOutcome::Failed), &mut conn).await)
        }
    }

    /// Writes the latest reported counts if a write is due and one is pending.
    pub async fn flush_progress(&self) -> Result<(), RunError> {
        let mut progress = self.lease.progress.lock().await;
        self.lease.write_if_due(&mut progress).await
    }
}
