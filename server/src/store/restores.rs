//! What the restore flows read and change: a policy's kept version, a restore run's items,
//! the archived flag, and the audited force delete (R19).

use uuid::Uuid;

use super::audit::{RunAudit, record};
use super::{Store, on_conn, on_pool};

/// What a prune deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    pub runs: u64,
    /// The export files of the deleted runs (relative to the exports folder; older rows:
    /// absolute paths), now referred to by nothing.
    pub export_files: Vec<String>,
}

/// A snapshot to push back: our policy id, the provider's id, the object.
#[derive(Debug, Clone, PartialEq)]
pub struct Pushback {
    pub policy_id: String,
    pub external_id: String,
    /// The policy's name, for messages.
    pub name: String,
    pub snapshot: serde_json::Value,
}

type PushbackRow = (String, String, String, String);

fn pushback((policy_id, external_id, name, snapshot): PushbackRow) -> Pushback {
    Pushback {
        policy_id,
        external_id,
        name,
        snapshot: serde_json::from_str(&snapshot).unwrap_or_default(),
    }
}

impl Store {
    /// Policy `policy_id` as the last sync saw it (its newest kept version), for the audit
    /// entry of a write over it; `None` if it has no kept version.
    pub async fn policy_as_synced(
        &self,
        policy_id: &str,
    ) -> Result<Option<serde_json::Value>, sqlx::Error> {
        const SQL: &str = "SELECT p.external_id, p.name, v.provider_version, v.snapshot \
                           FROM policies p JOIN policy_versions v ON v.policy_id = p.id \
                           WHERE p.id = $1 ORDER BY v.provider_version DESC LIMIT 1";
        let row: Option<(String, String, i64, String)> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(policy_id).fetch_optional(pool).await
        })?;
        Ok(row.map(|(external_id, name, version, snapshot)| {
            serde_json::json!({
                "policy_id": policy_id,
                "external_id": external_id,
                "name": name,
                "provider_version": version,
                "snapshot": serde_json::from_str::<serde_json::Value>(&snapshot)
                    .unwrap_or_default(),
            })
        }))
    }

    /// The tenant's kept policy version `id`, ready to push back.
    pub async fn version_to_restore(
        &self,
        tenant_id: Uuid,
        id: &str,
    ) -> Result<Option<Pushback>, sqlx::Error> {
        const SQL: &str = "SELECT p.id, p.external_id, p.name, v.snapshot \
                           FROM policy_versions v JOIN policies p ON p.id = v.policy_id \
                           WHERE p.tenant_id = $1 AND v.id = $2";
        let row: Option<PushbackRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(tenant_id.to_string())
                .bind(id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(pushback))
    }

    /// The items of the backup set of the tenant's restore run `id`, by policy name; `None`
    /// when the restore run does not exist or is archived, `Some(None)` when its backup set
    /// was deleted.
    pub async fn items_to_restore(
        &self,
        tenant_id: Uuid,
        id: &str,
    ) -> Result<Option<Option<Vec<Pushback>>>, sqlx::Error> {
        const RUN: &str = "SELECT backup_set_id FROM restore_runs \
                           WHERE tenant_id = $1 AND id = $2 AND archived = FALSE";
        const ITEMS: &str = "SELECT p.id, p.external_id, p.name, i.snapshot \
                             FROM backup_items i JOIN policies p ON p.id = i.policy_id \
                             WHERE i.backup_set_id = $1 ORDER BY p.name, p.id";
        let set: Option<Option<String>> = on_pool!(self, pool => {
            sqlx::query_scalar(RUN)
                .bind(tenant_id.to_string())
                .bind(id)
                .fetch_optional(pool)
                .await
        })?;
        let Some(set) = set else {
            return Ok(None);
        };
        let Some(set) = set else {
            return Ok(Some(None));
        };
        let rows: Vec<PushbackRow> = on_pool!(self, pool => {
            sqlx::query_as(ITEMS).bind(&set).fetch_all(pool).await
        })?;
        Ok(Some(Some(rows.into_iter().map(pushback).collect())))
    }

    pub async fn mark_restore_executed(
        &self,
        tenant_id: Uuid,
        id: &str,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        const SQL: &str =
            "UPDATE restore_runs SET executed_at = $1 WHERE tenant_id = $2 AND id = $3";
        on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(now_ms)
                .bind(tenant_id.to_string())
                .bind(id)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// Sets the archived flag of the tenant's restore run; `None` if it does not exist,
    /// `Some(false)` if it already had that value.
    pub async fn set_restore_archived(
        &self,
        tenant_id: Uuid,
        id: &str,
        archived: bool,
    ) -> Result<Option<bool>, sqlx::Error> {
        const SQL: &str = "UPDATE restore_runs SET archived = $1 \
                           WHERE tenant_id = $2 AND id = $3 AND archived <> $1";
        let changed = on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(archived)
                .bind(tenant_id.to_string())
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if changed == 1 {
            return Ok(Some(true));
        }
        Ok(self.restore_run(tenant_id, id).await?.map(|_| false))
    }

    /// Permanently deletes the tenant's archived restore run `id` and, in the same
    /// transaction, writes its audit entry (R19). `None` if there is no such archived record.
    pub async fn force_delete_restore_run(
        &self,
        id: &str,
        audit: &RunAudit,
        now_ms: i64,
    ) -> Result<Option<()>, sqlx::Error> {
        let tenant_id = audit.tenant_id;
        const DELETE: &str = "DELETE FROM restore_runs \
                              WHERE tenant_id = $1 AND id = $2 AND archived = TRUE";
        let Some(before) = self.restore_run(tenant_id, id).await? else {
            return Ok(None);
        };
        if !before.archived {
            return Ok(None);
        }
        let before = serde_json::to_value(&before).unwrap_or_default();
        let mut tx = self.begin().await?;
        let deleted = super::on_conn!(&mut tx.conn(), c => {
            sqlx::query(DELETE)
                .bind(tenant_id.to_string())
                .bind(id)
                .execute(&mut **c)
                .await?
                .rows_affected()
        });
        if deleted != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        let entry = audit.entry("restore_run.force_delete", Some(&before), None, now_ms);
        record(&mut tx.conn(), &entry).await?;
        tx.commit().await?;
        Ok(Some(()))
    }

    /// Deletes the tenant's completed runs that ended before `before_ms` (their notifications
    /// and export records go with them): how many, and the export files they leave behind,
    /// for the caller to delete.
    pub async fn prune_runs(&self, tenant_id: Uuid, before_ms: i64) -> Result<Pruned, sqlx::Error> {
        const FILES: &str = "SELECT e.path FROM exports e JOIN operation_runs r ON r.id = e.run_id \
                             WHERE r.tenant_id = $1 AND r.status = 'completed' \
                               AND r.completed_at < $2";
        const SQL: &str = "DELETE FROM operation_runs \
                           WHERE tenant_id = $1 AND status = 'completed' AND completed_at < $2";
        // A run's webhook deliveries go with it (the foreign key cascades); test events,
        // which have no run, go when they are as old.
        const TEST_EVENTS: &str = "DELETE FROM webhook_deliveries \
                                   WHERE run_id IS NULL AND state <> 'pending' AND created_at < $2 \
                                     AND endpoint_id IN (SELECT id FROM webhook_endpoints \
                                                         WHERE tenant_id = $1)";
        let tenant = tenant_id.to_string();
        let mut tx = self.begin_immediate().await?;
        let files: Vec<String> = on_conn!(&mut tx.conn(), c => {
            sqlx::query_scalar(FILES).bind(&tenant).bind(before_ms).fetch_all(&mut **c).await
        })?;
        let runs = on_conn!(&mut tx.conn(), c => {
            sqlx::query(SQL)
                .bind(&tenant)
                .bind(before_ms)
                .execute(&mut **c)
                .await?
                .rows_affected()
        });
        on_conn!(&mut tx.conn(), c => {
            sqlx::query(TEST_EVENTS)
                .bind(&tenant)
                .bind(before_ms)
                .execute(&mut **c)
                .await
                .map(|_| ())
        })?;
        tx.commit().await?;
        Ok(Pruned {
            runs,
            export_files: files,
        })
    }
}
