//! Server-Sent Events. Every stream opens with a snapshot, so a client that reconnects has
//! missed nothing; the `event:` name of each message is [`ActiveRunsEvent::name`] and so on,
//! the `data:` the JSON of the variant.

use serde::{Deserialize, Serialize};

use crate::wire::{NotificationDto, RunDetail, RunSummary};

/// The active runs of one tenant (the widget).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ActiveRunsEvent {
    /// Every queued or running run of the tenant, now.
    Snapshot { runs: Vec<RunSummary> },
    /// A run was queued or made progress.
    Changed { run: RunSummary },
    /// A run completed and leaves the list.
    Ended { run: RunSummary },
}

/// One run (Run Detail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RunStreamEvent {
    Snapshot { run: RunDetail },
    Changed { run: RunDetail },
}

/// A person's notifications (the bell).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NotificationsEvent {
    Snapshot {
        unread: u64,
        items: Vec<NotificationDto>,
    },
    Created {
        unread: u64,
        notification: NotificationDto,
    },
    /// Some were marked read (possibly elsewhere); the new unread count.
    Read { unread: u64 },
}

impl ActiveRunsEvent {
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Snapshot { .. } => "snapshot",
            Self::Changed { .. } => "changed",
            Self::Ended { .. } => "ended",
        }
    }
}

impl RunStreamEvent {
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Snapshot { .. } => "snapshot",
            Self::Changed { .. } => "changed",
        }
    }
}

impl NotificationsEvent {
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Snapshot { .. } => "snapshot",
            Self::Created { .. } => "created",
            Self::Read { .. } => "read",
        }
    }
}
