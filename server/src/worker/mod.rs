//! The worker: claims queued runs (one claim = one guarded transition), runs their handlers
//! with bounded concurrency, heartbeats their leases, turns handler panics and errors into
//! `failed`/`internal_error`, and periodically rescues runs whose worker vanished (R8).

mod handler;

pub use handler::{Handler, HandlerOutcome, Handlers, RunContext};

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use opsux_core::{FailureSummary, ReasonCode, RunOutcome};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;

use crate::runs::{ClaimedRun, LeaseKeeper, RunError, RunService};

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Runs executed at once.
    pub concurrency: usize,
    /// How often an idle worker looks for queued runs and stale leases.
    pub poll_interval: Duration,
    /// At shutdown, how long running handlers may go on; then they are stopped and their
    /// runs handed back to the queue.
    pub drain: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 4,
            poll_interval: Duration::from_millis(500),
            drain: Duration::from_secs(20),
        }
    }
}

#[derive(Clone)]
pub struct Worker {
    runs: RunService,
    handlers: Arc<Handlers>,
    config: WorkerConfig,
    wake: Arc<Notify>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// `wake` lets starts rouse the loop at once instead of at the next poll.
    pub fn new(
        runs: RunService,
        handlers: Handlers,
        config: WorkerConfig,
        wake: Arc<Notify>,
    ) -> Self {
        Self {
            runs,
            handlers: Arc::new(handlers),
            config,
            wake,
        }
    }

    /// Runs until `shutdown` resolves; from then on claims nothing, lets in-flight runs go on
    /// for at most `drain`, then stops their handlers and hands their runs back.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let slots = Arc::new(Semaphore::new(self.config.concurrency));
        let mut in_flight = JoinSet::new();
        let (stop, stopped) = watch::channel(false);
        tokio::pin!(shutdown);
        // Rescuing looks at every running lease: once per poll interval is enough, not after
        // every run that ends.
        let mut next_rescue = tokio::time::Instant::now();
        loop {
            if tokio::time::Instant::now() >= next_rescue {
                if let Err(err) = self.runs.rescue_stale().await {
                    tracing::error!(error = %err, "rescuing stale runs failed");
                }
                next_rescue = tokio::time::Instant::now() + self.config.poll_interval;
            }
            // As many as there are free slots, in one claim.
            let free = slots.available_permits();
            if free > 0 {
                match self.runs.claim_batch(free).await {
                    Ok(batch) => {
                        for claimed in batch {
                            let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
                                // Cannot happen (only this loop takes permits); the lease
                                // runs out and the rescuer requeues the run.
                                tracing::error!(run = %claimed.id(), "claimed a run without a free slot");
                                continue;
                            };
                            let worker = self.clone();
                            let mut stopped = stopped.clone();
                            in_flight.spawn(async move {
                                let stop = async move {
                                    let _ = stopped.wait_for(|stop| *stop).await;
                                };
                                worker.execute_until(claimed, stop).await;
                                drop(permit);
                            });
                        }
                    }
                    Err(err) => tracing::error!(error = %err, "claiming runs failed"),
                }
            }
            while in_flight.try_join_next().is_some() {}
            tokio::select! {
                () = &mut shutdown => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.config.poll_interval) => {}
                Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
            }
        }
        let all_done = async { while in_flight.join_next().await.is_some() {} };
        if tokio::time::timeout(self.config.drain, all_done)
            .await
            .is_err()
        {
            tracing::info!(
                running = in_flight.len(),
                "drain time is over: handing the remaining runs back to the queue"
            );
            let _ = stop.send(true);
            while in_flight.join_next().await.is_some() {}
        }
    }

    /// Claims and executes queued runs one after another until none is left; returns how many
    /// ran. Deterministic: for tests and the CLI.
    pub async fn run_pending(&self) -> Result<usize, RunError> {
        let mut ran = 0;
        while let Some(claimed) = self.runs.claim().await? {
            self.execute(claimed).await;
            ran += 1;
        }
        Ok(ran)
    }

    /// Runs one claimed run to its end. Whatever the handler does — return, error, panic —
    /// the run is completed; only a lost lease leaves it to the rescuer, and then the handler
    /// is stopped at once so two workers never act on one run.
    pub async fn execute(&self, claimed: ClaimedRun) {
        self.execute_until(claimed, std::future::pending()).await;
    }

    /// [`execute`](Self::execute), unless `stop` resolves first: then the handler is dropped
    /// where it stands and the run handed back to the queue (another worker redoes it).
    pub async fn execute_until(&self, claimed: ClaimedRun, stop: impl Future<Output = ()>) {
        let id = claimed.id();
        let operation = claimed.record().summary().operation;
        if claimed.cancel_requested() {
            // Asked to cancel before this attempt began (a rescued run, R9): do no work.
            log_finish(
                id,
                claimed
                    .complete(RunOutcome::Cancelled, FailureSummary::new())
                    .await,
            );
            return;
        }
        let Some(handler) = self.handlers.get(operation) else {
            let message = format!("this server has no handler for {operation}");
            log_finish(id, claimed.fail(ReasonCode::InternalError, &message).await);
            return;
        };
        let keeper = claimed.lease_keeper();
        let heartbeat = self.spawn_keeper(keeper.clone());
        let mut ctx = RunContext::new(claimed);
        let outcome = tokio::select! {
            biased;
            () = keeper.lost() => Ended::LeaseLost,
            // Before `stop`: a handler done at the moment the drain runs out keeps its result.
            outcome = AssertUnwindSafe(handler.run(&mut ctx)).catch_unwind() => Ended::Ran(outcome),
            () = stop => Ended::Stopped,
        };
        let outcome = match outcome {
            Ended::Ran(outcome) => outcome,
            Ended::LeaseLost => {
                heartbeat.abort();
                tracing::warn!(run = %id, "lease lost: handler stopped; the rescuer owns the run");
                return;
            }
            Ended::Stopped => {
                heartbeat.abort();
                let (claimed, _) = ctx.into_parts();
                match claimed.hand_back().await {
                    Ok(_) => tracing::info!(run = %id, "handed back to the queue at shutdown"),
                    // Not handed back: the lease runs out and the rescuer requeues it.
                    Err(err) => {
                        tracing::warn!(run = %id, error = %err, "could not hand the run back");
                    }
                }
                return;
            }
        };
        let (claimed, failures) = ctx.into_parts();
        let finished = match outcome {
            Ok(HandlerOutcome::Finished(outcome)) => claimed.complete(outcome, failures).await,
            Ok(HandlerOutcome::Cancelled) => {
                claimed.complete(RunOutcome::Cancelled, failures).await
            }
            Ok(HandlerOutcome::Failed { reason, message }) => claimed.fail(reason, &message).await,
            Err(_) => {
                tracing::error!(run = %id, "handler panicked");
                claimed
                    .fail(
                        ReasonCode::InternalError,
                        "The operation stopped on an internal error.",
                    )
                    .await
            }
        };
        // Only now: the terminal write may be retried for longer than a lease, and a lease
        // that ran out meanwhile would let the rescuer run the finished work again.
        heartbeat.abort();
        log_finish(id, finished);
    }

    /// Beside the handler: writes progress that became due (so slow items do not freeze the
    /// counts people see) and renews the lease every third of its length. A busy database is
    /// retried at the next tick; a lost lease, or an error that will not pass, ends it (and,
    /// through the keeper's signal, the handler).
    fn spawn_keeper(&self, keeper: LeaseKeeper) -> tokio::task::JoinHandle<()> {
        let config = self.runs.config();
        let renew_every = config.lease / 3;
        let tick = config.progress_interval.clamp(
            Duration::from_millis(50),
            renew_every.max(Duration::from_millis(50)),
        );
        tokio::spawn(async move {
            let mut last_renewal = tokio::time::Instant::now();
            loop {
                tokio::time::sleep(tick).await;
                let mut kept = keeper.flush_progress().await;
                if kept.is_ok() && last_renewal.elapsed() >= renew_every {
                    kept = keeper.heartbeat().await;
                    if kept.is_ok() {
                        last_renewal = tokio::time::Instant::now();
                    }
                }
                match kept {
                    Ok(()) => {}
                    Err(err) if err.is_transient() => {
                        tracing::warn!(error = %err, "keeping the lease failed; retrying");
                    }
                    Err(RunError::LeaseLost(_)) => {
                        tracing::warn!("lost the lease; the run will be rescued");
                        return;
                    }
                    Err(err) => {
                        // Not renewing any more means the lease will lapse: stop the handler
                        // now, as for a lost lease, so two workers never run the run.
                        tracing::error!(error = %err, "keeping the lease failed for good; the run will be rescued");
                        keeper.abandon();
                        return;
                    }
                }
            }
        })
    }
}

/// How a handler's turn ended.
enum Ended {
    Ran(std::thread::Result<HandlerOutcome>),
    LeaseLost,
    Stopped,
}

fn log_finish(id: opsux_core::RunId, result: Result<crate::runs::RunRecord, RunError>) {
    match result {
        // The run service logs every end, once (`RunService::finish`).
        Ok(_) => {}
        // Fenced out: another worker or the rescuer owns the run now (R8).
        Err(err) => tracing::warn!(run = %id, error = %err, "could not finish run"),
    }
}
