//! The organisation's directory as its owners manage it: the workspace and its owners, tenants,
//! users and memberships. Writes take the caller's transaction, so each goes with its audit
//! entry (`org/` composes them); reads feed the command line's lists and the panel's Members and
//! Workspace pages.

use uuid::Uuid;

use super::{Conn, Store, on_conn, on_pool};

/// The workspace an organisation set up with `opsux init` (or the demo's).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WorkspaceRow {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TenantRow {
    pub id: String,
    pub workspace_id: String,
    pub slug: String,
    pub name: String,
    pub created_at: i64,
    /// How many people belong to it.
    pub members: i64,
    /// Whether opsux holds provider credentials for it.
    pub connected: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
    pub last_sign_in_at: Option<i64>,
}

/// A member of one tenant, as the Members page and `member list` show them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub disabled_at: Option<i64>,
    pub last_sign_in_at: Option<i64>,
}

/// The columns of a [`UserRow`], from `users u`.
macro_rules! user_columns {
    () => {
        "u.id, u.email, u.display_name, u.created_at, u.disabled_at, u.last_sign_in_at"
    };
}

impl Store {
    /// The e-mail addresses of the accounts whose failed sign-ins were last recorded before
    /// `before_ms` and have more pending.
    pub async fn sign_in_failures_due(&self, before_ms: i64) -> Result<Vec<String>, sqlx::Error> {
        const SQL: &str = "SELECT u.email FROM sign_in_failures f JOIN users u ON u.id = f.user_id \
                           WHERE f.pending > 0 AND f.recorded_at <= $1 ORDER BY u.email";
        on_pool!(self, pool => sqlx::query_scalar(SQL).bind(before_ms).fetch_all(pool).await)
    }

    /// The workspace, if the database has one (the first made, should there be several).
    pub async fn workspace(&self) -> Result<Option<WorkspaceRow>, sqlx::Error> {
        const SQL: &str = "SELECT id, name FROM workspaces ORDER BY created_at, id LIMIT 1";
        on_pool!(self, pool => sqlx::query_as(SQL).fetch_optional(pool).await)
    }

    /// Every tenant of the workspace, by slug.
    pub async fn tenant_list(&self, workspace_id: &str) -> Result<Vec<TenantRow>, sqlx::Error> {
        const SQL: &str = "SELECT t.id, t.workspace_id, t.slug, t.name, t.created_at, \
                                  (SELECT COUNT(*) FROM memberships m WHERE m.tenant_id = t.id) AS members, \
                                  EXISTS (SELECT 1 FROM tenant_connections c WHERE c.tenant_id = t.id) AS connected \
                           FROM tenants t WHERE t.workspace_id = $1 ORDER BY t.slug";
        on_pool!(self, pool => sqlx::query_as(SQL).bind(workspace_id).fetch_all(pool).await)
    }

    /// Every user, by e-mail address.
    pub async fn user_list(&self) -> Result<Vec<UserRow>, sqlx::Error> {
        const SQL: &str = concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u ORDER BY lower(u.email)"
        );
        on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await)
    }

    /// The tenant's members: owners first, then by name.
    pub async fn members_of(&self, tenant_id: Uuid) -> Result<Vec<MemberRow>, sqlx::Error> {
        const SQL: &str = "SELECT u.id AS user_id, u.email, u.display_name, m.role, \
                                  u.disabled_at, u.last_sign_in_at \
                           FROM memberships m JOIN users u ON u.id = m.user_id \
                           WHERE m.tenant_id = $1 \
                           ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'operator' THEN 1 ELSE 2 END, \
                                    lower(u.display_name), u.id";
        on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(tenant_id.to_string()).fetch_all(pool).await
        })
    }

    /// The workspace's owners, by name.
    pub async fn workspace_owners(&self, workspace_id: &str) -> Result<Vec<UserRow>, sqlx::Error> {
        const SQL: &str = concat!(
            "SELECT ",
            user_columns!(),
            " FROM workspace_owners o JOIN users u ON u.id = o.user_id \
             WHERE o.workspace_id = $1 ORDER BY lower(u.display_name), u.id"
        );
        on_pool!(self, pool => sqlx::query_as(SQL).bind(workspace_id).fetch_all(pool).await)
    }

    /// Whether `user_id` owns the workspace.
    pub async fn is_workspace_owner(
        &self,
        workspace_id: &str,
        user_id: &str,
    ) -> Result<bool, sqlx::Error> {
        const SQL: &str =
            "SELECT COUNT(*) FROM workspace_owners WHERE workspace_id = $1 AND user_id = $2";
        let n: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(SQL).bind(workspace_id).bind(user_id).fetch_one(pool).await
        })?;
        Ok(n > 0)
    }
}

/// Whether the database holds a workspace yet (read inside the transaction that would make one).
pub async fn has_workspace(conn: &mut Conn<'_>) -> Result<bool, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM workspaces";
    let n: i64 = on_conn!(conn, c => sqlx::query_scalar(SQL).fetch_one(&mut **c).await)?;
    Ok(n > 0)
}

/// Serializes changes of one tenant's memberships: the row lock (PostgreSQL) or the write lock
/// (SQLite) taken here is held to the commit, so two revocations cannot each see another owner
/// left (R21). `false` when the tenant does not exist.
pub async fn lock_tenant(conn: &mut Conn<'_>, tenant_id: &str) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE tenants SET name = name WHERE id = $1";
    let n = on_conn!(conn, c => {
        sqlx::query(SQL).bind(tenant_id).execute(&mut **c).await.map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Serializes changes of one user (password, disabling) the same way.
pub async fn lock_user(conn: &mut Conn<'_>, user_id: &str) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE users SET email = email WHERE id = $1";
    let n = on_conn!(conn, c => {
        sqlx::query(SQL).bind(user_id).execute(&mut **c).await.map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn tenant_by_slug(
    conn: &mut Conn<'_>,
    slug: &str,
) -> Result<Option<TenantRow>, sqlx::Error> {
    const SQL: &str = "SELECT t.id, t.workspace_id, t.slug, t.name, t.created_at, \
                              (SELECT COUNT(*) FROM memberships m WHERE m.tenant_id = t.id) AS members, \
                              EXISTS (SELECT 1 FROM tenant_connections c WHERE c.tenant_id = t.id) AS connected \
                       FROM tenants t WHERE t.slug = $1";
    on_conn!(conn, c => sqlx::query_as(SQL).bind(slug).fetch_optional(&mut **c).await)
}

pub async fn user_by_email(
    conn: &mut Conn<'_>,
    email: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    const SQL: &str = concat!(
        "SELECT ",
        user_columns!(),
        " FROM users u WHERE lower(u.email) = lower($1)"
    );
    on_conn!(conn, c => sqlx::query_as(SQL).bind(email).fetch_optional(&mut **c).await)
}

pub async fn user_by_id(conn: &mut Conn<'_>, id: &str) -> Result<Option<UserRow>, sqlx::Error> {
    const SQL: &str = concat!("SELECT ", user_columns!(), " FROM users u WHERE u.id = $1");
    on_conn!(conn, c => sqlx::query_as(SQL).bind(id).fetch_optional(&mut **c).await)
}

pub async fn rename_tenant(
    conn: &mut Conn<'_>,
    tenant_id: &str,
    name: &str,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE tenants SET name = $2 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(SQL).bind(tenant_id).bind(name).execute(&mut **c).await.map(|_| ()))
}

pub async fn insert_workspace_owner(
    conn: &mut Conn<'_>,
    workspace_id: &str,
    user_id: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO workspace_owners (workspace_id, user_id, created_at) \
                       VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
    on_conn!(conn, c => {
        sqlx::query(SQL).bind(workspace_id).bind(user_id).bind(now_ms).execute(&mut **c).await.map(|_| ())
    })
}

pub async fn workspace_owner_ids(
    conn: &mut Conn<'_>,
    workspace_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    const SQL: &str =
        "SELECT user_id FROM workspace_owners WHERE workspace_id = $1 ORDER BY user_id";
    on_conn!(conn, c => sqlx::query_scalar(SQL).bind(workspace_id).fetch_all(&mut **c).await)
}

/// The member's role in the tenant, as stored.
pub async fn role_of(
    conn: &mut Conn<'_>,
    user_id: &str,
    tenant_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    const SQL: &str = "SELECT role FROM memberships WHERE user_id = $1 AND tenant_id = $2";
    on_conn!(conn, c => sqlx::query_scalar(SQL).bind(user_id).bind(tenant_id).fetch_optional(&mut **c).await)
}

/// The ids of the tenants `user_id` owns, in id order (the order locks are taken in).
pub async fn tenants_owned_by(
    conn: &mut Conn<'_>,
    user_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    const SQL: &str = "SELECT tenant_id FROM memberships \
                       WHERE user_id = $1 AND role = 'owner' ORDER BY tenant_id";
    on_conn!(conn, c => sqlx::query_scalar(SQL).bind(user_id).fetch_all(&mut **c).await)
}

/// Serializes the making of a workspace: on PostgreSQL a transaction-scoped advisory lock (two
/// `opsux init` at once make one workspace); SQLite's write lock, taken with `BEGIN IMMEDIATE`,
/// already does.
pub async fn lock_workspaces(conn: &mut Conn<'_>) -> Result<(), sqlx::Error> {
    /// Any constant shared by every process: "opsux" and 1.
    const KEY: i64 = 0x6f70_7375_7801;
    match conn {
        Conn::Sqlite(_) => Ok(()),
        Conn::Postgres(c) => sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(KEY)
            .execute(&mut **c)
            .await
            .map(|_| ()),
    }
}

/// Makes `user_id` a member of the tenant with `role`, or changes the role they have.
pub async fn set_membership(
    conn: &mut Conn<'_>,
    user_id: &str,
    tenant_id: &str,
    role: &str,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, $3) \
                       ON CONFLICT (user_id, tenant_id) DO UPDATE SET role = excluded.role";
    on_conn!(conn, c => {
        sqlx::query(SQL).bind(user_id).bind(tenant_id).bind(role).execute(&mut **c).await.map(|_| ())
    })
}

pub async fn delete_membership(
    conn: &mut Conn<'_>,
    user_id: &str,
    tenant_id: &str,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "DELETE FROM memberships WHERE user_id = $1 AND tenant_id = $2";
    let n = on_conn!(conn, c => {
        sqlx::query(SQL).bind(user_id).bind(tenant_id).execute(&mut **c).await.map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn set_password_hash(
    conn: &mut Conn<'_>,
    user_id: &str,
    hash: &str,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE users SET password_hash = $2 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(SQL).bind(user_id).bind(hash).execute(&mut **c).await.map(|_| ()))
}

/// Disables the user from `at_ms` on, or enables them (`None`).
pub async fn set_disabled(
    conn: &mut Conn<'_>,
    user_id: &str,
    at_ms: Option<i64>,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE users SET disabled_at = $2 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(SQL).bind(user_id).bind(at_ms).execute(&mut **c).await.map(|_| ()))
}

/// Ends every session of the user; how many there were.
pub async fn delete_sessions_of(conn: &mut Conn<'_>, user_id: &str) -> Result<u64, sqlx::Error> {
    delete_sessions_but(conn, user_id, None).await
}

/// Ends every session of the user but `keep` (a token hash); how many there were.
pub async fn delete_sessions_but(
    conn: &mut Conn<'_>,
    user_id: &str,
    keep: Option<&str>,
) -> Result<u64, sqlx::Error> {
    const SQL: &str = "DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2";
    on_conn!(conn, c => {
        sqlx::query(SQL).bind(user_id).bind(keep).execute(&mut **c).await.map(|r| r.rows_affected())
    })
}

/// Whether `err` is a unique constraint refusing a duplicate.
pub fn is_duplicate(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// How many enabled owners the tenant has besides `user_id`.
pub async fn other_enabled_owners(
    conn: &mut Conn<'_>,
    tenant_id: &str,
    user_id: &str,
) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id \
                       WHERE m.tenant_id = $1 AND m.role = 'owner' AND m.user_id <> $2 \
                         AND u.disabled_at IS NULL";
    on_conn!(conn, c => sqlx::query_scalar(SQL).bind(tenant_id).bind(user_id).fetch_one(&mut **c).await)
}

/// The slugs of the tenants whose only enabled owner is `user_id`.
pub async fn tenants_only_owned_by(
    conn: &mut Conn<'_>,
    user_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    const SQL: &str = "SELECT t.slug FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
                       WHERE m.user_id = $1 AND m.role = 'owner' AND NOT EXISTS ( \
                           SELECT 1 FROM memberships o JOIN users u ON u.id = o.user_id \
                           WHERE o.tenant_id = m.tenant_id AND o.role = 'owner' \
                             AND o.user_id <> $1 AND u.disabled_at IS NULL) \
                       ORDER BY t.slug";
    on_conn!(conn, c => sqlx::query_scalar(SQL).bind(user_id).fetch_all(&mut **c).await)
}

pub async fn set_last_sign_in(
    conn: &mut Conn<'_>,
    user_id: &str,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE users SET last_sign_in_at = $2 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(SQL).bind(user_id).bind(at_ms).execute(&mut **c).await.map(|_| ()))
}

/// Adds `failed` to the account's failures not yet in the audit log; returns how many are
/// pending and when they were last recorded (0: never).
pub async fn count_sign_in_failures(
    conn: &mut Conn<'_>,
    user_id: &str,
    failed: i64,
) -> Result<(i64, i64), sqlx::Error> {
    const SQL: &str = "INSERT INTO sign_in_failures (user_id, pending, recorded_at) VALUES ($1, $2, 0) \
                       ON CONFLICT (user_id) DO UPDATE SET pending = sign_in_failures.pending + $2 \
                       RETURNING pending, recorded_at";
    on_conn!(conn, c => sqlx::query_as(SQL).bind(user_id).bind(failed).fetch_one(&mut **c).await)
}

/// The account's pending failures are in the audit log now.
pub async fn sign_in_failures_recorded(
    conn: &mut Conn<'_>,
    user_id: &str,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str =
        "UPDATE sign_in_failures SET pending = 0, recorded_at = $2 WHERE user_id = $1";
    on_conn!(conn, c => sqlx::query(SQL).bind(user_id).bind(at_ms).execute(&mut **c).await.map(|_| ()))
}
