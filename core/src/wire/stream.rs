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

/// Reading events by their SSE `event:` name. The name already says the variant, so the
/// payload is read straight into it, without serde's buffering of internally tagged enums —
/// which the browser bundles would otherwise carry as a second copy of every payload's
/// deserializer. `None` for an unknown name or a payload that does not fit it.
mod by_name {
    use serde::Deserialize;
    use serde::de::DeserializeOwned;

    use super::{ActiveRunsEvent, NotificationsEvent, RunStreamEvent};
    use crate::wire::{NotificationDto, RunDetail, RunSummary};

    #[derive(Deserialize)]
    struct Runs {
        runs: Vec<RunSummary>,
    }

    #[derive(Deserialize)]
    struct Run<T> {
        run: T,
    }

    #[derive(Deserialize)]
    struct Snapshot {
        unread: u64,
        items: Vec<NotificationDto>,
    }

    #[derive(Deserialize)]
    struct Created {
        unread: u64,
        notification: NotificationDto,
    }

    #[derive(Deserialize)]
    struct Read {
        unread: u64,
    }

    fn read<T: DeserializeOwned>(data: &str) -> Option<T> {
        serde_json::from_str(data).ok()
    }

    impl ActiveRunsEvent {
        pub fn from_sse(name: &str, data: &str) -> Option<Self> {
            match name {
                "snapshot" => read::<Runs>(data).map(|p| Self::Snapshot { runs: p.runs }),
                "changed" => read::<Run<RunSummary>>(data).map(|p| Self::Changed { run: p.run }),
                "ended" => read::<Run<RunSummary>>(data).map(|p| Self::Ended { run: p.run }),
                _ => None,
            }
        }
    }

    impl RunStreamEvent {
        pub fn from_sse(name: &str, data: &str) -> Option<Self> {
            let run = read::<Run<RunDetail>>(data)?.run;
            match name {
                "snapshot" => Some(Self::Snapshot { run }),
                "changed" => Some(Self::Changed { run }),
                _ => None,
            }
        }
    }

    impl NotificationsEvent {
        pub fn from_sse(name: &str, data: &str) -> Option<Self> {
            match name {
                "snapshot" => read::<Snapshot>(data).map(|p| Self::Snapshot {
                    unread: p.unread,
                    items: p.items,
                }),
                "created" => read::<Created>(data).map(|p| Self::Created {
                    unread: p.unread,
                    notification: p.notification,
                }),
                "read" => read::<Read>(data).map(|p| Self::Read { unread: p.unread }),
                _ => None,
            }
        }
    }
}
