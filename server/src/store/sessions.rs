//! Sign-in sessions, stored by the SHA-256 of their cookie token.

use opsux_core::UserId;

use super::{Store, on_pool};

/// The user of a live session.
#[derive(Debug, sqlx::FromRow)]
pub struct SessionUser {
    pub id: String,
    pub email: String,
    pub display_name: String,
}

impl Store {
    /// Stores a session and sweeps expired ones, so the table does not grow without bound.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<(), sqlx::Error> {
        const SWEEP: &str = "DELETE FROM sessions WHERE expires_at <= $1";
        const INSERT: &str = "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) \
                              VALUES ($1, $2, $3, $4)";
        on_pool!(self, pool => {
            sqlx::query(SWEEP).bind(now_ms).execute(pool).await?;
            sqlx::query(INSERT)
                .bind(token_hash)
                .bind(user.to_string())
                .bind(now_ms)
                .bind(expires_ms)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), sqlx::Error> {
        const SQL: &str = "DELETE FROM sessions WHERE token_hash = $1";
        on_pool!(self, pool => sqlx::query(SQL).bind(token_hash).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The user of the session with this token hash, if it has not expired by `now_ms`.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<SessionUser>, sqlx::Error> {
        const SQL: &str = "SELECT u.id, u.email, u.display_name FROM sessions s \
                           JOIN users u ON u.id = s.user_id \
                           WHERE s.token_hash = $1 AND s.expires_at > $2 \
                             AND u.disabled_at IS NULL";
        on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(token_hash).bind(now_ms).fetch_optional(pool).await
        })
    }
}

/// A live session of one user, as their Account page lists it.
#[derive(Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Store {
    /// The user's unexpired sessions, newest first.
    pub async fn sessions_of(
        &self,
        user: UserId,
        now_ms: i64,
    ) -> Result<Vec<SessionRow>, sqlx::Error> {
        const SQL: &str = "SELECT token_hash, created_at, expires_at FROM sessions \
                           WHERE user_id = $1 AND expires_at > $2 \
                           ORDER BY created_at DESC, token_hash";
        on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(user.to_string()).bind(now_ms).fetch_all(pool).await
        })
    }
}
