//! `policy_export` (S4): each picked policy's current object from the provider into one JSON
//! file, downloadable from the run. A policy that cannot be read is a failed item (partial
//! success); `EXPORT_BREAKER` provider failures in a row open the circuit breaker and end the run
//! `failed` with `circuit_breaker_open` — a service that is down is not hammered for every
//! remaining item.

use futures_util::future::BoxFuture;
use opsux_core::{OperationParams, ReasonCode, SummaryCounts, SummaryKey};
use serde_json::json;

use super::{FlowEnv, internal, outcome_of, params, policy_named, report};
use crate::provider::{ProviderError, TenantProvider};
use crate::worker::{Handler, HandlerOutcome, RunContext};

/// Consecutive provider failures that stop an export.
pub const EXPORT_BREAKER: u32 = 5;

#[derive(Debug, Clone)]
pub struct PolicyExport(pub FlowEnv);

impl Handler for PolicyExport {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let env = &self.0;
            let ids = match params(ctx) {
                Ok(OperationParams::PolicyExport { policy_ids }) => policy_ids,
                Ok(_) => return internal(&std::io::Error::other("not an export's parameters")),
                Err(outcome) => return outcome,
            };
            let provider = match env.provider_for(ctx.tenant_id()).await {
                Ok(provider) => provider,
                Err(outcome) => return outcome,
            };
            let tenant = ctx.tenant_id();
            let cancel = ctx.cancel();
            let mut counts = SummaryCounts::new();
            counts.add(SummaryKey::Total, ids.len() as u64);
            let mut exported = Vec::new();
            let mut failures_in_a_row = 0;
            for id in &ids {
                let known = match env.store.policy(tenant, id).await {
                    Ok(known) => known,
                    Err(err) => return internal(&err),
                };
                counts.add(SummaryKey::Processed, 1);
                let Some(known) = known else {
                    counts.add(SummaryKey::Failed, 1);
                    ctx.record_failure(
                        ReasonCode::NotFound,
                        &format!("policy {id} is not in this tenant's inventory"),
                    );
                    continue;
                };
                match provider.get_policy(&known.provider_id, &cancel).await {
                    Ok(policy) => {
                        failures_in_a_row = 0;
                        counts.add(SummaryKey::Succeeded, 1);
                        exported.push(json!({"id": id, "name": policy.display_name, "kind": policy.kind, "object": policy.snapshot}));
                    }
                    Err(ProviderError::Cancelled) => return HandlerOutcome::Cancelled,
                    Err(err) => {
                        counts.add(SummaryKey::Failed, 1);
                        let policy = policy_named(&known.name);
                        ctx.record_failure(err.reason_code(), &format!("{policy}: {err}"));
                        // A policy gone at the provider says nothing about its health.
                        if err != ProviderError::NotFound {
                            failures_in_a_row += 1;
                        }
                    }
                }
                if let Some(stop) = report(ctx, &counts).await {
                    return stop;
                }
                if failures_in_a_row >= EXPORT_BREAKER {
                    return HandlerOutcome::Failed {
                        reason: ReasonCode::CircuitBreakerOpen,
                        message: format!(
                            "Stopped after {EXPORT_BREAKER} provider failures in a row."
                        ),
                    };
                }
            }
            let succeeded = counts.get(SummaryKey::Succeeded).unwrap_or(0);
            if succeeded > 0
                && let Err(outcome) = write_file(env, ctx, &exported).await
            {
                return outcome;
            }
            outcome_of(&counts)
        })
    }
}

/// Writes the bundle as `policy-export-<run id>.json` in the exports folder (a rerun
/// overwrites it) and records its name, which downloads resolve against their own exports
/// folder (the same folder, wherever each process mounts it).
async fn write_file(
    env: &FlowEnv,
    ctx: &RunContext,
    exported: &[serde_json::Value],
) -> Result<(), HandlerOutcome> {
    let run = ctx.run_id();
    let file_name = format!("policy-export-{run}.json");
    let path = env.exports_dir.join(&file_name);
    let bundle = json!({"run_id": run.to_string(), "policies": exported});
    let text = serde_json::to_vec_pretty(&bundle).map_err(|e| internal(&e))?;
    let bytes = text.len();
    let dir = env.exports_dir.clone();
    // Owner-only: a tenant's whole configuration, in a folder only this user may list.
    tokio::task::spawn_blocking(move || {
        crate::private_files::private_dir(&dir)?;
        crate::private_files::write_private(&path, &text)
    })
    .await
    .map_err(|e| internal(&e))?
    .map_err(|e| internal(&e))?;
    env.store
        .record_export(
            ctx.tenant_id(),
            run,
            &file_name,
            &file_name,
            i64::try_from(bytes).unwrap_or(i64::MAX),
            env.now_ms(),
        )
        .await
        .map_err(|e| internal(&e))?;
    Ok(())
}
