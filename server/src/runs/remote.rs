//! Runs of registered types, done by another service's worker over HTTP (`/api/v1/worker/…`).
//! Nothing is held in this process between the worker's requests: a run is named by its id and
//! moved on only under its fencing token — the lease token its claim handed out — which every
//! statement checks, so a stale worker's request changes nothing (R8). A worker that vanishes
//! stops renewing; the rescuer requeues or fails its run as it does any other's.

use std::time::Duration;

use opsux_core::{
    ExternalKey, FailureSummary, ReasonCode, RunEvent, RunId, RunOutcome, RunState, SummaryCounts,
};
use uuid::Uuid;

use super::RunError;
use super::record::RunRecord;
use super::service::{RunService, duration_ms, unexpected};
use super::store::{Completion, LeaseGuard, Pick};
use super::writer::{Write, Written};
use crate::events::Event;
use crate::metrics::TransitionCounters;

/// A run claimed for a remote worker, with what it needs to move it on.
#[derive(Debug, Clone)]
pub struct RemoteClaim {
    pub run: RunRecord,
    pub fencing_token: String,
    pub lease_expires_ms: i64,
}

/// The state of a remote worker's lease after it reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteLease {
    /// A person asked to cancel: the worker should stop and complete the run `cancelled`.
    pub cancel_requested: bool,
    pub lease_expires_ms: i64,
}

/// How a remote worker says its run ended.
#[derive(Debug, Clone)]
pub struct RemoteEnd {
    pub outcome: RunOutcome,
    pub counts: SummaryCounts,
    /// Sanitized on the way in (R6).
    pub failures: FailureSummary,
}

impl RunService {
    /// Claims up to `max` of the oldest queued runs of `types` in tenant `tenant_id`, each under
    /// its own lease of `lease`.
    pub async fn claim_registered(
        &self,
        tenant_id: Uuid,
        types: &[ExternalKey],
        max: usize,
        lease: Duration,
    ) -> Result<Vec<RemoteClaim>, RunError> {
        if types.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<&str> = types.iter().map(ExternalKey::as_str).collect();
        let pick = Pick::Registered {
            tenant_id,
            types: serde_json::to_string(&keys).map_err(|e| RunError::Corrupt(e.to_string()))?,
        };
        let lease_expires_ms = self.now_ms().saturating_add(duration_ms(lease));
        let records = self.claim_records(max, pick, lease).await?;
        let mut claimed = Vec::with_capacity(records.len());
        for run in records {
            let fencing_token = run
                .lease_token
                .clone()
                .ok_or_else(|| RunError::Corrupt("a claimed run without a lease".to_owned()))?;
            TransitionCounters::bump(&self.counters().claim);
            self.publish(Event::RunChanged(run.summary.clone()));
            claimed.push(RemoteClaim {
                run,
                fencing_token,
                lease_expires_ms,
            });
        }
        Ok(claimed)
    }

    /// Claims as [`Self::claim_registered`] does, in a task of its own and handed to `deliver`:
    /// when the claim was committed but whoever asked is gone (the worker's request was cut off
    /// while it waited on the writer), `deliver` returns the runs, which are handed back to the
    /// queue at once instead of waiting out a lease nobody knows.
    pub async fn claim_registered_for(
        &self,
        tenant_id: Uuid,
        types: Vec<ExternalKey>,
        max: usize,
        lease: Duration,
    ) -> Result<Vec<RemoteClaim>, RunError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let service = self.clone();
        tokio::spawn(async move {
            let claimed = service
                .claim_registered(tenant_id, &types, max, lease)
                .await;
            if let Err(Ok(undelivered)) = answer.send(claimed) {
                for claim in undelivered {
                    let id = claim.run.id();
                    if let Err(err) = service.hand_back_registered(id, claim.fencing_token).await {
                        tracing::warn!(run = %id, error = %err, "a claim nobody received could not be handed back; its lease will run out");
                    }
                }
            }
        });
        answered
            .await
            .map_err(|_| RunError::Corrupt("the claim's task ended without an answer".to_owned()))?
    }

    /// Gives run `id`, claimed under `fencing_token` but never received, back to the queue;
    /// the attempt is not counted.
    async fn hand_back_registered(&self, id: RunId, fencing_token: String) -> Result<(), RunError> {
        let write = Write::HandBack {
            id,
            token: fencing_token,
        };
        match self.write(write).await? {
            Written::Changed(run) => {
                TransitionCounters::bump(&self.counters().requeue);
                self.publish(Event::RunChanged(run.summary));
                Ok(())
            }
            _ => Err(RunError::LeaseLost(id)),
        }
    }

    /// Extends the lease of run `id` held under `fencing_token` by `lease` from now; the
    /// answer says whether a person asked to cancel it.
    pub async fn renew_registered(
        &self,
        tenant_id: Uuid,
        id: RunId,
        fencing_token: &str,
        lease: Duration,
    ) -> Result<RemoteLease, RunError> {
        self.held_remotely(tenant_id, id).await?;
        let expires_ms = self.now_ms().saturating_add(duration_ms(lease));
        let renew = Write::Renew {
            id,
            token: fencing_token.to_owned(),
            expires_ms,
        };
        match self.write(renew).await? {
            Written::Renewed(true) => {}
            Written::Renewed(false) => return Err(RunError::LeaseLost(id)),
            _ => return Err(unexpected("renewal")),
        }
        // Read after the renewal, so a cancel asked before it is seen now.
        let run = self.held_remotely(tenant_id, id).await?;
        Ok(RemoteLease {
            cancel_requested: run.summary.cancel_requested,
            lease_expires_ms: expires_ms,
        })
    }

    /// Stores run `id`'s counts, under `fencing_token`; the caller checked them against the
    /// type's allow-list (R5). Answers whether a person asked to cancel it.
    pub async fn progress_registered(
        &self,
        tenant_id: Uuid,
        id: RunId,
        fencing_token: &str,
        counts: SummaryCounts,
    ) -> Result<bool, RunError> {
        let run = self.held_remotely(tenant_id, id).await?;
        let write = Write::Progress {
            id,
            token: fencing_token.to_owned(),
            counts: counts.clone(),
        };
        let Written::Progressed(progressed) = self.write(write).await? else {
            return Err(unexpected("progress"));
        };
        let Some((cancel_requested, version)) = progressed else {
            return Err(RunError::LeaseLost(id));
        };
        TransitionCounters::bump(&self.counters().progress);
        let mut summary = run.summary;
        summary.summary_counts = counts;
        summary.cancel_requested = cancel_requested;
        summary.version = u64::try_from(version).unwrap_or_default();
        self.publish(Event::RunChanged(summary));
        Ok(cancel_requested)
    }

    /// Ends run `id` under `fencing_token`: its outcome, final counts and failures, and the
    /// one notification its initiator is owed (R2), in one transaction.
    pub async fn complete_registered(
        &self,
        tenant_id: Uuid,
        id: RunId,
        fencing_token: &str,
        end: RemoteEnd,
    ) -> Result<RunRecord, RunError> {
        self.held_remotely(tenant_id, id).await?;
        let first = end.failures.entries().first();
        let reason = match end.outcome {
            RunOutcome::Succeeded => None,
            RunOutcome::Cancelled => Some(ReasonCode::CancelledByUser),
            // Every failed run carries a reason (R6), even if the worker sent none.
            RunOutcome::PartiallySucceeded | RunOutcome::Failed => {
                Some(first.map_or(ReasonCode::InternalError, |f| f.reason_code))
            }
        };
        let message = match end.outcome {
            RunOutcome::Cancelled => Some("Cancelled while running.".to_owned()),
            _ => first.map(|f| f.message.clone()),
        };
        let done = Completion {
            event: RunEvent::Finish(end.outcome),
            reason,
            message,
            counts: Some(end.counts),
            failures: Some(end.failures),
            now_ms: self.now_ms(),
        };
        self.finish(
            id,
            RunState::Running,
            LeaseGuard::Held(fencing_token.to_owned()),
            done,
        )
        .await
        .map_err(|err| match err {
            // The guard found no run held under this token.
            RunError::Conflict { run, .. } => RunError::LeaseLost(run),
            other => other,
        })
    }

    /// Run `id` of tenant `tenant_id`, if it is of a registered type; not found otherwise, so a
    /// token learns nothing of another tenant's runs (R16) nor drives a built-in one.
    async fn held_remotely(&self, tenant_id: Uuid, id: RunId) -> Result<RunRecord, RunError> {
        self.get(id)
            .await?
            .filter(|run| run.tenant_id == tenant_id && run.summary.operation.is_external())
            .ok_or(RunError::NotFound(id))
    }
}
