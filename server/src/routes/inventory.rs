//! The tenant's inventory, read-only (R15): policies, a policy's captured versions, groups.

use axum::Json;
use axum::extract::State;
use opsux_core::Capability;
use opsux_core::wire::{
    ErrorEnvelope, GroupList, PolicyDto, PolicyKinds, PolicyList, PolicyVersionList,
};
use serde::Deserialize;

use super::paging;
use crate::auth::TenantAccess;
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use crate::store::inventory::PolicyFilter;
use crate::store::paging::NameCursor;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PolicyQuery {
    ignored: Option<bool>,
    kind: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/t/{tenant}/policies", tag = "inventory",
    params(("tenant" = String, Path, description = "Tenant slug"),
           ("ignored" = Option<bool>, Query), ("kind" = Option<String>, Query, description = "e.g. windows10GeneralConfiguration"),
           ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<u32>, Query, description = "1-200, default 50")),
    responses((status = 200, body = PolicyList), (status = 400, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope, description = "Not a member of the tenant")))]
pub(super) async fn policies(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiQuery(query): ApiQuery<PolicyQuery>,
) -> Result<Json<PolicyList>, ApiError> {
    access.require(Capability::RunsView)?;
    let after = paging::cursor(query.cursor.as_deref(), NameCursor::decode)?;
    let limit = paging::limit(query.limit)?;
    let filter = PolicyFilter {
        ignored: query.ignored,
        kind: query.kind,
    };
    let (items, next) = state
        .store
        .policies(access.tenant.id, &filter, after.as_ref(), limit)
        .await?;
    Ok(Json(PolicyList {
        items,
        next_cursor: next.map(|c| c.encode()),
    }))
}

#[utoipa::path(get, path = "/api/t/{tenant}/policies/kinds", tag = "inventory",
    params(("tenant" = String, Path)),
    responses((status = 200, body = PolicyKinds), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn policy_kinds(
    State(state): State<AppState>,
    access: TenantAccess,
) -> Result<Json<PolicyKinds>, ApiError> {
    access.require(Capability::RunsView)?;
    let items = state.store.policy_kinds(access.tenant.id).await?;
    Ok(Json(PolicyKinds { items }))
}

fn policy_not_found() -> ApiError {
    ApiError::not_found("policy")
}

#[utoipa::path(get, path = "/api/t/{tenant}/policies/{id}", tag = "inventory",
    params(("tenant" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = PolicyDto), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn policy(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> Result<Json<PolicyDto>, ApiError> {
    access.require(Capability::RunsView)?;
    let policy = state.store.policy(access.tenant.id, &id).await?;
    policy.map(Json).ok_or_else(policy_not_found)
}

#[utoipa::path(get, path = "/api/t/{tenant}/policies/{id}/versions", tag = "inventory",
    params(("tenant" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = PolicyVersionList), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn policy_versions(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> Result<Json<PolicyVersionList>, ApiError> {
    access.require(Capability::RunsView)?;
    if state.store.policy(access.tenant.id, &id).await?.is_none() {
        return Err(policy_not_found());
    }
    let items = state.store.policy_versions(access.tenant.id, &id).await?;
    Ok(Json(PolicyVersionList { items }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GroupQuery {
    cursor: Option<String>,
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/t/{tenant}/groups", tag = "inventory",
    params(("tenant" = String, Path),
           ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<u32>, Query, description = "1-200, default 50")),
    responses((status = 200, body = GroupList), (status = 400, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn groups(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiQuery(query): ApiQuery<GroupQuery>,
) -> Result<Json<GroupList>, ApiError> {
    access.require(Capability::RunsView)?;
    let after = paging::cursor(query.cursor.as_deref(), NameCursor::decode)?;
    let limit = paging::limit(query.limit)?;
    let (items, next) = state
        .store
        .groups(access.tenant.id, after.as_ref(), limit)
        .await?;
    Ok(Json(GroupList {
        items,
        next_cursor: next.map(|c| c.encode()),
    }))
}
