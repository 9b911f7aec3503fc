//! Invitations to a tenant: single-use links, stored by the SHA-256 of their token, that expire
//! and can be revoked. Taking one is one conditional `UPDATE`, so a link is used at most once.

use uuid::Uuid;

use super::{Conn, Store, on_conn, on_pool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: String,
    pub tenant_id: String,
    pub email: String,
    pub role: String,
    pub created_by_name: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A valid invitation as the person opening its link sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenInvitation {
    pub id: String,
    pub tenant_id: String,
    pub tenant_slug: String,
    pub tenant_name: String,
    pub email: String,
    pub role: String,
    pub expires_at: i64,
}

/// An invitation just accepted.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TakenInvitation {
    pub id: String,
    pub tenant_id: String,
    pub email: String,
    pub role: String,
}

pub struct NewInvitation<'a> {
    pub id: Uuid,
    pub tenant_id: &'a str,
    pub email: &'a str,
    pub role: &'a str,
    pub token_hash: &'a str,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Store {
    /// The tenant's invitations not yet accepted or revoked (expired ones included), newest
    /// first.
    pub async fn pending_invitations(
        &self,
        tenant_id: Uuid,
    ) -> Result<Vec<InvitationRow>, sqlx::Error> {
        const SQL: &str = "SELECT i.id, i.tenant_id, i.email, i.role, u.display_name AS created_by_name, \
                                  i.created_at, i.expires_at \
                           FROM invitations i LEFT JOIN users u ON u.id = i.created_by \
                           WHERE i.tenant_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL \
                           ORDER BY i.created_at DESC, i.id DESC";
        on_pool!(self, pool => sqlx::query_as(SQL).bind(tenant_id.to_string()).fetch_all(pool).await)
    }

    /// The invitation whose token hashes to `token_hash`, if it can still be accepted at `now_ms`.
    pub async fn open_invitation(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<OpenInvitation>, sqlx::Error> {
        const SQL: &str = "SELECT i.id, i.tenant_id, t.slug AS tenant_slug, t.name AS tenant_name, \
                                  i.email, i.role, i.expires_at \
                           FROM invitations i JOIN tenants t ON t.id = i.tenant_id \
                           WHERE i.token_hash = $1 AND i.accepted_at IS NULL \
                             AND i.revoked_at IS NULL AND i.expires_at > $2";
        on_pool!(self, pool => sqlx::query_as(SQL).bind(token_hash).bind(now_ms).fetch_optional(pool).await)
    }
}

pub async fn insert_invitation(
    conn: &mut Conn<'_>,
    new: &NewInvitation<'_>,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO invitations \
                           (id, tenant_id, email, role, token_hash, created_by, created_at, expires_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    on_conn!(conn, c => {
        sqlx::query(SQL)
            .bind(new.id.to_string())
            .bind(new.tenant_id)
            .bind(new.email)
            .bind(new.role)
            .bind(new.token_hash)
            .bind(new.created_by.clone())
            .bind(new.created_at)
            .bind(new.expires_at)
            .execute(&mut **c)
            .await
            .map(|_| ())
    })
}

/// Revokes the tenant's invitation `id` if it is still open; what it was.
pub async fn revoke_invitation(
    conn: &mut Conn<'_>,
    tenant_id: &str,
    id: &str,
    now_ms: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    const SQL: &str = "UPDATE invitations SET revoked_at = $3 \
                       WHERE tenant_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL \
                       RETURNING email, role";
    on_conn!(conn, c => {
        sqlx::query_as(SQL).bind(tenant_id).bind(id).bind(now_ms).fetch_optional(&mut **c).await
    })
}

/// Marks the invitation accepted if it still can be, in the caller's transaction: of two
/// people opening one link, one gets it.
pub async fn take_invitation(
    conn: &mut Conn<'_>,
    token_hash: &str,
    now_ms: i64,
) -> Result<Option<TakenInvitation>, sqlx::Error> {
    const SQL: &str = "UPDATE invitations SET accepted_at = $2 \
                       WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL \
                         AND expires_at > $2 \
                       RETURNING id, tenant_id, email, role";
    on_conn!(conn, c => {
        sqlx::query_as(SQL).bind(token_hash).bind(now_ms).fetch_optional(&mut **c).await
    })
}
