use std::collections::HashMap;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use opsux_core::{FailureSummary, OperationType, ReasonCode, RunOutcome, SummaryCounts};

use crate::runs::{ClaimedRun, Progressed, RunError};

/// How a handler ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandlerOutcome {
    /// Done; `PartiallySucceeded` or `Failed` when items failed (recorded in the context).
    Finished(RunOutcome),
    /// Stopped after a cancel request (R9).
    Cancelled,
    /// Could not go on; the message is sanitized before it is stored (R6).
    Failed { reason: ReasonCode, message: String },
}

/// The code of one operation type.
pub trait Handler: Send + Sync {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome>;
}

/// What a handler may do with its run: read its parameters, report counts, record failures.
/// It cannot change the run's status: the worker finishes the run from the outcome.
#[derive(Debug)]
pub struct RunContext {
    claimed: ClaimedRun,
    failures: FailureSummary,
}

impl RunContext {
    pub(super) fn new(claimed: ClaimedRun) -> Self {
        Self {
            claimed,
            failures: FailureSummary::new(),
        }
    }

    pub(super) fn into_parts(self) -> (ClaimedRun, FailureSummary) {
        (self.claimed, self.failures)
    }

    pub fn params(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        self.claimed.record().context().get("params")?.as_object()
    }

    /// Reports the counts so far; answers whether the handler should stop (cancel requested).
    pub async fn report(&mut self, counts: SummaryCounts) -> Result<Progressed, RunError> {
        self.claimed.report_progress(counts).await
    }

    pub fn record_failure(&mut self, reason: ReasonCode, message: &str) {
        self.failures.push(reason, message);
    }

    pub fn cancel_requested(&self) -> bool {
        self.claimed.cancel_requested()
    }

    pub fn run_id(&self) -> opsux_core::RunId {
        self.claimed.id()
    }

    pub fn operation(&self) -> OperationType {
        self.claimed.record().summary().operation
    }

    /// Who started the run; `None` for a system run.
    pub fn initiator(&self) -> Option<opsux_core::UserId> {
        self.claimed
            .record()
            .summary()
            .initiator
            .as_ref()
            .map(|u| u.id)
    }

    pub fn tenant_slug(&self) -> opsux_core::TenantSlug {
        self.claimed.record().summary().tenant.clone()
    }

    /// The tenant the run belongs to.
    pub fn tenant_id(&self) -> uuid::Uuid {
        self.claimed.record().tenant_id()
    }

    /// A cancel signal that follows the run's, for provider calls to watch while they wait.
    pub fn cancel(&self) -> crate::provider::Cancel {
        crate::provider::Cancel::following(self.claimed.cancel_flag())
    }
}

/// The handler of each operation type.
#[derive(Default, Clone)]
pub struct Handlers {
    by_type: HashMap<OperationType, Arc<dyn Handler>>,
}

impl Handlers {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, operation: OperationType, handler: impl Handler + 'static) -> Self {
        self.by_type.insert(operation, Arc::new(handler));
        self
    }

    pub fn get(&self, operation: OperationType) -> Option<Arc<dyn Handler>> {
        self.by_type.get(&operation).cloned()
    }
}
