//! Server-Sent Events: the active runs of a tenant (widget), one run (Run Detail), and my
//! notifications (bell). Each stream subscribes to the event hub first and then sends a
//! snapshot read from the database, so no change falls between the two; a subscriber that
//! lags gets a fresh snapshot instead of the events it missed. When a read fails the stream
//! ends, and the client's reconnect brings a fresh snapshot. Streams authorize like the pages
//! they feed, again every `stream_recheck`: a signed-out user or a removed member stops
//! receiving (R16, R17). Keep-alives hold proxies open.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::State;
use axum::response::sse::{Event as Sse, KeepAlive};
use axum_extra::extract::CookieJar;
use futures_util::future::BoxFuture;
use futures_util::stream::{self, Stream};
use opsux_core::wire::{ActiveRunsEvent, NotificationDto, NotificationsEvent, RunStreamEvent};
use opsux_core::{Capability, RunId, UserId};
use serde::Serialize;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;
use uuid::Uuid;

use crate::auth::{CurrentUser, Sessions, TenantAccess};
use crate::clock::to_ms;
use crate::error::ApiError;
use crate::events::Event;
use crate::extract::ApiPath;
use crate::runs::queries;
use crate::state::AppState;

type BoxedEvents = std::pin::Pin<Box<dyn Stream<Item = Result<Sse, Infallible>> + Send>>;
type SseResponse = axum::response::sse::Sse<axum::response::sse::KeepAliveStream<BoxedEvents>>;
/// A message still to be read from the database; `None` ends the stream.
type Pending = BoxFuture<'static, Option<Sse>>;

fn message(name: &str, payload: &impl Serialize) -> Sse {
    // Serializing our own wire types cannot fail; an empty comment keeps the stream valid if
    // it ever did.
    Sse::default()
        .event(name)
        .json_data(payload)
        .unwrap_or_else(|_| Sse::default().comment(""))
}

/// Who a stream was opened for, checked again while it runs.
#[derive(Debug, Clone)]
struct StreamAccess {
    token: String,
    user: UserId,
    tenant: Option<Uuid>,
}

impl StreamAccess {
    fn new(state: &AppState, jar: &CookieJar, user: UserId, tenant: Option<Uuid>) -> Self {
        let token = jar
            .get(state.config.session_cookie())
            .map(|c| c.value().to_owned())
            .unwrap_or_default();
        Self {
            token,
            user,
            tenant,
        }
    }

    /// The session is still valid for the same user, and they are still a member.
    async fn still_allowed(&self, state: &AppState) -> bool {
        let now = to_ms(state.clock.now());
        let session = Sessions::user(&state.store, &self.token, now).await;
        if !matches!(session, Ok(Some(ref u)) if u.id == self.user) {
            return false;
        }
        let Some(tenant) = self.tenant else {
            return true;
        };
        state
            .store
            .is_member(self.user, tenant)
            .await
            .unwrap_or(false)
    }
}

/// The stream of one client: `first`, then whatever `pick` makes of each hub event; on lag,
/// `resync()`. Ends when the hub closes, a read fails, or access is gone.
/// `rx` must have been subscribed before `first` was read, so nothing falls in between.
fn event_stream<P, R>(
    state: AppState,
    access: StreamAccess,
    rx: Receiver<Arc<Event>>,
    first: Sse,
    pick: P,
    resync: R,
) -> SseResponse
where
    P: Fn(&AppState, &Event) -> Option<Pending> + Send + Sync + 'static,
    R: Fn(&AppState) -> Pending + Send + Sync + 'static,
{
    let recheck = state.config.stream_recheck;
    let shared = Arc::new((state, access, pick, resync));
    let events = stream::unfold(
        (rx, Some(first), Instant::now() + recheck),
        move |(mut rx, pending, mut deadline)| {
            let shared = Arc::clone(&shared);
            async move {
                if let Some(first) = pending {
                    return Some((Ok(first), (rx, None, deadline)));
                }
                let (state, access, pick, resync) = &*shared;
                loop {
                    let received = tokio::time::timeout_at(deadline, rx.recv()).await;
                    if Instant::now() >= deadline {
                        if !access.still_allowed(state).await {
                            return None;
                        }
                        deadline = Instant::now() + recheck;
                    }
                    let message = match received {
                        Err(_elapsed) => continue,
                        Ok(Ok(event)) if matches!(*event, Event::Resync) => resync(state).await?,
                        Ok(Ok(event)) => match pick(state, &event) {
                            Some(read) => read.await?,
                            None => continue,
                        },
                        Ok(Err(RecvError::Lagged(_))) => resync(state).await?,
                        Ok(Err(RecvError::Closed)) => return None,
                    };
                    return Some((Ok(message), (rx, None, deadline)));
                }
            }
        },
    );
    axum::response::sse::Sse::new(Box::pin(events) as BoxedEvents).keep_alive(KeepAlive::default())
}

async fn active_snapshot(state: AppState, tenant_id: Uuid) -> Option<Sse> {
    let runs = queries::active(&state.store, tenant_id).await.ok()?;
    let event = ActiveRunsEvent::Snapshot { runs };
    Some(message(event.name(), &event))
}

fn snapshot_failed() -> ApiError {
    ApiError::internal(&std::io::Error::other("reading a stream's snapshot"))
}

/// `GET /api/t/{tenant}/operations/stream`
#[utoipa::path(get, path = "/api/t/{tenant}/operations/stream", tag = "streams", params(("tenant" = String, Path)),
    responses((status = 200, content_type = "text/event-stream", body = ActiveRunsEvent,
               description = "Server-Sent Events: a `snapshot`, then `changed` and `ended`")))]
pub(super) async fn active_runs(
    State(state): State<AppState>,
    access: TenantAccess,
    jar: CookieJar,
) -> Result<SseResponse, ApiError> {
    access.require(Capability::RunsView)?;
    let rx = state.events.subscribe();
    let tenant_id = access.tenant.id;
    let slug = access.tenant.slug.clone();
    let first = active_snapshot(state.clone(), tenant_id)
        .await
        .ok_or_else(snapshot_failed)?;
    let pick = move |_: &AppState, event: &Event| match event {
        Event::RunChanged(run) if run.tenant == slug => {
            let event = if run.status.is_active() {
                ActiveRunsEvent::Changed { run: run.clone() }
            } else {
                ActiveRunsEvent::Ended { run: run.clone() }
            };
            let msg = message(event.name(), &event);
            Some(Box::pin(async move { Some(msg) }) as Pending)
        }
        _ => None,
    };
    let resync =
        move |state: &AppState| Box::pin(active_snapshot(state.clone(), tenant_id)) as Pending;
    let access = StreamAccess::new(&state, &jar, access.user.id, Some(tenant_id));
    Ok(event_stream(state, access, rx, first, pick, resync))
}

async fn run_message(state: AppState, tenant_id: Uuid, id: RunId, snapshot: bool) -> Option<Sse> {
    let run = queries::get(&state.store, tenant_id, id)
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
    jar: CookieJar,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> Result<SseResponse, ApiError> {
    access.require(Capability::RunsView)?;
    let id = super::runs::parse_run_id(&id)?;
    let rx = state.events.subscribe();
    let tenant_id = access.tenant.id;
    let first = run_message(state.clone(), tenant_id, id, true)
        .await
        .ok_or_else(|| ApiError::not_found("run"))?;
    let pick = move |state: &AppState, event: &Event| match event {
        Event::RunChanged(run) if run.id == id => {
            Some(Box::pin(run_message(state.clone(), tenant_id, id, false)) as Pending)
        }
        _ => None,
    };
    let resync = move |state: &AppState| {
        Box::pin(run_message(state.clone(), tenant_id, id, true)) as Pending
    };
    let access = StreamAccess::new(&state, &jar, access.user.id, Some(tenant_id));
    Ok(event_stream(state, access, rx, first, pick, resync))
}

async fn notifications_snapshot(state: AppState, user: UserId) -> Option<Sse> {
    let (unread, items) = state.store.notifications(user).await.ok()?;
    let event = NotificationsEvent::Snapshot { unread, items };
    Some(message(event.name(), &event))
}

async fn notifications_change(
    state: AppState,
    user: UserId,
    created: Option<NotificationDto>,
) -> Option<Sse> {
    let unread = state.store.unread_count(user).await.ok()?;
    let event = match created {
        Some(notification) => NotificationsEvent::Created {
            unread,
            notification,
        },
        None => NotificationsEvent::Read { unread },
    };
    Some(message(event.name(), &event))
}

/// `GET /api/me/notifications/stream`
#[utoipa::path(get, path = "/api/me/notifications/stream", tag = "streams",
    responses((status = 200, content_type = "text/event-stream", body = NotificationsEvent,
               description = "Server-Sent Events: a `snapshot`, then `created` and `read`")))]
pub(super) async fn notifications(
    State(state): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
) -> Result<SseResponse, ApiError> {
    let rx = state.events.subscribe();
    let user = user.id;
    let first = notifications_snapshot(state.clone(), user)
        .await
        .ok_or_else(snapshot_failed)?;
    let pick = move |state: &AppState, event: &Event| match event {
        Event::NotificationCreated {
            user: to,
            notification,
        } if *to == user => Some(Box::pin(notifications_change(
            state.clone(),
            user,
            Some(notification.clone()),
        )) as Pending),
        Event::NotificationsRead { user: to } if *to == user => {
            Some(Box::pin(notifications_change(state.clone(), user, None)) as Pending)
        }
        _ => None,
    };
    let resync =
        move |state: &AppState| Box::pin(notifications_snapshot(state.clone(), user)) as Pending;
    let access = StreamAccess::new(&state, &jar, user, None);
    Ok(event_stream(state, access, rx, first, pick, resync))
}
