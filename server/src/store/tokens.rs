//! Tenant API tokens, stored by the SHA-256 of their secret: created, listed, revoked, and
//! looked up when one is presented.

use uuid::Uuid;

use super::{Conn, Store, on_conn, on_pool};

/// A token as its list shows it: never its secret.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub scopes: String,
    pub types: Option<String>,
    pub created_by_name: Option<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

/// A live token presented with a request: what it may do, and where.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PresentedToken {
    pub id: String,
    pub tenant_id: String,
    pub workspace_id: String,
    pub tenant_slug: String,
    pub name: String,
    pub scopes: String,
    pub types: Option<String>,
}

pub struct NewToken<'a> {
    pub id: Uuid,
    pub tenant_id: &'a str,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub scopes: &'a str,
    pub types: Option<&'a str>,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

impl Store {
    /// The tenant's tokens not revoked (expired ones included), newest first.
    pub async fn live_tokens(&self, tenant_id: &str) -> Result<Vec<TokenRow>, sqlx::Error> {
        const SQL: &str = "SELECT k.id, k.name, k.scopes, k.types, \
                                  u.display_name AS created_by_name, k.created_at, k.expires_at \
                           FROM api_tokens k LEFT JOIN users u ON u.id = k.created_by \
                           WHERE k.tenant_id = $1 AND k.revoked_at IS NULL \
                           ORDER BY k.created_at DESC, k.id DESC";
        on_pool!(self, pool => sqlx::query_as(SQL).bind(tenant_id).fetch_all(pool).await)
    }

    /// The token whose secret hashes to `token_hash`, if it is neither revoked nor expired at
    /// `now_ms`.
    pub async fn presented_token(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<PresentedToken>, sqlx::Error> {
        const SQL: &str = "SELECT k.id, k.tenant_id, t.workspace_id, t.slug AS tenant_slug, k.name, k.scopes, \
                                  k.types \
                           FROM api_tokens k JOIN tenants t ON t.id = k.tenant_id \
                           WHERE k.token_hash = $1 AND k.revoked_at IS NULL \
                             AND (k.expires_at IS NULL OR k.expires_at > $2)";
        on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(token_hash).bind(now_ms).fetch_optional(pool).await
        })
    }
}

/// Stores a new token; `false` when the tenant already has a live token of that name.
pub async fn insert_token(conn: &mut Conn<'_>, new: &NewToken<'_>) -> Result<bool, sqlx::Error> {
    const SQL: &str = "INSERT INTO api_tokens \
                           (id, tenant_id, name, token_hash, scopes, types, created_by, \
                            created_at, expires_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                       ON CONFLICT (tenant_id, name) WHERE revoked_at IS NULL DO NOTHING";
    let inserted = on_conn!(conn, c => {
        sqlx::query(SQL)
            .bind(new.id.to_string())
            .bind(new.tenant_id)
            .bind(new.name)
            .bind(new.token_hash)
            .bind(new.scopes)
            .bind(new.types)
            .bind(new.created_by.clone())
            .bind(new.created_at)
            .bind(new.expires_at)
            .execute(&mut **c)
            .await?
            .rows_affected()
    });
    Ok(inserted == 1)
}

/// Revokes the tenant's live token `name`; its id and scopes, or `None` if there is none.
pub async fn revoke_token(
    conn: &mut Conn<'_>,
    tenant_id: &str,
    name: &str,
    now_ms: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    const SQL: &str = "UPDATE api_tokens SET revoked_at = $3 \
                       WHERE tenant_id = $1 AND name = $2 AND revoked_at IS NULL \
                       RETURNING id, scopes";
    on_conn!(conn, c => {
        sqlx::query_as(SQL).bind(tenant_id).bind(name).bind(now_ms).fetch_optional(&mut **c).await
    })
}
