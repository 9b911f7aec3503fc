//! The audit log (R19): written by the actions it records, read by the tenant's owners.

use opsux_core::UserId;
use opsux_core::wire::{AuditEntryDto, UserRef};
use uuid::Uuid;

use super::paging::{TimeCursor, split_page};
use super::{Conn, Store, on_conn, on_pool};
use crate::clock::from_ms;

/// An action to record.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub tenant_id: Uuid,
    /// `None` for the system.
    pub actor: Option<UserId>,
    pub action: &'a str,
    pub before: Option<&'a serde_json::Value>,
    pub after: Option<&'a serde_json::Value>,
    pub at_ms: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    at: i64,
    actor_user_id: Option<String>,
    actor_name: Option<String>,
    action: String,
    before: Option<String>,
    after: Option<String>,
}

/// Records `entry` on `conn`, in the transaction of the action it describes.
pub async fn record(conn: &mut Conn<'_>, entry: &NewAuditEntry<'_>) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO audit_log (id, at, actor_user_id, tenant_id, action, before, after) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7)";
    on_conn!(conn, c => {
        sqlx::query(SQL)
            .bind(Uuid::now_v7().to_string())
            .bind(entry.at_ms)
            .bind(entry.actor.map(|u| u.to_string()))
            .bind(entry.tenant_id.to_string())
            .bind(entry.action)
            .bind(entry.before.map(ToString::to_string))
            .bind(entry.after.map(ToString::to_string))
            .execute(&mut **c)
            .await
            .map(|_| ())
    })
}

impl Store {
    /// A page of the tenant's audit log, newest first.
    pub async fn audit_log(
        &self,
        tenant_id: Uuid,
        after: Option<TimeCursor>,
        limit: u32,
    ) -> Result<(Vec<AuditEntryDto>, Option<TimeCursor>), sqlx::Error> {
        const SQL: &str = "SELECT a.id, a.at, a.actor_user_id, u.display_name AS actor_name, \
                                  a.action, a.before, a.after \
                           FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id \
                           WHERE a.tenant_id = $1 \
                             AND (CAST($2 AS BIGINT) IS NULL OR (a.at, a.id) < ($2, $3)) \
                           ORDER BY a.at DESC, a.id DESC LIMIT $4";
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(tenant_id.to_string())
                .bind(after.map(|c| c.at_ms))
                .bind(after.map(|c| c.id.to_string()))
                .bind(i64::from(limit) + 1)
                .fetch_all(pool)
                .await
        })?;
        let (rows, next) = split_page(rows, limit, |r| TimeCursor {
            at_ms: r.at,
            id: r.id.parse().unwrap_or_default(),
        });
        let json = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
        Ok((
            rows.into_iter()
                .map(|row| AuditEntryDto {
                    id: row.id,
                    at: from_ms(row.at),
                    actor: match (row.actor_user_id, row.actor_name) {
                        (Some(id), Some(display_name)) => {
                            id.parse().ok().map(|id| UserRef { id, display_name })
                        }
                        _ => None,
                    },
                    action: row.action,
                    before: json(row.before),
                    after: json(row.after),
                })
                .collect(),
            next,
        ))
    }
}
