// Group commit: transitions submitted together are committed together, each with its own
// answer; a conflict or a failure is that transition's alone; finishes of different runs are
// written together, and so are their progress reports.
use std::sync::atomic::Ordering;
use std::time::Duration;

use opsux_core::wire::StartResult;
use opsux_core::{
    FailureSummary, OperationType, ReasonCode, RunEvent, RunOutcome, RunStatus, SummaryCounts,
    SummaryKey,
};
use opsux_server::runs::{ClaimedRun, Progressed, RunError, RunService, TenantRef};
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

/// A system run claimed twice (the stale handle and the current one, which name one run) and
/// five person runs claimed: five, because on PostgreSQL, where runs are spread over four
/// writers by id, at least two of them then share a writer.
async fn stale_current_and_exports(app: &TestApp) -> (ClaimedRun, ClaimedRun, Vec<ClaimedRun>) {
    app.start_run(OperationType::InventorySync, None, json!({}))
        .await;
    let (stale, current) = app.stale_and_current_claims().await;
    for n in 1..=5 {
        app.start_run(
            OperationType::PolicyExport,
            Some(OWNER),
            json!({"policy_ids": [format!("p{n}")]}),
        )
        .await;
    }
    let exports = app.runs().claim_batch(5).await.unwrap();
    assert_eq!(exports.len(), 5);
    (stale, current, exports)
}

/// Finishes and progress reports the writers have written together so far.
fn written_together(runs: &RunService) -> u64 {
    runs.writer_stats().written_together.load(Ordering::SeqCst)
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

#[tokio::test]
async fn finishes_in_one_batch_are_written_together_each_with_its_own_answer() {
    let app = TestApp::with_manual_clock().await;
    // A system run claimed twice: the stale handle and the current one finish in the same
    // batch, so they name one run and go one by one, in order.
    let (stale, current, exports) = stale_current_and_exports(&app).await;
    let export_ids: Vec<_> = exports.iter().map(|c| c.id()).collect();
    let before = batches(app.runs());
    let together_before = written_together(app.runs());

    let paused = app.runs().pause_writes().await;
    let mut tasks: Vec<_> = exports
        .into_iter()
        .map(|claimed| {
            tokio::spawn(async move {
                claimed
                    .complete(RunOutcome::Succeeded, FailureSummary::new())
                    .await
            })
        })
        .collect();
    tasks.push(tokio::spawn(async move {
        stale
            .complete(RunOutcome::Succeeded, FailureSummary::new())
            .await
    }));
    until_pending(app.runs(), 6).await;
    tasks.push(tokio::spawn(async move {
        current.fail(ReasonCode::InternalError, "gave up").await
    }));
    until_pending(app.runs(), 7).await;
    drop(paused);
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }

    for (result, id) in results.iter().zip(&export_ids) {
        let run = result.as_ref().expect("each export finishes");
        assert_eq!(run.summary().outcome, Some(RunOutcome::Succeeded));
        assert_eq!(app.notifications_for_run(*id).await, 1);
    }
    assert!(
        matches!(results[5], Err(RunError::Conflict { .. })),
        "the stale handle is fenced out: {:?}",
        results[5]
    );
    let failed = results[6].as_ref().expect("the current handle finishes");
    assert_eq!(failed.summary().outcome, Some(RunOutcome::Failed));
    // Five person runs, one notification each; the system run none.
    assert_eq!(app.notification_count().await, 5);
    let after = batches(app.runs());
    assert_eq!(after.1 - before.1, 7);
    let together = written_together(app.runs()) - together_before;
    if app.store().commits_in_parallel() {
        assert!(together >= 2, "{together} finished together");
    } else {
        assert_eq!((after.0 - before.0, together), (1, 5));
    }
}

#[tokio::test]
async fn progress_reports_in_one_batch_are_written_together_each_with_its_own_answer() {
    let app = TestApp::with_manual_clock().await;
    let (mut stale, _current, exports) = stale_current_and_exports(&app).await;
    let asked_to_stop = exports[1].id();
    app.runs()
        .cancel(exports[1].record().tenant_id(), asked_to_stop)
        .await
        .unwrap();
    let counts = |n: u64| {
        SummaryCounts::new()
            .with(SummaryKey::Total, 10)
            .and_then(|c| c.with(SummaryKey::Processed, n))
            .unwrap()
    };

    let together_before = written_together(app.runs());

    let paused = app.runs().pause_writes().await;
    let mut tasks: Vec<_> = exports
        .into_iter()
        .enumerate()
        .map(|(n, mut claimed)| {
            tokio::spawn(async move {
                let progressed = claimed.report_progress(counts(n as u64)).await;
                (claimed, progressed)
            })
        })
        .collect();
    until_pending(app.runs(), 5).await;
    let stale_report = tokio::spawn(async move { stale.report_progress(counts(9)).await });
    until_pending(app.runs(), 6).await;
    drop(paused);

    let mut finished = Vec::new();
    for (n, task) in tasks.drain(..).enumerate() {
        let (claimed, progressed) = task.await.unwrap();
        let expected = if claimed.id() == asked_to_stop {
            Progressed::CancelRequested
        } else {
            Progressed::Continue
        };
        assert_eq!(progressed.unwrap(), expected, "export {n}");
        finished.push((n, claimed));
    }
    assert!(
        matches!(stale_report.await.unwrap(), Err(RunError::LeaseLost(_))),
        "the stale handle's report is fenced out"
    );
    let together = written_together(app.runs()) - together_before;
    if app.store().commits_in_parallel() {
        assert!(together >= 2, "{together} written together");
    } else {
        assert_eq!(together, 6);
    }
    // What each report wrote is what each run ends with.
    for (n, claimed) in finished {
        let done = claimed
            .complete(RunOutcome::Succeeded, FailureSummary::new())
            .await
            .unwrap();
        assert_eq!(done.summary().summary_counts, counts(n as u64));
    }
}
