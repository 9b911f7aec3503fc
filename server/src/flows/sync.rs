//! `inventory_sync` and `entra_group_sync`: pull the tenant's policies (or groups) page by page,
//! then upsert each; a policy whose provider version is new gets that version's snapshot kept.

use futures_util::future::BoxFuture;
use opsux_core::{RunOutcome, SummaryCounts, SummaryKey};

use super::{FlowEnv, internal, report};
use crate::provider::{
    Cancel, GraphProvider, Group, Page, Policy, ProviderError, TenantProvider, every_page,
};
use crate::store::inventory::{SeenGroup, SeenPolicy};
use crate::worker::{Handler, HandlerOutcome, RunContext};

/// Every page of a listing, within the provider's limits; the run's failure if the provider
/// gives up or oversteps them.
async fn all_pages<'p, T, F>(
    provider: &GraphProvider,
    cancel: &Cancel,
    page: F,
) -> Result<Vec<T>, HandlerOutcome>
where
    F: FnMut(Option<String>, Cancel) -> BoxFuture<'p, Result<Page<T>, ProviderError>>,
{
    every_page(provider.limits(), cancel, page)
        .await
        .map_err(|err| match err {
            ProviderError::Cancelled => HandlerOutcome::Cancelled,
            err => HandlerOutcome::Failed {
                reason: err.reason_code(),
                message: err.to_string(),
            },
        })
}

/// `inventory_sync`: the tenant's device-management policies into `policies`, each new
/// provider version's snapshot into `policy_versions`.
#[derive(Debug, Clone)]
pub struct InventorySync(pub FlowEnv);

impl Handler for InventorySync {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let env = &self.0;
            let provider = match env.provider_for(ctx.tenant_id()).await {
                Ok(provider) => provider,
                Err(outcome) => return outcome,
            };
            let cancel = ctx.cancel();
            let source = &provider;
            let listing = |next: Option<String>, step: Cancel| -> BoxFuture<'_, _> {
                Box::pin(async move { source.list_policies(next.as_deref(), &step).await })
            };
            let policies = match all_pages(&provider, &cancel, listing).await {
                Ok(policies) => policies,
                Err(outcome) => return outcome,
            };
            let mut counts = SummaryCounts::new();
            counts.add(SummaryKey::Total, policies.len() as u64);
            if let Some(stop) = report(ctx, &counts).await {
                return stop;
            }
            let tenant = ctx.tenant_id();
            for policy in &policies {
                let now = env.now_ms();
                let known = match env.store.policy_by_external_id(tenant, &policy.id).await {
                    Ok(known) => known,
                    Err(err) => return internal(&err),
                };
                let saved = async {
                    let id = env.store.upsert_policy(tenant, &policy.into(), now).await?;
                    env.store
                        .capture_version(&id, policy.version, &policy.snapshot, now)
                        .await
                };
                let new_version = match saved.await {
                    Ok(new_version) => new_version,
                    Err(err) => return internal(&err),
                };
                counts.add(SummaryKey::Processed, 1);
                counts.add(SummaryKey::Succeeded, 1);
                match known {
                    None => counts.add(SummaryKey::Created, 1),
                    Some(_) if new_version => counts.add(SummaryKey::Updated, 1),
                    Some(_) => {}
                }
                if let Some(stop) = report(ctx, &counts).await {
                    return stop;
                }
            }
            HandlerOutcome::Finished(RunOutcome::Succeeded)
        })
    }
}

/// `entra_group_sync`: the tenant's directory groups into `directory_groups`.
#[derive(Debug, Clone)]
pub struct GroupSync(pub FlowEnv);

impl Handler for GroupSync {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let env = &self.0;
            let provider = match env.provider_for(ctx.tenant_id()).await {
                Ok(provider) => provider,
                Err(outcome) => return outcome,
            };
            let cancel = ctx.cancel();
            let source = &provider;
            let listing = |next: Option<String>, step: Cancel| -> BoxFuture<'_, _> {
                Box::pin(async move { source.list_groups(next.as_deref(), &step).await })
            };
            let groups = match all_pages(&provider, &cancel, listing).await {
                Ok(groups) => groups,
                Err(outcome) => return outcome,
            };
            let mut counts = SummaryCounts::new();
            counts.add(SummaryKey::Total, groups.len() as u64);
            if let Some(stop) = report(ctx, &counts).await {
                return stop;
            }
            let tenant = ctx.tenant_id();
            for group in &groups {
                if let Err(err) = env
                    .store
                    .upsert_group(tenant, &group.into(), env.now_ms())
                    .await
                {
                    return internal(&err);
                }
                counts.add(SummaryKey::Processed, 1);
                counts.add(SummaryKey::Succeeded, 1);
                if let Some(stop) = report(ctx, &counts).await {
                    return stop;
                }
            }
            HandlerOutcome::Finished(RunOutcome::Succeeded)
        })
    }
}

/// What the store records of a policy the provider listed.
impl<'a> From<&'a Policy> for SeenPolicy<'a> {
    fn from(policy: &'a Policy) -> Self {
        Self {
            external_id: &policy.id,
            kind: &policy.kind,
            display_name: &policy.display_name,
            last_modified: &policy.last_modified,
            version: policy.version,
        }
    }
}

/// What the store records of a group the provider listed.
impl<'a> From<&'a Group> for SeenGroup<'a> {
    fn from(group: &'a Group) -> Self {
        Self {
            external_id: &group.id,
            display_name: &group.display_name,
            description: group.description.as_deref(),
        }
    }
}
