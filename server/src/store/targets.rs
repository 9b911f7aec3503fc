//! The records an operation's parameters name must be the tenant's: checked when the run is
//! started, so an id from another tenant, or one that never existed, is a 422 naming the field
//! — never a run that fails later. (A record deleted after the start still ends its run with
//! `not_found`, from the flow.)

use opsux_core::{OperationParams, ParamsError};
use uuid::Uuid;

use super::Store;
use super::owned::Owned;

impl Store {
    /// The first parameter of a start that names something not the tenant's, if any.
    pub async fn unowned_target(
        &self,
        tenant_id: Uuid,
        params: &OperationParams,
    ) -> Result<Option<ParamsError>, sqlx::Error> {
        unowned_target(self, tenant_id, params).await
    }
}

async fn unowned_target(
    store: &Store,
    tenant_id: Uuid,
    params: &OperationParams,
) -> Result<Option<ParamsError>, sqlx::Error> {
    use OperationParams as P;
    let one = |id: &String| std::slice::from_ref(id).to_vec();
    let checks: Vec<(&str, Owned, Vec<String>)> = match params {
        P::InventorySync | P::EntraGroupSync | P::OperationsPrune { .. } | P::External { .. } => {
            Vec::new()
        }
        P::BackupScheduleRun { schedule_id } | P::BackupRetention { schedule_id } => {
            vec![("schedule_id", Owned::Schedules, one(schedule_id))]
        }
        P::BackupSetAddPolicies {
            backup_set_id,
            policy_ids,
        }
        | P::BackupSetRemovePolicies {
            backup_set_id,
            policy_ids,
        } => vec![
            ("backup_set_id", Owned::BackupSets, one(backup_set_id)),
            ("policy_ids", Owned::Policies, policy_ids.clone()),
        ],
        P::PolicyExport { policy_ids } | P::PolicyUnignore { policy_ids } => {
            vec![("policy_ids", Owned::Policies, policy_ids.clone())]
        }
        P::PolicyVersionRestore { policy_version_id } => vec![(
            "policy_version_id",
            Owned::PolicyVersions,
            one(policy_version_id),
        )],
        P::RestoreExecute { restore_run_id } => {
            vec![(
                "restore_run_id",
                Owned::LiveRestoreRuns,
                one(restore_run_id),
            )]
        }
        P::RestoreRunUnarchive { restore_run_ids }
        | P::RestoreRunForceDelete { restore_run_ids } => {
            vec![(
                "restore_run_ids",
                Owned::RestoreRuns,
                restore_run_ids.clone(),
            )]
        }
    };
    for (field, kind, ids) in checks {
        let missing = store.not_owned(tenant_id, kind, &ids).await?;
        if let Some(error) = refusal(field, kind, &missing) {
            return Ok(Some(error));
        }
    }
    Ok(None)
}

/// The error naming `missing` ids of `field`, if there are any: the first few, and how many.
fn refusal(field: &str, kind: Owned, missing: &[String]) -> Option<ParamsError> {
    const NAMED: usize = 5;
    let first = missing.first()?;
    let message = match missing.len() {
        1 => format!("no {} {first:?} in this tenant", kind.noun()),
        n => {
            let named: Vec<String> = missing
                .iter()
                .take(NAMED)
                .map(|id| format!("{id:?}"))
                .collect();
            let more = if n > NAMED { ", …" } else { "" };
            format!(
                "{n} ids name no {} in this tenant: {}{more}",
                kind.noun(),
                named.join(", ")
            )
        }
    };
    Some(ParamsError {
        field: format!("params.{field}"),
        message,
    })
}
