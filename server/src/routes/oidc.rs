//! Sign-in with the organisation's OpenID Connect provider (R22): `GET /api/oidc/login` sends
//! the browser to the provider with PKCE, `state` and `nonce` (kept in the database by the
//! state's hash, and the state also in a short-lived cookie, so a callback from another browser
//! is refused); `GET /api/oidc/callback` checks them, verifies the ID token and signs in the
//! person the workspace knows by that subject or verified e-mail. Nobody is created: someone
//! unknown is sent to the sign-in page with "no access".

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::Redirect;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use opsux_core::wire::ErrorCode;
use subtle::ConstantTimeEq;

use super::auth::start_session;
use crate::auth::{CurrentUser, token_hash};
use crate::clock::to_ms;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::directory;
use crate::store::oidc::PendingSignIn;

const STATE_COOKIE: &str = "opsux_oidc_state";
/// How long a person may take at the provider.
const SIGN_IN_TTL: Duration = Duration::from_secs(10 * 60);

#[utoipa::path(get, path = "/api/oidc/login", tag = "session",
    params(("next" = Option<String>, Query, description = "Where to go afterwards: a path of the panel")),
    responses((status = 303, description = "To the provider's sign-in"),
              (status = 404, body = opsux_core::wire::ErrorEnvelope, description = "No provider is configured")))]
pub(super) async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Query(query): Query<HashMap<String, String>>,
) -> Result<(CookieJar, Redirect), ApiError> {
    let Some(oidc) = state.oidc.clone() else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "sign-in with an OpenID Connect provider is not configured here",
        ));
    };
    let next = query
        .get("next")
        .and_then(|n| opsux_core::presenter::safe_next(n))
        .unwrap_or_else(|| "/".to_owned());
    let begun = match oidc.begin(&callback_url(&state, &headers)).await {
        Ok(begun) => begun,
        Err(err) => {
            tracing::warn!(%err, "the OpenID Connect provider cannot be reached");
            return Ok((jar, Redirect::to("/login?oidc=unavailable")));
        }
    };
    let now = to_ms(state.clock.now());
    let ttl = i64::try_from(SIGN_IN_TTL.as_millis()).unwrap_or(i64::MAX);
    let pending = PendingSignIn {
        pkce_verifier: begun.pkce_verifier,
        nonce: begun.nonce,
        next_path: next,
    };
    state
        .store
        .begin_oidc_sign_in(&token_hash(&begun.state), &pending, now, now + ttl)
        .await?;
    // Lax: the provider sends the person back with a top-level GET, which carries it.
    let cookie = Cookie::build((STATE_COOKIE, begun.state))
        .path("/api/oidc")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .max_age(time::Duration::seconds(
            i64::try_from(SIGN_IN_TTL.as_secs()).unwrap_or(600),
        ));
    Ok((jar.add(cookie), Redirect::to(&begun.authorize_url)))
}

#[utoipa::path(get, path = "/api/oidc/callback", tag = "session",
    params(("code" = Option<String>, Query), ("state" = Option<String>, Query)),
    responses((status = 303, description = "Signed in and on to the page asked for; or back to sign-in with `?oidc=no-access` or `?oidc=failed`")))]
pub(super) async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Query(query): Query<HashMap<String, String>>,
) -> Result<(CookieJar, Redirect), ApiError> {
    let removal = Cookie::build((STATE_COOKIE, "")).path("/api/oidc");
    let jar_without_state = jar.clone().remove(removal);
    match sign_in(&state, &headers, &jar, &query).await {
        Ok(Outcome::SignedIn(user, next)) => {
            let now = to_ms(state.clock.now());
            if let Err(err) = crate::org::signed_in(&state.store, &user.email, now).await {
                tracing::warn!(%err, "a sign-in could not be noted");
            }
            let jar = start_session(&state, jar_without_state, &user, now).await?;
            Ok((jar, Redirect::to(&next)))
        }
        Ok(Outcome::NoAccess) => Ok((jar_without_state, Redirect::to("/login?oidc=no-access"))),
        Err(why) => {
            tracing::warn!(
                why,
                "a sign-in with the OpenID Connect provider was refused"
            );
            Ok((jar_without_state, Redirect::to("/login?oidc=failed")))
        }
    }
}

enum Outcome {
    SignedIn(CurrentUser, String),
    NoAccess,
}

async fn sign_in(
    state: &AppState,
    headers: &HeaderMap,
    jar: &CookieJar,
    query: &HashMap<String, String>,
) -> Result<Outcome, String> {
    let oidc = state.oidc.clone().ok_or("not configured")?;
    if let Some(error) = query.get("error") {
        return Err(format!("the provider answered {error}"));
    }
    let (Some(code), Some(returned)) = (query.get("code"), query.get("state")) else {
        return Err("no code or state".to_owned());
    };
    let Some(ours) = jar.get(STATE_COOKIE).map(|c| c.value().to_owned()) else {
        return Err("no state cookie: the sign-in began in another browser".to_owned());
    };
    if !bool::from(ours.as_bytes().ct_eq(returned.as_bytes())) {
        return Err("the state does not match this browser's".to_owned());
    }
    let now = to_ms(state.clock.now());
    let pending = state
        .store
        .take_oidc_sign_in(&token_hash(returned), now)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the sign-in expired or was used already")?;
    let identity = oidc
        .finish(
            &callback_url(state, headers),
            code,
            &pending.pkce_verifier,
            &pending.nonce,
        )
        .await
        .map_err(|e| e.to_string())?;
    let user = crate::org::oidc_user(&state.store, &identity, now)
        .await
        .map_err(|e| e.to_string())?;
    let Some(user_id) = user else {
        return Ok(Outcome::NoAccess);
    };
    let mut pooled = state.store.acquire().await.map_err(|e| e.to_string())?;
    let row = directory::user_by_id(&mut pooled.conn(), &user_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the user went away")?;
    let user = CurrentUser {
        id: row.id.parse().map_err(|_| "a stored user id")?,
        email: row.email,
        display_name: row.display_name,
    };
    Ok(Outcome::SignedIn(user, pending.next_path))
}

/// This server's callback, as registered with the provider: on the public origin, or on the
/// request's own host (which the host allow-list has checked).
fn callback_url(state: &AppState, headers: &HeaderMap) -> String {
    let origin = state.config.public_origin.clone().unwrap_or_else(|| {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        format!("http://{host}")
    });
    format!("{}/api/oidc/callback", origin.trim_end_matches('/'))
}
