// Group commit: transitions submitted together are committed together, each with its own
// answer; a conflict or a failure is that transition's alone.
use std::sync::atomic::Ordering;
use std::time::Duration;

use opsux_core::wire::StartResult;
use opsux_core::{OperationType, RunEvent, RunStatus};
use opsux_server::runs::{RunError, RunService, TenantRef};
use serde_json::json;
use uuid::Uuid;

use crate::support::{OWNER, TestApp};

/// Waits until `n` transitions are waiting for the (paused) writer.
async fn until_pending(runs: &RunService, n: u64) {
    tokio::time::timeout(Duration::from_secs(10), async {
        while runs.writer_stats().pending() < n {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await
    .expect("the transitions reached the writer");
}

fn batches(runs: &RunService) -> (u64, u64) {
    let stats = runs.writer_stats();
    (
        stats.batches.load(Ordering::SeqCst),
        stats.transitions.load(Ordering::SeqCst),
    )
}

#[tokio::test]
async fn two_transitions_of_one_run_in_one_batch_one_wins_one_conflicts() {
    let app = TestApp::new().await;
    let started = app
        .start_run(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    let (tenant, id) = (started.run.tenant_id(), started.run.id());
    let before = batches(app.runs());

    let paused = app.runs().pause_writes().await;
    let first = tokio::spawn({
        let runs = app.runs().clone();
        async move { runs.cancel(tenant, id).await }
    });
    let second = tokio::spawn({
        let runs = app.runs().clone();
        async move { runs.cancel(tenant, id).await }
    });
    until_pending(app.runs(), 2).await;
    drop(paused);
    let results = [first.await.unwrap(), second.await.unwrap()];

    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{results:?}");
    assert!(
        results.iter().any(|r| matches!(
            r,
            Err(RunError::Conflict {
                event: RunEvent::Cancel,
                found: Some(RunStatus::Completed),
                ..
            })
        )),
        "{results:?}"
    );
    assert_eq!(app.notifications_for_run(id).await, 1);
    // Both cancels in the first commit; the loser's request to stop a running run, made
    // after it lost, in a second.
    let after = batches(app.runs());
    assert_eq!((after.0 - before.0, after.1 - before.1), (2, 3));
}

#[tokio::test]
async fn a_failing_transition_does_not_take_its_batch_down() {
    let app = TestApp::new().await;
    let good = |n: u32| {
        app.start_request(
            OperationType::PolicyExport,
            Some(OWNER),
            json!({"policy_ids": [format!("p{n}")]}),
        )
    };
    let (a, b) = (good(1).await, good(2).await);
    // A tenant that does not exist: the insert breaks a foreign key.
    let mut bad = good(3).await;
    bad.tenant = TenantRef {
        id: Uuid::new_v4(),
        ..bad.tenant
    };
    let before = batches(app.runs());

    let paused = app.runs().pause_writes().await;
    let tasks: Vec<_> = [a, bad, b]
        .into_iter()
        .map(|request| {
            let runs = app.runs().clone();
            tokio::spawn(async move { runs.start(request).await })
        })
        .collect();
    until_pending(app.runs(), 3).await;
    drop(paused);
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }

    let queued = results
        .iter()
        .filter(|r| matches!(r, Ok(s) if s.result == StartResult::Queued))
        .count();
    assert_eq!(queued, 2, "{results:?}");
    assert!(
        results
            .iter()
            .any(|r| matches!(r, Err(RunError::Database(_)))),
        "{results:?}"
    );
    assert_eq!(app.run_count().await, 2);
    // The two good starts committed; the failing one cost its batch one more attempt.
    let after = batches(app.runs());
    assert_eq!(after.1 - before.1, 2);
    assert!(after.0 - before.0 >= 2);
}
