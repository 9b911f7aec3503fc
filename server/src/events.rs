//! Fan-out of committed changes to the event streams.
//!
//! Publishers call [`EventHub::publish`] only after their transaction committed. The channel is
//! a bounded broadcast: publishing never waits for a subscriber, and a subscriber that falls
//! behind loses old events (`Lagged`) and answers by sending its client a fresh snapshot, so one
//! slow client can neither stall the others nor miss a state for good.
//!
//! Where the changes come from depends on the store. On SQLite (one process) the publishers'
//! events go straight to the subscribers. On PostgreSQL several processes share the database,
//! so the database announces every committed change (a trigger's `NOTIFY`) and each process's
//! relay (`relay.rs`) turns the announcements into events: every process, the committing one
//! included, hears every change once, the same way, and `publish` itself sends nothing.
//!
//! Widget streams subscribe to their tenant's channel only (`subscribe_tenant`), so a change
//! wakes the streams that show it rather than every stream of every tenant.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use opsux_core::wire::{NotificationDto, RunSummary};
use opsux_core::{TenantSlug, UserId};
use tokio::sync::broadcast;

#[derive(Debug, Clone)]
pub enum Event {
    /// A run was created, made progress or reached a new state.
    RunChanged(RunSummary),
    /// A terminal notification was written for `user`.
    NotificationCreated {
        user: UserId,
        notification: NotificationDto,
    },
    /// Some of `user`'s notifications were marked read.
    NotificationsRead { user: UserId },
    /// Changes may have been missed (the database announcements were interrupted): every
    /// subscriber sends its client a fresh snapshot.
    Resync,
    /// `user`'s access changed (a membership revoked or changed, the user disabled, sessions
    /// ended): their open streams check it now instead of at their next periodic check (R21).
    AccessChanged { user: UserId },
}

#[derive(Debug, Clone)]
pub struct EventHub {
    sender: broadcast::Sender<Arc<Event>>,
    /// One channel per tenant with widget streams open, carrying only that tenant's run
    /// changes (and resyncs): a change wakes the streams that show it, not every stream of
    /// every tenant.
    tenants: Arc<Mutex<HashMap<TenantSlug, broadcast::Sender<Arc<Event>>>>>,
    capacity: usize,
    /// Events arrive from the database's announcements, not from `publish`.
    fed_by_database: bool,
}

impl EventHub {
    /// Events buffered per subscriber before it is told it lagged.
    pub const CAPACITY: usize = 1024;

    pub fn new() -> Self {
        Self::with_capacity(Self::CAPACITY)
    }

    pub fn with_capacity(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity.max(1));
        Self {
            sender,
            tenants: Arc::default(),
            capacity: capacity.max(1),
            fed_by_database: false,
        }
    }

    /// A hub whose events come from the database's announcements only (PostgreSQL).
    pub fn fed_by_database(capacity: usize) -> Self {
        Self {
            fed_by_database: true,
            ..Self::with_capacity(capacity)
        }
    }

    /// Announces a committed change to this process's subscribers — unless the database
    /// announces it to every process, this one included.
    pub fn publish(&self, event: Event) {
        if !self.fed_by_database {
            self.deliver(event);
        }
    }

    /// Sends an event to the subscribers.
    pub fn deliver(&self, event: Event) {
        if let Event::RunChanged(run) = &event {
            // When each change reached the hub, on the wall clock, for `cargo xtask bench
            // streams` to measure commit → received (enable with
            // `RUST_LOG=opsux::published=trace`).
            tracing::trace!(
                target: "opsux::published",
                run = %run.id,
                version = run.version,
                at_us = unix_micros(),
            );
        }
        let event = Arc::new(event);
        match &*event {
            Event::RunChanged(run) => {
                let mut tenants = self.tenants.lock().unwrap_or_else(PoisonError::into_inner);
                // A send with no receiver left: the tenant's last stream closed.
                if let Some(sender) = tenants.get(&run.tenant)
                    && sender.send(Arc::clone(&event)).is_err()
                {
                    tenants.remove(&run.tenant);
                }
            }
            // Widget streams listen to their tenant's channel only: these reach them there too.
            Event::Resync | Event::AccessChanged { .. } => {
                let mut tenants = self.tenants.lock().unwrap_or_else(PoisonError::into_inner);
                tenants.retain(|_, sender| sender.send(Arc::clone(&event)).is_ok());
            }
            Event::NotificationCreated { .. } | Event::NotificationsRead { .. } => {}
        }
        // No subscriber is not an error: nobody is watching.
        let _ = self.sender.send(event);
    }

    /// The run changes of one tenant (and resyncs) only: what its widget streams show.
    pub fn subscribe_tenant(&self, tenant: &TenantSlug) -> broadcast::Receiver<Arc<Event>> {
        let mut tenants = self.tenants.lock().unwrap_or_else(PoisonError::into_inner);
        tenants
            .entry(tenant.clone())
            .or_insert_with(|| broadcast::channel(self.capacity).0)
            .subscribe()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }

    /// Open subscriptions: to every event, and to single tenants' run changes.
    pub fn subscriber_count(&self) -> usize {
        let tenants = self.tenants.lock().unwrap_or_else(PoisonError::into_inner);
        self.sender.receiver_count()
            + tenants
                .values()
                .map(broadcast::Sender::receiver_count)
                .sum::<usize>()
    }
}

fn unix_micros() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros())
}

impl Default for EventHub {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(tenant: &str) -> Event {
        let tenant: TenantSlug = tenant.parse().expect("a slug");
        let id = opsux_core::RunId::from_uuid(uuid::Uuid::now_v7());
        Event::RunChanged(RunSummary {
            id,
            view_run_url: opsux_core::presenter::view_run_url(&tenant, id),
            tenant,
            operation: opsux_core::OperationType::InventorySync,
            label: "Inventory sync".to_owned(),
            status: opsux_core::RunStatus::Running,
            outcome: None,
            initiator: None,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            started_at: None,
            completed_at: None,
            summary_counts: opsux_core::SummaryCounts::new(),
            cancel_requested: false,
            attempt: 1,
            version: 2,
            reason_code: None,
            message: None,
        })
    }

    #[test]
    fn a_tenant_channel_carries_only_its_tenant_and_goes_when_its_last_stream_does() {
        let hub = EventHub::new();
        let contoso: TenantSlug = "contoso".parse().expect("a slug");
        let mut widget = hub.subscribe_tenant(&contoso);
        hub.deliver(changed("fabrikam"));
        hub.deliver(changed("contoso"));
        let first = widget.try_recv().expect("contoso's change");
        assert!(matches!(&*first, Event::RunChanged(run) if run.tenant == contoso));
        assert!(widget.try_recv().is_err(), "nothing of fabrikam's");
        assert_eq!(hub.subscriber_count(), 1);
        drop(widget);
        hub.deliver(changed("contoso"));
        assert!(
            hub.tenants.lock().expect("not poisoned").is_empty(),
            "the channel went with its last subscriber"
        );
    }
}
