//! Backup sets and restore runs: list, create (plain records), read. Filling a set and
//! executing a restore are operations, started like any other.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsux_core::Capability;
use opsux_core::wire::{
    BackupSetDetail, BackupSetDto, BackupSetList, ErrorCode, ErrorEnvelope, NewBackupSet,
    NewRestoreRun, RestoreRunDto, RestoreRunList,
};
use serde::Deserialize;
use uuid::Uuid;

use super::paging;
use crate::auth::TenantAccess;
use crate::clock::to_ms;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::store::paging::TimeCursor;

const MAX_NAME: usize = 100;

/// A trimmed name of 1–100 characters, or the 422 naming `name`.
fn valid_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(ApiError::new(
            ErrorCode::ValidationFailed,
            format!("name must be 1 to {MAX_NAME} characters"),
        ));
    }
    Ok(name.to_owned())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PageQuery {
    cursor: Option<String>,
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/t/{tenant}/backup-sets", tag = "backups",
    params(("tenant" = String, Path), ("cursor" = Option<String>, Query), ("limit" = Option<u32>, Query, description = "1-200, default 50")),
    responses((status = 200, body = BackupSetList), (status = 400, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn sets(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<BackupSetList>, ApiError> {
    access.require(Capability::RunsView)?;
    let after = paging::cursor(query.cursor.as_deref(), TimeCursor::decode)?;
    let limit = paging::limit(query.limit)?;
    let (items, next) = state
        .store
        .backup_sets(access.tenant.id, after, limit)
        .await?;
    Ok(Json(BackupSetList {
        items,
        next_cursor: next.map(|c| c.encode()),
    }))
}

#[utoipa::path(post, path = "/api/t/{tenant}/backup-sets", tag = "backups",
    params(("tenant" = String, Path)), request_body = NewBackupSet,
    responses((status = 201, body = BackupSetDto), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(super) async fn create_set(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiJson(new): ApiJson<NewBackupSet>,
) -> Result<(StatusCode, Json<BackupSetDto>), ApiError> {
    access.require(Capability::BackupManage)?;
    let name = valid_name(&new.name)?;
    let id = Uuid::now_v7();
    let now = to_ms(state.clock.now());
    state
        .store
        .create_backup_set(access.tenant.id, id, &name, None, now)
        .await?;
    let (set, _) = state
        .store
        .backup_set(access.tenant.id, &id.to_string())
        .await?
        .ok_or_else(|| ApiError::not_found("backup set"))?;
    Ok((StatusCode::CREATED, Json(set)))
}

#[utoipa::path(get, path = "/api/t/{tenant}/backup-sets/{id}", tag = "backups",
    params(("tenant" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = BackupSetDetail), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn set(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> Result<Json<BackupSetDetail>, ApiError> {
    access.require(Capability::RunsView)?;
    let (set, items) = state
        .store
        .backup_set(access.tenant.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("backup set"))?;
    Ok(Json(BackupSetDetail { set, items }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RestoreQuery {
    archived: Option<bool>,
    cursor: Option<String>,
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/t/{tenant}/restore-runs", tag = "backups",
    params(("tenant" = String, Path), ("archived" = Option<bool>, Query), ("cursor" = Option<String>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = RestoreRunList), (status = 400, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn restore_runs(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiQuery(query): ApiQuery<RestoreQuery>,
) -> Result<Json<RestoreRunList>, ApiError> {
    access.require(Capability::RunsView)?;
    let after = paging::cursor(query.cursor.as_deref(), TimeCursor::decode)?;
    let limit = paging::limit(query.limit)?;
    let (items, next) = state
        .store
        .restore_runs(access.tenant.id, query.archived, after, limit)
        .await?;
    Ok(Json(RestoreRunList {
        items,
        next_cursor: next.map(|c| c.encode()),
    }))
}

#[utoipa::path(post, path = "/api/t/{tenant}/restore-runs", tag = "backups",
    params(("tenant" = String, Path)), request_body = NewRestoreRun,
    responses((status = 201, body = RestoreRunDto), (status = 403, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope, description = "The name, or a backup set that is not the tenant's")))]
pub(super) async fn create_restore_run(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiJson(new): ApiJson<NewRestoreRun>,
) -> Result<(StatusCode, Json<RestoreRunDto>), ApiError> {
    access.require(Capability::RestoreExecute)?;
    let name = valid_name(&new.name)?;
    if state
        .store
        .backup_set(access.tenant.id, &new.backup_set_id)
        .await?
        .is_none()
    {
        return Err(ApiError::new(
            ErrorCode::ValidationFailed,
            format!(
                "backup_set_id: {:?} is not a backup set of this tenant",
                new.backup_set_id
            ),
        ));
    }
    let id = Uuid::now_v7();
    let now = to_ms(state.clock.now());
    state
        .store
        .create_restore_run(access.tenant.id, id, &new.backup_set_id, &name, now)
        .await?;
    let run = state
        .store
        .restore_run(access.tenant.id, &id.to_string())
        .await?
        .ok_or_else(|| ApiError::not_found("restore run"))?;
    Ok((StatusCode::CREATED, Json(run)))
}

#[utoipa::path(get, path = "/api/t/{tenant}/restore-runs/{id}", tag = "backups",
    params(("tenant" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = RestoreRunDto), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn restore_run(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> Result<Json<RestoreRunDto>, ApiError> {
    access.require(Capability::RunsView)?;
    state
        .store
        .restore_run(access.tenant.id, &id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("restore run"))
}

#[utoipa::path(post, path = "/api/t/{tenant}/restore-runs/{id}/archive", tag = "backups",
    params(("tenant" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = RestoreRunDto, description = "Archived (or already archived): `restore_run_unarchive` brings it back, `restore_run_force_delete` deletes it for good"),
              (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn archive_restore_run(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> Result<Json<RestoreRunDto>, ApiError> {
    access.require(Capability::RestoreExecute)?;
    state
        .store
        .set_restore_archived(access.tenant.id, &id, true)
        .await?
        .ok_or_else(|| ApiError::not_found("restore run"))?;
    state
        .store
        .restore_run(access.tenant.id, &id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("restore run"))
}
