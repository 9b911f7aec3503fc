use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opsux_core::wire::{NotificationDto, NotificationKind, StartResult};
use opsux_core::{
    OperationType, ReasonCode, RunEvent, RunId, RunState, TenantSlug, UserId, presenter,
};
use uuid::Uuid;

use super::claimed::ClaimedRun;
use super::record::RunRecord;
use super::store::{self, Completion, LeaseGuard, NewNotification, NewRun};
use super::{RunError, identity};
use crate::clock::{SharedClock, to_ms};
use crate::events::{Event, EventHub};
use crate::metrics::TransitionCounters;
use crate::store::{Conn, Store};

/// Tunables of the run lifecycle.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// How long a claim holds without a heartbeat.
    pub lease: Duration,
    /// Claims a run may have before a lost lease fails it with `worker_lost` (R8).
    pub max_attempts: u32,
    /// Progress is persisted and published at most this often per run; the final counts always.
    pub progress_interval: Duration,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            max_attempts: 3,
            progress_interval: Duration::from_millis(250),
        }
    }
}

/// The tenant a run belongs to, as resolved by the caller's access check.
#[derive(Debug, Clone)]
pub struct TenantRef {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub slug: TenantSlug,
}

/// A request to start an operation.
#[derive(Debug, Clone)]
pub struct StartRun {
    pub tenant: TenantRef,
    pub operation: OperationType,
    pub params: serde_json::Map<String, serde_json::Value>,
    /// `None` for system runs (scheduler, CLI), which never notify anyone.
    pub initiator: Option<UserId>,
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
    clock: SharedClock,
    events: EventHub,
    config: RunConfig,
    /// Cancel requests for runs claimed in this process, seen by their handles at once.
    cancel_flags: Mutex<HashMap<RunId, Arc<AtomicBool>>>,
    counters: TransitionCounters,
}

impl RunService {
    pub fn new(store: Store, clock: SharedClock, events: EventHub, config: RunConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                clock,
                events,
                config,
                cancel_flags: Mutex::new(HashMap::new()),
                counters: TransitionCounters::default(),
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

    pub(super) fn store(&self) -> &Store {
        &self.inner.store
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
        let op_type = req.operation.as_str();
        let identity = identity(req.operation, &req.params);
        let context = serde_json::json!({ "params": req.params }).to_string();
        let mut pooled = self.store().acquire().await?;
        let mut conn = pooled.conn();
        // An identical active run may complete between our insert and our read of it; then
        // the next insert succeeds. Three rounds cover any realistic interleaving.
        for _ in 0..3 {
            let id = RunId::from_uuid(Uuid::now_v7());
            let new = NewRun {
                id,
                workspace_id: req.tenant.workspace_id,
                tenant_id: req.tenant.id,
                initiator: req.initiator.map(|u| *u.as_uuid()),
                op_type,
                identity: &identity,
                context: &context,
                max_attempts: self.inner.config.max_attempts,
                now_ms: self.now_ms(),
            };
            if let Some(run) = store::insert_queued(&mut conn, &new).await? {
                TransitionCounters::bump(&self.counters().start);
                self.publish(Event::RunChanged(run.summary.clone()));
                return Ok(Started {
                    result: StartResult::Queued,
                    run,
                });
            }
            if let Some(run) =
                store::load_active(&mut conn, req.tenant.id, op_type, &identity).await?
            {
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

    /// Claims the oldest queued run for a worker: queued → running, attempt + 1, a new lease.
    pub async fn claim(&self) -> Result<Option<ClaimedRun>, RunError> {
        let token = Uuid::new_v4().to_string();
        let now = self.now_ms();
        let expires = now.saturating_add(duration_ms(self.inner.config.lease));
        let mut pooled = self.store().acquire().await?;
        let mut conn = pooled.conn();
        let Some(record) = store::claim_next(&mut conn, &token, expires, now).await? else {
            return Ok(None);
        };
        TransitionCounters::bump(&self.counters().claim);
        self.publish(Event::RunChanged(record.summary.clone()));
        let flag = Arc::new(AtomicBool::new(record.summary.cancel_requested));
        self.cancel_flags().insert(record.id(), Arc::clone(&flag));
        Ok(Some(ClaimedRun::new(self.clone(), record, token, flag)))
    }

    /// Cancels a run of `tenant_id` (R9): a queued run completes `cancelled` at once; a running
    /// run is asked to stop and its handler completes it at its next progress report.
    pub async fn cancel(&self, tenant_id: Uuid, id: RunId) -> Result<RunRecord, RunError> {
        let mut pooled = self.store().acquire().await?;
        let mut conn = pooled.conn();
        let in_tenant = store::load(&mut conn, id)
            .await?
            .is_some_and(|r| r.tenant_id == tenant_id);
        if !in_tenant {
            return Err(RunError::NotFound(id));
        }
        drop(pooled);
        let done = Completion {
            event: RunEvent::Cancel,
            reason: Some(ReasonCode::CancelledByUser),
            message: Some("Cancelled before it started."),
            counts: None,
            failures: None,
            now_ms: self.now_ms(),
        };
        match self
            .finish(id, RunState::Queued, LeaseGuard::None, &done)
            .await
        {
            Ok(run) => return Ok(run),
            Err(RunError::Conflict { .. }) => {}
            Err(other) => return Err(other),
        }
        let mut pooled = self.store().acquire().await?;
        let mut conn = pooled.conn();
        if let Some(run) = store::request_cancel(&mut conn, id).await? {
            TransitionCounters::bump(&self.counters().cancel);
            if let Some(flag) = self.cancel_flags().get(&id) {
                flag.store(true, Ordering::SeqCst);
            }
            self.publish(Event::RunChanged(run.summary.clone()));
            return Ok(run);
        }
        Err(self.conflict(&mut conn, id, RunEvent::Cancel).await)
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
            match self.rescue_one(&id, &token, now).await {
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
        token: &str,
        now: i64,
    ) -> Result<Option<Rescued>, RunError> {
        let id: RunId = id.parse().map_err(|e| RunError::Corrupt(format!("{e}")))?;
        let mut pooled = self.store().acquire().await?;
        let mut conn = pooled.conn();
        let Some(run) = store::load(&mut conn, id).await? else {
            return Ok(None);
        };
        if run.summary.attempt < run.max_attempts {
            let Some(run) = store::requeue(&mut conn, id, token, now).await? else {
                return Ok(None);
            };
            TransitionCounters::bump(&self.counters().requeue);
            self.publish(Event::RunChanged(run.summary.clone()));
            return Ok(Some(Rescued::Requeued));
        }
        drop(pooled);
        let done = Completion {
            event: RunEvent::GiveUp,
            reason: Some(ReasonCode::WorkerLost),
            message: Some("The worker running it stopped responding and no attempts remain."),
            counts: None,
            failures: None,
            now_ms: now,
        };
        self.finish(
            id,
            RunState::Running,
            LeaseGuard::Expired(token, now),
            &done,
        )
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
        guard: LeaseGuard<'_>,
        done: &Completion<'_>,
    ) -> Result<RunRecord, RunError> {
        let mut tx = self.store().begin().await?;
        let Some(run) = store::complete(&mut tx.conn(), id, from, guard, done).await? else {
            let conflict = self.conflict(&mut tx.conn(), id, done.event).await;
            tx.rollback().await?;
            return Err(conflict);
        };
        let notification = self
            .notify_completion(&mut tx.conn(), &run, done.now_ms)
            .await?;
        tx.commit().await?;
        let counters = self.counters();
        TransitionCounters::bump(match done.event {
            RunEvent::Cancel => &counters.cancel,
            RunEvent::GiveUp => &counters.give_up,
            _ => &counters.finish,
        });
        self.forget_cancel_flag(id);
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

    /// The conflict for a guarded write that matched nothing, with the status found now.
    async fn conflict(&self, conn: &mut Conn<'_>, id: RunId, event: RunEvent) -> RunError {
        match store::load(conn, id).await {
            Ok(found) => RunError::Conflict {
                run: id,
                event,
                found: found.map(|r| r.summary.status),
            },
            Err(err) => err,
        }
    }

    /// Writes the run's one terminal notification for its initiator; `None` for a system run.
    async fn notify_completion(
        &self,
        conn: &mut Conn<'_>,
        run: &RunRecord,
        now_ms: i64,
    ) -> Result<Option<NotificationDto>, RunError> {
        let summary = &run.summary;
        let Some(user) = summary.initiator.as_ref().map(|u| u.id) else {
            return Ok(None);
        };
        let outcome = summary
            .outcome
            .ok_or_else(|| RunError::Corrupt("completed run without outcome".to_owned()))?;
        let content = presenter::run_completed_notification(
            summary.operation,
            outcome,
            &summary.summary_counts,
            summary.reason_code,
            &summary.tenant,
            summary.id,
        );
        let id = Uuid::now_v7();
        store::insert_run_completed_notification(
            conn,
            &NewNotification {
                id,
                user_id: *user.as_uuid(),
                tenant_id: run.tenant_id,
                run_id: summary.id,
                outcome: outcome.as_str(),
                title: &content.title,
                body: &content.body,
                action_url: &content.action.url,
                now_ms,
            },
        )
        .await?;
        Ok(Some(NotificationDto {
            id,
            kind: NotificationKind::RunCompleted,
            tenant: summary.tenant.clone(),
            run_id: summary.id,
            outcome,
            title: content.title,
            body: content.body,
            action: content.action,
            created_at: crate::clock::from_ms(now_ms),
            read_at: None,
        }))
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
        let mut conn = pooled.conn();
        store::load(&mut conn, id).await
    }
}

pub(super) fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
