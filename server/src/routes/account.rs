//! The signed-in person's own account: `POST /api/me/password` (the current password first;
//! their other sessions end), `GET /api/me/sessions` and `POST /api/me/sessions/end-all`
//! ("Sign out everywhere", this browser included).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use opsux_core::wire::{ErrorCode, ErrorEnvelope, PasswordChange, SessionDto, SessionList};

use crate::auth::{CurrentUser, accounts, token_hash};
use crate::clock::{from_ms, to_ms};
use crate::error::ApiError;
use crate::events::Event;
use crate::extract::{ApiJson, ClientAddr};
use crate::org::{self, Change};
use crate::state::AppState;
use crate::store::audit::Actor;

#[utoipa::path(post, path = "/api/me/password", tag = "session", request_body = PasswordChange,
    responses((status = 204, description = "Changed; the person's other sessions have ended"),
              (status = 401, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope, description = "The current password is wrong, or the new one breaks a rule"),
              (status = 429, body = ErrorEnvelope, description = "Too many wrong current passwords for this account; see Retry-After")))]
pub(super) async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddr(address): ClientAddr,
    jar: CookieJar,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    // The same budget as sign-in: the current password must not be guessable here instead.
    state.login.account_open(address, &user.email)?;
    let permit = state.login.hashing_permit().await;
    let verified = accounts::verify_login(&state.store, &user.email, &body.current_password).await;
    drop(permit);
    if verified?.is_none() {
        state.login.failed(address, &user.email);
        super::auth::count_failure(&state, &user.email, to_ms(state.clock.now()));
        return Err(ApiError::new(
            ErrorCode::ValidationFailed,
            "current_password: that is not your current password",
        ));
    }
    let keep = jar
        .get(state.config.session_cookie())
        .map(|c| token_hash(c.value()));
    let change = Change {
        actor: Actor::Person(user.id),
        at_ms: to_ms(state.clock.now()),
    };
    org::set_password(
        &state.store,
        &change,
        &user.email,
        &body.new_password,
        keep.as_deref(),
    )
    .await?;
    state.events.publish(Event::AccessChanged { user: user.id });
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/me/sessions", tag = "session",
    responses((status = 200, body = SessionList), (status = 401, body = ErrorEnvelope)))]
pub(super) async fn sessions(
    State(state): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
) -> Result<Json<SessionList>, ApiError> {
    let current = jar
        .get(state.config.session_cookie())
        .map(|c| token_hash(c.value()));
    let now = to_ms(state.clock.now());
    let items = state
        .store
        .sessions_of(user.id, now)
        .await?
        .into_iter()
        .map(|s| SessionDto {
            current: current.as_deref() == Some(s.token_hash.as_str()),
            // A prefix of the hash: enough to tell sessions apart, useless to sign in with.
            id: s.token_hash.chars().take(12).collect(),
            created_at: from_ms(s.created_at),
            expires_at: from_ms(s.expires_at),
        })
        .collect();
    Ok(Json(SessionList { items }))
}

#[utoipa::path(post, path = "/api/me/sessions/end-all", tag = "session",
    responses((status = 204, description = "Signed out everywhere, this browser included"),
              (status = 401, body = ErrorEnvelope)))]
pub(super) async fn end_all(
    State(state): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    let change = Change {
        actor: Actor::Person(user.id),
        at_ms: to_ms(state.clock.now()),
    };
    org::end_sessions(&state.store, &change, user.id).await?;
    state.events.publish(Event::AccessChanged { user: user.id });
    let removal = Cookie::build((state.config.session_cookie(), ""))
        .path("/")
        .secure(state.config.secure_cookies());
    Ok((jar.remove(removal), StatusCode::NO_CONTENT))
}
