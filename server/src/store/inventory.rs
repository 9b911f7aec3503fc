//! The tenant's inventory: policies, their captured versions, directory groups — written by the
//! sync flows, read by the API (tenant-scoped: every read names the tenant).

use opsux_core::wire::{GroupDto, PolicyDto, PolicyVersionDto};
use uuid::Uuid;

use super::paging::{NameCursor, split_page};
use super::{Store, on_pool};
use crate::clock::from_ms;

/// A policy as the provider has it now, as inventory sync records it (the store's own view
/// of it: the provider's types stay in `provider`).
#[derive(Debug, Clone, Copy)]
pub struct SeenPolicy<'a> {
    /// The provider's id of it.
    pub external_id: &'a str,
    pub kind: &'a str,
    pub display_name: &'a str,
    pub last_modified: &'a str,
    pub version: i64,
}

/// A directory group as the provider has it now, as group sync records it.
#[derive(Debug, Clone, Copy)]
pub struct SeenGroup<'a> {
    pub external_id: &'a str,
    pub display_name: &'a str,
    pub description: Option<&'a str>,
}

/// A policy picked for a backup: our id, the provider's, and its name (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedPolicy {
    pub id: String,
    pub external_id: String,
    pub name: String,
}

/// Filters of the policies list; `None` matches everything.
#[derive(Debug, Clone, Default)]
pub struct PolicyFilter {
    pub ignored: Option<bool>,
    pub kind: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PolicyRow {
    id: String,
    external_id: String,
    kind: String,
    name: String,
    ignored: bool,
    provider_version: i64,
    last_synced_at: i64,
}

impl From<PolicyRow> for PolicyDto {
    fn from(row: PolicyRow) -> Self {
        Self {
            id: row.id,
            provider_id: row.external_id,
            kind: row.kind,
            name: row.name,
            ignored: row.ignored,
            provider_version: row.provider_version,
            last_synced_at: from_ms(row.last_synced_at),
        }
    }
}

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: String,
    name: String,
    description: Option<String>,
    last_synced_at: i64,
}

impl From<GroupRow> for GroupDto {
    fn from(row: GroupRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            description: row.description,
            last_synced_at: from_ms(row.last_synced_at),
        }
    }
}

impl Store {
    /// One page of a tenant's policies by name.
    pub async fn policies(
        &self,
        tenant_id: Uuid,
        filter: &PolicyFilter,
        after: Option<&NameCursor>,
        limit: u32,
    ) -> Result<(Vec<PolicyDto>, Option<NameCursor>), sqlx::Error> {
        const SQL: &str = "SELECT id, external_id, kind, name, ignored, provider_version, last_synced_at \
                           FROM policies WHERE tenant_id = $1 \
                             AND ($2 IS NULL OR ignored = $2) \
                             AND ($3 IS NULL OR kind = $3) \
                             AND (CAST($4 AS TEXT) IS NULL OR (name, id) > ($4, $5)) \
                           ORDER BY name, id LIMIT $6";
        let rows: Vec<PolicyRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(tenant_id.to_string())
                .bind(filter.ignored)
                .bind(filter.kind.as_deref())
                .bind(after.map(|c| c.name.as_str()))
                .bind(after.map(|c| c.id.as_str()))
                .bind(i64::from(limit) + 1)
                .fetch_all(pool)
                .await
        })?;
        let (rows, next) = split_page(rows, limit, |r| NameCursor {
            name: r.name.clone(),
            id: r.id.clone(),
        });
        Ok((rows.into_iter().map(PolicyDto::from).collect(), next))
    }

    /// One of a tenant's policies; `None` when it is another tenant's or does not exist.
    pub async fn policy(
        &self,
        tenant_id: Uuid,
        id: &str,
    ) -> Result<Option<PolicyDto>, sqlx::Error> {
        const SQL: &str = "SELECT id, external_id, kind, name, ignored, provider_version, last_synced_at \
                           FROM policies WHERE tenant_id = $1 AND id = $2";
        let row: Option<PolicyRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(tenant_id.to_string())
                .bind(id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(PolicyDto::from))
    }

    /// The tenant's policies a backup selection names, by name. `All` and `Kinds` leave
    /// ignored policies out; named ids are taken as named (those that are the tenant's).
    pub async fn policies_selected(
        &self,
        tenant_id: Uuid,
        selection: &opsux_core::wire::PolicySelection,
    ) -> Result<Vec<SelectedPolicy>, sqlx::Error> {
        use opsux_core::wire::PolicySelection;
        const COLUMNS: &str =
            "SELECT id, external_id, name, kind FROM policies WHERE tenant_id = $1";
        let (sql, ids) = match selection {
            PolicySelection::All | PolicySelection::Kinds(_) => (
                format!("{COLUMNS} AND ignored = FALSE ORDER BY name, id"),
                &[][..],
            ),
            PolicySelection::PolicyIds(ids) if ids.is_empty() => return Ok(Vec::new()),
            PolicySelection::PolicyIds(ids) => {
                let placeholders: Vec<String> =
                    (2..ids.len() + 2).map(|n| format!("${n}")).collect();
                let list = placeholders.join(", ");
                (
                    format!("{COLUMNS} AND id IN ({list}) ORDER BY name, id"),
                    &ids[..],
                )
            }
        };
        let rows: Vec<(String, String, String, String)> = on_pool!(self, pool => {
            // Only placeholders are spliced in; the ids are bound.
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(tenant_id.to_string());
            for id in ids {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .filter(|(_, _, _, kind)| match selection {
                PolicySelection::Kinds(kinds) => kinds.contains(kind),
                _ => true,
            })
            .map(|(id, external_id, name, _)| SelectedPolicy {
                id,
                external_id,
                name,
            })
            .collect())
    }

    /// The kinds of the tenant's policies, sorted.
    pub async fn policy_kinds(&self, tenant_id: Uuid) -> Result<Vec<String>, sqlx::Error> {
        const SQL: &str = "SELECT DISTINCT kind FROM policies WHERE tenant_id = $1 ORDER BY kind";
        on_pool!(self, pool => {
            sqlx::query_scalar(SQL).bind(tenant_id.to_string()).fetch_all(pool).await
        })
    }

    /// Our id of the tenant's policy with the provider's id `external_id`, if synced before.
    pub async fn policy_by_external_id(
        &self,
        tenant_id: Uuid,
        external_id: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        const SQL: &str = "SELECT id FROM policies WHERE tenant_id = $1 AND external_id = $2";
        on_pool!(self, pool => {
            sqlx::query_scalar(SQL)
                .bind(tenant_id.to_string())
                .bind(external_id)
                .fetch_optional(pool)
                .await
        })
    }

    /// A tenant's policy's captured versions, newest first.
    pub async fn policy_versions(
        &self,
        tenant_id: Uuid,
        policy_id: &str,
    ) -> Result<Vec<PolicyVersionDto>, sqlx::Error> {
        const SQL: &str = "SELECT v.id, v.provider_version, v.captured_at, v.snapshot \
                           FROM policy_versions v JOIN policies p ON p.id = v.policy_id \
                           WHERE p.tenant_id = $1 AND v.policy_id = $2 \
                           ORDER BY v.provider_version DESC";
        let rows: Vec<(String, i64, i64, String)> = on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(tenant_id.to_string())
                .bind(policy_id)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows
            .into_iter()
            // A snapshot the server itself wrote is JSON; one that is not is shown as null
            // rather than failing the whole list.
            .map(
                |(id, provider_version, captured_at, snapshot)| PolicyVersionDto {
                    id,
                    provider_version,
                    captured_at: from_ms(captured_at),
                    snapshot: serde_json::from_str(&snapshot).unwrap_or_default(),
                },
            )
            .collect())
    }

    /// One page of a tenant's directory groups by name.
    pub async fn groups(
        &self,
        tenant_id: Uuid,
        after: Option<&NameCursor>,
        limit: u32,
    ) -> Result<(Vec<GroupDto>, Option<NameCursor>), sqlx::Error> {
        const SQL: &str = "SELECT id, name, description, last_synced_at FROM directory_groups \
                           WHERE tenant_id = $1 \
                             AND (CAST($2 AS TEXT) IS NULL OR (name, id) > ($2, $3)) \
                           ORDER BY name, id LIMIT $4";
        let rows: Vec<GroupRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(tenant_id.to_string())
                .bind(after.map(|c| c.name.as_str()))
                .bind(after.map(|c| c.id.as_str()))
                .bind(i64::from(limit) + 1)
                .fetch_all(pool)
                .await
        })?;
        let (rows, next) = split_page(rows, limit, |r| NameCursor {
            name: r.name.clone(),
            id: r.id.clone(),
        });
        Ok((rows.into_iter().map(GroupDto::from).collect(), next))
    }

    /// Records a policy as the provider has it now (inventory sync); returns its id here.
    /// A policy seen before keeps its id and its ignored flag.
    pub async fn upsert_policy(
        &self,
        tenant_id: Uuid,
        policy: &SeenPolicy<'_>,
        now_ms: i64,
    ) -> Result<String, sqlx::Error> {
        const SQL: &str = "INSERT INTO policies (id, tenant_id, external_id, kind, name, \
                               provider_version, last_modified, last_synced_at) \
                           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                           ON CONFLICT (tenant_id, external_id) DO UPDATE SET \
                               kind = excluded.kind, name = excluded.name, \
                               provider_version = excluded.provider_version, \
                               last_modified = excluded.last_modified, \
                               last_synced_at = excluded.last_synced_at \
                           RETURNING id";
        on_pool!(self, pool => {
            sqlx::query_scalar(SQL)
                .bind(Uuid::now_v7().to_string())
                .bind(tenant_id.to_string())
                .bind(policy.external_id)
                .bind(policy.kind)
                .bind(policy.display_name)
                .bind(policy.version)
                .bind(policy.last_modified)
                .bind(now_ms)
                .fetch_one(pool)
                .await
        })
    }

    /// Keeps `snapshot` as the policy's version `provider_version` unless that version is
    /// already kept; `true` when it is new.
    pub async fn capture_version(
        &self,
        policy_id: &str,
        provider_version: i64,
        snapshot: &serde_json::Value,
        now_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        const SQL: &str = "INSERT INTO policy_versions \
                               (id, policy_id, provider_version, snapshot, captured_at) \
                           VALUES ($1, $2, $3, $4, $5) \
                           ON CONFLICT (policy_id, provider_version) DO NOTHING";
        let inserted = on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(Uuid::now_v7().to_string())
                .bind(policy_id)
                .bind(provider_version)
                .bind(snapshot.to_string())
                .bind(now_ms)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(inserted == 1)
    }

    /// Sets or clears the ignored flag of the tenant's policies `ids`; how many changed.
    pub async fn set_ignored(
        &self,
        tenant_id: Uuid,
        ids: &[String],
        ignored: bool,
    ) -> Result<u64, sqlx::Error> {
        const SQL: &str =
            "UPDATE policies SET ignored = $1 WHERE tenant_id = $2 AND id = $3 AND ignored <> $1";
        let mut changed = 0;
        for id in ids {
            changed += on_pool!(self, pool => {
                sqlx::query(SQL)
                    .bind(ignored)
                    .bind(tenant_id.to_string())
                    .bind(id)
                    .execute(pool)
                    .await?
                    .rows_affected()
            });
        }
        Ok(changed)
    }

    /// Records a directory group as the provider has it now (group sync).
    pub async fn upsert_group(
        &self,
        tenant_id: Uuid,
        group: &SeenGroup<'_>,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        const SQL: &str = "INSERT INTO directory_groups \
                               (id, tenant_id, external_id, name, description, last_synced_at) \
                           VALUES ($1, $2, $3, $4, $5, $6) \
                           ON CONFLICT (tenant_id, external_id) DO UPDATE SET \
                               name = excluded.name, description = excluded.description, \
                               last_synced_at = excluded.last_synced_at";
        on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(Uuid::now_v7().to_string())
                .bind(tenant_id.to_string())
                .bind(group.external_id)
                .bind(group.display_name)
                .bind(group.description)
                .bind(now_ms)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }
}
