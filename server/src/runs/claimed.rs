use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use opsux_core::wire::RunSummary;
use opsux_core::{
    FailureSummary, ReasonCode, RunEvent, RunId, RunOutcome, RunState, SummaryCounts,
};
use tokio::sync::{Mutex, Notify};
use uuid::Uuid;

use super::RunError;
use super::record::RunRecord;
use super::service::{RunService, duration_ms, unexpected};
use super::store::{Completion, LeaseGuard, Pick};
use super::writer::{Write, Written};
use crate::events::Event;
use crate::metrics::TransitionCounters;

/// The most runs one claim takes.
const MAX_CLAIM: usize = 256;

/// Claiming: how a queued run becomes a [`ClaimedRun`]. Here rather than in `service.rs`, so
/// that the handle depends on the service and not the other way round.
impl RunService {
    /// Claims the oldest queued run for a worker: queued → running, attempt + 1, a new lease.
    pub async fn claim(&self) -> Result<Option<ClaimedRun>, RunError> {
        Ok(self.claim_among(1, Pick::Builtin).await?.pop())
    }

    /// Claims up to `max` queued runs in one transition (one statement): what a worker with
    /// `max` free slots asks for. Each run has its own lease; fewer, or none, when fewer are
    /// queued.
    pub async fn claim_batch(&self, max: usize) -> Result<Vec<ClaimedRun>, RunError> {
        self.claim_among(max, Pick::Builtin).await
    }

    /// Claims run `id` if it is still queued (a worker elsewhere may have taken it): for a
    /// caller that executes the runs it started itself, such as the console's prune.
    pub async fn claim_run(&self, id: RunId) -> Result<Option<ClaimedRun>, RunError> {
        Ok(self.claim_among(1, Pick::Only(id)).await?.pop())
    }

    async fn claim_among(&self, max: usize, pick: Pick) -> Result<Vec<ClaimedRun>, RunError> {
        let records = self.claim_records(max, pick, self.config().lease).await?;
        let mut claimed = Vec::with_capacity(records.len());
        for record in records {
            let token = record
                .lease_token
                .clone()
                .ok_or_else(|| RunError::Corrupt("a claimed run without a lease".to_owned()))?;
            TransitionCounters::bump(&self.counters().claim);
            self.publish(Event::RunChanged(record.summary.clone()));
            let flag = Arc::new(AtomicBool::new(record.summary.cancel_requested));
            self.cancel_flags().insert(record.id(), Arc::clone(&flag));
            claimed.push(ClaimedRun::new(self.clone(), record, token, flag));
        }
        Ok(claimed)
    }
}

impl RunService {
    /// The claim itself: up to `max` runs as `pick` says, each under a new lease of `lease`.
    pub(super) async fn claim_records(
        &self,
        max: usize,
        pick: Pick,
        lease: Duration,
    ) -> Result<Vec<RunRecord>, RunError> {
        let tokens = (0..max.clamp(1, MAX_CLAIM))
            .map(|_| Uuid::new_v4().to_string())
            .collect();
        let now_ms = self.now_ms();
        let expires_ms = now_ms.saturating_add(duration_ms(lease));
        let claim = Write::Claim {
            tokens,
            expires_ms,
            now_ms,
            pick,
        };
        let Written::Claimed(records) = self.write(claim).await? else {
            return Err(unexpected("claim"));
        };
        Ok(records)
    }
}

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
    /// Raised when a guarded write finds the lease gone: the handler must stop at once.
    lost: Arc<LostSignal>,
    /// Held across each progress write, so writes land in the order they were reported.
    progress: Arc<Mutex<ProgressState>>,
}

#[derive(Debug, Default)]
struct LostSignal {
    lost: AtomicBool,
    notify: Notify,
}

impl LostSignal {
    fn raise(&self) {
        self.lost.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }

    fn is_raised(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }
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
            lost: Arc::new(LostSignal::default()),
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

    /// The run's cancel flag, for code that waits (a provider's back-off) to watch.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.lease.cancel_flag)
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
        if self.lease.lost.is_raised() {
            return Err(RunError::LeaseLost(self.id()));
        }
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
            // Every failed run carries a reason (R6), even if its handler recorded none.
            RunOutcome::PartiallySucceeded | RunOutcome::Failed => Some(
                failures
                    .entries()
                    .first()
                    .map_or(ReasonCode::InternalError, |f| f.reason_code),
            ),
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

    /// Gives the run back to the queue unfinished (a shutdown that could not wait for the
    /// handler); another worker, or this one restarted, takes it from the start. The attempt
    /// is not counted.
    pub async fn hand_back(self) -> Result<RunRecord, RunError> {
        let service = &self.lease.service;
        let write = Write::HandBack {
            id: self.id(),
            token: self.lease.token.clone(),
        };
        match service.write(write).await? {
            Written::Changed(run) => {
                TransitionCounters::bump(&service.counters().requeue);
                service.publish(Event::RunChanged(run.summary.clone()));
                Ok(run)
            }
            _ => Err(self.lease.lose()),
        }
    }

    /// The terminal write, retried a few times when the database is briefly unavailable: a
    /// finished handler's result is worth a short wait, and a retry after a commit that did
    /// land only meets the guard (a conflict), never a second completion.
    async fn finish(
        self,
        outcome: RunOutcome,
        reason: Option<ReasonCode>,
        message: Option<&str>,
        failures: &FailureSummary,
    ) -> Result<RunRecord, RunError> {
        const RETRIES: [Duration; 3] = [
            Duration::from_millis(100),
            Duration::from_millis(500),
            Duration::from_secs(2),
        ];
        // Holding the progress lock keeps the keeper from writing counts after the end.
        let mut progress = self.lease.progress.lock().await;
        let counts = progress
            .pending
            .take()
            .unwrap_or_else(|| progress.summary.summary_counts.clone());
        let service = &self.lease.service;
        let mut retries = RETRIES.iter();
        loop {
            let done = Completion {
                event: RunEvent::Finish(outcome),
                reason,
                message: message.map(str::to_owned),
                counts: Some(counts.clone()),
                failures: Some(failures.clone()),
                now_ms: service.now_ms(),
            };
            let result = service
                .finish(
                    self.id(),
                    RunState::Running,
                    LeaseGuard::Held(self.lease.token.clone()),
                    done,
                )
                .await;
            match (result, retries.next()) {
                (Err(err), Some(wait)) if err.is_transient() => {
                    tracing::warn!(run = %self.id(), error = %err, "finishing failed; retrying");
                    tokio::time::sleep(*wait).await;
                }
                (result, _) => return result,
            }
        }
    }
}

impl Drop for ClaimedRun {
    fn drop(&mut self) {
        let lease = &self.lease;
        lease
            .service
            .forget_own_cancel_flag(lease.id, &lease.cancel_flag);
    }
}

impl Lease {
    /// Records that the lease is gone and returns the error saying so.
    fn lose(&self) -> RunError {
        self.lost.raise();
        RunError::LeaseLost(self.id)
    }

    /// Writes the pending counts if the last write is at least `progress_interval` old.
    async fn write_if_due(&self, progress: &mut ProgressState) -> Result<(), RunError> {
        let interval = self.service.config().progress_interval;
        let due = progress
            .last_write
            .is_none_or(|at| at.elapsed() >= interval);
        let Some(counts) = progress.pending.take_if(|_| due) else {
            return Ok(());
        };
        let write = Write::Progress {
            id: self.id,
            token: self.token.clone(),
            counts: counts.clone(),
        };
        let written = match self.service.write(write).await {
            Ok(written) => written,
            Err(err) => {
                // Not written: keep the counts for the next write (or the finish), unless newer
                // ones were reported meanwhile.
                progress.pending.get_or_insert(counts);
                return Err(err);
            }
        };
        let Written::Progressed(progressed) = written else {
            return Err(RunError::Corrupt(
                "the writer answered progress with another result".to_owned(),
            ));
        };
        let Some((cancel_requested, version)) = progressed else {
            return Err(self.lose());
        };
        TransitionCounters::bump(&self.service.counters().progress);
        if cancel_requested {
            self.cancel_flag.store(true, Ordering::SeqCst);
        }
        progress.last_write = Some(Instant::now());
        progress.summary.summary_counts = counts;
        progress.summary.cancel_requested = cancel_requested;
        progress.summary.version = u64::try_from(version).unwrap_or_default();
        self.service
            .publish(Event::RunChanged(progress.summary.clone()));
        Ok(())
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
        let renew = Write::Renew {
            id: lease.id,
            token: lease.token.clone(),
            expires_ms: expires,
        };
        match lease.service.write(renew).await? {
            Written::Renewed(true) => Ok(()),
            _ => Err(lease.lose()),
        }
    }

    /// Gives the lease up: the handler is stopped as if the lease were lost, and the rescuer
    /// takes the run once it lapses.
    pub fn abandon(&self) {
        let _ = self.lease.lose();
    }

    /// Resolves once a guarded write has found the lease gone.
    pub async fn lost(&self) {
        let signal = &self.lease.lost;
        // `notify_one` keeps a permit if nobody waits yet, so a raise before this call is not
        // missed.
        while !signal.is_raised() {
            signal.notify.notified().await;
        }
    }

    /// Writes the latest reported counts if a write is due and one is pending. Skipped while
    /// another write of the counts holds them — the handler's own report, or the terminal
    /// write, which stores the final counts itself — so the keeper never waits behind it and
    /// goes on renewing the lease until the run is finished.
    pub async fn flush_progress(&self) -> Result<(), RunError> {
        let Ok(mut progress) = self.lease.progress.try_lock() else {
            return Ok(());
        };
        self.lease.write_if_due(&mut progress).await
    }
}
