//! In-process fan-out of committed changes to the event streams.
//!
//! Publishers call [`EventHub::publish`] only after their transaction committed. The channel is
//! a bounded broadcast: publishing never waits for a subscriber, and a subscriber that falls
//! behind loses old events (`Lagged`) and answers by sending its client a fresh snapshot, so one
//! slow client can neither stall the others nor miss a state for good.

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
}

#[derive(Debug, Clone)]
pub struct EventHub {
    sender: broadcast::Sender<Arc<Event>>,
}

impl EventHub {
    /// Events buffered per subscriber before it is told it lagged.
    pub const CAPACITY: usize = 1024;

    pub fn new() -> Self {
        Self::with_capacity(Self::CAPACITY)
    }

    pub fn with_capacity(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity.max(1));
        Self { sender }
    }

    pub fn publish(&self, event: Event) {
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

impl Default for EventHub {
    fn default() -> Self {
        Self::new()
    }
}
