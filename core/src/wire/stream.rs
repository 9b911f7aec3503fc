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

/// The `event:` names of the streams, in one place: the server writes them, the browser
/// listens for them.
pub mod names {
    pub const SNAPSHOT: &str = "snapshot";
    pub const CHANGED: &str = "changed";
    pub const ENDED: &str = "ended";
    pub const CREATED: &str = "created";
    pub const READ: &str = "read";
}

impl ActiveRunsEvent {
    /// Every `event:` name of this stream.
    pub const NAMES: &[&str] = &[names::SNAPSHOT, names::CHANGED, names::ENDED];

    pub const fn name(&self) -> &'static str {
        match self {
            Self::Snapshot { .. } => names::SNAPSHOT,
            Self::Changed { .. } => names::CHANGED,
            Self::Ended { .. } => names::ENDED,
        }
    }
}

impl RunStreamEvent {
    /// Every `event:` name of this stream.
    pub const NAMES: &[&str] = &[names::SNAPSHOT, names::CHANGED];

    pub const fn name(&self) -> &'static str {
        match self {
            Self::Snapshot { .. } => names::SNAPSHOT,
            Self::Changed { .. } => names::CHANGED,
        }
    }
}

impl NotificationsEvent {
    /// Every `event:` name of this stream.
    pub const NAMES: &[&str] = &[names::SNAPSHOT, names::CREATED, names::READ];

    pub const fn name(&self) -> &'static str {
        match self {
            Self::Snapshot { .. } => names::SNAPSHOT,
            Self::Created { .. } => names::CREATED,
            Self::Read { .. } => names::READ,
        }
    }
}

/// An event's `data:`, about to be read as the payload its name says. Text is read with
/// `serde_json`; the browser bundles read the value the browser's own JSON parser made, so they
/// carry no JSON parser of their own.
pub trait Payload {
    fn read<T: serde::de::DeserializeOwned>(self) -> Option<T>;
}

impl Payload for &str {
    fn read<T: serde::de::DeserializeOwned>(self) -> Option<T> {
        serde_json::from_str(self).ok()
    }
}

/// Reading events by their SSE `event:` name. The name already says the variant, so the
/// payload is read straight into it, without serde's buffering of internally tagged enums —
/// which the browser bundles would otherwise carry as a second copy of every payload's
/// deserializer. `None` for an unknown name or a payload that does not fit it.
mod by_name {
    use serde::Deserialize;

    use super::{ActiveRunsEvent, NotificationsEvent, Payload, RunStreamEvent, names};
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

    impl ActiveRunsEvent {
        pub fn from_sse(name: &str, data: impl Payload) -> Option<Self> {
            match name {
                names::SNAPSHOT => data.read::<Runs>().map(|p| Self::Snapshot { runs: p.runs }),
                names::CHANGED => data
                    .read::<Run<RunSummary>>()
                    .map(|p| Self::Changed { run: p.run }),
                names::ENDED => data
                    .read::<Run<RunSummary>>()
                    .map(|p| Self::Ended { run: p.run }),
                _ => None,
            }
        }
    }

    impl RunStreamEvent {
        pub fn from_sse(name: &str, data: impl Payload) -> Option<Self> {
            if !Self::NAMES.contains(&name) {
                return None;
            }
            let run = data.read::<Run<RunDetail>>()?.run;
            match name {
                names::SNAPSHOT => Some(Self::Snapshot { run }),
                names::CHANGED => Some(Self::Changed { run }),
                _ => None,
            }
        }
    }

    impl NotificationsEvent {
        pub fn from_sse(name: &str, data: impl Payload) -> Option<Self> {
            match name {
                names::SNAPSHOT => data.read::<Snapshot>().map(|p| Self::Snapshot {
                    unread: p.unread,
                    items: p.items,
                }),
                names::CREATED => data.read::<Created>().map(|p| Self::Created {
                    unread: p.unread,
                    notification: p.notification,
                }),
                names::READ => data.read::<Read>().map(|p| Self::Read { unread: p.unread }),
                _ => None,
            }
        }
    }
}
