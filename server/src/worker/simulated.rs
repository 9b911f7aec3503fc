//! Simulated work for the demo, until the real flows (provider calls) are built: walks through
//! a number of items at a steady pace, reporting progress and honouring cancel requests, so the
//! toast, the widget, Run Detail and the notification can be seen end to end.

use std::time::Duration;

use futures_util::future::BoxFuture;
use opsux_core::{RunOutcome, SummaryCounts, SummaryKey};

use super::{Handler, HandlerOutcome, RunContext};
use crate::runs::Progressed;

/// Items processed when the start parameters do not say (`{"items": n}`, at most 1000).
const DEFAULT_ITEMS: u64 = 20;
const MAX_ITEMS: u64 = 1000;

#[derive(Debug, Clone)]
pub struct SimulatedWork {
    pub per_item: Duration,
}

impl Handler for SimulatedWork {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let total = ctx
                .params()
                .and_then(|p| p.get("items"))
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(DEFAULT_ITEMS)
                .min(MAX_ITEMS);
            let params = ctx.params().cloned().unwrap_or_default();
            // `{"fail_every": k}`: every k-th item fails, so a partial outcome can be seen.
            let fail_every = params
                .get("fail_every")
                .and_then(serde_json::Value::as_u64)
                .filter(|k| *k > 0);
            // `{"fail_with": "…"}`: the run ends failed with this message, after its items.
            let fail_with = params
                .get("fail_with")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            let mut counts = SummaryCounts::new();
            counts.add(SummaryKey::Total, total);
            for item in 1..=total {
                tokio::time::sleep(self.per_item).await;
                counts.add(SummaryKey::Processed, 1);
                if fail_every.is_some_and(|k| item % k == 0) {
                    counts.add(SummaryKey::Failed, 1);
                    ctx.record_failure(
                        opsux_core::ReasonCode::NotFound,
                        &format!("simulated item {item} no longer exists"),
                    );
                } else {
                    counts.add(SummaryKey::Succeeded, 1);
                }
                match ctx.report(counts.clone()).await {
                    Ok(Progressed::Continue) => {}
                    Ok(Progressed::CancelRequested) => return HandlerOutcome::Cancelled,
                    Err(err) => {
                        return HandlerOutcome::Failed {
                            reason: opsux_core::ReasonCode::InternalError,
                            message: err.to_string(),
                        };
                    }
                }
            }
            if let Some(message) = fail_with {
                return HandlerOutcome::Failed {
                    reason: opsux_core::ReasonCode::InternalError,
                    message,
                };
            }
            let failed = counts.get(SummaryKey::Failed).unwrap_or(0);
            HandlerOutcome::Finished(match failed {
                0 => RunOutcome::Succeeded,
                f if f == total => RunOutcome::Failed,
                _ => RunOutcome::PartiallySucceeded,
            })
        })
    }
}
