//! `/api/v1/…`: what other services do with a tenant's API token (`Authorization: Bearer`).
//! Starting a run here is the panel's start — the same checks, the same answer with its toast
//! and canonical link — for a member named by e-mail, who then gets the run's one terminal
//! notification, or for nobody (a system run).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsux_core::wire::{
    ErrorCode, ErrorEnvelope, StartRunRequest, StartRunResponse, TokenStartRequest,
};
use opsux_core::{Role, UserId};

use super::runs::{StartRule, start_for};
use crate::auth::TokenAccess;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::org::TokenScope;
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/t/{tenant}/operations", tag = "api tokens",
    params(("tenant" = String, Path)),
    request_body = TokenStartRequest,
    security(("api_token" = [])),
    responses((status = 202, body = StartRunResponse, description = "Queued, or the identical active run (already_queued)"),
              (status = 401, body = ErrorEnvelope, description = "No token, or one unknown, expired or revoked"),
              (status = 403, body = ErrorEnvelope, description = "The token lacks runs:start or this type, or the initiator may not start it"),
              (status = 404, body = ErrorEnvelope, description = "Another tenant's path"),
              (status = 409, body = ErrorEnvelope, description = "The tenant or the person has the most active runs allowed"),
              (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(super) async fn start(
    State(state): State<AppState>,
    access: TokenAccess,
    ApiJson(req): ApiJson<TokenStartRequest>,
) -> Result<(StatusCode, Json<StartRunResponse>), ApiError> {
    access.require(TokenScope::RunsStart)?;
    access.require_type(req.operation.as_str())?;
    let rule = StartRule::of(&state, req.operation).await?;
    let initiator = match &req.initiator {
        None => None,
        Some(initiator) => {
            Some(member_who_may_start(&state, &access, &initiator.email, rule.capability).await?)
        }
    };
    let start = StartRunRequest {
        operation: req.operation,
        params: req.params,
    };
    start_for(&state, &access.tenant, &start, &rule, initiator).await
}

/// The member of the token's tenant with address `email`, if their role lets them start runs
/// needing `capability`; 403 otherwise, without saying whether the address has an account.
async fn member_who_may_start(
    state: &AppState,
    access: &TokenAccess,
    email: &str,
    capability: opsux_core::Capability,
) -> Result<UserId, ApiError> {
    let refused = || {
        ApiError::new(
            ErrorCode::Forbidden,
            format!(
                "the initiator must be a member of {} whose role may start this operation (needs {})",
                access.tenant.slug,
                capability.as_str()
            ),
        )
    };
    let Some(user) = state
        .store
        .user_by_email(email.trim())
        .await
        .map_err(|e| ApiError::internal(&e))?
    else {
        return Err(refused());
    };
    let id: UserId = user.id.parse().map_err(|_| refused())?;
    let membership = state
        .store
        .membership(id, &access.tenant.slug)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(refused)?;
    let role = Role::parse(&membership.role).ok_or_else(refused)?;
    if user.disabled_at.is_some() || !role.grants(capability) {
        return Err(refused());
    }
    Ok(id)
}
