use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opsux_core::wire::{ClaimRequest, ProgressResponse, RunSummary, WorkerRun};
use opsux_core::{FailureEntry, OperationType, ReasonCode, RunId, RunOutcome, SummaryCounts};

use crate::{Client, Error};

/// How long a worker waits after a failed claim before it asks again.
const CLAIM_BACKOFF: Duration = Duration::from_secs(2);

/// Claims runs of some registered types one at a time and does each with your function,
/// renewing its lease beside it, until shut down. Run several for several at once.
#[derive(Debug, Clone)]
pub struct Worker {
    client: Client,
    types: Vec<OperationType>,
    lease_secs: u32,
    wait_secs: u32,
}

/// How a run ended, as your function says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub outcome: RunOutcome,
    pub counts: SummaryCounts,
    pub failures: Vec<FailureEntry>,
}

impl Done {
    pub fn succeeded(counts: SummaryCounts) -> Self {
        Self {
            outcome: RunOutcome::Succeeded,
            counts,
            failures: Vec::new(),
        }
    }

    /// Some items failed (`failures`), others did not.
    pub fn partially_succeeded(counts: SummaryCounts, failures: Vec<FailureEntry>) -> Self {
        Self {
            outcome: RunOutcome::PartiallySucceeded,
            counts,
            failures,
        }
    }

    pub fn failed(counts: SummaryCounts, failures: Vec<FailureEntry>) -> Self {
        Self {
            outcome: RunOutcome::Failed,
            counts,
            failures,
        }
    }

    /// Stopped because a person asked to cancel, with the counts reached.
    pub fn cancelled(counts: SummaryCounts) -> Self {
        Self {
            outcome: RunOutcome::Cancelled,
            counts,
            failures: Vec::new(),
        }
    }
}

/// The run your function is doing: its parameters, and how it reports progress.
#[derive(Debug)]
pub struct RunHandle {
    client: Client,
    run: WorkerRun,
    counts: SummaryCounts,
    cancel: Arc<AtomicBool>,
}

impl RunHandle {
    pub fn id(&self) -> RunId {
        self.run.id
    }

    pub fn run(&self) -> &WorkerRun {
        &self.run
    }

    /// The start parameters, as they met the type's schema.
    pub fn params(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.run.params
    }

    /// The counts last reported.
    pub fn counts(&self) -> &SummaryCounts {
        &self.counts
    }

    /// Whether a person asked to cancel (seen by the last progress report or heartbeat).
    pub fn cancel_requested(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    /// Reports the counts so far; the answer says whether to stop.
    pub async fn progress(&mut self, counts: SummaryCounts) -> Result<ProgressResponse, Error> {
        let answer = self.client.progress(&self.run, &counts).await?;
        self.counts = counts;
        if answer.cancel_requested {
            self.cancel.store(true, Ordering::SeqCst);
        }
        Ok(answer)
    }
}

impl Worker {
    /// A worker of `types` (registered type keys) with a 60 s lease, renewed every 20 s.
    pub fn new(client: Client, types: impl IntoIterator<Item = OperationType>) -> Self {
        Self {
            client,
            types: types.into_iter().collect(),
            lease_secs: opsux_core::wire::DEFAULT_LEASE_SECS,
            wait_secs: opsux_core::wire::DEFAULT_WAIT_SECS,
        }
    }

    /// The lease of each run (10–3600 s); it is renewed at a third of it.
    pub fn lease_secs(mut self, secs: u32) -> Self {
        self.lease_secs = secs;
        self
    }

    /// How long one claim waits for a run when none is queued (0–20 s).
    pub fn wait_secs(mut self, secs: u32) -> Self {
        self.wait_secs = secs;
        self
    }

    /// Claims and does runs until `shutdown` resolves (a run in progress is finished first).
    /// A run whose lease is lost — this worker was too slow, and another holds it now — is
    /// dropped without a word to the server. An error from `work` fails the run with
    /// `internal_error` and the error's text (sanitized by the server).
    pub async fn run<F, Fut>(self, work: F, shutdown: impl Future<Output = ()>)
    where
        F: Fn(RunHandle) -> Fut,
        Fut: Future<Output = Result<Done, Error>>,
    {
        let claim = ClaimRequest {
            types: self.types.clone(),
            max: Some(1),
            lease_secs: Some(self.lease_secs),
            wait_secs: Some(self.wait_secs),
        };
        tokio::pin!(shutdown);
        loop {
            let claimed = tokio::select! {
                () = &mut shutdown => return,
                claimed = self.client.claim(&claim) => claimed,
            };
            match claimed {
                Ok(runs) => {
                    for run in runs {
                        if let Err(err) = self.work_one(run, &work).await {
                            tracing::warn!(error = %err, "a run could not be completed");
                        }
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "claiming runs failed; trying again shortly");
                    tokio::time::sleep(CLAIM_BACKOFF).await;
                }
            }
        }
    }

    /// Does one claimed run with `work`, renewing its lease beside it; the run as it ended,
    /// or `None` when its lease was lost.
    async fn work_one<F, Fut>(&self, run: WorkerRun, work: &F) -> Result<Option<RunSummary>, Error>
    where
        F: Fn(RunHandle) -> Fut,
        Fut: Future<Output = Result<Done, Error>>,
    {
        let cancel = Arc::new(AtomicBool::new(false));
        let handle = RunHandle {
            client: self.client.clone(),
            run: run.clone(),
            counts: SummaryCounts::new(),
            cancel: Arc::clone(&cancel),
        };
        let done = tokio::select! {
            done = work(handle) => done,
            lost = self.keep_lease(&run, &cancel) => return lost.map(|()| None),
        };
        let done = match done {
            Ok(done) => done,
            Err(Error::LeaseLost(_)) => return Ok(None),
            Err(err) => Done::failed(
                SummaryCounts::new(),
                vec![FailureEntry {
                    reason_code: ReasonCode::InternalError,
                    message: err.to_string(),
                }],
            ),
        };
        match self
            .client
            .complete(&run, done.outcome, &done.counts, &done.failures)
            .await
        {
            Ok(ended) => Ok(Some(ended)),
            Err(Error::LeaseLost(_)) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Renews the lease at a third of its length until it is lost (then resolves `Ok`) or a
    /// renewal keeps failing past the lease (then `Err`); never resolves otherwise.
    async fn keep_lease(&self, run: &WorkerRun, cancel: &AtomicBool) -> Result<(), Error> {
        let every = Duration::from_secs(u64::from(self.lease_secs / 3).max(1));
        let mut failing_since: Option<tokio::time::Instant> = None;
        loop {
            tokio::time::sleep(every).await;
            match self.client.heartbeat(run, Some(self.lease_secs)).await {
                Ok(beat) => {
                    failing_since = None;
                    if beat.cancel_requested {
                        cancel.store(true, Ordering::SeqCst);
                    }
                }
                Err(Error::LeaseLost(_)) => return Ok(()),
                Err(err) => {
                    let since = *failing_since.get_or_insert_with(tokio::time::Instant::now);
                    if since.elapsed() >= Duration::from_secs(u64::from(self.lease_secs)) {
                        return Err(err);
                    }
                    tracing::warn!(run = %run.id, error = %err, "renewing the lease failed; trying again");
                }
            }
        }
    }
}
