//! `GET /api/t/{tenant}/members` (every member may see who has access), `PUT` and `DELETE
//! …/members/{user_id}` (owners change roles and remove members, through `org/` — the last
//! owner stays, R21; each change audited, R19).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsux_core::wire::{ErrorCode, ErrorEnvelope, MemberDto, MemberList, RoleChange};
use opsux_core::{Capability, Role, UserId};

use crate::auth::TenantAccess;
use crate::clock::{from_ms, to_ms};
use crate::error::ApiError;
use crate::events::Event;
use crate::extract::{ApiJson, ApiPath};
use crate::org::{self, Change};
use crate::state::AppState;
use crate::store::audit::Actor;

#[utoipa::path(get, path = "/api/t/{tenant}/members", tag = "members",
    params(("tenant" = String, Path)),
    responses((status = 200, body = MemberList), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn list(
    State(state): State<AppState>,
    access: TenantAccess,
) -> Result<Json<MemberList>, ApiError> {
    access.require(Capability::RunsView)?;
    let items = state
        .store
        .members_of(access.tenant.id)
        .await?
        .into_iter()
        .filter_map(|m| {
            Some(MemberDto {
                user_id: m.user_id.parse().ok()?,
                role: Role::parse(&m.role)?,
                email: m.email,
                display_name: m.display_name,
                disabled: m.disabled_at.is_some(),
                last_sign_in_at: m.last_sign_in_at.map(from_ms),
            })
        })
        .collect();
    Ok(Json(MemberList { items }))
}

#[utoipa::path(put, path = "/api/t/{tenant}/members/{user_id}", tag = "members",
    params(("tenant" = String, Path), ("user_id" = String, Path)), request_body = RoleChange,
    responses((status = 200, body = MemberList, description = "The members after the change"),
              (status = 403, body = ErrorEnvelope, description = "Not an owner of the tenant"),
              (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope, description = "The tenant's last owner")))]
pub(super) async fn change_role(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, user_id)): ApiPath<(String, UserId)>,
    ApiJson(change): ApiJson<RoleChange>,
) -> Result<Json<MemberList>, ApiError> {
    require_owner(&access)?;
    let email = member_email(&state, &access, user_id).await?;
    let slug = access.tenant.slug.as_str();
    org::grant(
        &state.store,
        &change_by(&state, &access),
        slug,
        &email,
        change.role,
    )
    .await?;
    list(State(state), access).await
}

#[utoipa::path(delete, path = "/api/t/{tenant}/members/{user_id}", tag = "members",
    params(("tenant" = String, Path), ("user_id" = String, Path)),
    responses((status = 204, description = "No longer a member: their open sessions get 404 for the tenant"),
              (status = 403, body = ErrorEnvelope, description = "Not an owner of the tenant"),
              (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope, description = "The tenant's last owner")))]
pub(super) async fn remove(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, user_id)): ApiPath<(String, UserId)>,
) -> Result<StatusCode, ApiError> {
    require_owner(&access)?;
    let email = member_email(&state, &access, user_id).await?;
    let slug = access.tenant.slug.as_str();
    org::revoke(&state.store, &change_by(&state, &access), slug, &email).await?;
    // Their open streams of the tenant end now, not at their next periodic check.
    state.events.publish(Event::AccessChanged { user: user_id });
    Ok(StatusCode::NO_CONTENT)
}

/// Members are changed by the tenant's owners only.
pub(super) fn require_owner(access: &TenantAccess) -> Result<(), ApiError> {
    if access.role == Role::Owner {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the tenant's owners change who has access",
        ))
    }
}

pub(super) fn change_by(state: &AppState, access: &TenantAccess) -> Change {
    Change {
        actor: Actor::Person(access.user.id),
        at_ms: to_ms(state.clock.now()),
    }
}

async fn member_email(
    state: &AppState,
    access: &TenantAccess,
    user_id: UserId,
) -> Result<String, ApiError> {
    let id = user_id.to_string();
    state
        .store
        .members_of(access.tenant.id)
        .await?
        .into_iter()
        .find(|m| m.user_id == id)
        .map(|m| m.email)
        .ok_or_else(|| ApiError::not_found("member"))
}
