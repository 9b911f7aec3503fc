//! The audit log (R19): written by the actions it records, read by the tenant's owners.

use opsux_core::UserId;
use opsux_core::wire::{AuditEntryDto, UserRef};
use uuid::Uuid;

use super::paging::{TimeCursor, split_page};
use super::{Conn, Store, on_conn, on_pool};
use crate::clock::from_ms;

/// Who took an audited action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in person (or the person a run was started by).
    Person(UserId),
    /// The `opsux` command line, run by this operating-system user.
    Console { os_user: String },
    /// A system run (started by the console or the server itself).
    System,
    /// A system run a backup schedule started (or its follow-up), by the schedule's name.
    Schedule { name: String },
}

impl Actor {
    /// The console, as the operating-system user running it (`USER`, else `LOGNAME`).
    pub fn console() -> Self {
        let os_user = ["USER", "LOGNAME"]
            .into_iter()
            .find_map(|var| std::env::var(var).ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| "unknown".to_owned());
        Self::Console { os_user }
    }

    /// A run's actor: the person who started it, or the system.
    pub fn of_initiator(initiator: Option<UserId>) -> Self {
        initiator.map_or(Self::System, Self::Person)
    }

    fn user_id(&self) -> Option<String> {
        match self {
            Self::Person(id) => Some(id.to_string()),
            Self::Console { .. } | Self::System | Self::Schedule { .. } => None,
        }
    }

    /// What the log shows for an actor who is not a person.
    fn label(&self) -> Option<String> {
        match self {
            Self::Person(_) => None,
            Self::Console { os_user } => Some(format!("cli ({os_user})")),
            Self::System => Some("system".to_owned()),
            Self::Schedule { name } => Some(format!("system (schedule {name:?})")),
        }
    }
}

/// Where an audited action belongs: one tenant, or the workspace itself (tenants added, users,
/// workspace owners, sign-in failures).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditScope {
    Tenant(Uuid),
    Workspace(Uuid),
}

/// An action to record.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub scope: AuditScope,
    pub actor: Actor,
    pub action: &'a str,
    pub before: Option<&'a serde_json::Value>,
    pub after: Option<&'a serde_json::Value>,
    /// The run whose work this is, if a run did it.
    pub run_id: Option<opsux_core::RunId>,
    pub at_ms: i64,
}

/// A run's changes as the audit log records them: its tenant, who it acts for, which run.
#[derive(Debug, Clone)]
pub struct RunAudit {
    pub tenant_id: Uuid,
    pub actor: Actor,
    pub run_id: opsux_core::RunId,
}

impl RunAudit {
    /// The entry recording `action` by this run.
    pub fn entry<'a>(
        &self,
        action: &'a str,
        before: Option<&'a serde_json::Value>,
        after: Option<&'a serde_json::Value>,
        at_ms: i64,
    ) -> NewAuditEntry<'a> {
        NewAuditEntry {
            scope: AuditScope::Tenant(self.tenant_id),
            actor: self.actor.clone(),
            action,
            before,
            after,
            run_id: Some(self.run_id),
            at_ms,
        }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    at: i64,
    actor_user_id: Option<String>,
    actor_name: Option<String>,
    actor_label: Option<String>,
    action: String,
    before: Option<String>,
    after: Option<String>,
    run_id: Option<String>,
}

/// Records `entry` on `conn`, in the transaction of the action it describes. A tenant's entry
/// also carries the tenant's workspace. The table refuses `UPDATE` and `DELETE` (triggers in the
/// migrations): what is written here stays.
pub async fn record(conn: &mut Conn<'_>, entry: &NewAuditEntry<'_>) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO audit_log \
                           (id, at, actor_user_id, actor_label, tenant_id, workspace_id, action, before, after, \
                            run_id) \
                       VALUES ($1, $2, $3, $4, $5, \
                               COALESCE($6, (SELECT workspace_id FROM tenants WHERE id = $5)), \
                               $7, $8, $9, $10)";
    let (tenant, workspace) = match entry.scope {
        AuditScope::Tenant(id) => (Some(id.to_string()), None),
        AuditScope::Workspace(id) => (None, Some(id.to_string())),
    };
    on_conn!(conn, c => {
        sqlx::query(SQL)
            .bind(Uuid::now_v7().to_string())
            .bind(entry.at_ms)
            .bind(entry.actor.user_id())
            .bind(entry.actor.label())
            .bind(tenant)
            .bind(workspace)
            .bind(entry.action)
            .bind(entry.before.map(ToString::to_string))
            .bind(entry.after.map(ToString::to_string))
            .bind(entry.run_id.map(|run| run.to_string()))
            .execute(&mut **c)
            .await
            .map(|_| ())
    })
}

impl Store {
    /// Records `entry` on its own: for a change made outside the database (a write to the
    /// tenant through its provider), recorded once the provider accepted it.
    pub async fn record_audit(&self, entry: &NewAuditEntry<'_>) -> Result<(), sqlx::Error> {
        let mut pooled = self.acquire().await?;
        record(&mut pooled.conn(), entry).await
    }

    /// A page of the audit log of `scope` (a tenant's entries, or the workspace's own),
    /// newest first.
    pub async fn audit_log(
        &self,
        scope: AuditScope,
        after: Option<TimeCursor>,
        limit: u32,
    ) -> Result<(Vec<AuditEntryDto>, Option<TimeCursor>), sqlx::Error> {
        macro_rules! page_of {
            ($scope:literal) => {
                concat!(
                    "SELECT a.id, a.at, a.actor_user_id, u.display_name AS actor_name, \
                            a.actor_label, a.action, a.before, a.after, a.run_id \
                     FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id WHERE ",
                    $scope,
                    " AND (CAST($2 AS BIGINT) IS NULL OR (a.at, a.id) < ($2, $3)) \
                     ORDER BY a.at DESC, a.id DESC LIMIT $4"
                )
            };
        }
        const TENANT: &str = page_of!("a.tenant_id = $1");
        const WORKSPACE: &str = page_of!("a.workspace_id = $1 AND a.tenant_id IS NULL");
        let (sql, id) = match scope {
            AuditScope::Tenant(id) => (TENANT, id),
            AuditScope::Workspace(id) => (WORKSPACE, id),
        };
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(sql)
                .bind(id.to_string())
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
                    actor: match (row.actor_user_id, row.actor_name.clone()) {
                        (Some(id), Some(display_name)) => {
                            id.parse().ok().map(|id| UserRef { id, display_name })
                        }
                        _ => None,
                    },
                    actor_label: row
                        .actor_name
                        .or(row.actor_label)
                        .unwrap_or_else(|| "system".to_owned()),
                    action: row.action,
                    before: json(row.before),
                    after: json(row.after),
                    run_id: row.run_id.and_then(|id| id.parse().ok()),
                })
                .collect(),
            next,
        ))
    }
}
