//! `policy_unignore`: clears the ignored flag of the picked policies (a database change only).

use futures_util::future::BoxFuture;
use opsux_core::{OperationParams, ReasonCode, SummaryCounts, SummaryKey};

use super::{FlowEnv, internal, outcome_of, params, report};
use crate::worker::{Handler, HandlerOutcome, RunContext};

#[derive(Debug, Clone)]
pub struct PolicyUnignore(pub FlowEnv);

impl Handler for PolicyUnignore {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let env = &self.0;
            let ids = match params(ctx) {
                Ok(OperationParams::PolicyUnignore { policy_ids }) => policy_ids,
                Ok(_) => return internal(&std::io::Error::other("not an unignore's parameters")),
                Err(outcome) => return outcome,
            };
            let tenant = ctx.tenant_id();
            let mut counts = SummaryCounts::new();
            counts.add(SummaryKey::Total, ids.len() as u64);
            for id in &ids {
                counts.add(SummaryKey::Processed, 1);
                match env.store.policy(tenant, id).await {
                    Ok(None) => {
                        counts.add(SummaryKey::Failed, 1);
                        ctx.record_failure(
                            ReasonCode::NotFound,
                            &format!("policy {id} is not in this tenant's inventory"),
                        );
                    }
                    Ok(Some(policy)) if !policy.ignored => counts.add(SummaryKey::Skipped, 1),
                    Ok(Some(_)) => match env
                        .store
                        .set_ignored(tenant, std::slice::from_ref(id), false)
                        .await
                    {
                        Ok(_) => {
                            counts.add(SummaryKey::Succeeded, 1);
                            counts.add(SummaryKey::Updated, 1);
                        }
                        Err(err) => return internal(&err),
                    },
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
