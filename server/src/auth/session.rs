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
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::Store;

pub const SESSION_COOKIE: &str = "opsux_session";
/// Its name when it is `Secure` (see `Config::session_cookie`).
pub const SECURE_SESSION_COOKIE: &str = "__Host-opsux_session";
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
    pub async fn create(store: &Store, user: UserId, now_ms: i64) -> Result<String, sqlx::Error> {
        let token = new_token();
        let ttl = i64::try_from(SESSION_TTL.as_millis()).unwrap_or(i64::MAX);
        store
            .create_session(
                &token_hash(&token),
                user,
                now_ms,
                now_ms.saturating_add(ttl),
            )
            .await?;
        Ok(token)
    }

    pub async fn delete(store: &Store, token: &str) -> Result<(), sqlx::Error> {
        store.delete_session(&token_hash(token)).await
    }

    /// The user of an unexpired session.
    pub async fn user(
        store: &Store,
        token: &str,
        now_ms: i64,
    ) -> Result<Option<CurrentUser>, sqlx::Error> {
        let row = store.session_user(&token_hash(token), now_ms).await?;
        Ok(row.and_then(|row| {
            Some(CurrentUser {
                id: row.id.parse().ok()?,
                email: row.email,
                display_name: row.display_name,
            })
        }))
    }
}

/// A fresh secret for a cookie or a link: 244 bits from the OS's random source.
pub fn new_token() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

/// What is stored of a token: its SHA-256, so a leaked row cannot be replayed.
pub fn token_hash(token: &str) -> String {
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
        let Some(cookie) = jar.get(state.config.session_cookie()) else {
            return Err(unauthenticated());
        };
        let now = to_ms(state.clock.now());
        let user = Sessions::user(&state.store, cookie.value(), now)
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
