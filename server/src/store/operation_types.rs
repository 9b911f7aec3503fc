//! Operation types registered by other services: their definitions, stored as text (the summary
//! keys and the parameter schema as JSON), and whether any of their runs is still active.

use opsux_core::ExternalKey;
use uuid::Uuid;

use super::{Conn, Store, on_conn, on_pool};

/// A registered type as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OperationTypeRow {
    pub key: String,
    pub label: String,
    pub capability: String,
    pub summary_keys: String,
    pub params_schema: Option<String>,
    pub created_at: i64,
}

/// What registering a type stores.
pub struct NewOperationType<'a> {
    pub key: &'a str,
    pub label: &'a str,
    pub capability: &'a str,
    pub summary_keys: &'a str,
    pub params_schema: Option<&'a str>,
    pub now_ms: i64,
}

/// How a removal ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Removed,
    NotRegistered,
    /// Some of its runs are queued or running.
    Active,
}

/// The registered (not removed) types' columns, for `concat!`.
macro_rules! registered {
    () => {
        "SELECT key, label, capability, summary_keys, params_schema, created_at \
         FROM operation_types WHERE removed_at IS NULL"
    };
}

impl Store {
    /// Every registered type, by key.
    pub async fn operation_types(&self) -> Result<Vec<OperationTypeRow>, sqlx::Error> {
        const SQL: &str = concat!(registered!(), " ORDER BY key");
        on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await)
    }

    /// The registered type `key`, unless it was removed.
    pub async fn operation_type(&self, key: &str) -> Result<Option<OperationTypeRow>, sqlx::Error> {
        const SQL: &str = concat!(registered!(), " AND key = $1");
        on_pool!(self, pool => sqlx::query_as(SQL).bind(key).fetch_optional(pool).await)
    }

    /// Type `key` as registered, removed or not; `None` if it never was.
    pub async fn operation_type_ever(
        &self,
        key: &str,
    ) -> Result<Option<OperationTypeRow>, sqlx::Error> {
        const SQL: &str = "SELECT key, label, capability, summary_keys, params_schema, created_at \
                           FROM operation_types WHERE key = $1";
        on_pool!(self, pool => sqlx::query_as(SQL).bind(key).fetch_optional(pool).await)
    }

    /// Whether tenant `tenant_id` has a queued run of one of `types`: the read a waiting
    /// claim makes before it claims (a write).
    pub async fn queued_of_types(
        &self,
        tenant_id: Uuid,
        types: &[ExternalKey],
    ) -> Result<bool, sqlx::Error> {
        const SQLITE: &str = "SELECT EXISTS (SELECT 1 FROM operation_runs \
                              WHERE tenant_id = $1 AND status = 'queued' \
                                AND type IN (SELECT value FROM json_each($2)))";
        const POSTGRES: &str = "SELECT EXISTS (SELECT 1 FROM operation_runs \
                                WHERE tenant_id = $1 AND status = 'queued' \
                                  AND type IN (SELECT jsonb_array_elements_text(CAST($2 AS JSONB))))";
        let keys: Vec<&str> = types.iter().map(ExternalKey::as_str).collect();
        let keys = serde_json::Value::from(keys).to_string();
        let sql = self.dialect(SQLITE, POSTGRES);
        on_pool!(self, pool => {
            sqlx::query_scalar(sql)
                .bind(tenant_id.to_string())
                .bind(&keys)
                .fetch_one(pool)
                .await
        })
    }
}

/// Registers a type, or brings back one removed earlier with the new definition; `false`
/// when the key is registered now.
pub async fn register(
    conn: &mut Conn<'_>,
    new: &NewOperationType<'_>,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "INSERT INTO operation_types \
                           (key, label, capability, summary_keys, params_schema, created_at) \
                       VALUES ($1, $2, $3, $4, $5, $6) \
                       ON CONFLICT (key) DO UPDATE SET \
                           label = excluded.label, capability = excluded.capability, \
                           summary_keys = excluded.summary_keys, \
                           params_schema = excluded.params_schema, \
                           created_at = excluded.created_at, removed_at = NULL \
                       WHERE operation_types.removed_at IS NOT NULL";
    let done = on_conn!(conn, c => {
        sqlx::query(SQL)
            .bind(new.key)
            .bind(new.label)
            .bind(new.capability)
            .bind(new.summary_keys)
            .bind(new.params_schema)
            .bind(new.now_ms)
            .execute(&mut **c)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(done == 1)
}

/// Removes type `key` unless some of its runs are queued or running, checked in the same
/// statement. A start that read the type just before may still queue a run after it: such a
/// run is worked as any other (workers find removed types too).
pub async fn remove(conn: &mut Conn<'_>, key: &str, now_ms: i64) -> Result<Removal, sqlx::Error> {
    const SQL: &str = "UPDATE operation_types SET removed_at = $2 \
                       WHERE key = $1 AND removed_at IS NULL \
                         AND NOT EXISTS (SELECT 1 FROM operation_runs \
                                         WHERE type = $1 AND status IN ('queued', 'running'))";
    let done = on_conn!(conn, c => {
        sqlx::query(SQL)
            .bind(key)
            .bind(now_ms)
            .execute(&mut **c)
            .await
            .map(|done| done.rows_affected())
    })?;
    if done == 1 {
        return Ok(Removal::Removed);
    }
    const REGISTERED: &str =
        "SELECT count(*) FROM operation_types WHERE key = $1 AND removed_at IS NULL";
    let registered: i64 = on_conn!(conn, c => {
        sqlx::query_scalar(REGISTERED).bind(key).fetch_one(&mut **c).await
    })?;
    Ok(if registered > 0 {
        Removal::Active
    } else {
        Removal::NotRegistered
    })
}
