// SPEC §6 and R11: a live view applies a snapshot, then newer changes only; an ended run leaves
// the active list and stays gone even when an older event arrives after it.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use opsux_core::live::{ActiveRunSet, NotificationFeed, RunFilter, apply_to_list, newer_detail};
use opsux_core::presenter::Link;
use opsux_core::wire::{
    ActiveRunsEvent, NotificationDto, NotificationKind, NotificationsEvent, RunDetail,
    RunStreamEvent, RunSummary,
};
use opsux_core::{FailureSummary, OperationType, RunId, RunOutcome, RunStatus, SummaryCounts};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use crate::contoso;

const T0: OffsetDateTime = datetime!(2026-11-29 09:00:00 UTC);

fn id(n: u8) -> RunId {
    format!("0192f1c4-7a1e-7cc3-9a6e-2f4c8d1b5e{n:02x}")
        .parse()
        .expect("a valid UUID")
}

fn run(n: u8, status: RunStatus, version: u64) -> RunSummary {
    RunSummary {
        id: id(n),
        label: "Inventory sync".to_owned(),
        tenant: contoso(),
        operation: OperationType::InventorySync,
        status,
        outcome: (status == RunStatus::Completed).then_some(RunOutcome::Succeeded),
        initiator: None,
        created_at: T0 + time::Duration::seconds(i64::from(n)),
        started_at: None,
        completed_at: None,
        summary_counts: SummaryCounts::new(),
        cancel_requested: false,
        attempt: 1,
        version,
        reason_code: None,
        message: None,
        view_run_url: String::new(),
    }
}

fn ids(set: &ActiveRunSet) -> Vec<(RunId, u64)> {
    set.runs().iter().map(|r| (r.id, r.version)).collect()
}

#[test]
fn a_snapshot_then_newer_changes_only() {
    let mut set = ActiveRunSet::new();
    set.apply(ActiveRunsEvent::Snapshot {
        runs: vec![run(2, RunStatus::Running, 5), run(1, RunStatus::Queued, 1)],
    });
    assert_eq!(ids(&set), [(id(1), 1), (id(2), 5)], "oldest first");

    // An older event that was in flight when the snapshot was read is dropped.
    set.apply(ActiveRunsEvent::Changed {
        run: run(2, RunStatus::Running, 4),
    });
    assert_eq!(ids(&set), [(id(1), 1), (id(2), 5)]);
    set.apply(ActiveRunsEvent::Changed {
        run: run(1, RunStatus::Running, 2),
    });
    assert_eq!(ids(&set), [(id(1), 2), (id(2), 5)]);
    // A new run joins the list.
    set.apply(ActiveRunsEvent::Changed {
        run: run(3, RunStatus::Queued, 1),
    });
    assert_eq!(set.len(), 3);
}

#[test]
fn an_ended_run_leaves_and_does_not_come_back() {
    let mut set = ActiveRunSet::new();
    set.apply(ActiveRunsEvent::Snapshot {
        runs: vec![run(1, RunStatus::Running, 3)],
    });
    set.apply(ActiveRunsEvent::Ended {
        run: run(1, RunStatus::Completed, 5),
    });
    assert!(set.is_empty());
    // The progress event that was overtaken by the end arrives late.
    set.apply(ActiveRunsEvent::Changed {
        run: run(1, RunStatus::Running, 4),
    });
    assert!(set.is_empty(), "a late change must not revive an ended run");
    // A snapshot that no longer lists a run means it ended while the stream was away.
    let mut away = ActiveRunSet::new();
    away.apply(ActiveRunsEvent::Snapshot {
        runs: vec![run(7, RunStatus::Running, 1), run(8, RunStatus::Running, 1)],
    });
    away.apply(ActiveRunsEvent::Snapshot {
        runs: vec![run(8, RunStatus::Running, 2)],
    });
    assert_eq!(away.vanished().collect::<Vec<_>>(), [id(7)]);
    // Nor does a snapshot that was read before the end.
    set.apply(ActiveRunsEvent::Snapshot {
        runs: vec![run(1, RunStatus::Running, 4), run(2, RunStatus::Queued, 1)],
    });
    assert_eq!(ids(&set), [(id(2), 1)]);
    // A completed run carried by a change also ends.
    set.apply(ActiveRunsEvent::Changed {
        run: run(2, RunStatus::Completed, 2),
    });
    assert!(set.is_empty());
    // Their final states stay available to views that list finished runs too.
    let ended: Vec<(RunId, RunStatus, u64)> = set
        .recently_ended()
        .map(|r| (r.id, r.status, r.version))
        .collect();
    assert_eq!(
        ended,
        [
            (id(1), RunStatus::Completed, 5),
            (id(2), RunStatus::Completed, 2)
        ]
    );
}

fn detail(version: u64) -> RunDetail {
    RunDetail {
        run: run(1, RunStatus::Running, version),
        failure_summary: FailureSummary::new(),
        context: serde_json::Map::new(),
    }
}

#[test]
fn run_detail_keeps_the_newest_version() {
    assert_eq!(newer_detail(None, detail(1)), Some(detail(1)));
    assert_eq!(newer_detail(Some(&detail(3)), detail(4)), Some(detail(4)));
    assert_eq!(newer_detail(Some(&detail(3)), detail(3)), None);
    assert_eq!(newer_detail(Some(&detail(3)), detail(2)), None);
}

#[test]
fn the_list_updates_in_place_and_takes_new_matching_runs_on_top() {
    let queued_only = RunFilter {
        status: Some(RunStatus::Queued),
        ..RunFilter::default()
    };
    let any = RunFilter::default();
    let mut list = vec![run(2, RunStatus::Queued, 1), run(1, RunStatus::Queued, 1)];
    // In place, newer only.
    assert!(apply_to_list(
        &mut list,
        run(1, RunStatus::Queued, 2),
        &queued_only
    ));
    assert_eq!(list[1].version, 2);
    assert!(!apply_to_list(
        &mut list,
        run(1, RunStatus::Queued, 1),
        &queued_only
    ));
    // A row that no longer matches the filter leaves it.
    assert!(apply_to_list(
        &mut list,
        run(1, RunStatus::Running, 3),
        &queued_only
    ));
    assert_eq!(list.iter().map(|r| r.id).collect::<Vec<_>>(), [id(2)]);
    // A new run that matches goes on top; one that does not is left out.
    assert!(apply_to_list(
        &mut list,
        run(3, RunStatus::Queued, 1),
        &queued_only
    ));
    assert_eq!(list[0].id, id(3));
    assert!(!apply_to_list(
        &mut list,
        run(4, RunStatus::Running, 2),
        &queued_only
    ));
    assert_eq!(list.len(), 2);
    // Unfiltered, a run that ends stays, in its final state.
    let mut all = vec![run(5, RunStatus::Running, 1)];
    assert!(apply_to_list(
        &mut all,
        run(5, RunStatus::Completed, 2),
        &any
    ));
    assert_eq!(all[0].status, RunStatus::Completed);
    // An unknown run older than the page's newest belongs to another page.
    let mut page = vec![run(9, RunStatus::Completed, 3)];
    assert!(!apply_to_list(
        &mut page,
        run(5, RunStatus::Running, 2),
        &any
    ));
}

#[test]
fn filters_match_type_status_and_outcome() {
    let succeeded = run(1, RunStatus::Completed, 3);
    let cases = [
        (RunFilter::default(), true),
        (
            RunFilter {
                operation: Some(OperationType::InventorySync),
                ..RunFilter::default()
            },
            true,
        ),
        (
            RunFilter {
                operation: Some(OperationType::PolicyExport),
                ..RunFilter::default()
            },
            false,
        ),
        (
            RunFilter {
                status: Some(RunStatus::Completed),
                ..RunFilter::default()
            },
            true,
        ),
        (
            RunFilter {
                outcome: Some(RunOutcome::Succeeded),
                ..RunFilter::default()
            },
            true,
        ),
        (
            RunFilter {
                outcome: Some(RunOutcome::Failed),
                ..RunFilter::default()
            },
            false,
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(filter.matches(&succeeded), expected, "{filter:?}");
    }
}

fn notification(n: u8) -> NotificationDto {
    NotificationDto {
        id: Uuid::from_u128(u128::from(n)),
        kind: NotificationKind::RunCompleted,
        tenant: contoso(),
        run_id: id(n),
        outcome: RunOutcome::Succeeded,
        title: format!("Run {n} completed"),
        body: String::new(),
        action: Link {
            label: "View run".to_owned(),
            url: String::new(),
        },
        created_at: T0,
        read_at: None,
    }
}

#[test]
fn the_feed_counts_unread_and_never_doubles_a_notification() {
    let mut feed = NotificationFeed::default();
    feed.apply(NotificationsEvent::Snapshot {
        unread: 1,
        items: vec![notification(1)],
    });
    let created = NotificationsEvent::Created {
        unread: 2,
        notification: notification(2),
    };
    feed.apply(created.clone());
    feed.apply(created);
    assert_eq!(feed.unread, 2);
    assert_eq!(feed.items.len(), 2, "one entry per notification");
    assert_eq!(feed.items[0].id, Uuid::from_u128(2), "newest first");

    // Opening one marks it; the count comes from the stream's `read` event, whenever that
    // arrives relative to the answer.
    feed.apply(NotificationsEvent::Read { unread: 1 });
    feed.mark_read(Uuid::from_u128(2), T0);
    feed.mark_read(Uuid::from_u128(2), T0);
    assert_eq!(feed.unread, 1, "never counted twice");
    assert!(feed.items[0].read_at.is_some());

    feed.apply(NotificationsEvent::Read { unread: 0 });
    assert_eq!(feed.unread, 0);
    assert!(feed.items.iter().all(|n| n.read_at.is_some()));
}

// SPEC §6: a client reads each event by its SSE name; what the server writes reads back the
// same, and one bad event is skipped, never mistaken for another.
#[test]
fn events_read_back_by_their_sse_name() {
    let active = [
        ActiveRunsEvent::Snapshot {
            runs: vec![run(1, RunStatus::Running, 2)],
        },
        ActiveRunsEvent::Changed {
            run: run(1, RunStatus::Running, 3),
        },
        ActiveRunsEvent::Ended {
            run: run(1, RunStatus::Completed, 4),
        },
    ];
    for event in active {
        let data = serde_json::to_string(&event).unwrap();
        assert_eq!(
            ActiveRunsEvent::from_sse(event.name(), data.as_str()),
            Some(event.clone())
        );
    }
    let detail = RunStreamEvent::Changed { run: detail(2) };
    let data = serde_json::to_string(&detail).unwrap();
    assert_eq!(
        RunStreamEvent::from_sse("changed", data.as_str()),
        Some(detail)
    );
    let feed = [
        NotificationsEvent::Snapshot {
            unread: 1,
            items: vec![notification(1)],
        },
        NotificationsEvent::Created {
            unread: 2,
            notification: notification(2),
        },
        NotificationsEvent::Read { unread: 0 },
    ];
    for event in feed {
        let data = serde_json::to_string(&event).unwrap();
        assert_eq!(
            NotificationsEvent::from_sse(event.name(), data.as_str()),
            Some(event.clone())
        );
    }
    assert_eq!(ActiveRunsEvent::from_sse("changed", "{not json"), None);
    assert_eq!(ActiveRunsEvent::from_sse("surprise", "{}"), None);
    assert_eq!(
        NotificationsEvent::from_sse("read", r#"{"unread": -1}"#),
        None
    );
}
