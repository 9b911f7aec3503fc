//! The relay: on PostgreSQL, turns the database's announcements of committed changes
//! (`LISTEN opsux_events`, see `migrations/postgres/0002_announce_changes.sql`) into this
//! process's events, so a stream served here shows what any process committed.
//!
//! An announcement carries ids and a version only; the relay reads the run or notification it
//! names and delivers that. Announcements of a run at a version already delivered are skipped
//! (a burst of progress costs one read per new version at most). A run announced with a cancel
//! request reaches the handle holding it in this process (R9), and a queued run wakes the
//! worker. When the listening connection drops, the relay listens again and then tells every
//! subscriber to resynchronize, since announcements made meanwhile are lost.
//!
//! On SQLite (one server process) the service publishes its own changes, and the relay only
//! reads, every second, the changes of access that triggers recorded (`access_changes`), so a
//! member revoked from the console loses their open streams at once too (R21).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use opsux_core::{RunId, RunStatus, UserId};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::events::{Event, EventHub};
use crate::runs::RunService;
use crate::store::Store;

/// The channel changes are announced on.
pub use crate::store::announce::CHANNEL;
/// How the listening connection names itself (`pg_stat_activity.application_name`).
pub const APPLICATION_NAME: &str = "opsux-events";

/// Starts the relay: on a database that announces its changes (PostgreSQL), listening to
/// them; else reading the changes of access that triggers recorded.
pub fn spawn(store: &Store, runs: RunService, events: EventHub, wake_worker: Arc<Notify>) {
    match store.listening_pool(APPLICATION_NAME) {
        Some(listening) => {
            let relay = Relay {
                store: store.clone(),
                runs,
                events,
                wake_worker,
                delivered: HashMap::new(),
            };
            let relay = Arc::new(tokio::sync::Mutex::new(relay));
            tokio::spawn(look_again(Arc::downgrade(&relay)));
            tokio::spawn(listen_and_relay(relay, listening));
        }
        None => {
            tokio::spawn(relay_access_changes(store.clone(), events));
        }
    }
}

/// How often a SQLite server looks for changes of access another process made.
const ACCESS_POLL: Duration = Duration::from_secs(1);

/// SQLite: every second, the changes of access that triggers recorded since the last look —
/// those this process made, and those the console made — become `AccessChanged` events, so
/// the people's streams end at once (R21). What this process publishes itself arrives twice;
/// a stream only checks its access once more.
async fn relay_access_changes(store: Store, events: EventHub) {
    let mut last = store.last_access_change().await.unwrap_or(0);
    let mut swept = std::time::Instant::now();
    loop {
        tokio::time::sleep(ACCESS_POLL).await;
        match store.access_changes_after(last).await {
            Ok(changes) => {
                for (seq, user) in changes {
                    last = seq;
                    if let Ok(user) = user.parse::<UserId>() {
                        events.deliver(Event::AccessChanged { user });
                    }
                }
            }
            Err(err) => tracing::debug!(%err, "reading changes of access"),
        }
        if swept.elapsed() > Duration::from_secs(3600) {
            swept = std::time::Instant::now();
            let day_ago = crate::clock::to_ms(time::OffsetDateTime::now_utc()) - 86_400_000;
            if let Err(err) = store.sweep_access_changes(day_ago).await {
                tracing::debug!(%err, "sweeping changes of access");
            }
        }
    }
}

struct Relay {
    store: Store,
    runs: RunService,
    events: EventHub,
    wake_worker: Arc<Notify>,
    /// The newest version delivered of each run not yet seen completed.
    delivered: HashMap<RunId, u64>,
}

/// How often the relay looks again at the runs it has seen active: an announcement lost with
/// a process killed right after its commit shows within this (see `store/announce.rs`).
const LOOK_AGAIN: Duration = Duration::from_secs(5);

/// Every [`LOOK_AGAIN`], relays what changed in the runs seen active without an announcement;
/// ends with the relay. (A task of its own, taking turns with the listener on the relay's
/// state, so the listener's read is never cancelled halfway.)
async fn look_again(relay: std::sync::Weak<tokio::sync::Mutex<Relay>>) {
    let mut every = tokio::time::interval(LOOK_AGAIN);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let Some(relay) = relay.upgrade() else {
            return;
        };
        relay.lock().await.look_again().await;
    }
}

async fn listen_and_relay(relay: Arc<tokio::sync::Mutex<Relay>>, pool: PgPool) {
    let mut listener = listen(&pool).await;
    loop {
        let lost = match listener.try_recv().await {
            Ok(Some(announcement)) => {
                relay.lock().await.relay(announcement.payload()).await;
                continue;
            }
            Ok(None) => "the connection closed".to_owned(),
            // An error ends the connection too (a terminated backend sends one first).
            Err(err) => err.to_string(),
        };
        tracing::warn!(
            error = lost,
            "database announcements stopped; listening again"
        );
        drop(listener);
        listener = listen(&pool).await;
        let mut relay = relay.lock().await;
        relay.delivered.clear();
        relay.events.deliver(Event::Resync);
    }
}

impl Relay {
    /// Relays the runs seen active whose stored version is newer than the one delivered, and
    /// forgets those that no longer exist.
    async fn look_again(&mut self) {
        if self.delivered.is_empty() {
            return;
        }
        let seen: Vec<RunId> = self.delivered.keys().copied().collect();
        let Ok(stored) = self.runs.versions(&seen).await else {
            return;
        };
        let stored: HashMap<RunId, u64> = stored.into_iter().collect();
        for id in seen {
            match stored.get(&id) {
                Some(version) => {
                    if self.delivered.get(&id).is_some_and(|v| v < version) {
                        let _ = self.changed(id, *version).await;
                    }
                }
                None => {
                    self.delivered.remove(&id);
                }
            }
        }
    }

    async fn relay(&mut self, payload: &str) {
        let mut parts = payload.split(' ');
        let delivered = match (parts.next(), parts.next(), parts.next()) {
            (Some("r"), Some(id), Some(version)) => self.run_changed(id, version).await,
            (Some("n"), Some(id), Some(user)) => self.notification_created(id, user).await,
            (Some("m"), Some(user), None) => user.parse::<UserId>().ok().map(|user| {
                self.events.deliver(Event::NotificationsRead { user });
            }),
            (Some("a"), Some(user), None) => user.parse::<UserId>().ok().map(|user| {
                self.events.deliver(Event::AccessChanged { user });
            }),
            _ => None,
        };
        if delivered.is_none() {
            // Unreadable or unreadable now (a busy database): let every stream read afresh
            // rather than show a state that may have changed.
            tracing::warn!(
                payload,
                "could not relay a database announcement; resynchronizing"
            );
            self.delivered.clear();
            self.events.deliver(Event::Resync);
        }
    }

    async fn run_changed(&mut self, id: &str, version: &str) -> Option<()> {
        self.changed(id.parse().ok()?, version.parse().ok()?).await
    }

    async fn changed(&mut self, id: RunId, version: u64) -> Option<()> {
        if self.delivered.get(&id).is_some_and(|v| *v >= version) {
            return Some(());
        }
        let run = self.runs.get(id).await.ok()??.into_summary();
        if run.cancel_requested {
            self.runs.observe_cancel(id);
        }
        match run.status {
            RunStatus::Queued => self.wake_worker.notify_one(),
            RunStatus::Running => {}
            RunStatus::Completed => {
                self.delivered.remove(&id);
            }
        }
        if run.status != RunStatus::Completed {
            self.delivered.insert(id, run.version);
        }
        self.events.deliver(Event::RunChanged(run));
        Some(())
    }

    async fn notification_created(&self, id: &str, user: &str) -> Option<()> {
        let id: Uuid = id.parse().ok()?;
        let user: UserId = user.parse().ok()?;
        let notification = self.store.notification(id).await.ok()??;
        self.events
            .deliver(Event::NotificationCreated { user, notification });
        Some(())
    }
}

/// A listener on [`CHANNEL`], retried until the database answers.
async fn listen(pool: &PgPool) -> PgListener {
    let mut wait = Duration::from_millis(100);
    loop {
        let listener = async {
            let mut listener = PgListener::connect_with(pool).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        match listener.await {
            Ok(listener) => return listener,
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for database announcements; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
        }
    }
}
