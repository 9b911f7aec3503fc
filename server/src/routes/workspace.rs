//! `/api/workspace/…`, for the workspace's owners (anyone else gets 404, as for a tenant they
//! do not belong to): its tenants — added, renamed, connected to their provider and the
//! connection tested — its owners, and its own audit entries (R19).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsux_core::TenantSlug;
use opsux_core::wire::{
    ApiTokenDto, AuditLog, ConnectTenant, ConnectionCheck, ConnectionDto, ErrorCode, ErrorEnvelope,
    NewTenant, OwnerDto, TenantRename, WorkspaceOverview, WorkspaceTenantDto,
};
use serde::Deserialize;

use super::paging;
use crate::auth::CurrentUser;
use crate::clock::{from_ms, to_ms};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::org::{self, Change, NewConnection};
use crate::state::AppState;
use crate::store::audit::{Actor, AuditScope};
use crate::store::directory::WorkspaceRow;
use crate::store::paging::TimeCursor;

/// The workspace, if `user` owns it; else the 404 everyone else gets.
async fn owned(state: &AppState, user: &CurrentUser) -> Result<WorkspaceRow, ApiError> {
    let Some(workspace) = state.store.workspace().await? else {
        return Err(ApiError::not_found("workspace"));
    };
    if state
        .store
        .is_workspace_owner(&workspace.id, &user.id.to_string())
        .await?
    {
        Ok(workspace)
    } else {
        Err(ApiError::not_found("workspace"))
    }
}

fn change_by(state: &AppState, user: &CurrentUser) -> Change {
    Change {
        actor: Actor::Person(user.id),
        at_ms: to_ms(state.clock.now()),
    }
}

#[utoipa::path(get, path = "/api/workspace", tag = "workspace",
    responses((status = 200, body = WorkspaceOverview), (status = 401, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope, description = "Not an owner of the workspace")))]
pub(super) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<WorkspaceOverview>, ApiError> {
    let workspace = owned(&state, &user).await?;
    let mut tenants = Vec::new();
    for tenant in state.store.tenant_list(&workspace.id).await? {
        let connection = match tenant.id.parse() {
            Ok(id) => state.store.connection(id).await?,
            Err(_) => None,
        };
        let tokens = org::tokens(&state.store, &tenant.slug)
            .await?
            .into_iter()
            .map(|t| ApiTokenDto {
                name: t.name,
                scopes: t.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
                types: t.types,
                created_by: t.created_by,
                created_at: from_ms(t.created_at_ms),
                expires_at: t.expires_at_ms.map(from_ms),
            })
            .collect();
        tenants.push(WorkspaceTenantDto {
            tokens,
            slug: tenant.slug,
            name: tenant.name,
            members: u64::try_from(tenant.members).unwrap_or_default(),
            created_at: from_ms(tenant.created_at),
            connection: connection.map(|c| ConnectionDto {
                directory_id: c.directory_id,
                client_id: c.client_id,
                login_url: c.login_url,
                graph_url: c.graph_url,
            }),
        });
    }
    let owners = state
        .store
        .workspace_owners(&workspace.id)
        .await?
        .into_iter()
        .map(|u| OwnerDto {
            display_name: u.display_name,
            email: u.email,
        })
        .collect();
    Ok(Json(WorkspaceOverview {
        name: workspace.name,
        tenants,
        owners,
    }))
}

#[utoipa::path(post, path = "/api/workspace/tenants", tag = "workspace", request_body = NewTenant,
    responses((status = 201, body = WorkspaceOverview, description = "Added; the workspace's owners own it"),
              (status = 404, body = ErrorEnvelope, description = "Not an owner of the workspace"),
              (status = 409, body = ErrorEnvelope, description = "The slug is taken"),
              (status = 422, body = ErrorEnvelope, description = "The slug or name breaks its rule")))]
pub(super) async fn add_tenant(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewTenant>,
) -> Result<(StatusCode, Json<WorkspaceOverview>), ApiError> {
    owned(&state, &user).await?;
    org::add_tenant(
        &state.store,
        &change_by(&state, &user),
        &new.slug,
        &new.name,
    )
    .await?;
    Ok((StatusCode::CREATED, show(State(state), user).await?))
}

#[utoipa::path(patch, path = "/api/workspace/tenants/{slug}", tag = "workspace",
    params(("slug" = String, Path)), request_body = TenantRename,
    responses((status = 200, body = WorkspaceOverview),
              (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(super) async fn rename_tenant(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(slug): ApiPath<TenantSlug>,
    ApiJson(rename): ApiJson<TenantRename>,
) -> Result<Json<WorkspaceOverview>, ApiError> {
    owned(&state, &user).await?;
    org::rename_tenant(
        &state.store,
        &change_by(&state, &user),
        slug.as_str(),
        &rename.name,
    )
    .await?;
    show(State(state), user).await
}

#[utoipa::path(delete, path = "/api/workspace/tenants/{slug}/tokens/{name}", tag = "workspace",
    params(("slug" = String, Path), ("name" = String, Path, description = "The token's name")),
    responses((status = 200, body = WorkspaceOverview, description = "Revoked: requests with it are refused from now on"),
              (status = 404, body = ErrorEnvelope, description = "Not an owner of the workspace, or no live token of that name")))]
pub(super) async fn revoke_token(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((slug, name)): ApiPath<(TenantSlug, String)>,
) -> Result<Json<WorkspaceOverview>, ApiError> {
    owned(&state, &user).await?;
    org::revoke_token(
        &state.store,
        &change_by(&state, &user),
        slug.as_str(),
        &name,
    )
    .await?;
    show(State(state), user).await
}

#[utoipa::path(put, path = "/api/workspace/tenants/{slug}/connection", tag = "workspace",
    params(("slug" = String, Path)), request_body = ConnectTenant,
    responses((status = 200, body = WorkspaceOverview, description = "Checked (a sign-in and one page of policies) and stored, the secret sealed"),
              (status = 404, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope, description = "A field is missing or the provider refused the credentials; nothing was stored"),
              (status = 503, body = ErrorEnvelope, description = "This server has no secrets key")))]
pub(super) async fn connect_tenant(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(slug): ApiPath<TenantSlug>,
    ApiJson(body): ApiJson<ConnectTenant>,
) -> Result<Json<WorkspaceOverview>, ApiError> {
    owned(&state, &user).await?;
    let secrets = secrets(&state)?;
    let new = NewConnection {
        directory_id: &body.directory_id,
        client_id: &body.client_id,
        client_secret: &body.client_secret,
        login_url: body.login_url.as_deref().unwrap_or(org::DEFAULT_LOGIN_URL),
        graph_url: body.graph_url.as_deref().unwrap_or(org::DEFAULT_GRAPH_URL),
    };
    let change = change_by(&state, &user);
    let provider = &state.config.provider;
    org::connect(
        &state.store,
        provider,
        &secrets,
        &change,
        slug.as_str(),
        new,
        true,
    )
    .await?;
    show(State(state), user).await
}

#[utoipa::path(post, path = "/api/workspace/tenants/{slug}/connection/test", tag = "workspace",
    params(("slug" = String, Path)),
    responses((status = 200, body = ConnectionCheck, description = "Whether the stored credentials sign in and list policies, and what the provider said"),
              (status = 404, body = ErrorEnvelope),
              (status = 503, body = ErrorEnvelope, description = "This server has no secrets key")))]
pub(super) async fn test_connection(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(slug): ApiPath<TenantSlug>,
) -> Result<Json<ConnectionCheck>, ApiError> {
    owned(&state, &user).await?;
    let secrets = secrets(&state)?;
    let tenant = state
        .store
        .tenant(&slug)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    let provider = &state.config.provider;
    let checked = org::check_connection(&state.store, provider, &secrets, tenant.id).await?;
    Ok(Json(ConnectionCheck {
        ok: checked.ok,
        message: checked.message,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AuditQuery {
    cursor: Option<String>,
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/workspace/audit-log", tag = "workspace",
    params(("cursor" = Option<String>, Query), ("limit" = Option<u32>, Query, description = "1-200, default 50")),
    responses((status = 200, body = AuditLog, description = "The workspace's own entries (users, owners, tenants added, sign-in failures), newest first"),
              (status = 404, body = ErrorEnvelope)))]
pub(super) async fn audit_log(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditLog>, ApiError> {
    let workspace = owned(&state, &user).await?;
    let after = paging::cursor(query.cursor.as_deref(), TimeCursor::decode)?;
    let limit = paging::limit(query.limit)?;
    let id = workspace
        .id
        .parse()
        .map_err(|_| ApiError::internal(&std::io::Error::other("a stored workspace id")))?;
    let (items, next) = state
        .store
        .audit_log(AuditScope::Workspace(id), after, limit)
        .await?;
    Ok(Json(AuditLog {
        items,
        next_cursor: next.map(|c| c.encode()),
    }))
}

pub(super) fn secrets(
    state: &AppState,
) -> Result<std::sync::Arc<crate::secrets::SecretsKey>, ApiError> {
    state.secrets.clone().ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unavailable,
            "this server has no secrets key to seal credentials with (see --secrets-key)",
        )
    })
}
