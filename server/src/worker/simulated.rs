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
            let mut counts = SummaryCounts::new();
            counts.add(SummaryKey::Total, total);
            for _ in 0..total {
                tokio::time::sleep(self.per_item).await;
                counts.add(SummaryKey::Processed, 1);
                counts.add(SummaryKey::Succeeded, 1);
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
            HandlerOutcome::Finished(RunOutcome::Succeeded)
        })
    }
}
