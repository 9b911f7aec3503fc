//! `GET /api/me/notifications`, `POST …/{id}/read`, `POST …/read-all`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsux_core::wire::{ErrorEnvelope, NotificationList};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::clock::to_ms;
use crate::error::ApiError;
use crate::events::Event;
use crate::extract::ApiPath;
use crate::state::AppState;

#[utoipa::path(get, path = "/api/me/notifications", tag = "notifications",
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorEnvelope)))]
pub(super) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<NotificationList>, ApiError> {
    let (unread, items) = state.store.notifications(user.id).await?;
    Ok(Json(NotificationList { unread, items }))
}

#[utoipa::path(post, path = "/api/me/notifications/{id}/read", tag = "notifications", params(("id" = String, Path)),
    responses((status = 204, description = "Marked read"), (status = 404, body = ErrorEnvelope)))]
pub(super) async fn read_one(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    // Someone else's notification is as absent as a made-up id (R16).
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found("notification"))?;
    if !state
        .store
        .mark_read(user.id, id, to_ms(state.clock.now()))
        .await?
    {
        return Err(ApiError::not_found("notification"));
    }
    state
        .events
        .publish(Event::NotificationsRead { user: user.id });
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/me/notifications/read-all", tag = "notifications",
    responses((status = 204, description = "All marked read")))]
pub(super) async fn read_all(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .mark_all_read(user.id, to_ms(state.clock.now()))
        .await?;
    state
        .events
        .publish(Event::NotificationsRead { user: user.id });
    Ok(StatusCode::NO_CONTENT)
}
