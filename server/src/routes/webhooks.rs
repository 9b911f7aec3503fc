//! `/api/t/{tenant}/webhooks…`: where the tenant's ended runs are sent. Every member sees the
//! endpoints and their recent deliveries (never a secret); owners add, remove, rotate, resume,
//! send a test event and send a delivery again — through `org/`, which audits the changes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsux_core::wire::ErrorCode;
use opsux_core::wire::{
    DELIVERIES_LISTED, DeliveryState, ErrorEnvelope, NewWebhook, WebhookDeliveryDto, WebhookDto,
    WebhookList, WebhookSecretShown,
};
use opsux_core::{Capability, Role, RunId, presenter};

use super::members::change_by;
use crate::auth::TenantAccess;
use crate::clock::from_ms;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::org::{self, DeliverySummary, WebhookSummary};
use crate::state::AppState;
use crate::webhooks::destination;

#[utoipa::path(get, path = "/api/t/{tenant}/webhooks", tag = "webhooks",
    params(("tenant" = String, Path)),
    responses((status = 200, body = WebhookList), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn list(
    State(state): State<AppState>,
    access: TenantAccess,
) -> Result<Json<WebhookList>, ApiError> {
    access.require(Capability::RunsView)?;
    let slug = access.tenant.slug.as_str();
    let mut items = Vec::new();
    for endpoint in org::webhooks(&state.store, slug).await? {
        items.push(dto(&state, &access, endpoint).await?);
    }
    Ok(Json(WebhookList { items }))
}

#[utoipa::path(post, path = "/api/t/{tenant}/webhooks", tag = "webhooks",
    params(("tenant" = String, Path)), request_body = NewWebhook,
    responses((status = 201, body = WebhookSecretShown, description = "Added; its secret is shown this once"),
              (status = 403, body = ErrorEnvelope, description = "Not an owner of the tenant"),
              (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope, description = "The tenant has an endpoint of that name, or as many as it may"),
              (status = 422, body = ErrorEnvelope, description = "A name, URL or type breaks its rule"),
              (status = 503, body = ErrorEnvelope, description = "This server has no secrets key")))]
pub(super) async fn add(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiJson(new): ApiJson<NewWebhook>,
) -> Result<(StatusCode, Json<WebhookSecretShown>), ApiError> {
    owners_only(&access)?;
    let secrets = super::workspace::secrets(&state)?;
    let added = org::add_webhook(
        &state.store,
        &secrets,
        &change_by(&state, &access),
        access.tenant.slug.as_str(),
        &org::NewWebhook {
            name: &new.name,
            url: &new.url,
            only_failed: new.only_failed,
            only_system: new.only_system,
            types: new.types.as_deref(),
        },
        state.config.webhook_allow_private,
    )
    .await?;
    let webhook = one(&state, &access, &added.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(WebhookSecretShown {
            webhook,
            secret: added.secret,
        }),
    ))
}

#[utoipa::path(delete, path = "/api/t/{tenant}/webhooks/{name}", tag = "webhooks",
    params(("tenant" = String, Path), ("name" = String, Path)),
    responses((status = 204, description = "Removed, with what it was still owed"),
              (status = 403, body = ErrorEnvelope, description = "Not an owner of the tenant"),
              (status = 404, body = ErrorEnvelope)))]
pub(super) async fn remove(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, name)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    owners_only(&access)?;
    let slug = access.tenant.slug.as_str();
    org::remove_webhook(&state.store, &change_by(&state, &access), slug, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/t/{tenant}/webhooks/{name}/test", tag = "webhooks",
    params(("tenant" = String, Path), ("name" = String, Path)),
    responses((status = 202, body = WebhookDto, description = "A `webhook.test` event is on its way"),
              (status = 403, body = ErrorEnvelope, description = "Not an owner of the tenant"),
              (status = 404, body = ErrorEnvelope)))]
pub(super) async fn send_test(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, name)): ApiPath<(String, String)>,
) -> Result<(StatusCode, Json<WebhookDto>), ApiError> {
    owners_only(&access)?;
    let slug = access.tenant.slug.as_str();
    org::send_test_event(&state.store, &change_by(&state, &access), slug, &name).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(one(&state, &access, &name).await?),
    ))
}

#[utoipa::path(post, path = "/api/t/{tenant}/webhooks/{name}/resume", tag = "webhooks",
    params(("tenant" = String, Path), ("name" = String, Path)),
    responses((status = 200, body = WebhookDto, description = "Resumed: what it missed is sent"),
              (status = 403, body = ErrorEnvelope, description = "Not an owner of the tenant"),
              (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope, description = "It is not paused")))]
pub(super) async fn resume(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, name)): ApiPath<(String, String)>,
) -> Result<Json<WebhookDto>, ApiError> {
    owners_only(&access)?;
    let slug = access.tenant.slug.as_str();
    org::resume_webhook(&state.store, &change_by(&state, &access), slug, &name).await?;
    Ok(Json(one(&state, &access, &name).await?))
}

#[utoipa::path(post, path = "/api/t/{tenant}/webhooks/{name}/rotate-secret", tag = "webhooks",
    params(("tenant" = String, Path), ("name" = String, Path)),
    responses((status = 200, body = WebhookSecretShown, description = "Signed with the new secret from the next attempt on; shown this once"),
              (status = 403, body = ErrorEnvelope, description = "Not an owner of the tenant"),
              (status = 404, body = ErrorEnvelope),
              (status = 503, body = ErrorEnvelope, description = "This server has no secrets key")))]
pub(super) async fn rotate_secret(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, name)): ApiPath<(String, String)>,
) -> Result<Json<WebhookSecretShown>, ApiError> {
    owners_only(&access)?;
    let secrets = super::workspace::secrets(&state)?;
    let slug = access.tenant.slug.as_str();
    let rotated = org::rotate_webhook_secret(
        &state.store,
        &secrets,
        &change_by(&state, &access),
        slug,
        &name,
    )
    .await?;
    Ok(Json(WebhookSecretShown {
        webhook: one(&state, &access, &rotated.name).await?,
        secret: rotated.secret,
    }))
}

#[utoipa::path(post, path = "/api/t/{tenant}/webhooks/{name}/deliveries/{id}/resend", tag = "webhooks",
    params(("tenant" = String, Path), ("name" = String, Path), ("id" = String, Path, description = "The delivery's `msg_…` id")),
    responses((status = 202, body = WebhookDto, description = "Sent again under the same `webhook-id`"),
              (status = 403, body = ErrorEnvelope, description = "Not an owner of the tenant"),
              (status = 404, body = ErrorEnvelope, description = "No such ended delivery")))]
pub(super) async fn resend(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiPath((_, name, id)): ApiPath<(String, String, String)>,
) -> Result<(StatusCode, Json<WebhookDto>), ApiError> {
    owners_only(&access)?;
    let slug = access.tenant.slug.as_str();
    org::resend_delivery(&state.store, &change_by(&state, &access), slug, &name, &id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(one(&state, &access, &name).await?),
    ))
}

/// Webhooks are changed by the tenant's owners only.
fn owners_only(access: &TenantAccess) -> Result<(), ApiError> {
    if access.role == Role::Owner {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the tenant's owners change its webhooks",
        ))
    }
}

/// The tenant's endpoint `name`, as the list shows it.
async fn one(state: &AppState, access: &TenantAccess, name: &str) -> Result<WebhookDto, ApiError> {
    let endpoint = org::webhooks(&state.store, access.tenant.slug.as_str())
        .await?
        .into_iter()
        .find(|w| w.name == name.trim())
        .ok_or_else(|| ApiError::not_found("webhook"))?;
    dto(state, access, endpoint).await
}

async fn dto(
    state: &AppState,
    access: &TenantAccess,
    endpoint: WebhookSummary,
) -> Result<WebhookDto, ApiError> {
    let deliveries = org::webhook_deliveries(
        &state.store,
        access.tenant.slug.as_str(),
        &endpoint.name,
        DELIVERIES_LISTED as i64,
    )
    .await?
    .into_iter()
    .map(|d| delivery(access, d))
    .collect();
    // A path may carry the receiving service's token: only owners see it.
    let url = if access.role == Role::Owner {
        endpoint.url
    } else {
        destination::masked(&endpoint.url)
    };
    Ok(WebhookDto {
        name: endpoint.name,
        url,
        only_failed: endpoint.only_failed,
        only_system: endpoint.only_system,
        types: endpoint.types,
        created_by: endpoint.created_by,
        created_at: from_ms(endpoint.created_at_ms),
        failing_since: endpoint.failing_since_ms.map(from_ms),
        paused_at: endpoint.paused_at_ms.map(from_ms),
        deliveries,
    })
}

fn delivery(access: &TenantAccess, row: DeliverySummary) -> WebhookDeliveryDto {
    let run: Option<RunId> = row.run_id.as_deref().and_then(|id| id.parse().ok());
    WebhookDeliveryDto {
        id: format!("msg_{}", row.id),
        event: row.event,
        view_run_url: run.map(|id| presenter::view_run_url(&access.tenant.slug, id)),
        run_id: row.run_id,
        state: DeliveryState::parse(&row.state).unwrap_or(DeliveryState::Failed),
        attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
        last_status: row.last_status.and_then(|s| u16::try_from(s).ok()),
        last_error: row.last_error,
        next_attempt_at: row.next_attempt_at.map(from_ms),
        created_at: from_ms(row.created_at),
        ended_at: row.ended_at.map(from_ms),
    }
}
