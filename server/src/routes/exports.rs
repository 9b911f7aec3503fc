//! A policy export's file: found from its run, downloaded by members who may view runs.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use opsux_core::Capability;
use opsux_core::wire::{ErrorEnvelope, ExportDto};

use crate::auth::TenantAccess;
use crate::clock::from_ms;
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::state::AppState;

fn export_not_found() -> ApiError {
    ApiError::not_found("export")
}

#[utoipa::path(get, path = "/api/t/{tenant}/operations/{id}/export", tag = "runs",
    params(("tenant" = String, Path), ("id" = String, Path, description = "A policy_export run")),
    responses((status = 200, body = ExportDto), (status = 404, body = ErrorEnvelope, description = "No such run, or it wrote no file")))]
pub(super) async fn of_run(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> Result<Json<ExportDto>, ApiError> {
    access.require(Capability::RunsView)?;
    let run = super::runs::parse_run_id(&id)?;
    let export = state
        .store
        .export_of_run(access.tenant.id, run)
        .await?
        .ok_or_else(export_not_found)?;
    Ok(Json(ExportDto {
        download_url: format!(
            "/api/t/{}/exports/{}/download",
            access.tenant.slug, export.id
        ),
        id: export.id,
        file_name: export.file_name,
        bytes: u64::try_from(export.bytes).unwrap_or(0),
        created_at: from_ms(export.created_at),
    }))
}

#[utoipa::path(get, path = "/api/t/{tenant}/exports/{id}/download", tag = "runs",
    params(("tenant" = String, Path), ("id" = String, Path)),
    responses((status = 200, content_type = "application/json", description = "The export file, as an attachment"),
              (status = 404, body = ErrorEnvelope)))]
pub(super) async fn download(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    access.require(Capability::RunsView)?;
    let export = state
        .store
        .export(access.tenant.id, &id)
        .await?
        .ok_or_else(export_not_found)?;
    // A file removed from disk since is gone, as far as anyone asking can tell.
    let bytes = tokio::fs::read(state.config.exports_dir.join(&export.path))
        .await
        .map_err(|_| export_not_found())?;
    let disposition = format!("attachment; filename=\"{}\"", export.file_name);
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from(bytes),
    )
        .into_response())
}
