//! Server-Sent Events: the active runs of a tenant (widget), one run (Run Detail), and my
//! notifications (bell). Each stream subscribes to the event hub first and then sends a
//! snapshot read from the database, so no change falls between the two; a subscriber that
//! lags gets a fresh snapshot instead of the events it missed. When a read fails the stream
//! ends, and the client's reconnect brings a fresh snapshot. Streams authorize like the pages
//! they feed, again every `stream_recheck` and at once when the person's access changes
//! (`Event::AccessChanged`): a signed-out user or a removed member stops receiving (R16, R17,
//! R21). Keep-alives hold proxies open.
//!
//! Events are built from what was committed and published, not read again per subscriber:
//! the widget's from the published summary, Run Detail's from its last detail with the
//! published summary while the run is active (its end is read once, for the failures). One
//! person holds at most `streams_per_user` streams (`stream_slots.rs`); beyond, 429.

use std::convert::Infallible;
use std::sync::{Arc, PoisonError};

use axum::extract::State;
use axum::response::sse::{Event as Sse, KeepAlive};
use axum_extra::extract::CookieJar;
use futures_util::future::BoxFuture;
use futures_util::stream::{self, Stream, StreamExt};
use opsux_core::wire::{
    ActiveRunsEvent, NotificationDto, NotificationsEvent, RunDetail, RunStreamEvent, RunSummary,
};
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
use crate::stream_slots::StreamSlot;

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

/// Who a stream was opened for, checked again while it runs; and the person's stream slot
/// it holds until it ends.
#[derive(Debug)]
struct StreamAccess {
    token: String,
    user: UserId,
    tenant: Option<Uuid>,
    _slot: StreamSlot,
}

impl StreamAccess {
    /// Takes one of the person's stream slots: 429 when they hold the most allowed already.
    fn new(
        state: &AppState,
        jar: &CookieJar,
        user: UserId,
        tenant: Option<Uuid>,
    ) -> Result<Self, ApiError> {
        let token = jar
            .get(state.config.session_cookie())
            .map(|c| c.value().to_owned())
            .unwrap_or_default();
        let slot = state.streams.take(&user.to_string()).ok_or_else(|| {
            ApiError::too_many(
                format!(
                    "you have {} event streams open, the most allowed per person; close \
                         other tabs or streams first",
                    state.streams.per_user()
                ),
                std::time::Duration::from_secs(5),
            )
        })?;
        Ok(Self {
            token,
            user,
            tenant,
            _slot: slot,
        })
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
    // At shutdown every stream ends, so the server's graceful stop is not held open by them.
    let shutting_down = state.shutting_down();
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
                        Ok(Ok(event)) => match &*event {
                            Event::AccessChanged { user } if *user == access.user => {
                                if !access.still_allowed(state).await {
                                    return None;
                                }
                                continue;
                            }
                            _ => match pick(state, &event) {
                                Some(read) => read.await?,
                                None => continue,
                            },
                        },
                        Ok(Err(RecvError::Lagged(_))) => resync(state).await?,
                        Ok(Err(RecvError::Closed)) => return None,
                    };
                    return Some((Ok(message), (rx, None, deadline)));
                }
            }
        },
    );
    let events = events.take_until(shutting_down);
    axum::response::sse::Sse::new(Box::pin(events) as BoxedEvents).keep_alive(KeepAlive::default())
}

/// The widget's `changed` or `ended` message for a run as published. Every widget stream of
/// the tenant sends the same text for the same version, so it is serialized once and shared:
/// with thousands of watchers, serializing per watcher was most of the cost of an event.
fn widget_message(run: &RunSummary) -> Sse {
    /// The run and version last serialized, its event name and text.
    type Serialized = (RunId, u64, &'static str, Arc<str>);
    static LAST: std::sync::Mutex<Option<Serialized>> = std::sync::Mutex::new(None);
    let mut last = LAST.lock().unwrap_or_else(PoisonError::into_inner);
    let (name, json) = match &*last {
        Some((id, version, name, json)) if *id == run.id && *version == run.version => {
            (*name, Arc::clone(json))
        }
        _ => {
            let event = if run.status.is_active() {
                ActiveRunsEvent::Changed { run: run.clone() }
            } else {
                ActiveRunsEvent::Ended { run: run.clone() }
            };
            let json: Arc<str> = serde_json::to_string(&event).unwrap_or_default().into();
            *last = Some((run.id, run.version, event.name(), Arc::clone(&json)));
            (event.name(), json)
        }
    };
    drop(last);
    Sse::default().event(name).data(&*json)
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
    let tenant_id = access.tenant.id;
    let slug = access.tenant.slug.clone();
    let access = StreamAccess::new(&state, &jar, access.user.id, Some(tenant_id))?;
    let rx = state.events.subscribe_tenant(&slug);
    let first = active_snapshot(state.clone(), tenant_id)
        .await
        .ok_or_else(snapshot_failed)?;
    let pick = move |_: &AppState, event: &Event| match event {
        Event::RunChanged(run) if run.tenant == slug => {
            let msg = widget_message(run);
            Some(Box::pin(async move { Some(msg) }) as Pending)
        }
        _ => None,
    };
    let resync =
        move |state: &AppState| Box::pin(active_snapshot(state.clone(), tenant_id)) as Pending;
    Ok(event_stream(state, access, rx, first, pick, resync))
}

/// The run as a Run Detail stream last sent it.
type LastSent = Arc<std::sync::Mutex<Option<RunDetail>>>;

/// Reads the run whole (its snapshot, and its end, which brings its failures) and remembers
/// it.
async fn run_message(
    state: AppState,
    tenant_id: Uuid,
    id: RunId,
    snapshot: bool,
    last: LastSent,
) -> Option<Sse> {
    let run = queries::get(&state.store, tenant_id, id)
        .await
        .ok()??
        .detail();
    *last.lock().unwrap_or_else(PoisonError::into_inner) = Some(run.clone());
    let event = if snapshot {
        RunStreamEvent::Snapshot { run }
    } else {
        RunStreamEvent::Changed { run }
    };
    Some(message(event.name(), &event))
}

/// While a run is active only its summary changes (counts, status, cancel request): the
/// event is the last detail with the published summary, read from nowhere, so a progress
/// event costs no query however many people watch. `None` (read instead) at the end, whose
/// failures only the database has, and before anything was sent.
fn progressed_message(last: &LastSent, run: &RunSummary) -> Option<Option<Sse>> {
    if !run.status.is_active() {
        return None;
    }
    let mut last = last.lock().unwrap_or_else(PoisonError::into_inner);
    let detail = last.as_mut()?;
    if run.version < detail.run.version {
        // Older than what the client has: nothing to send.
        return Some(None);
    }
    detail.run = run.clone();
    let event = RunStreamEvent::Changed {
        run: detail.clone(),
    };
    Some(Some(message(event.name(), &event)))
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
    let tenant_id = access.tenant.id;
    let access = StreamAccess::new(&state, &jar, access.user.id, Some(tenant_id))?;
    let rx = state.events.subscribe();
    let last = LastSent::default();
    let first = run_message(state.clone(), tenant_id, id, true, Arc::clone(&last))
        .await
        .ok_or_else(|| ApiError::not_found("run"))?;
    let picked = Arc::clone(&last);
    let pick = move |state: &AppState, event: &Event| match event {
        Event::RunChanged(run) if run.id == id => match progressed_message(&picked, run) {
            Some(None) => None,
            Some(Some(msg)) => Some(Box::pin(async move { Some(msg) }) as Pending),
            None => Some(Box::pin(run_message(
                state.clone(),
                tenant_id,
                id,
                false,
                Arc::clone(&picked),
            )) as Pending),
        },
        _ => None,
    };
    let resync = move |state: &AppState| {
        Box::pin(run_message(
            state.clone(),
            tenant_id,
            id,
            true,
            Arc::clone(&last),
        )) as Pending
    };
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
    let user = user.id;
    let access = StreamAccess::new(&state, &jar, user, None)?;
    let rx = state.events.subscribe();
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
    Ok(event_stream(state, access, rx, first, pick, resync))
}
