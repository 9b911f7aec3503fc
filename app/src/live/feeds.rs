//! The two feeds a page shares between its parts: the tenant's active runs (the widget and the
//! operations list) and the person's notifications (the bell). One stream each per page.

use leptos::prelude::*;
use std::collections::BTreeSet;

use opsux_core::live::{ActiveRunSet, NotificationFeed};
use opsux_core::wire::{ActiveRunsEvent, NotificationsEvent};
use opsux_core::{OperationType, RunId, TenantSlug};

use super::connection::{StreamTarget, keep_open};
use super::stream_state::StreamState;
use crate::api::Api;

/// The queued and running runs of one tenant, live (R11).
#[derive(Debug, Clone, Copy)]
pub struct ActiveFeed {
    pub runs: ReadSignal<ActiveRunSet>,
    pub state: ReadSignal<StreamState>,
}

impl ActiveFeed {
    /// Connects for as long as the current view lives.
    pub fn connect(api: Api, tenant: &TenantSlug) -> Self {
        let (runs, set_runs) = signal(ActiveRunSet::new());
        let state = keep_open(
            StreamTarget {
                api,
                stream_path: format!("/api/t/{tenant}/operations/stream"),
                probe_path: format!("/api/t/{tenant}/operations/active"),
            },
            move |event: ActiveRunsEvent| set_runs.update(|set| set.apply(event)),
        );
        Self { runs, state }
    }

    /// Calls `then` each time a run of one of `operations` ends while the current view lives
    /// (not for those that had ended before): a page lists what such runs change.
    pub fn on_ended(self, operations: &'static [OperationType], then: impl Fn() + 'static) {
        let acted_on = StoredValue::new(BTreeSet::<RunId>::new());
        Effect::new(move |before: Option<()>| {
            // Runs that ended while the stream was away come back only as vanished: they may
            // have changed the list too.
            let Some(ended) = self.runs.try_with(|set| {
                set.recently_ended()
                    .filter(|run| operations.contains(&run.operation))
                    .map(|run| run.id)
                    .chain(set.vanished())
                    .collect::<Vec<RunId>>()
            }) else {
                return;
            };
            let fresh = acted_on.try_update_value(|seen| {
                ended.into_iter().filter(|id| seen.insert(*id)).count() > 0
            });
            if before.is_some() && fresh == Some(true) {
                then();
            }
        });
    }
}

/// The signed-in person's notification centre, live (R12).
#[derive(Debug, Clone, Copy)]
pub struct NotificationsFeed {
    pub feed: RwSignal<NotificationFeed>,
    pub state: ReadSignal<StreamState>,
}

impl NotificationsFeed {
    pub fn connect(api: Api) -> Self {
        let feed = RwSignal::new(NotificationFeed::default());
        let state = keep_open(
            StreamTarget {
                api,
                stream_path: "/api/me/notifications/stream".to_owned(),
                probe_path: "/api/me".to_owned(),
            },
            move |event: NotificationsEvent| feed.update(|f| f.apply(event)),
        );
        Self { feed, state }
    }
}
