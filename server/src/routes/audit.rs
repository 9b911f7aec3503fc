//! `GET /api/t/{tenant}/audit-log`: who did what, when, before and after (R19) — for owners.

use axum::Json;
use axum::extract::State;
use opsux_core::Role;
use opsux_core::wire::{AuditLog, ErrorCode, ErrorEnvelope};
use serde::Deserialize;

use super::paging;
use crate::auth::TenantAccess;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::store::audit::AuditScope;
use crate::store::paging::TimeCursor;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AuditQuery {
    cursor: Option<String>,
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/t/{tenant}/audit-log", tag = "audit",
    params(("tenant" = String, Path), ("cursor" = Option<String>, Query), ("limit" = Option<u32>, Query, description = "1-200, default 50")),
    responses((status = 200, body = AuditLog), (status = 403, body = ErrorEnvelope, description = "Not an owner of the tenant"),
              (status = 404, body = ErrorEnvelope)))]
pub(super) async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditLog>, ApiError> {
    if access.role != Role::Owner {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "the audit log is for the tenant's owners",
        ));
    }
    let after = paging::cursor(query.cursor.as_deref(), TimeCursor::decode)?;
    let limit = paging::limit(query.limit)?;
    let (items, next) = state
        .store
        .audit_log(AuditScope::Tenant(access.tenant.id), after, limit)
        .await?;
    Ok(Json(AuditLog {
        items,
        next_cursor: next.map(|c| c.encode()),
    }))
}
