//! The restore flows: `policy_version_restore` (one kept version pushed back),
//! `restore_execute` (a backup set's items pushed back; S5), and the restore-run records'
//! bulk flows `restore_run_unarchive` and `restore_run_force_delete` (audited, R19).

use futures_util::future::BoxFuture;
use opsux_core::{OperationParams, ReasonCode, SummaryCounts, SummaryKey};

use super::{FlowEnv, internal, outcome_of, params, policy_named, report, run_audit};
use crate::provider::{ProviderError, TenantProvider};
use crate::store::restores::Pushback;
use crate::worker::{Handler, HandlerOutcome, RunContext};

/// Pushes each snapshot back through the provider, with counts, each write to the tenant
/// audited once the provider took it (R19) with the policy as last synced and where the
/// snapshot came from (`source`); the outcome when the run must stop early.
async fn push_back(
    env: &FlowEnv,
    ctx: &mut RunContext,
    items: &[Pushback],
    source: &serde_json::Value,
    counts: &mut SummaryCounts,
) -> Option<HandlerOutcome> {
    let provider = match env.provider_for(ctx.tenant_id()).await {
        Ok(provider) => provider,
        Err(outcome) => return Some(outcome),
    };
    let audit = run_audit(env, ctx).await;
    let cancel = ctx.cancel();
    for item in items {
        counts.add(SummaryKey::Processed, 1);
        let before = match env.store.policy_as_synced(&item.policy_id).await {
            Ok(before) => before,
            Err(err) => return Some(internal(&err)),
        };
        match provider
            .update_policy(&item.external_id, &item.snapshot, &cancel)
            .await
        {
            Ok(()) => {
                counts.add(SummaryKey::Succeeded, 1);
                counts.add(SummaryKey::Updated, 1);
                let after = serde_json::json!({
                    "policy_id": item.policy_id,
                    "external_id": item.external_id,
                    "name": item.name,
                    "source": source,
                    "snapshot": item.snapshot,
                });
                let entry = audit.entry(
                    "policy.restore",
                    before.as_ref(),
                    Some(&after),
                    env.now_ms(),
                );
                if let Err(err) = env.store.record_audit(&entry).await {
                    return Some(internal(&err));
                }
            }
            Err(ProviderError::Cancelled) => return Some(HandlerOutcome::Cancelled),
            Err(err) => {
                counts.add(SummaryKey::Failed, 1);
                let policy = policy_named(&item.name);
                ctx.record_failure(err.reason_code(), &format!("{policy}: {err}"));
            }
        }
        if let Some(stop) = report(ctx, counts).await {
            return Some(stop);
        }
    }
    None
}

fn gone(what: String) -> HandlerOutcome {
    HandlerOutcome::Failed {
        reason: ReasonCode::NotFound,
        message: what,
    }
}

#[derive(Debug, Clone)]
pub struct PolicyVersionRestore(pub FlowEnv);

impl Handler for PolicyVersionRestore {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let env = &self.0;
            let version = match params(ctx) {
                Ok(OperationParams::PolicyVersionRestore { policy_version_id }) => {
                    policy_version_id
                }
                Ok(_) => {
                    return internal(&std::io::Error::other("not a version restore's parameters"));
                }
                Err(outcome) => return outcome,
            };
            let item = match env
                .store
                .version_to_restore(ctx.tenant_id(), &version)
                .await
            {
                Ok(Some(item)) => item,
                Ok(None) => return gone(format!("policy version {version} no longer exists")),
                Err(err) => return internal(&err),
            };
            let mut counts = SummaryCounts::new();
            counts.add(SummaryKey::Total, 1);
            let source = serde_json::json!({"policy_version_id": version});
            let items = std::slice::from_ref(&item);
            if let Some(stop) = push_back(env, ctx, items, &source, &mut counts).await {
                return stop;
            }
            outcome_of(&counts)
        })
    }
}

#[derive(Debug, Clone)]
pub struct RestoreExecute(pub FlowEnv);

impl Handler for RestoreExecute {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let env = &self.0;
            let restore = match params(ctx) {
                Ok(OperationParams::RestoreExecute { restore_run_id }) => restore_run_id,
                Ok(_) => return internal(&std::io::Error::other("not a restore's parameters")),
                Err(outcome) => return outcome,
            };
            let tenant = ctx.tenant_id();
            let items = match env.store.items_to_restore(tenant, &restore).await {
                Ok(Some(Some(items))) => items,
                Ok(Some(None)) => {
                    return gone(format!(
                        "the backup set of restore run {restore} was deleted; there is nothing to restore"
                    ));
                }
                Ok(None) => {
                    return gone(format!(
                        "restore run {restore} was archived or deleted since it was started"
                    ));
                }
                Err(err) => return internal(&err),
            };
            let mut counts = SummaryCounts::new();
            counts.add(SummaryKey::Total, items.len() as u64);
            if let Some(stop) = report(ctx, &counts).await {
                return stop;
            }
            let source = serde_json::json!({"restore_run_id": restore});
            if let Some(stop) = push_back(env, ctx, &items, &source, &mut counts).await {
                return stop;
            }
            if let Err(err) = env
                .store
                .mark_restore_executed(tenant, &restore, env.now_ms())
                .await
            {
                return internal(&err);
            }
            outcome_of(&counts)
        })
    }
}

#[derive(Debug, Clone)]
pub struct RestoreRunUnarchive(pub FlowEnv);

impl Handler for RestoreRunUnarchive {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let env = &self.0;
            let ids = match params(ctx) {
                Ok(OperationParams::RestoreRunUnarchive { restore_run_ids }) => restore_run_ids,
                Ok(_) => return internal(&std::io::Error::other("not an unarchive's parameters")),
                Err(outcome) => return outcome,
            };
            let tenant = ctx.tenant_id();
            let mut counts = SummaryCounts::new();
            counts.add(SummaryKey::Total, ids.len() as u64);
            for id in &ids {
                counts.add(SummaryKey::Processed, 1);
                match env.store.set_restore_archived(tenant, id, false).await {
                    Ok(Some(true)) => {
                        counts.add(SummaryKey::Succeeded, 1);
                        counts.add(SummaryKey::Updated, 1);
                    }
                    Ok(Some(false)) => counts.add(SummaryKey::Skipped, 1),
                    Ok(None) => {
                        counts.add(SummaryKey::Failed, 1);
                        ctx.record_failure(
                            ReasonCode::NotFound,
                            &format!("restore run {id} no longer exists"),
                        );
                    }
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
pub struct RestoreRunForceDelete(pub FlowEnv);

impl Handler for RestoreRunForceDelete {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let env = &self.0;
            let ids = match params(ctx) {
                Ok(OperationParams::RestoreRunForceDelete { restore_run_ids }) => restore_run_ids,
                Ok(_) => {
                    return internal(&std::io::Error::other("not a force delete's parameters"));
                }
                Err(outcome) => return outcome,
            };
            let audit = run_audit(env, ctx).await;
            let mut counts = SummaryCounts::new();
            counts.add(SummaryKey::Total, ids.len() as u64);
            for id in &ids {
                counts.add(SummaryKey::Processed, 1);
                match env
                    .store
                    .force_delete_restore_run(id, &audit, env.now_ms())
                    .await
                {
                    Ok(Some(())) => {
                        counts.add(SummaryKey::Succeeded, 1);
                        counts.add(SummaryKey::Deleted, 1);
                    }
                    Ok(None) => {
                        counts.add(SummaryKey::Failed, 1);
                        ctx.record_failure(
                            ReasonCode::NotFound,
                            &format!("restore run {id} is not an archived record of this tenant"),
                        );
                    }
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
