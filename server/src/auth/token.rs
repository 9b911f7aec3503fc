//! The API for other services (`/api/v1/…`): a tenant's API token as `Authorization: Bearer`,
//! never a session cookie. A missing, unknown, expired or revoked token is 401; a token on
//! another tenant's path is 404, as a non-member's request is (R16); a path without a tenant
//! (the worker's) is the token's own tenant.

use std::collections::HashMap;

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::header;
use axum::http::request::Parts;
use opsux_core::TenantSlug;
use opsux_core::wire::ErrorCode;

use crate::clock::to_ms;
use crate::error::ApiError;
use crate::org::{self, TokenGrant, TokenScope};
use crate::runs::TenantRef;
use crate::state::AppState;

/// A live API token of the tenant named in the path.
#[derive(Debug, Clone)]
pub struct TokenAccess {
    pub grant: TokenGrant,
    pub tenant: TenantRef,
}

impl TokenAccess {
    /// 403 unless the token was given `scope`.
    pub fn require(&self, scope: TokenScope) -> Result<(), ApiError> {
        if self.grant.allows(scope) {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("this token was not given the scope {scope}"),
            ))
        }
    }

    /// 403 unless the token may start or work runs of the operation type `key`.
    pub fn require_type(&self, key: &str) -> Result<(), ApiError> {
        if self.grant.allows_type(key) {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("this token may not start or work {key} runs"),
            ))
        }
    }
}

impl FromRequestParts<AppState> for TokenAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            // The scheme's name is case-insensitive (RFC 9110 §11.1).
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unauthenticated,
                    "send the tenant's API token as `Authorization: Bearer opsux_…`",
                )
            })?;
        let grant = org::authenticate_token(&state.store, presented, to_ms(state.clock.now()))
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unauthenticated,
                    "this token is unknown, expired or revoked",
                )
            })?;
        // A path that names a tenant must name the token's; one that names none (the
        // worker's, `/api/v1/worker/…`) means the token's own.
        let read = Path::<HashMap<String, String>>::from_request_parts(parts, state).await;
        let params = match read {
            Ok(Path(params)) => params,
            Err(PathRejection::MissingPathParams(_)) => HashMap::new(),
            // A path that cannot be read (not UTF-8, say) names no tenant of this token's.
            Err(_) => return Err(ApiError::not_found("tenant")),
        };
        if params
            .get("tenant")
            .is_some_and(|in_path| *in_path != grant.tenant_slug)
        {
            return Err(ApiError::not_found("tenant"));
        }
        let slug =
            TenantSlug::parse(&grant.tenant_slug).map_err(|_| ApiError::not_found("tenant"))?;
        // The token's own lookup read its tenant: no second query for it.
        let tenant = TenantRef {
            id: grant.tenant_id,
            workspace_id: grant.workspace_id,
            slug,
        };
        Ok(Self { grant, tenant })
    }
}
