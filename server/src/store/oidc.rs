//! Sign-ins with the OpenID Connect provider: the ones in flight (by the hash of their `state`,
//! taken once), and the link from a provider's subject to a user.

use super::{Conn, Store, on_conn, on_pool};

/// A sign-in sent to the provider, waiting for the person to come back.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingSignIn {
    pub pkce_verifier: String,
    pub nonce: String,
    pub next_path: String,
}

impl Store {
    /// Keeps a sign-in in flight until `expires_at`; sweeps those that expired.
    pub async fn begin_oidc_sign_in(
        &self,
        state_hash: &str,
        pending: &PendingSignIn,
        now_ms: i64,
        expires_at: i64,
    ) -> Result<(), sqlx::Error> {
        const SWEEP: &str = "DELETE FROM oidc_sign_ins WHERE expires_at <= $1";
        const INSERT: &str = "INSERT INTO oidc_sign_ins \
                                  (state_hash, pkce_verifier, nonce, next_path, expires_at) \
                              VALUES ($1, $2, $3, $4, $5)";
        on_pool!(self, pool => {
            sqlx::query(SWEEP).bind(now_ms).execute(pool).await?;
            sqlx::query(INSERT)
                .bind(state_hash)
                .bind(&pending.pkce_verifier)
                .bind(&pending.nonce)
                .bind(&pending.next_path)
                .bind(expires_at)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Takes the sign-in with this state if it has not expired: a state works once.
    pub async fn take_oidc_sign_in(
        &self,
        state_hash: &str,
        now_ms: i64,
    ) -> Result<Option<PendingSignIn>, sqlx::Error> {
        const SQL: &str = "DELETE FROM oidc_sign_ins WHERE state_hash = $1 AND expires_at > $2 \
                           RETURNING pkce_verifier, nonce, next_path";
        on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(state_hash).bind(now_ms).fetch_optional(pool).await
        })
    }

    /// The enabled user linked to this provider subject.
    pub async fn user_by_oidc_subject(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        const SQL: &str = "SELECT id FROM users \
                           WHERE oidc_issuer = $1 AND oidc_subject = $2 AND disabled_at IS NULL";
        on_pool!(self, pool => {
            sqlx::query_scalar(SQL).bind(issuer).bind(subject).fetch_optional(pool).await
        })
    }
}

/// Links the enabled user with this e-mail address, not yet linked to a subject of this
/// provider, to `subject`; their id, or `None` when there is no such user.
pub async fn link_oidc_subject(
    conn: &mut Conn<'_>,
    issuer: &str,
    subject: &str,
    email: &str,
) -> Result<Option<String>, sqlx::Error> {
    const SQL: &str = "UPDATE users SET oidc_issuer = $1, oidc_subject = $2 \
                       WHERE lower(email) = lower($3) AND disabled_at IS NULL \
                         AND (oidc_subject IS NULL OR oidc_issuer IS DISTINCT FROM $1) \
                       RETURNING id";
    on_conn!(conn, c => {
        sqlx::query_scalar(SQL).bind(issuer).bind(subject).bind(email).fetch_optional(&mut **c).await
    })
}
