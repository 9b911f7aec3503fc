//! `POST /api/login`, `POST /api/logout`, `GET /api/me`.

use std::sync::LazyLock;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use opsux_core::wire::{
    ErrorCode, ErrorEnvelope, LoginRequest, MeResponse, TenantAccessDto, UserDto,
};
use opsux_core::{Role, TenantSlug};

use crate::auth::{
    CurrentUser, SESSION_COOKIE, SESSION_TTL, Sessions, hash_password, verify_password,
};
use crate::clock::to_ms;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;

/// Verified against when the e-mail is unknown, so an unknown e-mail and a wrong password
/// take the same time and cannot be told apart.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("no user has this password").unwrap_or_default());

#[utoipa::path(post, path = "/api/login", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = MeResponse, description = "Signed in; sets the HttpOnly session cookie"),
              (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope, description = "Foreign or missing Origin")))]
pub(super) async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<(CookieJar, Json<MeResponse>), ApiError> {
    let row: Option<(String, String, String, String)> =
        sqlx::query_as("SELECT id, email, display_name, password_hash FROM users WHERE email = ?")
            .bind(req.email.trim())
            .fetch_optional(&state.pool)
            .await?;
    let hash = row.as_ref().map_or(DUMMY_HASH.as_str(), |r| r.3.as_str());
    let password_ok = verify_password(&req.password, hash);
    let user = match row {
        Some((id, email, display_name, _)) if password_ok => CurrentUser {
            id: id.parse().map_err(|e| ApiError::internal(&e))?,
            email,
            display_name,
        },
        _ => {
            return Err(ApiError::new(
                ErrorCode::Unauthenticated,
                "wrong e-mail or password",
            ));
        }
    };
    let token = Sessions::create(&state.pool, user.id, to_ms(state.clock.now())).await?;
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .max_age(time::Duration::seconds(
            i64::try_from(SESSION_TTL.as_secs()).unwrap_or(i64::MAX),
        ));
    let me = me_for(&state, user).await?;
    Ok((jar.add(cookie), Json(me)))
}

#[utoipa::path(post, path = "/api/logout", tag = "session", responses((status = 204, description = "Signed out")))]
pub(super) async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        Sessions::delete(&state.pool, cookie.value()).await?;
    }
    let removal = Cookie::build((SESSION_COOKIE, "")).path("/");
    Ok((jar.remove(removal), StatusCode::NO_CONTENT))
}

#[utoipa::path(get, path = "/api/me", tag = "session",
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorEnvelope)))]
pub(super) async fn me(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<MeResponse>, ApiError> {
    Ok(Json(me_for(&state, user).await?))
}

async fn me_for(state: &AppState, user: CurrentUser) -> Result<MeResponse, ApiError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT t.slug, t.name, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
         WHERE m.user_id = ? ORDER BY t.name",
    )
    .bind(user.id.to_string())
    .fetch_all(&state.pool)
    .await?;
    let mut tenants = Vec::with_capacity(rows.len());
    for (slug, name, role) in rows {
        let role: Role = serde_json::from_value(serde_json::Value::String(role))
            .map_err(|e| ApiError::internal(&e))?;
        tenants.push(TenantAccessDto {
            slug: TenantSlug::parse(&slug).map_err(|e| ApiError::internal(&e))?,
            name,
            role,
            capabilities: role.capabilities(),
        });
    }
    Ok(MeResponse {
        user: UserDto {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
        },
        tenants,
    })
}
