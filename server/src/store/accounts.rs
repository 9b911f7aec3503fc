//! Users, workspaces, tenants and memberships: what sign-in, the tenant guard and the demo data
//! set read and write.

use opsux_core::wire::TenantAccessDto;
use opsux_core::{Role, TenantSlug, UserId};
use uuid::Uuid;

use super::{Conn, Store, on_conn, on_pool};

/// A user as stored, with the hash sign-in verifies against.
#[derive(Debug, sqlx::FromRow)]
pub struct StoredUser {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    /// When the user was disabled; such a user cannot sign in.
    pub disabled_at: Option<i64>,
}

/// A tenant by its ids and slug: what runs, audit entries and guards refer to it by.
#[derive(Debug, Clone)]
pub struct TenantRef {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub slug: TenantSlug,
}

/// A member's view of one tenant, as the tenant guard resolves it (R16).
#[derive(Debug, Clone)]
pub struct Membership {
    pub tenant: TenantRef,
    pub tenant_name: String,
    /// As stored; the caller parses it and refuses a value the contract does not know.
    pub role: String,
}

impl Store {
    /// The user with this e-mail (compared without regard to ASCII case).
    pub async fn user_by_email(&self, email: &str) -> Result<Option<StoredUser>, sqlx::Error> {
        const SQL: &str = "SELECT id, email, display_name, password_hash, disabled_at FROM users \
                           WHERE lower(email) = lower($1)";
        on_pool!(self, pool => sqlx::query_as(SQL).bind(email).fetch_optional(pool).await)
    }

    /// The tenants `user` belongs to, by name, with role and capabilities. A row the contract
    /// rejects (unknown role, bad slug) is left out rather than failing the whole answer.
    pub async fn tenants_of(&self, user: UserId) -> Result<Vec<TenantAccessDto>, sqlx::Error> {
        const SQL: &str = "SELECT t.slug, t.name, m.role FROM memberships m \
                           JOIN tenants t ON t.id = m.tenant_id \
                           WHERE m.user_id = $1 ORDER BY t.name";
        let rows: Vec<(String, String, String)> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(user.to_string()).fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(slug, name, role)| {
                let role = Role::parse(&role)?;
                Some(TenantAccessDto {
                    slug: TenantSlug::parse(&slug).ok()?,
                    name,
                    role,
                    capabilities: role.capabilities(),
                })
            })
            .collect())
    }

    /// `user`'s membership of the tenant named `slug`; `None` when either is missing, so the
    /// caller cannot tell a stranger's tenant from no tenant (R16).
    pub async fn membership(
        &self,
        user: UserId,
        slug: &TenantSlug,
    ) -> Result<Option<Membership>, sqlx::Error> {
        const SQL: &str = "SELECT t.id, t.workspace_id, t.name, m.role FROM tenants t \
                           JOIN memberships m ON m.tenant_id = t.id AND m.user_id = $1 \
                           WHERE t.slug = $2";
        let row: Option<(String, String, String, String)> = on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(user.to_string())
                .bind(slug.as_str())
                .fetch_optional(pool)
                .await
        })?;
        let Some((id, workspace_id, tenant_name, role)) = row else {
            return Ok(None);
        };
        Ok(Some(Membership {
            tenant: TenantRef {
                id: parse_uuid(&id)?,
                workspace_id: parse_uuid(&workspace_id)?,
                slug: slug.clone(),
            },
            tenant_name,
            role,
        }))
    }

    /// Whether `user` is (still) a member of the tenant.
    pub async fn is_member(&self, user: UserId, tenant_id: Uuid) -> Result<bool, sqlx::Error> {
        const SQL: &str = "SELECT COUNT(*) FROM memberships WHERE user_id = $1 AND tenant_id = $2";
        let n: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(SQL)
                .bind(user.to_string())
                .bind(tenant_id.to_string())
                .fetch_one(pool)
                .await
        })?;
        Ok(n == 1)
    }

    /// Ends `user`'s membership of the tenant; `false` if there was none. Their open streams
    /// of that tenant end at their next access check (R16).
    pub async fn remove_membership(
        &self,
        user: UserId,
        tenant_id: Uuid,
    ) -> Result<bool, sqlx::Error> {
        const SQL: &str = "DELETE FROM memberships WHERE user_id = $1 AND tenant_id = $2";
        let removed = on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(user.to_string())
                .bind(tenant_id.to_string())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(removed == 1)
    }

    /// Every tenant, for system work across them (the scheduler).
    pub async fn tenants(&self) -> Result<Vec<TenantRef>, sqlx::Error> {
        const SQL: &str = "SELECT id, workspace_id, slug FROM tenants ORDER BY slug";
        let rows: Vec<(String, String, String)> =
            on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await)?;
        rows.into_iter()
            .filter_map(|(id, workspace_id, slug)| {
                let slug = TenantSlug::parse(&slug).ok()?;
                Some((id, workspace_id, slug))
            })
            .map(|(id, workspace_id, slug)| {
                Ok(TenantRef {
                    id: parse_uuid(&id)?,
                    workspace_id: parse_uuid(&workspace_id)?,
                    slug,
                })
            })
            .collect()
    }

    /// The tenant named `slug`, for system callers (the CLI, the scheduler, tests) that act
    /// without a member.
    pub async fn tenant(&self, slug: &TenantSlug) -> Result<Option<TenantRef>, sqlx::Error> {
        const SQL: &str = "SELECT id, workspace_id FROM tenants WHERE slug = $1";
        let row: Option<(String, String)> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(slug.as_str()).fetch_optional(pool).await
        })?;
        row.map(|(id, workspace_id)| {
            Ok(TenantRef {
                id: parse_uuid(&id)?,
                workspace_id: parse_uuid(&workspace_id)?,
                slug: slug.clone(),
            })
        })
        .transpose()
    }
}

fn parse_uuid(s: &str) -> Result<Uuid, sqlx::Error> {
    Uuid::parse_str(s).map_err(|e| sqlx::Error::Decode(format!("stored id {s:?}: {e}").into()))
}

/// Writes of the directory, inside a transaction the caller owns (the demo data set).
pub async fn insert_workspace(
    conn: &mut Conn<'_>,
    id: Uuid,
    name: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)";
    on_conn!(conn, c => {
        sqlx::query(SQL).bind(id.to_string()).bind(name).bind(now_ms).execute(&mut **c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn insert_tenant(
    conn: &mut Conn<'_>,
    id: Uuid,
    workspace_id: Uuid,
    slug: &str,
    name: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO tenants (id, workspace_id, slug, name, created_at) \
                       VALUES ($1, $2, $3, $4, $5)";
    on_conn!(conn, c => {
        sqlx::query(SQL)
            .bind(id.to_string())
            .bind(workspace_id.to_string())
            .bind(slug)
            .bind(name)
            .bind(now_ms)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn insert_user(
    conn: &mut Conn<'_>,
    id: Uuid,
    email: &str,
    display_name: &str,
    password_hash: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO users (id, email, display_name, password_hash, created_at) \
                       VALUES ($1, $2, $3, $4, $5)";
    on_conn!(conn, c => {
        sqlx::query(SQL)
            .bind(id.to_string())
            .bind(email)
            .bind(display_name)
            .bind(password_hash)
            .bind(now_ms)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn insert_membership(
    conn: &mut Conn<'_>,
    user_id: Uuid,
    tenant_id: Uuid,
    role: Role,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)";
    on_conn!(conn, c => {
        sqlx::query(SQL)
            .bind(user_id.to_string())
            .bind(tenant_id.to_string())
            .bind(role.as_str())
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}
