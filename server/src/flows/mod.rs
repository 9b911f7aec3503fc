//! The operation flows: each operation type's real work against the tenant's provider and the
//! store, run by the worker as a [`Handler`]. A flow reports honest counts (R7: the total once
//! known, then processed = succeeded + failed), stops at a cancel request (R9), and turns a
//! provider failure into its reason code (R6) through `ProviderError::reason_code`.
//!
//! `inventory_sync` and `entra_group_sync` live in `sync.rs`, `policy_export` in `export.rs`,
//! the backup flows in `backup.rs`, `policy_unignore` in `policies.rs`, the restore flows in
//! `restore.rs`, `operations_prune` (with its export files) in `prune.rs`. That the records a
//! run's parameters name are the tenant's is checked at start, by the store
//! (`store/targets.rs`).

mod backup;
mod export;
mod policies;
mod prune;
mod restore;
mod sync;

pub use backup::{
    BackupRetention, BackupScheduleRun, BackupSetAddPolicies, BackupSetRemovePolicies,
};
pub use export::{EXPORT_BREAKER, PolicyExport};
pub use policies::PolicyUnignore;
pub use prune::OperationsPrune;
pub use restore::{
    PolicyVersionRestore, RestoreExecute, RestoreRunForceDelete, RestoreRunUnarchive,
};
pub use sync::{GroupSync, InventorySync};

use std::path::PathBuf;
use std::sync::Arc;

use opsux_core::{OperationParams, ReasonCode, RunOutcome, SummaryCounts, SummaryKey};
use uuid::Uuid;

use crate::clock::SharedClock;
use crate::provider::{Credentials, GraphEndpoints, GraphProvider, ProviderConfig};
use crate::runs::Progressed;
use crate::secrets::{SealedField, SecretsKey};
use crate::store::Store;
use crate::store::audit::{Actor, RunAudit};
use crate::worker::{HandlerOutcome, RunContext};

/// What every flow works with. Cheap to clone.
#[derive(Debug, Clone)]
pub struct FlowEnv {
    pub store: Store,
    pub secrets: Arc<SecretsKey>,
    /// Retries, limits and allowed hosts of every tenant's provider (R20).
    pub provider: ProviderConfig,
    pub clock: SharedClock,
    /// Where `policy_export` writes its files.
    pub exports_dir: PathBuf,
    /// For a flow that starts a follow-up run (a scheduled backup's retention).
    pub runs: Option<crate::runs::RunService>,
}

/// Every operation type's flow.
pub fn handlers(env: &FlowEnv) -> crate::worker::Handlers {
    use opsux_core::OperationType as Op;
    let e = || env.clone();
    crate::worker::Handlers::new()
        .with(Op::InventorySync, InventorySync(e()))
        .with(Op::EntraGroupSync, GroupSync(e()))
        .with(Op::BackupScheduleRun, BackupScheduleRun(e()))
        .with(Op::BackupRetention, BackupRetention(e()))
        .with(Op::BackupSetAddPolicies, BackupSetAddPolicies(e()))
        .with(Op::BackupSetRemovePolicies, BackupSetRemovePolicies(e()))
        .with(Op::PolicyExport, PolicyExport(e()))
        .with(Op::PolicyUnignore, PolicyUnignore(e()))
        .with(Op::PolicyVersionRestore, PolicyVersionRestore(e()))
        .with(Op::RestoreExecute, RestoreExecute(e()))
        .with(Op::RestoreRunUnarchive, RestoreRunUnarchive(e()))
        .with(Op::RestoreRunForceDelete, RestoreRunForceDelete(e()))
        .with(
            Op::OperationsPrune,
            OperationsPrune {
                store: env.store.clone(),
                clock: Arc::clone(&env.clock),
                exports_dir: env.exports_dir.clone(),
            },
        )
}

impl FlowEnv {
    /// The provider of `tenant_id`, from its stored connection; the failure a run ends with
    /// when there is none or it cannot be used.
    pub async fn provider_for(&self, tenant_id: Uuid) -> Result<GraphProvider, HandlerOutcome> {
        let connection = match self.store.connection(tenant_id).await {
            Ok(Some(connection)) => connection,
            Ok(None) => {
                return Err(HandlerOutcome::Failed {
                    reason: ReasonCode::ProviderAuthFailed,
                    message: "This tenant is not connected to its provider.".to_owned(),
                });
            }
            Err(err) => return Err(internal(&err)),
        };
        let secret = self
            .secrets
            .open(
                &connection.secret_sealed,
                SealedField::client_secret(tenant_id),
            )
            .map_err(|err| HandlerOutcome::Failed {
                reason: ReasonCode::ProviderAuthFailed,
                message: err.to_string(),
            })?;
        GraphProvider::new(
            GraphEndpoints {
                login: connection.login_url,
                graph: connection.graph_url,
            },
            Credentials {
                directory_id: connection.directory_id,
                client_id: connection.client_id,
                client_secret: secret,
            },
            &self.provider,
        )
        .map_err(|err| HandlerOutcome::Failed {
            reason: err.reason_code(),
            message: err.to_string(),
        })
    }

    pub(crate) fn now_ms(&self) -> i64 {
        crate::clock::to_ms(self.clock.now())
    }
}

/// Who the run's changes are recorded as made by (R19): the person who started it; else the
/// schedule that did (its `schedule_id` parameter, by name); else the system.
async fn run_audit(env: &FlowEnv, ctx: &RunContext) -> RunAudit {
    let tenant_id = ctx.tenant_id();
    let actor = match ctx.initiator() {
        Some(person) => Actor::Person(person),
        None => {
            let schedule = match params(ctx) {
                Ok(
                    OperationParams::BackupScheduleRun { schedule_id }
                    | OperationParams::BackupRetention { schedule_id },
                ) => env
                    .store
                    .schedule(tenant_id, &schedule_id)
                    .await
                    .ok()
                    .flatten(),
                _ => None,
            };
            schedule.map_or(Actor::System, |s| Actor::Schedule { name: s.name })
        }
    };
    RunAudit {
        tenant_id,
        actor,
        run_id: ctx.run_id(),
    }
}

/// The run's parameters for its operation, or the failure that says which is wrong.
fn params(ctx: &RunContext) -> Result<OperationParams, HandlerOutcome> {
    let empty = serde_json::Map::new();
    OperationParams::parse(ctx.operation(), ctx.params().unwrap_or(&empty)).map_err(|err| {
        HandlerOutcome::Failed {
            reason: ReasonCode::ValidationFailed,
            message: err.to_string(),
        }
    })
}

/// Reports `counts`; `Some(outcome)` when the handler must stop now (a cancel request, or the
/// run is no longer this worker's).
async fn report(ctx: &mut RunContext, counts: &SummaryCounts) -> Option<HandlerOutcome> {
    match ctx.report(counts.clone()).await {
        Ok(Progressed::Continue) => None,
        Ok(Progressed::CancelRequested) => Some(HandlerOutcome::Cancelled),
        // The counts stay pending and are written later (at the latest with the finish).
        Err(err) if err.is_transient() => {
            tracing::warn!(error = %err, "writing progress failed; going on");
            None
        }
        Err(err) => Some(internal(&err)),
    }
}

/// How a run over items ends, as its counts say: no failure → succeeded, no success (with
/// failures) → failed, else partially succeeded.
fn outcome_of(counts: &SummaryCounts) -> HandlerOutcome {
    let succeeded = counts.get(SummaryKey::Succeeded).unwrap_or(0);
    let skipped = counts.get(SummaryKey::Skipped).unwrap_or(0);
    let failed = counts.get(SummaryKey::Failed).unwrap_or(0);
    HandlerOutcome::Finished(match (succeeded + skipped, failed) {
        (_, 0) => RunOutcome::Succeeded,
        (0, _) => RunOutcome::Failed,
        _ => RunOutcome::PartiallySucceeded,
    })
}

/// How a failure message names a policy: by the name people gave it (names need not be
/// unique, but they are what an admin recognizes; the run's parameters hold the ids).
fn policy_named(name: &str) -> String {
    format!("policy “{name}”")
}

/// A store failure inside a flow: the run fails with `internal_error`.
fn internal(err: &dyn std::error::Error) -> HandlerOutcome {
    HandlerOutcome::Failed {
        reason: ReasonCode::InternalError,
        message: format!("the server's database failed: {err}"),
    }
}
