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
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, attachment(&export.file_name)),
            // A tenant's configuration: no cache (browser or proxy) keeps a copy, and no
            // browser guesses it is anything but the JSON it is.
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        Body::from(bytes),
    )
        .into_response())
}

/// `Content-Disposition` for a download named `file_name` (RFC 6266): a quoted ASCII name
/// for every browser — anything outside printable ASCII, quotes and backslashes replaced —
/// and the exact name as UTF-8 in `filename*` (RFC 8187) for those that read it.
fn attachment(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| match c {
            '"' | '\\' => '_',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => '_',
        })
        .collect();
    let mut encoded = String::new();
    for byte in file_name.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                encoded.push(char::from(byte));
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::attachment;

    #[test]
    fn a_download_name_is_quoted_and_given_exactly_in_utf8() {
        assert_eq!(
            attachment("policy-export-1.json"),
            "attachment; filename=\"policy-export-1.json\"; filename*=UTF-8''policy-export-1.json"
        );
        assert_eq!(
            attachment("Bäck\"up\\ 1.json"),
            "attachment; filename=\"B_ck_up_ 1.json\"; filename*=UTF-8''B%C3%A4ck%22up%5C%201.json"
        );
    }
}
