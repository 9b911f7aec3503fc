//! What a live view holds, built from a stream's events (SPEC §6). The browser's widget, Run
//! Detail, the operations list and the bell all keep their state in these types, so the rules
//! for applying events live in one place, tested natively and in the browser:
//!
//! - a snapshot replaces what is held (a reconnect brings a fresh one, so nothing is missed);
//! - a change applies only when its `version` is newer than the one held, because events may
//!   arrive out of order;
//! - a run that ended is remembered, so a late `changed` cannot bring it back to the active list.

use std::collections::{BTreeMap, VecDeque};

use crate::ids::RunId;
use crate::operation::OperationType;
use crate::run::{RunOutcome, RunStatus};
use crate::wire::{ActiveRunsEvent, NotificationDto, NotificationsEvent, RunDetail, RunSummary};

/// How many ended runs [`ActiveRunSet`] remembers; older ones cannot arrive late any more.
const ENDED_MEMORY: usize = 256;

/// The queued and running runs of one tenant (the active-operations widget, R11), and the
/// runs that recently left it, with their final state, for views that show those too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActiveRunSet {
    runs: BTreeMap<RunId, RunSummary>,
    /// Oldest first; bounded by [`ENDED_MEMORY`].
    ended: VecDeque<RunSummary>,
    /// Runs that a later snapshot no longer listed: they ended while the stream was away
    /// (a reconnect, a resync), so their final state never came. Oldest first; bounded.
    vanished: VecDeque<RunId>,
}

impl ActiveRunSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one event of the active-runs stream.
    pub fn apply(&mut self, event: ActiveRunsEvent) {
        match event {
            ActiveRunsEvent::Snapshot { runs } => {
                let fresh: BTreeMap<RunId, RunSummary> = runs
                    .into_iter()
                    .filter(|r| r.status.is_active() && !self.has_ended(r.id))
                    .map(|r| (r.id, r))
                    .collect();
                let gone: Vec<RunId> = self
                    .runs
                    .keys()
                    .filter(|id| !fresh.contains_key(id))
                    .copied()
                    .collect();
                for id in gone {
                    if self.vanished.len() == ENDED_MEMORY {
                        self.vanished.pop_front();
                    }
                    self.vanished.push_back(id);
                }
                self.runs = fresh;
            }
            ActiveRunsEvent::Changed { run } if !run.status.is_active() => self.end(run),
            ActiveRunsEvent::Changed { run } => {
                if !self.has_ended(run.id) && is_newer(self.runs.get(&run.id), &run) {
                    self.runs.insert(run.id, run);
                }
            }
            ActiveRunsEvent::Ended { run } => self.end(run),
        }
    }

    fn has_ended(&self, id: RunId) -> bool {
        self.ended.iter().any(|r| r.id == id)
    }

    fn end(&mut self, run: RunSummary) {
        self.runs.remove(&run.id);
        if let Some(held) = self.ended.iter_mut().find(|r| r.id == run.id) {
            if run.version > held.version {
                *held = run;
            }
            return;
        }
        if self.ended.len() == ENDED_MEMORY {
            self.ended.pop_front();
        }
        self.ended.push_back(run);
    }

    /// Oldest first: the run that has waited longest leads the list.
    pub fn runs(&self) -> Vec<RunSummary> {
        let mut runs: Vec<RunSummary> = self.runs.values().cloned().collect();
        runs.sort_by_key(|r| (r.created_at, r.id));
        runs
    }

    /// Runs that left the set while it was watched, in their final state, oldest first.
    pub fn recently_ended(&self) -> impl Iterator<Item = &RunSummary> {
        self.ended.iter()
    }

    /// Runs that left the set without their final state (see the field): a view that shows
    /// them must read them again.
    pub fn vanished(&self) -> impl Iterator<Item = RunId> + '_ {
        self.vanished.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.runs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }
}

fn is_newer(held: Option<&RunSummary>, incoming: &RunSummary) -> bool {
    held.is_none_or(|h| incoming.version > h.version)
}

/// One run on Run Detail: the newest version seen wins, whichever way it came (the first
/// fetch, the stream's snapshot, or a change).
pub fn newer_detail(held: Option<&RunDetail>, incoming: RunDetail) -> Option<RunDetail> {
    match held {
        Some(h) if h.run.version >= incoming.run.version => None,
        _ => Some(incoming),
    }
}

/// The filters of the operations list (`type`, `status`, `outcome`); `None` is "any".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunFilter {
    pub operation: Option<OperationType>,
    pub status: Option<RunStatus>,
    pub outcome: Option<RunOutcome>,
}

impl RunFilter {
    pub fn matches(&self, run: &RunSummary) -> bool {
        self.operation.is_none_or(|o| o == run.operation)
            && self.status.is_none_or(|s| s == run.status)
            && self.outcome.is_none_or(|o| Some(o) == run.outcome)
    }
}

/// Applies a live change to a page of the operations list (newest first): a newer version of
/// a listed run replaces it in place, or leaves the list when it no longer matches the filter;
/// a run not listed yet is put on top when it matches the filter and is newer than everything
/// shown (an older one belongs to a later page). Returns whether the list changed.
pub fn apply_to_list(list: &mut Vec<RunSummary>, run: RunSummary, filter: &RunFilter) -> bool {
    if let Some(index) = list.iter().position(|r| r.id == run.id) {
        if run.version <= list[index].version {
            return false;
        }
        if filter.matches(&run) {
            list[index] = run;
        } else {
            list.remove(index);
        }
        return true;
    }
    let newest = list
        .first()
        .is_none_or(|first| (run.created_at, run.id) > (first.created_at, first.id));
    if newest && filter.matches(&run) {
        list.insert(0, run);
        return true;
    }
    false
}

/// A person's notification centre (R12).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationFeed {
    pub unread: u64,
    /// Newest first.
    pub items: Vec<NotificationDto>,
}

impl NotificationFeed {
    pub fn apply(&mut self, event: NotificationsEvent) {
        match event {
            NotificationsEvent::Snapshot { unread, items } => {
                self.unread = unread;
                self.items = items;
            }
            NotificationsEvent::Created {
                unread,
                notification,
            } => {
                self.unread = unread;
                if !self.items.iter().any(|n| n.id == notification.id) {
                    self.items.insert(0, notification);
                }
            }
            NotificationsEvent::Read { unread } => {
                self.unread = unread;
                if unread == 0 {
                    for item in self.items.iter_mut().filter(|n| n.read_at.is_none()) {
                        item.read_at = Some(item.created_at);
                    }
                }
            }
        }
    }

    /// Marks one read locally, after the server accepted it. The unread count is left to the
    /// stream's `read` event, which the same change publishes: counting here too could count
    /// it twice.
    pub fn mark_read(&mut self, id: uuid::Uuid, at: time::OffsetDateTime) {
        if let Some(item) = self
            .items
            .iter_mut()
            .find(|n| n.id == id && n.read_at.is_none())
        {
            item.read_at = Some(at);
        }
    }
}
