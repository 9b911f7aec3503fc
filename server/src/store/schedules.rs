//! Backup schedules: plain records (creating one is not an operation), tenant-scoped. At most
//! [`MAX_PER_TENANT`] per tenant; deleting one is audited in its transaction (R19).

use opsux_core::wire::PolicySelection;
use uuid::Uuid;

use super::audit::{Actor, AuditScope, NewAuditEntry, record};
use super::{Store, on_conn, on_pool};

/// The most backup schedules one tenant may have.
pub const MAX_PER_TENANT: i64 = 50;

/// When and why the scheduler last skipped one of a schedule's slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub at: i64,
    pub reason: String,
}

/// A backup schedule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub id: String,
    pub name: String,
    pub cron: String,
    pub policy_selection: PolicySelection,
    pub keep_last: u32,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// The last slot skipped, until a later one fires.
    pub skipped: Option<Skipped>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    cron: String,
    policy_selection: String,
    keep_last: i64,
    enabled: bool,
    created_at: i64,
    updated_at: i64,
    skipped_at: Option<i64>,
    skip_reason: Option<String>,
}

/// A schedule and its tenant, as the scheduler reads them.
#[derive(sqlx::FromRow)]
struct DueRow {
    #[sqlx(flatten)]
    schedule: Row,
    tenant_id: String,
    workspace_id: String,
    tenant_slug: String,
}

impl TryFrom<Row> for Schedule {
    type Error = sqlx::Error;

    fn try_from(row: Row) -> Result<Self, sqlx::Error> {
        let corrupt = |what: String| sqlx::Error::Decode(what.into());
        Ok(Self {
            policy_selection: serde_json::from_str(&row.policy_selection)
                .map_err(|e| corrupt(format!("schedule {}: policy selection: {e}", row.id)))?,
            keep_last: u32::try_from(row.keep_last)
                .map_err(|e| corrupt(format!("schedule {}: keep_last: {e}", row.id)))?,
            id: row.id,
            name: row.name,
            cron: row.cron,
            enabled: row.enabled,
            created_at: row.created_at,
            updated_at: row.updated_at,
            skipped: row.skipped_at.map(|at| Skipped {
                at,
                reason: row.skip_reason.unwrap_or_default(),
            }),
        })
    }
}

macro_rules! select_schedules {
    ($where:literal) => {
        concat!(
            "SELECT id, name, cron, policy_selection, keep_last, enabled, created_at, updated_at, \
                    skipped_at, skip_reason \
             FROM backup_schedules ",
            $where
        )
    };
}

impl Store {
    pub async fn schedules(&self, tenant_id: Uuid) -> Result<Vec<Schedule>, sqlx::Error> {
        const SQL: &str = select_schedules!("WHERE tenant_id = $1 ORDER BY name, id");
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(tenant_id.to_string())
                .fetch_all(pool)
                .await
        })?;
        rows.into_iter().map(Schedule::try_from).collect()
    }

    pub async fn schedule(
        &self,
        tenant_id: Uuid,
        id: &str,
    ) -> Result<Option<Schedule>, sqlx::Error> {
        const SQL: &str = select_schedules!("WHERE tenant_id = $1 AND id = $2");
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(tenant_id.to_string())
                .bind(id)
                .fetch_optional(pool)
                .await
        })?;
        row.map(Schedule::try_from).transpose()
    }

    /// Every enabled schedule of every tenant, with its tenant: what the scheduler looks at.
    pub async fn enabled_schedules(
        &self,
    ) -> Result<Vec<(crate::runs::TenantRef, Schedule)>, sqlx::Error> {
        const SQL: &str = "SELECT s.id, s.name, s.cron, s.policy_selection, s.keep_last, \
                                  s.enabled, s.created_at, s.updated_at, s.skipped_at, \
                                  s.skip_reason, \
                                  s.tenant_id, t.workspace_id, t.slug AS tenant_slug \
                           FROM backup_schedules s JOIN tenants t ON t.id = s.tenant_id \
                           WHERE s.enabled = TRUE ORDER BY t.slug, s.name, s.id";
        let rows: Vec<DueRow> = on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await)?;
        let corrupt = |what: String| sqlx::Error::Decode(what.into());
        rows.into_iter()
            .map(|row| {
                let tenant = crate::runs::TenantRef {
                    id: Uuid::parse_str(&row.tenant_id).map_err(|e| corrupt(e.to_string()))?,
                    workspace_id: Uuid::parse_str(&row.workspace_id)
                        .map_err(|e| corrupt(e.to_string()))?,
                    slug: opsux_core::TenantSlug::parse(&row.tenant_slug)
                        .map_err(|e| corrupt(e.to_string()))?,
                };
                Ok((tenant, Schedule::try_from(row.schedule)?))
            })
            .collect()
    }

    /// Stores `schedule` (its `id` new) for the tenant, unless the tenant has
    /// [`MAX_PER_TENANT`] already (`false`). Counted in the insert itself: exact on SQLite; on
    /// PostgreSQL concurrent creates may pass the limit by one each.
    pub async fn insert_schedule(
        &self,
        tenant_id: Uuid,
        schedule: &Schedule,
    ) -> Result<bool, sqlx::Error> {
        const SQL: &str = "INSERT INTO backup_schedules (id, tenant_id, name, cron, \
                               policy_selection, keep_last, enabled, created_at, updated_at) \
                           SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 \
                           WHERE (SELECT count(*) FROM backup_schedules WHERE tenant_id = $2) \
                                 < $10";
        let selection = selection_json(&schedule.policy_selection);
        on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(&schedule.id)
                .bind(tenant_id.to_string())
                .bind(&schedule.name)
                .bind(&schedule.cron)
                .bind(&selection)
                .bind(i64::from(schedule.keep_last))
                .bind(schedule.enabled)
                .bind(schedule.created_at)
                .bind(schedule.updated_at)
                .bind(MAX_PER_TENANT)
                .execute(pool)
                .await
                .map(|done| done.rows_affected() == 1)
        })
    }

    /// Writes every field of `schedule` over the stored one; `false` if there is none.
    pub async fn update_schedule(
        &self,
        tenant_id: Uuid,
        schedule: &Schedule,
    ) -> Result<bool, sqlx::Error> {
        const SQL: &str = "UPDATE backup_schedules SET name = $1, cron = $2, \
                               policy_selection = $3, keep_last = $4, enabled = $5, \
                               updated_at = $6 \
                           WHERE tenant_id = $7 AND id = $8";
        let selection = selection_json(&schedule.policy_selection);
        let changed = on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(&schedule.name)
                .bind(&schedule.cron)
                .bind(&selection)
                .bind(i64::from(schedule.keep_last))
                .bind(schedule.enabled)
                .bind(schedule.updated_at)
                .bind(tenant_id.to_string())
                .bind(&schedule.id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(changed == 1)
    }

    /// Deletes the schedule (its backup sets stay, no longer tied to it) and audits it with
    /// the record as it was, in one transaction; `false` if there is none.
    pub async fn delete_schedule(
        &self,
        tenant_id: Uuid,
        id: &str,
        actor: Actor,
        now_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        const SQL: &str = "DELETE FROM backup_schedules WHERE tenant_id = $1 AND id = $2";
        let Some(before) = self.schedule(tenant_id, id).await? else {
            return Ok(false);
        };
        let mut tx = self.begin().await?;
        let deleted = on_conn!(&mut tx.conn(), c => {
            sqlx::query(SQL)
                .bind(tenant_id.to_string())
                .bind(id)
                .execute(&mut **c)
                .await?
                .rows_affected()
        });
        if deleted != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let before = serde_json::json!({
            "id": before.id,
            "name": before.name,
            "cron": before.cron,
            "policy_selection": before.policy_selection,
            "keep_last": before.keep_last,
            "enabled": before.enabled,
        });
        let entry = NewAuditEntry {
            scope: AuditScope::Tenant(tenant_id),
            actor,
            action: "backup_schedule.delete",
            before: Some(&before),
            after: None,
            run_id: None,
            at_ms: now_ms,
        };
        record(&mut tx.conn(), &entry).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Notes that the scheduler skipped a slot of schedule `id`, and why.
    pub async fn record_skip(&self, id: &str, skipped: &Skipped) -> Result<(), sqlx::Error> {
        const SQL: &str =
            "UPDATE backup_schedules SET skipped_at = $1, skip_reason = $2 WHERE id = $3";
        on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(skipped.at)
                .bind(&skipped.reason)
                .bind(id)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// Forgets the last skip of schedule `id`: a later slot fired.
    pub async fn clear_skip(&self, id: &str) -> Result<(), sqlx::Error> {
        const SQL: &str = "UPDATE backup_schedules SET skipped_at = NULL, skip_reason = NULL \
                           WHERE id = $1 AND skipped_at IS NOT NULL";
        on_pool!(self, pool => sqlx::query(SQL).bind(id).execute(pool).await.map(|_| ()))
    }
}

fn selection_json(selection: &PolicySelection) -> String {
    serde_json::to_string(selection).unwrap_or_else(|_| "\"all\"".to_owned())
}
