//! The scheduler (SPEC §5): fires due backup schedules and each tenant's daily prune as system
//! runs (no initiator, so no notification, R3).
//!
//! One scheduler acts at a time across every process on the database: each tick first takes
//! or renews the `scheduler` lease (`store/leases.rs`); an instance without it does nothing.
//! Each job's slot — the schedule's latest firing time, or the day for the prune — is taken
//! with one conditional upsert (`take_slot`) before its run is started, and the slot is part
//! of the run's identity (R4): duplicate ticks, or a second scheduler that briefly thinks it
//! leads, never start one slot twice. A schedule fires its latest slot only: after downtime
//! it catches up once, not once per missed slot.
//!
//! Scheduled runs hold at most their share of a tenant's active runs
//! (`RunConfig::scheduled_share`), so schedules never lock people out: when the share is full
//! a schedule's slot is skipped — not retried — and the schedule records why; the daily
//! prune's slot is given back and tried again on the next tick.

use std::time::Duration;

use opsux_core::OperationParams;
use uuid::Uuid;

use crate::clock::{SharedClock, to_ms};
use crate::cron::CronSchedule;
use crate::runs::{RunError, RunService, StartRun, TenantRef};
use crate::store::Store;
use crate::store::schedules::Skipped;

const LEASE_NAME: &str = "scheduler";
const DAY_MS: i64 = 86_400_000;

/// Tunables of the scheduler.
#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    /// How often it looks.
    pub tick: Duration,
    /// How long its lease holds without a tick; another instance takes over after that.
    pub lease: Duration,
    /// The daily prune deletes runs that ended longer ago than this.
    pub prune_after_days: u64,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        Self {
            tick: Duration::from_secs(30),
            lease: Duration::from_secs(90),
            prune_after_days: 90,
        }
    }
}

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tick {
    /// Whether this instance held the lease (and so looked at all).
    pub leading: bool,
    pub started: usize,
    /// Slots skipped because the tenant's scheduled share was full.
    pub skipped: usize,
}

#[derive(Debug, Clone)]
pub struct Scheduler {
    store: Store,
    runs: RunService,
    clock: SharedClock,
    config: SchedulerConfig,
    /// This instance's name in the lease.
    holder: String,
}

impl Scheduler {
    pub fn new(
        store: Store,
        runs: RunService,
        clock: SharedClock,
        config: SchedulerConfig,
    ) -> Self {
        Self {
            store,
            runs,
            clock,
            config,
            holder: Uuid::new_v4().to_string(),
        }
    }

    /// Ticks every `config.tick` until `shutdown` resolves; a failed tick is logged and the
    /// next one tries again.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            if let Err(err) = self.tick().await {
                tracing::error!(error = %err, "scheduler tick failed");
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(self.config.tick) => {}
            }
        }
        let _ = self.store.release_lease(LEASE_NAME, &self.holder).await;
    }

    /// Looks once: takes the lease, then starts every due slot not yet taken.
    pub async fn tick(&self) -> anyhow::Result<Tick> {
        let now = to_ms(self.clock.now());
        if !self
            .store
            .try_lease(LEASE_NAME, &self.holder, now, self.config.lease)
            .await?
        {
            return Ok(Tick::default());
        }
        let mut tick = Tick {
            leading: true,
            ..Tick::default()
        };
        for (tenant, schedule) in self.store.enabled_schedules().await? {
            let Ok(cron) = CronSchedule::parse(&schedule.cron) else {
                continue;
            };
            // Slots from before the schedule existed are not its to fire.
            let Some(slot) = cron
                .latest_at_or_before(now)
                .filter(|slot| *slot >= schedule.created_at)
            else {
                continue;
            };
            let params = OperationParams::BackupScheduleRun {
                schedule_id: schedule.id.clone(),
            };
            let fired = self
                .fire(&format!("schedule:{}", schedule.id), slot, &tenant, params)
                .await?;
            match fired {
                Fired::Started => {
                    tick.started += 1;
                    if schedule.skipped.is_some() {
                        self.store.clear_skip(&schedule.id).await?;
                    }
                }
                Fired::OverShare(reason) => {
                    let skipped = Skipped { at: slot, reason };
                    self.store.record_skip(&schedule.id, &skipped).await?;
                    tick.skipped += 1;
                }
                Fired::NotDue => {}
            }
        }
        // Not a run: failed sign-ins still pending reach the audit log (R19).
        if let Err(err) = crate::org::record_pending_failures(&self.store, now).await {
            tracing::warn!(%err, "pending failed sign-ins could not be recorded");
        }
        let day = now - now.rem_euclid(DAY_MS);
        let params = OperationParams::OperationsPrune {
            older_than_days: self.config.prune_after_days,
        };
        for tenant in self.store.tenants().await? {
            let name = format!("prune:{}", tenant.id);
            let fired = self.fire(&name, day, &tenant, params.clone()).await?;
            match fired {
                Fired::Started => tick.started += 1,
                // The day's prune is not skipped: the next tick tries again.
                Fired::OverShare(_) => self.store.give_back_slot(&name, day).await?,
                Fired::NotDue => {}
            }
        }
        Ok(tick)
    }

    /// Takes `slot` of job `name` and, if it was this tick's to take, starts the system run.
    async fn fire(
        &self,
        name: &str,
        slot: i64,
        tenant: &TenantRef,
        params: OperationParams,
    ) -> anyhow::Result<Fired> {
        if !self.store.take_slot(name, slot).await? {
            return Ok(Fired::NotDue);
        }
        let started = self
            .runs
            .start(StartRun {
                tenant: tenant.clone(),
                params,
                initiator: None,
                slot: Some(slot),
            })
            .await;
        match started {
            Ok(_) => {
                tracing::info!(job = name, slot, "scheduler started a run");
                Ok(Fired::Started)
            }
            Err(RunError::OverQuota(reason)) => {
                tracing::warn!(job = name, slot, %reason, "scheduler skipped a slot");
                Ok(Fired::OverShare(reason))
            }
            Err(err) => {
                // Not started: the slot goes back, so the next tick tries again rather than
                // the slot being skipped for good.
                tracing::error!(job = name, slot, error = %err, "scheduler could not start a run");
                self.store.give_back_slot(name, slot).await?;
                Ok(Fired::NotDue)
            }
        }
    }
}

/// What became of a job's slot this tick.
enum Fired {
    Started,
    /// Taken earlier, not due yet, or given back after a failure to start.
    NotDue,
    /// The scheduled share of the tenant's active runs is full; why, in words.
    OverShare(String),
}
