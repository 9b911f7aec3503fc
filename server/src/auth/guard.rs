//! The one tenant guard (R16). Every route under `/api/t/{tenant}` passes through
//! [`require_tenant_member`]: a caller who is not a member of the tenant — or names a tenant
//! that does not exist — gets the same 404, whatever the route. Handlers read the resolved
//! [`TenantAccess`] and ask it for capabilities (403 when missing).

use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use opsux_core::wire::ErrorCode;
use opsux_core::{Capability, Role, TenantSlug};

use super::CurrentUser;
use crate::error::ApiError;
use crate::runs::TenantRef;
use crate::state::AppState;

/// A signed-in member of the tenant named in the path, with their role there.
#[derive(Debug, Clone)]
pub struct TenantAccess {
    pub user: CurrentUser,
    pub tenant: TenantRef,
    pub tenant_name: String,
    pub role: Role,
}

impl TenantAccess {
    /// 403 unless the member's role grants `capability`.
    pub fn require(&self, capability: Capability) -> Result<(), ApiError> {
        if self.role.grants(capability) {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::Forbidden,
                format!(
                    "your role in this tenant does not allow this (needs {})",
                    capability.as_str()
                ),
            ))
        }
    }
}

fn tenant_not_found() -> ApiError {
    ApiError::not_found("tenant")
}

pub async fn require_tenant_member(
    State(state): State<AppState>,
    params: Result<RawPathParams, axum::extract::rejection::RawPathParamsRejection>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    // An undecodable path names no tenant.
    let params = params.map_err(|_| tenant_not_found())?;
    let slug = params
        .iter()
        .find(|(name, _)| *name == "tenant")
        .map(|(_, value)| value.to_owned())
        .ok_or_else(tenant_not_found)?;
    let (mut parts, body) = request.into_parts();
    let user = CurrentUser::from_request_parts(&mut parts, &state).await?;
    let slug = TenantSlug::parse(&slug).map_err(|_| tenant_not_found())?;
    let Some(membership) = state
        .store
        .membership(user.id, &slug)
        .await
        .map_err(|e| ApiError::internal(&e))?
    else {
        return Err(tenant_not_found());
    };
    let role = Role::parse(&membership.role)
        .ok_or_else(|| ApiError::internal(&std::io::Error::other("bad role in database")))?;
    let access = TenantAccess {
        user,
        tenant: membership.tenant,
        tenant_name: membership.tenant_name,
        role,
    };
    parts.extensions.insert(access);
    Ok(next.run(Request::from_parts(parts, body)).await)
}

impl FromRequestParts<AppState> for TenantAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        // Present on every tenant route; absent only if a route was mounted outside the guard,
        // which must fail closed.
        parts
            .extensions
            .get::<Self>()
            .cloned()
            .ok_or_else(tenant_not_found)
    }
}
