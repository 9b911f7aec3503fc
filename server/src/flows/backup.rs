//! The backup flows: `backup_schedule_run` (a schedule's policies into a new set),
//! `backup_retention` (a schedule's sets beyond `keep_last` deleted; S2),
//! `backup_set_add_policies` and `backup_set_remove_policies` (a set's items picked by hand).
//! Snapshots come from the provider at the time of the backup; a rerun after a rescue adds
//! nothing twice (one item per policy per set, one set per run).

use futures_util::future::BoxFuture;
use opsux_core::{OperationParams, ReasonCode, SummaryCounts, SummaryKey};

use uuid::Uuid;

use super::{FlowEnv, internal, outcome_of, params, policy_named, report, run_audit};
use crate::provider::{GraphProvider, ProviderError, TenantProvider};
use crate::store::inventory::SelectedPolicy;
use crate::store::schedules::Schedule;
use crate::worker::{Handler, HandlerOutcome, RunContext};

fn refused(reason: ReasonCode, message: String) -> HandlerOutcome {
    HandlerOutcome::Failed { reason, message }
}

/// The tenant's schedule `id`, or the run's `not_found` ending.
async fn existing_schedule(
    env: &FlowEnv,
    tenant: Uuid,
    id: &str,
) -> Result<Schedule, HandlerOutcome> {
    match env.store.schedule(tenant, id).await {
        Ok(Some(schedule)) => Ok(schedule),
        Ok(None) => Err(refused(
            ReasonCode::NotFound,
            format!("backup schedule {id} no longer exists"),
        )),
        Err(err) => Err(internal(&err)),
    }
}

/// `Ok` if the tenant's backup set `id` exists, else the run's `not_found` ending.
async fn existing_set(env: &FlowEnv, tenant: Uuid, id: &str) -> Result<(), HandlerOutcome> {
    match env.store.backup_set(tenant, id).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(refused(
            ReasonCode::NotFound,
            format!("backup set {id} no longer exists"),
        )),
        Err(err) => Err(internal(&err)),
    }
}

/// Snapshots `policies` (`(id, provider id)`) into `set`, item by item, with counts; the
/// outcome when the run must stop early.
async fn snapshot_into(
    env: &FlowEnv,
    ctx: &mut RunContext,
    provider: &GraphProvider,
    set: &str,
    policies: &[SelectedPolicy],
    counts: &mut SummaryCounts,
) -> Option<HandlerOutcome> {
    let cancel = ctx.cancel();
    for selected in policies {
        let id = &selected.id;
        counts.add(SummaryKey::Processed, 1);
        match provider.get_policy(&selected.external_id, &cancel).await {
            Ok(policy) => {
                let added = env
                    .store
                    .add_backup_item(set, id, policy.version, &policy.snapshot, env.now_ms())
                    .await;
                match added {
                    Ok(true) => counts.add(SummaryKey::Succeeded, 1),
                    Ok(false) => counts.add(SummaryKey::Skipped, 1),
                    Err(err) => return Some(internal(&err)),
                }
            }
            Err(ProviderError::Cancelled) => return Some(HandlerOutcome::Cancelled),
            Err(err) => {
                counts.add(SummaryKey::Failed, 1);
                let policy = policy_named(&selected.name);
                ctx.record_failure(err.reason_code(), &format!("{policy}: {err}"));
            }
        }
        if let Some(stop) = report(ctx, counts).await {
            return Some(stop);
        }
    }
    None
}

#[derive(Debug, Clone)]
pub struct BackupScheduleRun(pub FlowEnv);

impl Handler for BackupScheduleRun {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let env = &self.0;
            let schedule_id = match params(ctx) {
                Ok(OperationParams::BackupScheduleRun { schedule_id }) => schedule_id,
                Ok(_) => {
                    return internal(&std::io::Error::other("not a schedule run's parameters"));
                }
                Err(outcome) => return outcome,
            };
            let tenant = ctx.tenant_id();
            let schedule = match existing_schedule(env, tenant, &schedule_id).await {
                Ok(schedule) => schedule,
                Err(outcome) => return outcome,
            };
            let policies = match env
                .store
                .policies_selected(tenant, &schedule.policy_selection)
                .await
            {
                Ok(policies) => policies,
                Err(err) => return internal(&err),
            };
            let provider = match env.provider_for(tenant).await {
                Ok(provider) => provider,
                Err(outcome) => return outcome,
            };
            let today = env.clock.now().date();
            let name = format!("{} – {today}", schedule.name);
            let run = ctx.run_id().to_string();
            let set = match env
                .store
                .backup_set_for_run(tenant, &schedule.id, &name, &run, env.now_ms())
                .await
            {
                Ok(set) => set,
                Err(err) => return internal(&err),
            };
            let mut counts = SummaryCounts::new();
            counts.add(SummaryKey::Total, policies.len() as u64);
            counts.add(SummaryKey::Created, 1);
            if let Some(stop) = report(ctx, &counts).await {
                return stop;
            }
            if let Some(stop) =
                snapshot_into(env, ctx, &provider, &set, &policies, &mut counts).await
            {
                return stop;
            }
            let outcome = outcome_of(&counts);
            // A scheduled (system) backup is followed by its retention, a system run too.
            if ctx.initiator().is_none()
                && outcome != HandlerOutcome::Finished(opsux_core::RunOutcome::Failed)
            {
                follow_with_retention(env, ctx, &schedule.id).await;
            }
            outcome
        })
    }
}

/// Queues the schedule's retention as a system run (an active one already queued is it).
async fn follow_with_retention(env: &FlowEnv, ctx: &RunContext, schedule_id: &str) {
    let Some(runs) = &env.runs else {
        return;
    };
    let tenant = match env.store.tenant(&ctx.tenant_slug()).await {
        Ok(Some(tenant)) => tenant,
        Ok(None) => return,
        Err(err) => {
            tracing::error!(error = %err, "could not queue the retention after a scheduled backup");
            return;
        }
    };
    let retention = crate::runs::StartRun {
        tenant,
        params: OperationParams::BackupRetention {
            schedule_id: schedule_id.to_owned(),
        },
        initiator: None,
        slot: None,
    };
    if let Err(err) = runs.start(retention).await {
        tracing::error!(error = %err, "could not queue the retention after a scheduled backup");
    }
}

#[derive(Debug, Clone)]
pub struct BackupRetention(pub FlowEnv);

impl Handler for BackupRetention {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let env = &self.0;
            let schedule_id = match params(ctx) {
                Ok(OperationParams::BackupRetention { schedule_id }) => schedule_id,
                Ok(_) => return internal(&std::io::Error::other("not a retention's parameters")),
                Err(outcome) => return outcome,
            };
            let tenant = ctx.tenant_id();
            let schedule = match existing_schedule(env, tenant, &schedule_id).await {
                Ok(schedule) => schedule,
                Err(outcome) => return outcome,
            };
            let sets = match env.store.sets_of_schedule(tenant, &schedule.id).await {
                Ok(sets) => sets,
                Err(err) => return internal(&err),
            };
            let surplus: Vec<&String> = sets.iter().skip(schedule.keep_last as usize).collect();
            let mut counts = SummaryCounts::new();
            counts.add(SummaryKey::Total, surplus.len() as u64);
            if let Some(stop) = report(ctx, &counts).await {
                return stop;
            }
            let audit = run_audit(env, ctx).await;
            for set in surplus {
                counts.add(SummaryKey::Processed, 1);
                match env.store.delete_backup_set(set, &audit, env.now_ms()).await {
                    Ok(true) => {
                        counts.add(SummaryKey::Succeeded, 1);
                        counts.add(SummaryKey::Deleted, 1);
                    }
                    // Deleted meanwhile (another retention): nothing left to do.
                    Ok(false) => counts.add(SummaryKey::Skipped, 1),
                    Err(err) => return internal(&err),
                }
                if let Some(stop) = report(ctx, &counts).await {
                    return stop;
                }
            }
            outcome_of(&counts)
        })
    }
}

#[derive(Debug, Clone)]
pub struct BackupSetAddPolicies(pub FlowEnv);

impl Handler for BackupSetAddPolicies {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let env = &self.0;
            let (set, ids) = match params(ctx) {
                Ok(OperationParams::BackupSetAddPolicies {
                    backup_set_id,
                    policy_ids,
                }) => (backup_set_id, policy_ids),
                Ok(_) => return internal(&std::io::Error::other("not an add's parameters")),
                Err(outcome) => return outcome,
            };
            let tenant = ctx.tenant_id();
            if let Err(outcome) = existing_set(env, tenant, &set).await {
                return outcome;
            }
            let selection = opsux_core::wire::PolicySelection::PolicyIds(ids.clone());
            let policies = match env.store.policies_selected(tenant, &selection).await {
                Ok(policies) => policies,
                Err(err) => return internal(&err),
            };
            let mut counts = SummaryCounts::new();
            counts.add(SummaryKey::Total, ids.len() as u64);
            // Picked ids that are not (or no longer) the tenant's policies.
            for missing in ids
                .iter()
                .filter(|id| !policies.iter().any(|p| p.id == **id))
            {
                counts.add(SummaryKey::Processed, 1);
                counts.add(SummaryKey::Failed, 1);
                ctx.record_failure(
                    ReasonCode::NotFound,
                    &format!("policy {missing} is not in this tenant's inventory"),
                );
            }
            let provider = match env.provider_for(tenant).await {
                Ok(provider) => provider,
                Err(outcome) => return outcome,
            };
            if let Some(stop) =
                snapshot_into(env, ctx, &provider, &set, &policies, &mut counts).await
            {
                return stop;
            }
            outcome_of(&counts)
        })
    }
}

#[derive(Debug, Clone)]
pub struct BackupSetRemovePolicies(pub FlowEnv);

impl Handler for BackupSetRemovePolicies {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let env = &self.0;
            let (set, ids) = match params(ctx) {
                Ok(OperationParams::BackupSetRemovePolicies {
                    backup_set_id,
                    policy_ids,
                }) => (backup_set_id, policy_ids),
                Ok(_) => return internal(&std::io::Error::other("not a removal's parameters")),
                Err(outcome) => return outcome,
            };
            if let Err(outcome) = existing_set(env, ctx.tenant_id(), &set).await {
                return outcome;
            }
            let audit = run_audit(env, ctx).await;
            let mut counts = SummaryCounts::new();
            counts.add(SummaryKey::Total, ids.len() as u64);
            for id in &ids {
                counts.add(SummaryKey::Processed, 1);
                match env
                    .store
                    .remove_backup_item(&set, id, &audit, env.now_ms())
                    .await
                {
                    Ok(true) => {
                        counts.add(SummaryKey::Succeeded, 1);
                        counts.add(SummaryKey::Deleted, 1);
                    }
                    Ok(false) => counts.add(SummaryKey::Skipped, 1),
                    Err(err) => return internal(&err),
                }
                if let Some(stop) = report(ctx, &counts).await {
                    return stop;
                }
            }
            outcome_of(&counts)
        })
    }
}
