//! `POST /api/login`, `POST /api/logout`, `GET /api/me`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use opsux_core::wire::{
    ErrorCode, ErrorEnvelope, LoginRequest, MeResponse, SetupStatus, UserDto, WorkspaceDto,
};

use crate::auth::{CurrentUser, SESSION_TTL, Sessions, accounts};
use crate::clock::to_ms;
use crate::error::ApiError;
use crate::extract::{ApiJson, ClientAddr};
use crate::state::AppState;

#[utoipa::path(post, path = "/api/login", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = MeResponse, description = "Signed in; sets the HttpOnly session cookie"),
              (status = 401, body = ErrorEnvelope),
              (status = 429, body = ErrorEnvelope, description = "Too many attempts from this address or for this account; see Retry-After"),
              (status = 403, body = ErrorEnvelope, description = "Foreign or missing Origin")))]
pub(super) async fn login(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    jar: CookieJar,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<(CookieJar, Json<MeResponse>), ApiError> {
    state.login.attempt(address, &req.email)?;
    // Parallel guesses for one account wait here for a core; the account is checked again
    // after the wait, so failures counted meanwhile stop them (at most one per core slips by).
    let permit = state.login.hashing_permit().await;
    state.login.account_open(address, &req.email)?;
    let verified = accounts::verify_login(&state.store, &req.email, &req.password).await;
    drop(permit);
    let now = to_ms(state.clock.now());
    let Some(user) = verified? else {
        state.login.failed(address, &req.email);
        count_failure(&state, &req.email, now);
        return Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "wrong e-mail or password",
        ));
    };
    if let Err(err) = crate::org::signed_in(&state.store, &user.email, now).await {
        tracing::warn!(%err, "a sign-in could not be noted");
    }
    let jar = start_session(&state, jar, &user, now).await?;
    let me = me_for(&state, user).await?;
    Ok((jar, Json(me)))
}

/// Counts a failed sign-in for the audit log after the answer, so an unknown address (nothing
/// to count) and a known one take the same time.
pub(super) fn count_failure(state: &AppState, email: &str, now: i64) {
    let (store, email) = (state.store.clone(), email.to_owned());
    tokio::spawn(async move {
        if let Err(err) = crate::org::sign_in_failed(&store, &email, now).await {
            tracing::warn!(%err, "a failed sign-in could not be counted in the audit log");
        }
    });
}

/// Signs `user` in on this browser: a new session, its cookie, and the session the browser had
/// before revoked — not just overwritten, so a cookie copied before (session fixation, a shared
/// machine) stops working. The new session exists before the old one goes, so an interrupted
/// sign-in never leaves the browser with neither.
pub(super) async fn start_session(
    state: &AppState,
    jar: CookieJar,
    user: &CurrentUser,
    now: i64,
) -> Result<CookieJar, ApiError> {
    let name = state.config.session_cookie();
    let token = Sessions::create(&state.store, user.id, now).await?;
    if let Some(previous) = jar.get(name) {
        Sessions::delete(&state.store, previous.value()).await?;
    }
    let cookie = Cookie::build((name, token))
        .path("/")
        .http_only(true)
        // Lax keeps the cookie on same-site pages (the panel, and embedding pages on the same
        // site); cross-site embedding hosts need None, which browsers accept only with Secure.
        .same_site(if state.config.cross_site_cookies {
            SameSite::None
        } else {
            SameSite::Lax
        })
        .secure(state.config.secure_cookies())
        .max_age(time::Duration::seconds(
            i64::try_from(SESSION_TTL.as_secs()).unwrap_or(i64::MAX),
        ));
    Ok(jar.add(cookie))
}

#[utoipa::path(post, path = "/api/logout", tag = "session", responses((status = 204, description = "Signed out")))]
pub(super) async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    let name = state.config.session_cookie();
    if let Some(cookie) = jar.get(name) {
        Sessions::delete(&state.store, cookie.value()).await?;
    }
    let removal = Cookie::build((name, ""))
        .path("/")
        .secure(state.config.secure_cookies());
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

#[utoipa::path(get, path = "/api/setup", tag = "session",
    responses((status = 200, body = SetupStatus, description = "Whether `opsux init` has made this database a workspace")))]
pub(super) async fn setup(State(state): State<AppState>) -> Result<Json<SetupStatus>, ApiError> {
    Ok(Json(SetupStatus {
        initialized: state.store.workspace().await?.is_some(),
        oidc: state.oidc.is_some(),
    }))
}

pub(super) async fn me_for(state: &AppState, user: CurrentUser) -> Result<MeResponse, ApiError> {
    let tenants = state.store.tenants_of(user.id).await?;
    let workspace = match state.store.workspace().await? {
        Some(w) => Some(WorkspaceDto {
            is_owner: state
                .store
                .is_workspace_owner(&w.id, &user.id.to_string())
                .await?,
            name: w.name,
        }),
        None => None,
    };
    Ok(MeResponse {
        workspace,
        user: UserDto {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
        },
        tenants,
    })
}
