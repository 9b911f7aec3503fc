//! Backup sets and their items, and restore runs: records the backup and restore flows work
//! on; creating a set or a restore run is a plain write (not an operation).

use opsux_core::wire::{BackupItemDto, BackupSetDto, RestoreRunDto};
use uuid::Uuid;

use super::audit::{RunAudit, record};
use super::paging::{TimeCursor, split_page};
use super::{Store, on_conn, on_pool};
use crate::clock::from_ms;

#[derive(sqlx::FromRow)]
struct SetRow {
    id: String,
    name: String,
    schedule_id: Option<String>,
    item_count: i64,
    created_at: i64,
}

impl From<SetRow> for BackupSetDto {
    fn from(row: SetRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            schedule_id: row.schedule_id,
            item_count: u64::try_from(row.item_count).unwrap_or(0),
            created_at: from_ms(row.created_at),
        }
    }
}

#[derive(sqlx::FromRow)]
struct RestoreRow {
    id: String,
    name: String,
    backup_set_id: Option<String>,
    archived: bool,
    executed_at: Option<i64>,
    created_at: i64,
}

impl From<RestoreRow> for RestoreRunDto {
    fn from(row: RestoreRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            backup_set_id: row.backup_set_id,
            archived: row.archived,
            executed_at: row.executed_at.map(from_ms),
            created_at: from_ms(row.created_at),
        }
    }
}

fn time_cursor(id: &str, at_ms: i64) -> TimeCursor {
    TimeCursor {
        at_ms,
        id: id.parse().unwrap_or_default(),
    }
}

macro_rules! select_sets {
    ($where:literal) => {
        concat!(
            "SELECT s.id, s.name, s.schedule_id, s.created_at, \
                    (SELECT COUNT(*) FROM backup_items i WHERE i.backup_set_id = s.id) \
                      AS item_count \
             FROM backup_sets s ",
            $where
        )
    };
}

impl Store {
    /// A new, empty backup set of the tenant.
    pub async fn create_backup_set(
        &self,
        tenant_id: Uuid,
        id: Uuid,
        name: &str,
        schedule_id: Option<&str>,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        const SQL: &str = "INSERT INTO backup_sets (id, tenant_id, schedule_id, name, created_at) \
                           VALUES ($1, $2, $3, $4, $5)";
        on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(id.to_string())
                .bind(tenant_id.to_string())
                .bind(schedule_id)
                .bind(name)
                .bind(now_ms)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// A page of the tenant's backup sets, newest first.
    pub async fn backup_sets(
        &self,
        tenant_id: Uuid,
        after: Option<TimeCursor>,
        limit: u32,
    ) -> Result<(Vec<BackupSetDto>, Option<TimeCursor>), sqlx::Error> {
        const SQL: &str = select_sets!(
            "WHERE s.tenant_id = $1 \
               AND (CAST($2 AS BIGINT) IS NULL OR (s.created_at, s.id) < ($2, $3)) \
             ORDER BY s.created_at DESC, s.id DESC LIMIT $4"
        );
        let rows: Vec<SetRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(tenant_id.to_string())
                .bind(after.map(|c| c.at_ms))
                .bind(after.map(|c| c.id.to_string()))
                .bind(i64::from(limit) + 1)
                .fetch_all(pool)
                .await
        })?;
        let (rows, next) = split_page(rows, limit, |r| time_cursor(&r.id, r.created_at));
        Ok((rows.into_iter().map(BackupSetDto::from).collect(), next))
    }

    /// One of the tenant's backup sets and its items by policy name.
    pub async fn backup_set(
        &self,
        tenant_id: Uuid,
        id: &str,
    ) -> Result<Option<(BackupSetDto, Vec<BackupItemDto>)>, sqlx::Error> {
        const SET: &str = select_sets!("WHERE s.tenant_id = $1 AND s.id = $2");
        const ITEMS: &str = "SELECT i.id, i.policy_id, p.name, i.provider_version, i.captured_at \
                             FROM backup_items i JOIN policies p ON p.id = i.policy_id \
                             WHERE i.backup_set_id = $1 ORDER BY p.name, i.id";
        let set: Option<SetRow> = on_pool!(self, pool => {
            sqlx::query_as(SET)
                .bind(tenant_id.to_string())
                .bind(id)
                .fetch_optional(pool)
                .await
        })?;
        let Some(set) = set else {
            return Ok(None);
        };
        let items: Vec<(String, String, String, i64, i64)> = on_pool!(self, pool => {
            sqlx::query_as(ITEMS).bind(id).fetch_all(pool).await
        })?;
        let items = items
            .into_iter()
            .map(
                |(id, policy_id, policy_name, provider_version, captured_at)| BackupItemDto {
                    id,
                    policy_id,
                    policy_name,
                    provider_version,
                    captured_at: from_ms(captured_at),
                },
            )
            .collect();
        Ok(Some((set.into(), items)))
    }

    /// Keeps `snapshot` of a policy in a set; a second capture of the same policy in the same
    /// set is ignored (a rerun after a rescue adds nothing twice). `true` when added.
    pub async fn add_backup_item(
        &self,
        backup_set_id: &str,
        policy_id: &str,
        provider_version: i64,
        snapshot: &serde_json::Value,
        now_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        const SQL: &str = "INSERT INTO backup_items \
                               (id, backup_set_id, policy_id, provider_version, snapshot, captured_at) \
                           VALUES ($1, $2, $3, $4, $5, $6) \
                           ON CONFLICT (backup_set_id, policy_id) DO NOTHING";
        let added = on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(Uuid::now_v7().to_string())
                .bind(backup_set_id)
                .bind(policy_id)
                .bind(provider_version)
                .bind(snapshot.to_string())
                .bind(now_ms)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(added == 1)
    }

    /// The backup set `run_id` made for `schedule_id`, made now if it has none yet: a rerun
    /// after a rescue finds its set instead of making a second.
    pub async fn backup_set_for_run(
        &self,
        tenant_id: Uuid,
        schedule_id: &str,
        name: &str,
        run_id: &str,
        now_ms: i64,
    ) -> Result<String, sqlx::Error> {
        const INSERT: &str = "INSERT INTO backup_sets \
                                  (id, tenant_id, schedule_id, name, created_by_run, created_at) \
                              VALUES ($1, $2, $3, $4, $5, $6) \
                              ON CONFLICT (created_by_run) DO NOTHING";
        const FIND: &str = "SELECT id FROM backup_sets WHERE created_by_run = $1";
        on_pool!(self, pool => {
            sqlx::query(INSERT)
                .bind(Uuid::now_v7().to_string())
                .bind(tenant_id.to_string())
                .bind(schedule_id)
                .bind(name)
                .bind(run_id)
                .bind(now_ms)
                .execute(pool)
                .await?;
            sqlx::query_scalar(FIND).bind(run_id).fetch_one(pool).await
        })
    }

    /// Takes a policy out of a set; `false` if it was not in it.
    pub async fn remove_backup_item(
        &self,
        backup_set_id: &str,
        policy_id: &str,
        audit: &RunAudit,
        now_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        const BEFORE: &str = "SELECT i.id, p.external_id, p.name, i.provider_version, i.captured_at \
                              FROM backup_items i JOIN policies p ON p.id = i.policy_id \
                              WHERE i.backup_set_id = $1 AND i.policy_id = $2";
        const SQL: &str = "DELETE FROM backup_items WHERE backup_set_id = $1 AND policy_id = $2";
        let mut tx = self.begin().await?;
        let item: Option<(String, String, String, i64, i64)> = on_conn!(&mut tx.conn(), c => {
            sqlx::query_as(BEFORE)
                .bind(backup_set_id)
                .bind(policy_id)
                .fetch_optional(&mut **c)
                .await
        })?;
        let Some((item_id, external_id, name, version, captured_at)) = item else {
            tx.rollback().await?;
            return Ok(false);
        };
        on_conn!(&mut tx.conn(), c => {
            sqlx::query(SQL)
                .bind(backup_set_id)
                .bind(policy_id)
                .execute(&mut **c)
                .await
                .map(|_| ())
        })?;
        let before = serde_json::json!({
            "backup_set_id": backup_set_id,
            "item_id": item_id,
            "policy_id": policy_id,
            "policy_external_id": external_id,
            "policy_name": name,
            "provider_version": version,
            "captured_at": from_ms(captured_at),
        });
        let entry = audit.entry("backup_set.remove_item", Some(&before), None, now_ms);
        record(&mut tx.conn(), &entry).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The schedule's backup sets, newest first.
    pub async fn sets_of_schedule(
        &self,
        tenant_id: Uuid,
        schedule_id: &str,
    ) -> Result<Vec<String>, sqlx::Error> {
        const SQL: &str = "SELECT id FROM backup_sets WHERE tenant_id = $1 AND schedule_id = $2 \
                           ORDER BY created_at DESC, id DESC";
        on_pool!(self, pool => {
            sqlx::query_scalar(SQL)
                .bind(tenant_id.to_string())
                .bind(schedule_id)
                .fetch_all(pool)
                .await
        })
    }

    /// Deletes one of the run's tenant's backup sets with its items, audited with the set as
    /// it was; `false` if it was gone.
    pub async fn delete_backup_set(
        &self,
        id: &str,
        audit: &RunAudit,
        now_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        const BEFORE: &str = "SELECT s.name, s.schedule_id, s.created_at, \
                                     (SELECT count(*) FROM backup_items i WHERE i.backup_set_id = s.id) \
                              FROM backup_sets s WHERE s.tenant_id = $1 AND s.id = $2";
        const SQL: &str = "DELETE FROM backup_sets WHERE tenant_id = $1 AND id = $2";
        let tenant = audit.tenant_id.to_string();
        let mut tx = self.begin().await?;
        let set: Option<(String, Option<String>, i64, i64)> = on_conn!(&mut tx.conn(), c => {
            sqlx::query_as(BEFORE)
                .bind(&tenant)
                .bind(id)
                .fetch_optional(&mut **c)
                .await
        })?;
        let Some((name, schedule_id, created_at, items)) = set else {
            tx.rollback().await?;
            return Ok(false);
        };
        on_conn!(&mut tx.conn(), c => {
            sqlx::query(SQL).bind(&tenant).bind(id).execute(&mut **c).await.map(|_| ())
        })?;
        let before = serde_json::json!({
            "id": id,
            "name": name,
            "schedule_id": schedule_id,
            "created_at": from_ms(created_at),
            "items": items,
        });
        let entry = audit.entry("backup_set.delete", Some(&before), None, now_ms);
        record(&mut tx.conn(), &entry).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A new restore run of the tenant from `backup_set_id` (the caller checked it is the
    /// tenant's).
    pub async fn create_restore_run(
        &self,
        tenant_id: Uuid,
        id: Uuid,
        backup_set_id: &str,
        name: &str,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        const SQL: &str = "INSERT INTO restore_runs (id, tenant_id, backup_set_id, name, created_at) \
                           VALUES ($1, $2, $3, $4, $5)";
        on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(id.to_string())
                .bind(tenant_id.to_string())
                .bind(backup_set_id)
                .bind(name)
                .bind(now_ms)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// A page of the tenant's restore runs, newest first; `archived` filters when given.
    pub async fn restore_runs(
        &self,
        tenant_id: Uuid,
        archived: Option<bool>,
        after: Option<TimeCursor>,
        limit: u32,
    ) -> Result<(Vec<RestoreRunDto>, Option<TimeCursor>), sqlx::Error> {
        const SQL: &str = "SELECT id, name, backup_set_id, archived, executed_at, created_at \
                           FROM restore_runs WHERE tenant_id = $1 \
                             AND ($2 IS NULL OR archived = $2) \
                             AND (CAST($3 AS BIGINT) IS NULL OR (created_at, id) < ($3, $4)) \
                           ORDER BY created_at DESC, id DESC LIMIT $5";
        let rows: Vec<RestoreRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(tenant_id.to_string())
                .bind(archived)
                .bind(after.map(|c| c.at_ms))
                .bind(after.map(|c| c.id.to_string()))
                .bind(i64::from(limit) + 1)
                .fetch_all(pool)
                .await
        })?;
        let (rows, next) = split_page(rows, limit, |r| time_cursor(&r.id, r.created_at));
        Ok((rows.into_iter().map(RestoreRunDto::from).collect(), next))
    }

    pub async fn restore_run(
        &self,
        tenant_id: Uuid,
        id: &str,
    ) -> Result<Option<RestoreRunDto>, sqlx::Error> {
        const SQL: &str = "SELECT id, name, backup_set_id, archived, executed_at, created_at \
                           FROM restore_runs WHERE tenant_id = $1 AND id = $2";
        let row: Option<RestoreRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(tenant_id.to_string())
                .bind(id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(RestoreRunDto::from))
    }
}
