//! Invitations: owners make, list and revoke them under `/api/t/{tenant}/invitations`; the
//! person holding a link reads it (`GET /api/invitations/{token}`) and accepts it (`POST
//! …/accept`), which makes their account when they have none and signs them in.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use opsux_core::Role;
use opsux_core::wire::{
    AcceptInvitation, CreatedInvitation, ErrorCode, ErrorEnvelope, InvitationDto, InvitationList,
    InvitationView, MeResponse, NewInvitation,
};

use super::auth::{me_for, start_session};
use super::members::{change_by, require_owner};
use crate::auth::{CurrentUser, Sessions, TenantAccess};
use crate::clock::{from_ms, to_ms};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::org::{self, Acceptance};
use crate::state::AppState;
use crate::store::directory;

#[utoipa::path(get, path = "/api/t/{tenant}/invitations", tag = "members",
    params(("tenant" = String, Path)),
    responses((status = 200, body = InvitationList), (status = 403, body = ErrorEnvelope, description = "Not an owner of the tenant"),
              (status = 404, body = ErrorEnvelope)))]
pub(super) async fn list(
    State(state): State<AppState>,
    access: TenantAccess,
) -> Result<Json<InvitationList>, ApiError> {
    require_owner(&access)?;
    let now = to_ms(state.clock.now());
    let items = state
        .store
        .pending_invitations(access.tenant.id)
        .await?
        .into_iter()
        .filter_map(|i| {
            Some(InvitationDto {
                role: Role::parse(&i.role)?,
                expired: i.expires_at <= now,
                id: i.id,
                email: i.email,
                invited_by: i.created_by_name,
                created_at: from_ms(i.created_at),
                expires_at: from_ms(i.expires_at),
            })
        })
        .collect();
    Ok(Json(InvitationList { items }))
}

#[utoipa::path(post, path = "/api/t/{tenant}/invitations", tag = "members",
    params(("tenant" = String, Path)), request_body = NewInvitation,
    responses((status = 201, body = CreatedInvitation, description = "Invited; the link's path is shown this once"),
              (status = 403, body = ErrorEnvelope, description = "Not an owner of the tenant"),
              (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope, description = "Already a member"),
              (status = 422, body = ErrorEnvelope, description = "Not an e-mail address")))]
pub(super) async fn create(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiJson(new): ApiJson<NewInvitation>,
) -> Result<(StatusCode, Json<CreatedInvitation>), ApiError> {
    require_owner(&access)?;
    let change = change_by(&state, &access);
    let invited = org::invite(
        &state.store,
        &change,
        access.tenant.slug.as_str(),
        &new.email,
        new.role,
    )
    .await?;
    let invitation = InvitationDto {
        id: invited.id.to_string(),
        email: invited.email,
        role: invited.role,
        invited_by: Some(access.user.display_name.clone()),
        created_at: from_ms(change.at_ms),
        expires_at: from_ms(invited.expires_at_ms),
        expired: false,
    };
    Ok((
        StatusCode::CREATED,
        Json(CreatedInvitation {
            invitation,
            path: invited.path,
        }),
    ))
}

#[utoipa::path(delete, path = "/api/t/{tenant}/invitations/{id}", tag = "members",
    params(("tenant" = String, Path), ("id" = String, Path)),
    responses((status = 204, description = "Revoked: the link no longer works"),
              (status = 403, body = ErrorEnvelope, description = "Not an owner of the tenant"),
              (status = 404, body = ErrorEnvelope)))]
pub(super) async fn revoke(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    require_owner(&access)?;
    let change = change_by(&state, &access);
    org::revoke_invitation(&state.store, &change, access.tenant.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/invitations/{token}", tag = "members",
    params(("token" = String, Path)),
    responses((status = 200, body = InvitationView),
              (status = 404, body = ErrorEnvelope, description = "Used, revoked, expired or unknown")))]
pub(super) async fn show(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> Result<Json<InvitationView>, ApiError> {
    let now = to_ms(state.clock.now());
    let invitation = org::open_invitation(&state.store, &token, now).await?;
    let account_exists = {
        let mut pooled = state.store.acquire().await?;
        directory::user_by_email(&mut pooled.conn(), &invitation.email)
            .await?
            .is_some()
    };
    Ok(Json(InvitationView {
        role: Role::parse(&invitation.role)
            .ok_or_else(|| ApiError::internal(&std::io::Error::other("bad role in database")))?,
        tenant_slug: invitation.tenant_slug,
        tenant_name: invitation.tenant_name,
        email: invitation.email,
        account_exists,
        expires_at: from_ms(invitation.expires_at),
    }))
}

#[utoipa::path(post, path = "/api/invitations/{token}/accept", tag = "members",
    params(("token" = String, Path)), request_body = AcceptInvitation,
    responses((status = 200, body = MeResponse, description = "A member now, and signed in"),
              (status = 404, body = ErrorEnvelope, description = "Used, revoked, expired or unknown"),
              (status = 409, body = ErrorEnvelope, description = "The address has an account: sign in as it first"),
              (status = 422, body = ErrorEnvelope, description = "A name or password missing or breaking its rule")))]
pub(super) async fn accept(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    jar: CookieJar,
    ApiJson(body): ApiJson<AcceptInvitation>,
) -> Result<(CookieJar, Json<MeResponse>), ApiError> {
    let now = to_ms(state.clock.now());
    let signed_in = match jar.get(state.config.session_cookie()) {
        Some(cookie) => Sessions::user(&state.store, cookie.value(), now).await?,
        None => None,
    };
    let acceptance = match (&signed_in, &body) {
        (Some(user), _) => Acceptance::SignedIn(user.id),
        (
            None,
            AcceptInvitation {
                display_name: Some(name),
                password: Some(password),
            },
        ) => Acceptance::NewAccount { name, password },
        (
            None,
            AcceptInvitation {
                display_name: None, ..
            },
        ) => {
            return Err(missing("display_name"));
        }
        (None, AcceptInvitation { password: None, .. }) => return Err(missing("password")),
    };
    let accepted = org::accept(&state.store, &token, acceptance, now).await?;
    let (jar, user) = match signed_in {
        Some(user) => (jar, user),
        None => {
            let user = CurrentUser {
                id: accepted.user,
                email: accepted.email.clone(),
                display_name: body.display_name.clone().unwrap_or_default(),
            };
            (start_session(&state, jar, &user, now).await?, user)
        }
    };
    Ok((jar, Json(me_for(&state, user).await?)))
}

fn missing(field: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ValidationFailed,
        format!("{field}: required to make your account"),
    )
}
