use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opsux_core::wire::StartResult;
use opsux_core::{OperationParams, ReasonCode, RunEvent, RunId, RunState, UserId};
use uuid::Uuid;

use super::record::RunRecord;
use super::store::{self, Completion, LeaseGuard, NewRun, Quota};
use super::writer::{PausedWrites, Write, Writer, WriterStats, Written};
use super::{RunError, identity};
use crate::clock::{SharedClock, to_ms};
use crate::events::{Event, EventHub};
use crate::metrics::{RunMetrics, TransitionCounters};
use crate::store::Store;

/// Tunables of the run lifecycle.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// How long a claim holds without a heartbeat.
    pub lease: Duration,
    /// Claims a run may have before a lost lease fails it with `worker_lost` (R8).
    pub max_attempts: u32,
    /// Progress is persisted and published at most this often per run; the final counts always.
    pub progress_interval: Duration,
    /// A person's start is refused (409) while the tenant has this many queued or running
    /// runs; system runs are not refused.
    pub max_active_per_tenant: u32,
    /// A person's start is refused (409) while they have this many queued or running runs.
    /// Both at `u32::MAX`: no cap, and nothing counted at a start.
    pub max_active_per_user: u32,
    /// A scheduled start is refused (and its slot skipped) while the tenant has this many
    /// queued or running system runs: the scheduler's share of the tenant's cap, so
    /// schedules can never fill it and lock people out. `None`: a quarter of
    /// `max_active_per_tenant`, at least one.
    pub max_active_scheduled_per_tenant: Option<u32>,
}

impl RunConfig {
    /// The scheduler's share of a tenant's active runs.
    pub fn scheduled_share(&self) -> u32 {
        self.max_active_scheduled_per_tenant
            .unwrap_or(self.max_active_per_tenant / 4)
            .max(1)
    }
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            max_attempts: 3,
            progress_interval: Duration::from_millis(250),
            max_active_per_tenant: 100,
            max_active_per_user: 20,
            max_active_scheduled_per_tenant: None,
        }
    }
}

/// The tenant a run belongs to, as the store knows it and the caller's access check resolved
/// it.
pub use crate::store::accounts::TenantRef;

/// A request to start an operation: which one and with what is said by its typed parameters,
/// checked by whoever made them (the HTTP handler, the scheduler, the console); the run
/// stores their canonical form, from which its identity is computed (R4), and a flow reads
/// them back typed.
#[derive(Debug, Clone)]
pub struct StartRun {
    pub tenant: TenantRef,
    pub params: OperationParams,
    /// `None` for system runs (scheduler, CLI), which never notify anyone.
    pub initiator: Option<UserId>,
    /// The scheduler's slot (Unix ms) a system run fires for: part of its identity, so each
    /// slot is one run. `None` for everything else.
    pub slot: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Started {
    pub result: StartResult,
    pub run: RunRecord,
}

enum Rescued {
    Requeued,
    Failed,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RescueReport {
    pub requeued: usize,
    pub failed: usize,
}

/// The only writer of run transitions. Cheap to clone.
#[derive(Debug, Clone)]
pub struct RunService {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    /// Commits every transition, grouped with those submitted at the same time.
    writer: Writer,
    clock: SharedClock,
    events: EventHub,
    config: RunConfig,
    /// Cancel requests for runs claimed in this process, seen by their handles at once.
    cancel_flags: Mutex<HashMap<RunId, Arc<AtomicBool>>>,
    counters: TransitionCounters,
    metrics: RunMetrics,
}

impl RunService {
    /// Starts the service and its writer task (so: inside a Tokio runtime).
    pub fn new(store: Store, clock: SharedClock, events: EventHub, config: RunConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                writer: Writer::spawn(&store),
                store,
                clock,
                events,
                config,
                cancel_flags: Mutex::new(HashMap::new()),
                counters: TransitionCounters::default(),
                metrics: RunMetrics::default(),
            }),
        }
    }

    pub fn config(&self) -> &RunConfig {
        &self.inner.config
    }

    /// Committed transitions of this process, for `/metrics`.
    pub fn counters(&self) -> &TransitionCounters {
        &self.inner.counters
    }

    /// The runs this process ended, for `/metrics`.
    pub fn metrics(&self) -> &RunMetrics {
        &self.inner.metrics
    }

    /// How the writer grouped this process's transitions into commits.
    pub fn writer_stats(&self) -> &WriterStats {
        self.inner.writer.stats()
    }

    /// Holds the writer between batches until the guard is dropped; transitions submitted
    /// meanwhile are committed together then. For tests that need a known batch.
    pub async fn pause_writes(&self) -> PausedWrites {
        self.inner.writer.pause().await
    }

    pub(super) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(super) async fn write(&self, write: Write) -> Result<Written, RunError> {
        self.inner.writer.write(write).await
    }

    pub(super) fn now_ms(&self) -> i64 {
        to_ms(self.inner.clock.now())
    }

    pub(super) fn publish(&self, event: Event) {
        self.inner.events.publish(event);
    }

    /// Creates a queued run, or returns the identical run already queued or running (R4).
    /// The partial unique index decides, not a prior read, so concurrent identical starts
    /// create exactly one run.
    pub async fn start(&self, req: StartRun) -> Result<Started, RunError> {
        let operation = req.params.operation();
        let canonical = req.params.canonical();
        let identity = match req.slot {
            Some(slot) => format!("{}@{slot}", identity(operation, &canonical)),
            None => identity(operation, &canonical),
        };
        let context = serde_json::json!({ "params": canonical }).to_string();
        // An identical active run may complete between our insert and our read of it; then
        // the next insert succeeds. Three rounds cover any realistic interleaving.
        for _ in 0..3 {
            let new = NewRun {
                id: RunId::from_uuid(Uuid::now_v7()),
                workspace_id: req.tenant.workspace_id,
                tenant_id: req.tenant.id,
                initiator: req.initiator.map(|u| *u.as_uuid()),
                op_type: operation,
                identity: identity.clone(),
                context: context.clone(),
                max_attempts: self.inner.config.max_attempts,
                now_ms: self.now_ms(),
                quota: match (req.initiator, req.slot) {
                    (Some(_), _) => Some(Quota::Person {
                        per_tenant: self.inner.config.max_active_per_tenant,
                        per_user: self.inner.config.max_active_per_user,
                    }),
                    (None, Some(_)) => Some(Quota::Scheduled {
                        share: self.inner.config.scheduled_share(),
                    }),
                    (None, None) => None,
                },
            };
            let (inserted, existing) = match self.write(Write::Start(new)).await? {
                Written::Started { inserted, existing } => (inserted, existing),
                Written::OverQuota(refusal) => {
                    return Err(RunError::OverQuota(
                        opsux_core::presenter::active_run_cap_message(refusal, &req.tenant.slug),
                    ));
                }
                _ => return Err(unexpected("start")),
            };
            if let Some(run) = inserted {
                TransitionCounters::bump(&self.counters().start);
                self.publish(Event::RunChanged(run.summary.clone()));
                return Ok(Started {
                    result: StartResult::Queued,
                    run,
                });
            }
            if let Some(run) = existing {
                return Ok(Started {
                    result: StartResult::AlreadyQueued,
                    run,
                });
            }
        }
        Err(RunError::Corrupt(
            "an identical run kept appearing and disappearing while starting".to_owned(),
        ))
    }

    /// Cancels a run of `tenant_id` (R9): a queued run completes `cancelled` at once; a running
    /// run is asked to stop and its handler completes it at its next progress report.
    pub async fn cancel(&self, tenant_id: Uuid, id: RunId) -> Result<RunRecord, RunError> {
        let in_tenant = self
            .get(id)
            .await?
            .is_some_and(|r| r.tenant_id == tenant_id);
        if !in_tenant {
            return Err(RunError::NotFound(id));
        }
        let done = Completion {
            event: RunEvent::Cancel,
            reason: Some(ReasonCode::CancelledByUser),
            message: Some("Cancelled before it started.".to_owned()),
            counts: None,
            failures: None,
            now_ms: self.now_ms(),
        };
        match self
            .finish(id, RunState::Queued, LeaseGuard::None, done)
            .await
        {
            Ok(run) => return Ok(run),
            Err(RunError::Conflict { .. }) => {}
            Err(other) => return Err(other),
        }
        match self.write(Write::RequestCancel { id }).await? {
            Written::Changed(run) => {
                TransitionCounters::bump(&self.counters().cancel);
                self.observe_cancel(id);
                self.publish(Event::RunChanged(run.summary.clone()));
                Ok(run)
            }
            Written::Refused(found) => Err(RunError::Conflict {
                run: id,
                event: RunEvent::Cancel,
                found,
            }),
            _ => Err(unexpected("cancel")),
        }
    }

    /// Tells a handle of this process that its run was asked to cancel, wherever the request
    /// was made.
    pub(crate) fn observe_cancel(&self, id: RunId) {
        if let Some(flag) = self.cancel_flags().get(&id) {
            flag.store(true, Ordering::SeqCst);
        }
    }

    /// Rescues runs whose worker stopped heartbeating (R8): re-queued while attempts remain,
    /// else completed `failed` with `worker_lost`. A rescue that loses a race is skipped; one
    /// run that cannot be rescued (a bad row, a busy database) is logged and does not hold up
    /// the others.
    pub async fn rescue_stale(&self) -> Result<RescueReport, RunError> {
        let now = self.now_ms();
        let expired = {
            let mut pooled = self.store().acquire().await?;
            store::expired_leases(&mut pooled.conn(), now).await?
        };
        let mut report = RescueReport::default();
        for (id, token) in expired {
            match self.rescue_one(&id, token, now).await {
                Ok(Some(Rescued::Requeued)) => report.requeued += 1,
                Ok(Some(Rescued::Failed)) => report.failed += 1,
                Ok(None) | Err(RunError::Conflict { .. }) => {}
                Err(err) => {
                    tracing::error!(run = %id, error = %err, "could not rescue a stale run");
                }
            }
        }
        Ok(report)
    }

    async fn rescue_one(
        &self,
        id: &str,
        token: String,
        now: i64,
    ) -> Result<Option<Rescued>, RunError> {
        let id: RunId = id.parse().map_err(|e| RunError::Corrupt(format!("{e}")))?;
        let Some(run) = self.get(id).await? else {
            return Ok(None);
        };
        if run.summary.attempt < run.max_attempts {
            let requeue = Write::Requeue {
                id,
                token,
                now_ms: now,
            };
            let Written::Changed(run) = self.write(requeue).await? else {
                return Ok(None);
            };
            TransitionCounters::bump(&self.counters().requeue);
            self.publish(Event::RunChanged(run.summary.clone()));
            return Ok(Some(Rescued::Requeued));
        }
        let done = Completion {
            event: RunEvent::GiveUp,
            reason: Some(ReasonCode::WorkerLost),
            message: Some(
                "The worker running it stopped responding and no attempts remain.".to_owned(),
            ),
            counts: None,
            failures: None,
            now_ms: now,
        };
        self.finish(id, RunState::Running, LeaseGuard::Expired(token, now), done)
            .await?;
        Ok(Some(Rescued::Failed))
    }

    /// The terminal transition: completes the run and, in the same transaction, writes the one
    /// `run_completed` notification for its initiator, if it has one (R2). Events go out after
    /// the commit.
    pub(super) async fn finish(
        &self,
        id: RunId,
        from: RunState,
        guard: LeaseGuard,
        done: Completion,
    ) -> Result<RunRecord, RunError> {
        let event = done.event;
        let finish = Write::Finish {
            id,
            from,
            guard,
            done,
        };
        let (run, notification) = match self.write(finish).await? {
            Written::Finished(run, notification) => (run, notification),
            Written::Refused(found) => {
                return Err(RunError::Conflict {
                    run: id,
                    event,
                    found,
                });
            }
            _ => return Err(unexpected("finish")),
        };
        let counters = self.counters();
        TransitionCounters::bump(match event {
            RunEvent::Cancel => &counters.cancel,
            RunEvent::GiveUp => &counters.give_up,
            _ => &counters.finish,
        });
        self.forget_cancel_flag(id);
        log_end(&run);
        self.inner.metrics.record_end(run.summary());
        self.publish(Event::RunChanged(run.summary.clone()));
        if let (Some(notification), Some(initiator)) = (notification, &run.summary.initiator) {
            self.publish(Event::NotificationCreated {
                user: initiator.id,
                notification,
            });
        }
        Ok(run)
    }

    pub(super) fn forget_cancel_flag(&self, id: RunId) {
        self.cancel_flags().remove(&id);
    }

    /// Forgets `flag` if it is still the one registered for `id`: a stale handle dropped after
    /// its run was claimed again must not take the new handle's flag with it.
    pub(super) fn forget_own_cancel_flag(&self, id: RunId, flag: &Arc<AtomicBool>) {
        let mut flags = self.cancel_flags();
        if flags.get(&id).is_some_and(|f| Arc::ptr_eq(f, flag)) {
            flags.remove(&id);
        }
    }

    pub(super) fn cancel_flags(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<RunId, Arc<AtomicBool>>> {
        // A panic while holding this lock leaves plain data behind; keep using it.
        self.inner
            .cancel_flags
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads one run (monitoring pages read the database only, R15).
    pub async fn get(&self, id: RunId) -> Result<Option<RunRecord>, RunError> {
        let mut pooled = self.store().acquire().await?;
        store::load(&mut pooled.conn(), id).await
    }

    /// The stored version of each of `ids` that still exists.
    pub async fn versions(&self, ids: &[RunId]) -> Result<Vec<(RunId, u64)>, RunError> {
        super::queries::versions(self.store(), ids).await
    }
}

/// The one log line of a run's end: which run, where, what it was and how it ended, with its
/// reason codes — never a message (a provider's words may carry what R6 keeps out).
fn log_end(run: &RunRecord) {
    let summary = &run.summary;
    let outcome = summary.outcome.map_or("none", |o| o.as_str());
    let reasons: Vec<&str> = run
        .failure_summary
        .entries()
        .iter()
        .map(|f| f.reason_code.as_str())
        .collect();
    let reason = summary.reason_code.map_or("none", |r| r.as_str());
    let initiator = if summary.initiator.is_some() {
        "person"
    } else {
        "system"
    };
    // Displayed, not debugged: `outcome=succeeded`, not `outcome="succeeded"`.
    tracing::info!(
        run = %summary.id,
        tenant = %summary.tenant,
        r#type = %summary.operation,
        outcome = %outcome,
        reason = %reason,
        reasons = %reasons.join(","),
        initiator = %initiator,
        "run ended"
    );
}

/// The writer answered a transition with another's kind of result: a bug.
pub(super) fn unexpected(what: &str) -> RunError {
    RunError::Corrupt(format!("the writer answered a {what} with another result"))
}

pub(super) fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
