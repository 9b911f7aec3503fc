//! Cookie sessions. The cookie holds a random token; the database holds only its SHA-256, so a
//! leaked database row cannot be replayed as a cookie.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use opsux_core::UserId;
use opsux_core::wire::ErrorCode;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::clock::to_ms;
use crate::db::Pool;
use crate::error::ApiError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "opsux_session";
/// How long a login lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 60 * 60);

/// The signed-in user of a request. Extracting it answers 401 when there is none.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
}

pub struct Sessions;

impl Sessions {
    /// Starts a session for `user` and returns the token for the cookie. Expired sessions
    /// are swept at the same time, so the table does not grow without bound.
    pub async fn create(pool: &Pool, user: UserId, now_ms: i64) -> Result<String, sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
            .bind(now_ms)
            .execute(pool)
            .await?;
        let token = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
        let ttl = i64::try_from(SESSION_TTL.as_millis()).unwrap_or(i64::MAX);
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(token_hash(&token))
        .bind(user.to_string())
        .bind(now_ms)
        .bind(now_ms.saturating_add(ttl))
        .execute(pool)
        .await?;
        Ok(token)
    }

    pub async fn delete(pool: &Pool, token: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash(token))
            .execute(pool)
            .await?;
        Ok(())
    }

    /// The user of an unexpired session.
    pub async fn user(
        pool: &Pool,
        token: &str,
        now_ms: i64,
    ) -> Result<Option<CurrentUser>, sqlx::Error> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT u.id, u.email, u.display_name FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = ? AND s.expires_at > ?",
        )
        .bind(token_hash(token))
        .bind(now_ms)
        .fetch_optional(pool)
        .await?;
        Ok(row.and_then(|(id, email, display_name)| {
            Some(CurrentUser {
                id: id.parse().ok()?,
                email,
                display_name,
            })
        }))
    }
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(user) = parts.extensions.get::<Self>() {
            return Ok(user.clone());
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(SESSION_COOKIE) else {
            return Err(unauthenticated());
        };
        let now = to_ms(state.clock.now());
        let user = Sessions::user(&state.pool, cookie.value(), now)
            .await
            .map_err(|e| ApiError::internal(&e))?
            .ok_or_else(unauthenticated)?;
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

fn unauthenticated() -> ApiError {
    ApiError::new(ErrorCode::Unauthenticated, "sign in first")
}
