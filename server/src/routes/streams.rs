//! Server-Sent Events: the active runs of a tenant (widget), one run (Run Detail), and my
//! notifications (bell). Each stream subscribes to the event hub first and then sends a
//! snapshot read from the database, so no change falls between the two; a subscriber that
//! lags gets a fresh snapshot instead of the events it missed. Keep-alives hold proxies open.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::sse::{Event as Sse, KeepAlive};
use futures_util::stream::{self, Stream};
use opsux_core::wire::{ActiveRunsEvent, NotificationsEvent, RunStreamEvent};
use opsux_core::{Capability, RunId, TenantSlug, UserId};
use serde::Serialize;
use tokio::sync::broadcast::{Receiver, error::RecvError};
use uuid::Uuid;

use crate::auth::{CurrentUser, TenantAccess};
use crate::error::ApiError;
use crate::events::Event;
use crate::notifications;
use crate::runs::queries;
use crate::state::AppState;

type BoxedEvents = std::pin::Pin<Box<dyn Stream<Item = Result<Sse, Infallible>> + Send>>;
type SseResponse = axum::response::sse::Sse<axum::response::sse::KeepAliveStream<BoxedEvents>>;

fn message(name: &str, payload: &impl Serialize) -> Sse {
    // Serializing our own wire types cannot fail; an empty comment keeps the stream valid if
    // it ever did.
    Sse::default()
        .event(name)
        .json_data(payload)
        .unwrap_or_else(|_| Sse::default().comment(""))
}

fn respond(stream: impl Stream<Item = Result<Sse, Infallible>> + Send + 'static) -> SseResponse {
    axum::response::sse::Sse::new(Box::pin(stream) as BoxedEvents).keep_alive(KeepAlive::default())
}

/// Loops over hub events until `pick` turns one into a message for this client. On lag the
/// client gets `resync()` (a fresh snapshot); when the hub closes, the stream ends.
async fn next_message<F, R>(rx: &mut Receiver<Arc<Event>>, mut pick: F, resync: R) -> Option<Sse>
where
    F: FnMut(&Event) -> Option<futures_util::future::BoxFuture<'static, Option<Sse>>>,
    R: Fn() -> futures_util::future::BoxFuture<'static, Option<Sse>>,
{
    loop {
        match rx.recv().await {
            Ok(event) => {
                if let Some(fut) = pick(&event)
                    && let Some(msg) = fut.await
                {
                    return Some(msg);
                }
            }
            Err(RecvError::Lagged(_)) => {
                if let Some(msg) = resync().await {
                    return Some(msg);
                }
            }
            Err(RecvError::Closed) => return None,
        }
    }
}

async fn active_snapshot(state: AppState, tenant_id: Uuid) -> Option<Sse> {
    let runs = queries::active(&state.pool, tenant_id).await.ok()?;
    let event = ActiveRunsEvent::Snapshot {
        runs: runs.into_iter().map(|r| r.summary).collect(),
    };
    Some(message(event.name(), &event))
}

/// `GET /api/t/{tenant}/operations/stream`
#[utoipa::path(get, path = "/api/t/{tenant}/operations/stream", tag = "streams", params(("tenant" = String, Path)),
    responses((status = 200, content_type = "text/event-stream", body = ActiveRunsEvent,
               description = "Server-Sent Events: a `snapshot`, then `changed` and `ended`")))]
pub(super) async fn active_runs(
    State(state): State<AppState>,
    access: TenantAccess,
) -> Result<SseResponse, ApiError> {
    access.require(Capability::RunsView)?;
    let rx = state.events.subscribe();
    let tenant_id = access.tenant.id;
    let slug: TenantSlug = access.tenant.slug.clone();
    let first = active_snapshot(state.clone(), tenant_id)
        .await
        .ok_or_else(|| ApiError::internal(&std::io::Error::other("reading active runs")))?;
    let stream = stream::unfold((rx, Some(first)), move |(mut rx, pending)| {
        let state = state.clone();
        let slug = slug.clone();
        async move {
            if let Some(first) = pending {
                return Some((Ok(first), (rx, None)));
            }
            let pick = |event: &Event| match event {
                Event::RunChanged(run) if run.tenant == slug => {
                    let event = if run.status.is_active() {
                        ActiveRunsEvent::Changed { run: run.clone() }
                    } else {
                        ActiveRunsEvent::Ended { run: run.clone() }
                    };
                    let msg = message(event.name(), &event);
                    Some(Box::pin(async move { Some(msg) })
                        as futures_util::future::BoxFuture<'static, _>)
                }
                _ => None,
            };
            let resync = || Box::pin(active_snapshot(state.clone(), tenant_id)) as _;
            let msg = next_message(&mut rx, pick, resync).await?;
            Some((Ok(msg), (rx, None)))
        }
    });
    Ok(respond(stream))
}

async fn run_message(state: AppState, tenant_id: Uuid, id: RunId, snapshot: bool) -> Option<Sse> {
    let run = queries::get(&state.pool, tenant_id, id)
        .await
        .ok()??
        .detail();
    let event = if snapshot {
        RunStreamEvent::Snapshot { run }
    } else {
        RunStreamEvent::Changed { run }
    };
    Some(message(event.name(), &event))
}

/// `GET /api/t/{tenant}/operations/{id}/stream`
#[utoipa::path(get, path = "/api/t/{tenant}/operations/{id}/stream", tag = "streams",
    params(("tenant" = String, Path), ("id" = String, Path)),
    responses((status = 200, content_type = "text/event-stream", body = RunStreamEvent,
               description = "Server-Sent Events: a `snapshot`, then `changed`")))]
pub(super) async fn run(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, id)): Path<(String, String)>,
) -> Result<SseResponse, ApiError> {
    access.require(Capability::RunsView)?;
    let id = super::runs::parse_run_id(&id)?;
    let rx = state.events.subscribe();
    let tenant_id = access.tenant.id;
    let first = run_message(state.clone(), tenant_id, id, true)
        .await
        .ok_or_else(|| ApiError::not_found("run"))?;
    let stream = stream::unfold((rx, Some(first)), move |(mut rx, pending)| {
        let state = state.clone();
        async move {
            if let Some(first) = pending {
                return Some((Ok(first), (rx, None)));
            }
            let pick = |event: &Event| match event {
                Event::RunChanged(run) if run.id == id => {
                    Some(Box::pin(run_message(state.clone(), tenant_id, id, false)) as _)
                }
                _ => None,
            };
            let resync = || Box::pin(run_message(state.clone(), tenant_id, id, true)) as _;
            let msg = next_message(&mut rx, pick, resync).await?;
            Some((Ok(msg), (rx, None)))
        }
    });
    Ok(respond(stream))
}

async fn notifications_snapshot(state: AppState, user: UserId) -> Option<Sse> {
    let (unread, items) = notifications::list(&state.pool, user).await.ok()?;
    let event = NotificationsEvent::Snapshot { unread, items };
    Some(message(event.name(), &event))
}

/// `GET /api/me/notifications/stream`
#[utoipa::path(get, path = "/api/me/notifications/stream", tag = "streams",
    responses((status = 200, content_type = "text/event-stream", body = NotificationsEvent,
               description = "Server-Sent Events: a `snapshot`, then `created` and `read`")))]
pub(super) async fn notifications(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<SseResponse, ApiError> {
    let rx = state.events.subscribe();
    let user = user.id;
    let first = notifications_snapshot(state.clone(), user)
        .await
        .ok_or_else(|| ApiError::internal(&std::io::Error::other("reading notifications")))?;
    let stream = stream::unfold((rx, Some(first)), move |(mut rx, pending)| {
        let state = state.clone();
        async move {
            if let Some(first) = pending {
                return Some((Ok(first), (rx, None)));
            }
            let pick = |event: &Event| {
                let state = state.clone();
                match event {
                    Event::NotificationCreated {
                        user: to,
                        notification,
                    } if *to == user => {
                        let notification = notification.clone();
                        Some(Box::pin(async move {
                            let unread =
                                notifications::unread_count(&state.pool, user).await.ok()?;
                            let event = NotificationsEvent::Created {
                                unread,
                                notification,
                            };
                            Some(message(event.name(), &event))
                        })
                            as futures_util::future::BoxFuture<'static, _>)
                    }
                    Event::NotificationsRead { user: to } if *to == user => {
                        Some(Box::pin(async move {
                            let unread =
                                notifications::unread_count(&state.pool, user).await.ok()?;
                            let event = NotificationsEvent::Read { unread };
                            Some(message(event.name(), &event))
                        }) as _)
                    }
                    _ => None,
                }
            };
            let resync = || Box::pin(notifications_snapshot(state.clone(), user)) as _;
            let msg = next_message(&mut rx, pick, resync).await?;
            Some((Ok(msg), (rx, None)))
        }
    });
    Ok(respond(stream))
}
