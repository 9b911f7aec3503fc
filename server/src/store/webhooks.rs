//! Webhook endpoints and their deliveries: managing the endpoints, listing, sending a test
//! event or a delivery again, and the deliverer's claims and results. The deliveries runs owe
//! are written by the run service in their terminal transition (`runs::store`).

use uuid::Uuid;

use super::{Conn, Store, on_conn, on_pool};

/// An endpoint as stored; its secret sealed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EndpointRow {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub url: String,
    pub secret: String,
    pub only_failed: bool,
    pub only_system: bool,
    pub types: Option<String>,
    pub created_by_name: Option<String>,
    pub created_at: i64,
    pub failing_since: Option<i64>,
    pub paused_at: Option<i64>,
}

pub struct NewEndpoint<'a> {
    pub id: Uuid,
    pub tenant_id: &'a str,
    pub name: &'a str,
    pub url: &'a str,
    pub sealed_secret: &'a str,
    pub only_failed: bool,
    pub only_system: bool,
    /// `,key,key,`: what the outbox statement looks for.
    pub types: Option<&'a str>,
    pub created_by: Option<String>,
    pub created_at: i64,
}

/// A delivery as its endpoint's list shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: String,
    pub run_id: Option<String>,
    pub event: String,
    pub state: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<i64>,
    pub created_at: i64,
    pub ended_at: Option<i64>,
}

/// A delivery claimed for sending, with what sending it needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueDelivery {
    pub id: String,
    pub endpoint_id: String,
    pub tenant_id: String,
    pub tenant_slug: String,
    pub endpoint_name: String,
    pub url: String,
    pub secret: String,
    /// The secret before the last rotation (sealed), and when it was rotated.
    pub previous_secret: Option<String>,
    pub rotated_at: Option<i64>,
    pub run_id: Option<String>,
    pub event: String,
    pub attempts: i64,
    pub created_at: i64,
    /// The email of the run's initiator, while that person exists.
    pub initiator_email: Option<String>,
    /// The claim it was taken under: its attempt is recorded only while that claim holds.
    pub claim_token: Option<String>,
}

/// What became of one attempt.
#[derive(Debug, Clone)]
pub enum AttemptResult<'a> {
    /// A 2xx answer.
    Delivered { status: u16 },
    /// Another answer, or none; tried again at `retry_at`, or never (`None`: it failed).
    Failed {
        status: Option<u16>,
        error: Option<&'a str>,
        retry_at: Option<i64>,
    },
}

macro_rules! endpoint_columns {
    () => {
        "SELECT e.id, e.tenant_id, e.name, e.url, e.secret, e.only_failed, e.only_system, \
                e.types, u.display_name AS created_by_name, e.created_at, e.failing_since, \
                e.paused_at \
         FROM webhook_endpoints e LEFT JOIN users u ON u.id = e.created_by"
    };
}

impl Store {
    /// The tenant's endpoints, by name.
    pub async fn webhook_endpoints(
        &self,
        tenant_id: &str,
    ) -> Result<Vec<EndpointRow>, sqlx::Error> {
        const SQL: &str = concat!(
            endpoint_columns!(),
            " WHERE e.tenant_id = $1 ORDER BY e.name"
        );
        on_pool!(self, pool => sqlx::query_as(SQL).bind(tenant_id).fetch_all(pool).await)
    }

    /// The latest `limit` deliveries of an endpoint, newest first.
    pub async fn webhook_deliveries(
        &self,
        endpoint_id: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>, sqlx::Error> {
        const SQL: &str = "SELECT id, run_id, event, state, attempts, last_status, last_error, \
                                  next_attempt_at, created_at, ended_at \
                           FROM webhook_deliveries WHERE endpoint_id = $1 \
                           ORDER BY created_at DESC, id DESC LIMIT $2";
        on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(endpoint_id).bind(limit).fetch_all(pool).await
        })
    }

    /// The endpoints with deliveries due at `now_ms` that no deliverer holds, oldest due
    /// first, at most `limit`; paused endpoints and the `busy` ones (the asker has as many of
    /// theirs in flight as it sends at once) are left out, so they never crowd out the rest.
    pub async fn endpoints_due(
        &self,
        now_ms: i64,
        limit: i64,
        busy: &[String],
    ) -> Result<Vec<String>, sqlx::Error> {
        macro_rules! due_sql {
            ($busy:literal) => {
                concat!(
                    "SELECT d.endpoint_id FROM webhook_deliveries d \
                       JOIN webhook_endpoints e ON e.id = d.endpoint_id \
                     WHERE d.state = 'pending' AND d.next_attempt_at <= $1 \
                       AND (d.locked_until IS NULL OR d.locked_until <= $1) \
                       AND e.paused_at IS NULL \
                       AND d.endpoint_id NOT IN (",
                    $busy,
                    ") GROUP BY d.endpoint_id ORDER BY MIN(d.next_attempt_at) LIMIT $2"
                )
            };
        }
        let sql = self.dialect(
            due_sql!("SELECT value FROM json_each($3)"),
            due_sql!("SELECT jsonb_array_elements_text(CAST($3 AS JSONB))"),
        );
        let busy = serde_json::to_string(busy).unwrap_or_else(|_| "[]".to_owned());
        let rows: Vec<(String,)> = on_pool!(self, pool => {
            sqlx::query_as(sql).bind(now_ms).bind(limit).bind(&busy).fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Claims up to `limit` of the endpoint's due deliveries until `locked_until`: no other
    /// deliverer takes them meanwhile (on PostgreSQL, concurrent claims skip each other's
    /// rows). A deliverer that dies holding them lets them go when the lock runs out.
    pub async fn claim_deliveries(
        &self,
        endpoint_id: &str,
        now_ms: i64,
        locked_until: i64,
        limit: i64,
        claim_token: &str,
    ) -> Result<Vec<DueDelivery>, sqlx::Error> {
        macro_rules! claim_sql {
            ($lock:literal) => {
                concat!(
                    "UPDATE webhook_deliveries SET locked_until = $3, claim_token = $5 \
                     WHERE id IN (SELECT d.id FROM webhook_deliveries d \
                                  WHERE d.endpoint_id = $1 AND d.state = 'pending' \
                                    AND d.next_attempt_at <= $2 \
                                    AND (d.locked_until IS NULL OR d.locked_until <= $2) \
                                  ORDER BY d.next_attempt_at, d.id LIMIT $4",
                    $lock,
                    ") RETURNING id"
                )
            };
        }
        const DETAILS: &str = "SELECT d.id, d.endpoint_id, e.tenant_id, t.slug AS tenant_slug, \
                                      e.name AS endpoint_name, e.url, e.secret, \
                                      e.previous_secret, e.rotated_at, d.run_id, d.event, \
                                      d.attempts, d.created_at, u.email AS initiator_email, \
                                      d.claim_token \
                               FROM webhook_deliveries d \
                                 JOIN webhook_endpoints e ON e.id = d.endpoint_id \
                                 JOIN tenants t ON t.id = e.tenant_id \
                                 LEFT JOIN operation_runs r ON r.id = d.run_id \
                                 LEFT JOIN users u ON u.id = r.initiator_user_id \
                               WHERE d.id = $1";
        let sql = self.dialect(claim_sql!(""), claim_sql!(" FOR UPDATE SKIP LOCKED"));
        let claimed: Vec<(String,)> = on_pool!(self, pool => {
            sqlx::query_as(sql)
                .bind(endpoint_id)
                .bind(now_ms)
                .bind(locked_until)
                .bind(limit)
                .bind(claim_token)
                .fetch_all(pool)
                .await
        })?;
        let mut due = Vec::with_capacity(claimed.len());
        for (id,) in claimed {
            let found: Option<DueDelivery> = on_pool!(self, pool => {
                sqlx::query_as(DETAILS).bind(&id).fetch_optional(pool).await
            })?;
            // Another claim may have taken it since, had this one run out already.
            due.extend(found.filter(|d| d.claim_token.as_deref() == Some(claim_token)));
        }
        Ok(due)
    }

    /// Records an attempt at a delivery this deliverer holds under `claim_token`, and what it
    /// says of its endpoint: a 2xx ends the endpoint's failing streak; a failure starts one,
    /// and pauses the endpoint once the streak is `pause_after_ms` old. An attempt that
    /// outlived its claim (another deliverer took the delivery since) records nothing.
    pub async fn record_attempt(
        &self,
        id: &str,
        claim_token: &str,
        result: &AttemptResult<'_>,
        now_ms: i64,
        pause_after_ms: i64,
    ) -> Result<(), sqlx::Error> {
        const DELIVERED: &str = "UPDATE webhook_deliveries \
                                 SET state = 'delivered', attempts = attempts + 1, \
                                     last_status = $2, last_error = NULL, next_attempt_at = NULL, \
                                     locked_until = NULL, claim_token = NULL, ended_at = $3 \
                                 WHERE id = $1 AND state = 'pending' AND claim_token = $4 \
                                 RETURNING endpoint_id";
        const FAILED: &str = "UPDATE webhook_deliveries \
                              SET state = CASE WHEN $4 IS NULL THEN 'failed' ELSE 'pending' END, \
                                  attempts = attempts + 1, last_status = $2, last_error = $3, \
                                  next_attempt_at = $4, locked_until = NULL, claim_token = NULL, \
                                  ended_at = CASE WHEN $4 IS NULL THEN $5 ELSE NULL END \
                              WHERE id = $1 AND state = 'pending' AND claim_token = $6 \
                              RETURNING endpoint_id";
        const HEALTHY: &str = "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1";
        const FAILING: &str = "UPDATE webhook_endpoints \
                               SET failing_since = COALESCE(failing_since, $2), \
                                   paused_at = CASE WHEN paused_at IS NULL \
                                                     AND failing_since <= $2 - $3 \
                                                    THEN $2 ELSE paused_at END \
                               WHERE id = $1";
        let mut tx = self.begin_immediate().await?;
        let mut conn = tx.conn();
        match result {
            AttemptResult::Delivered { status } => {
                let endpoint: Option<(String,)> = on_conn!(&mut conn, c => {
                    sqlx::query_as(DELIVERED)
                        .bind(id)
                        .bind(i64::from(*status))
                        .bind(now_ms)
                        .bind(claim_token)
                        .fetch_optional(&mut **c)
                        .await
                })?;
                if let Some((endpoint,)) = endpoint {
                    on_conn!(&mut conn, c => {
                        sqlx::query(HEALTHY).bind(endpoint).execute(&mut **c).await.map(|_| ())
                    })?;
                }
            }
            AttemptResult::Failed {
                status,
                error,
                retry_at,
            } => {
                let endpoint: Option<(String,)> = on_conn!(&mut conn, c => {
                    sqlx::query_as(FAILED)
                        .bind(id)
                        .bind(status.map(i64::from))
                        .bind(*error)
                        .bind(*retry_at)
                        .bind(now_ms)
                        .bind(claim_token)
                        .fetch_optional(&mut **c)
                        .await
                })?;
                if let Some((endpoint,)) = endpoint {
                    on_conn!(&mut conn, c => {
                        sqlx::query(FAILING)
                            .bind(endpoint)
                            .bind(now_ms)
                            .bind(pause_after_ms)
                            .execute(&mut **c)
                            .await.map(|_| ())
                    })?;
                }
            }
        }
        tx.commit().await
    }
}

/// The tenant's endpoint `name`.
pub async fn endpoint_by_name(
    conn: &mut Conn<'_>,
    tenant_id: &str,
    name: &str,
) -> Result<Option<EndpointRow>, sqlx::Error> {
    const SQL: &str = concat!(
        endpoint_columns!(),
        " WHERE e.tenant_id = $1 AND e.name = $2"
    );
    on_conn!(conn, c => {
        sqlx::query_as(SQL).bind(tenant_id).bind(name).fetch_optional(&mut **c).await
    })
}

/// How many endpoints the tenant has.
pub async fn count_endpoints(conn: &mut Conn<'_>, tenant_id: &str) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM webhook_endpoints WHERE tenant_id = $1";
    let (count,): (i64,) = on_conn!(conn, c => {
        sqlx::query_as(SQL).bind(tenant_id).fetch_one(&mut **c).await
    })?;
    Ok(count)
}

/// Stores a new endpoint; `false` when the tenant has one of that name already.
pub async fn insert_endpoint(
    conn: &mut Conn<'_>,
    new: &NewEndpoint<'_>,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "INSERT INTO webhook_endpoints \
                           (id, tenant_id, name, url, secret, only_failed, only_system, types, \
                            created_by, created_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                       ON CONFLICT (tenant_id, name) DO NOTHING";
    let inserted = on_conn!(conn, c => {
        sqlx::query(SQL)
            .bind(new.id.to_string())
            .bind(new.tenant_id)
            .bind(new.name)
            .bind(new.url)
            .bind(new.sealed_secret)
            .bind(new.only_failed)
            .bind(new.only_system)
            .bind(new.types)
            .bind(new.created_by.clone())
            .bind(new.created_at)
            .execute(&mut **c)
            .await?
            .rows_affected()
    });
    Ok(inserted == 1)
}

/// Removes an endpoint and its deliveries, sent or not.
pub async fn delete_endpoint(conn: &mut Conn<'_>, id: &str) -> Result<(), sqlx::Error> {
    const SQL: &str = "DELETE FROM webhook_endpoints WHERE id = $1";
    on_conn!(conn, c => sqlx::query(SQL).bind(id).execute(&mut **c).await.map(|_| ()))?;
    Ok(())
}

/// Gives the endpoint a new (sealed) secret: every delivery from now on is signed with it, and
/// for a while with the one it replaces too (kept as `previous_secret`).
pub async fn set_secret(
    conn: &mut Conn<'_>,
    id: &str,
    sealed: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE webhook_endpoints \
                       SET previous_secret = secret, rotated_at = $3, secret = $2 WHERE id = $1";
    on_conn!(conn, c => {
        sqlx::query(SQL).bind(id).bind(sealed).bind(now_ms).execute(&mut **c).await.map(|_| ())
    })?;
    Ok(())
}

/// Resumes a paused endpoint: its waiting deliveries are sent again, its streak forgotten.
pub async fn resume(conn: &mut Conn<'_>, id: &str) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE webhook_endpoints SET paused_at = NULL, failing_since = NULL \
                       WHERE id = $1 AND paused_at IS NOT NULL";
    let changed = on_conn!(conn, c => {
        sqlx::query(SQL).bind(id).execute(&mut **c).await?.rows_affected()
    });
    Ok(changed == 1)
}

/// Queues a test event for the endpoint, due at once.
pub async fn insert_test_delivery(
    conn: &mut Conn<'_>,
    endpoint_id: &str,
    id: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO webhook_deliveries \
                           (id, endpoint_id, run_id, event, state, attempts, next_attempt_at, \
                            created_at) \
                       VALUES ($1, $2, NULL, 'webhook.test', 'pending', 0, $3, $3)";
    on_conn!(conn, c => {
        sqlx::query(SQL).bind(id).bind(endpoint_id).bind(now_ms).execute(&mut **c).await.map(|_| ())
    })?;
    Ok(())
}

/// Sends an ended delivery again, under the same `webhook-id`, with a fresh round of retries;
/// `false` if the endpoint has no such delivery or it is still pending.
pub async fn resend(
    conn: &mut Conn<'_>,
    endpoint_id: &str,
    delivery_id: &str,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE webhook_deliveries \
                       SET state = 'pending', attempts = 0, next_attempt_at = $3, \
                           locked_until = NULL, claim_token = NULL, ended_at = NULL \
                       WHERE id = $2 AND endpoint_id = $1 AND state <> 'pending'";
    let changed = on_conn!(conn, c => {
        sqlx::query(SQL)
            .bind(endpoint_id)
            .bind(delivery_id)
            .bind(now_ms)
            .execute(&mut **c)
            .await?
            .rows_affected()
    });
    Ok(changed == 1)
}
