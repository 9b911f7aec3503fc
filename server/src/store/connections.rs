//! How each tenant reaches its provider. The client secret arrives here already sealed
//! (`crate::secrets`): the database never holds it in the clear.

use uuid::Uuid;

use super::{Conn, Store, on_conn, on_pool};

/// A tenant's provider connection, as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Connection {
    pub directory_id: String,
    pub client_id: String,
    /// The client secret sealed with the server's secrets key.
    pub secret_sealed: String,
    pub login_url: String,
    pub graph_url: String,
}

impl Store {
    /// Sets (or replaces) the tenant's provider connection.
    pub async fn set_connection(
        &self,
        tenant_id: Uuid,
        connection: &Connection,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        let mut pooled = self.acquire().await?;
        set_connection(&mut pooled.conn(), tenant_id, connection, now_ms).await
    }

    /// Reseals the stored secrets — tenants' client secrets and webhook endpoints' signing
    /// secrets — with `reseal` (tenant id, the field it is sealed for, sealed → sealed anew,
    /// or `None` to leave it) in one transaction: all change, or — at the first that cannot,
    /// whose tenant the error names — none. How many changed.
    pub async fn reseal_secrets<E>(
        &self,
        mut reseal: impl FnMut(Uuid, &str, &str) -> Result<Option<String>, E>,
    ) -> Result<usize, ResealError<E>> {
        const ALL: &str = "SELECT c.tenant_id, t.slug, 'client_secret' AS field, \
                                  c.secret_sealed, c.tenant_id AS row_id, 'client' AS kind \
                           FROM tenant_connections c JOIN tenants t ON t.id = c.tenant_id \
                           UNION ALL \
                           SELECT e.tenant_id, t.slug, 'webhook_secret/' || e.id AS field, \
                                  e.secret, e.id AS row_id, 'webhook' AS kind \
                           FROM webhook_endpoints e JOIN tenants t ON t.id = e.tenant_id \
                           UNION ALL \
                           SELECT e.tenant_id, t.slug, 'webhook_secret/' || e.id AS field, \
                                  e.previous_secret, e.id AS row_id, 'previous' AS kind \
                           FROM webhook_endpoints e JOIN tenants t ON t.id = e.tenant_id \
                           WHERE e.previous_secret IS NOT NULL \
                           ORDER BY 2, 3, 6";
        const SET_CLIENT: &str =
            "UPDATE tenant_connections SET secret_sealed = $1 WHERE tenant_id = $2";
        const SET_WEBHOOK: &str = "UPDATE webhook_endpoints SET secret = $1 WHERE id = $2";
        const SET_PREVIOUS: &str =
            "UPDATE webhook_endpoints SET previous_secret = $1 WHERE id = $2";
        let mut tx = self.begin_immediate().await?;
        let rows: Vec<(String, String, String, String, String, String)> = on_conn!(&mut tx.conn(), c => {
            sqlx::query_as(ALL).fetch_all(&mut **c).await
        })?;
        let mut changed = 0;
        for (tenant_id, slug, field, sealed, row_id, kind) in &rows {
            let id = Uuid::parse_str(tenant_id)
                .map_err(|e| ResealError::Database(sqlx::Error::Decode(e.into())))?;
            let resealed = reseal(id, field, sealed).map_err(|err| ResealError::Secret {
                tenant: slug.clone(),
                err,
            })?;
            let Some(resealed) = resealed else {
                continue;
            };
            changed += 1;
            let set = match kind.as_str() {
                "client" => SET_CLIENT,
                "previous" => SET_PREVIOUS,
                _ => SET_WEBHOOK,
            };
            on_conn!(&mut tx.conn(), c => {
                sqlx::query(set)
                    .bind(&resealed)
                    .bind(row_id)
                    .execute(&mut **c)
                    .await
                    .map(|_| ())
            })?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// The tenant's provider connection, if one is set.
    pub async fn connection(&self, tenant_id: Uuid) -> Result<Option<Connection>, sqlx::Error> {
        const SQL: &str = "SELECT directory_id, client_id, secret_sealed, login_url, graph_url \
                           FROM tenant_connections WHERE tenant_id = $1";
        on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(tenant_id.to_string()).fetch_optional(pool).await
        })
    }
}

/// Why secrets were not resealed (and none were).
#[derive(Debug)]
pub enum ResealError<E> {
    /// The secret of this tenant (its slug) could not be resealed.
    Secret {
        tenant: String,
        err: E,
    },
    Database(sqlx::Error),
}

impl<E> From<sqlx::Error> for ResealError<E> {
    fn from(err: sqlx::Error) -> Self {
        Self::Database(err)
    }
}

/// Sets (or replaces) the tenant's provider connection, in the caller's transaction (with its
/// audit entry).
pub async fn set_connection(
    conn: &mut Conn<'_>,
    tenant_id: Uuid,
    connection: &Connection,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO tenant_connections (tenant_id, directory_id, client_id, \
                           secret_sealed, login_url, graph_url, updated_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7) \
                       ON CONFLICT (tenant_id) DO UPDATE SET \
                           directory_id = excluded.directory_id, \
                           client_id = excluded.client_id, \
                           secret_sealed = excluded.secret_sealed, \
                           login_url = excluded.login_url, \
                           graph_url = excluded.graph_url, \
                           updated_at = excluded.updated_at";
    on_conn!(conn, c => {
        sqlx::query(SQL)
            .bind(tenant_id.to_string())
            .bind(&connection.directory_id)
            .bind(&connection.client_id)
            .bind(&connection.secret_sealed)
            .bind(&connection.login_url)
            .bind(&connection.graph_url)
            .bind(now_ms)
            .execute(&mut **c)
            .await
            .map(|_| ())
    })
}
