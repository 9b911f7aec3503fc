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

use std::sync::Arc;

use opsux_core::UserId;
use opsux_core::wire::{NotificationDto, RunSummary};
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
}

#[derive(Debug, Clone)]
pub struct EventHub {
    sender: broadcast::Sender<Arc<Event>>,
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
        // No subscriber is not an error: nobody is watching.
        let _ = self.sender.send(Arc::new(event));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }

    pub fn subscriber_count(&self) -> usize {
        self.sender.receiver_count()
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
