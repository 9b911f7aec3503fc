// R8, S7, S8: lost leases are rescued; racing finishers produce one winner and one notification.
use std::time::Duration;

use opsux_core::{FailureSummary, OperationType, ReasonCode, RunOutcome, RunStatus};
use opsux_server::runs::{RescueReport, RunError};
use serde_json::json;

use crate::support::{OWNER, TestApp};

const PAST_LEASE: Duration = Duration::from_secs(31);

// S8
#[tokio::test]
async fn a_lost_run_is_requeued_then_failed_when_attempts_run_out() {
    let app = TestApp::with_manual_clock().await;
    let started = app
        .start_run(OperationType::BackupRetention, Some(OWNER), json!({}))
        .await;
    let id = started.run.id();

    let _first = app.runs().claim().await.unwrap().unwrap();
    assert_eq!(
        app.runs().rescue_stale().await.unwrap(),
        RescueReport::default(),
        "lease still valid"
    );
    app.advance(PAST_LEASE);
    assert_eq!(
        app.runs().rescue_stale().await.unwrap(),
        RescueReport {
            requeued: 1,
            failed: 0
        }
    );
    let run = app.runs().get(id).await.unwrap().unwrap();
    assert_eq!(run.summary().status, RunStatus::Queued);
    assert_eq!(app.notifications_for_run(id).await, 0);

    let _second = app.runs().claim().await.unwrap().unwrap();
    app.advance(PAST_LEASE);
    // Two attempts allowed in tests: the second lost lease ends the run.
    assert_eq!(
        app.runs().rescue_stale().await.unwrap(),
        RescueReport {
            requeued: 0,
            failed: 1
        }
    );
    let run = app.runs().get(id).await.unwrap().unwrap();
    assert_eq!(run.summary().status, RunStatus::Completed);
    assert_eq!(run.summary().outcome, Some(RunOutcome::Failed));
    assert_eq!(run.summary().reason_code, Some(ReasonCode::WorkerLost));
    assert_eq!(app.notifications_for_run(id).await, 1);
}

#[tokio::test]
async fn a_heartbeat_keeps_the_run_from_being_rescued() {
    let app = TestApp::with_manual_clock().await;
    app.start_run(OperationType::InventorySync, None, json!({}))
        .await;
    let claimed = app.runs().claim().await.unwrap().unwrap();
    for _ in 0..3 {
        app.advance(Duration::from_secs(20));
        claimed.heartbeat().await.unwrap();
        assert_eq!(
            app.runs().rescue_stale().await.unwrap(),
            RescueReport::default()
        );
    }
}

// S7: both handles finish at once; the database lets only the current lease through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_and_a_current_handle_finishing_together_produce_one_end() {
    let app = TestApp::with_manual_clock().await;
    let started = app
        .start_run(OperationType::RestoreExecute, Some(OWNER), json!({}))
        .await;
    let (stale, current) = app.stale_and_current_claims().await;

    let (a, b) = tokio::join!(
        tokio::spawn(stale.complete(RunOutcome::Succeeded, FailureSummary::new())),
        tokio::spawn(current.complete(RunOutcome::Failed, FailureSummary::new())),
    );
    let results = [a.unwrap(), b.unwrap()];
    let wins = results.iter().filter(|r| r.is_ok()).count();
    let conflicts = results
        .iter()
        .filter(|r| matches!(r, Err(RunError::Conflict { .. })))
        .count();
    assert_eq!((wins, conflicts), (1, 1));
    assert_eq!(app.notifications_for_run(started.run.id()).await, 1);
    let run = app.runs().get(started.run.id()).await.unwrap().unwrap();
    assert_eq!(
        run.summary().outcome,
        Some(RunOutcome::Failed),
        "the current lease holder wins"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rescue_racing_a_finish_produces_one_end() {
    let app = TestApp::with_manual_clock().await;
    for _ in 0..2 {
        let started = app
            .start_run(OperationType::InventorySync, Some(OWNER), json!({}))
            .await;
        let (_first, last) = app.stale_and_current_claims().await;
        app.advance(PAST_LEASE);
        let runs = app.runs().clone();
        let (rescue, finish) = tokio::join!(
            tokio::spawn(async move { runs.rescue_stale().await }),
            tokio::spawn(last.complete(RunOutcome::Succeeded, FailureSummary::new())),
        );
        let rescued = rescue.unwrap().unwrap().failed;
        let finished = usize::from(finish.unwrap().is_ok());
        assert_eq!(rescued + finished, 1, "exactly one of them ends the run");
        assert_eq!(app.notifications_for_run(started.run.id()).await, 1);
    }
}

// R9 + R8: a run asked to cancel whose worker vanished is not worked on again.
#[tokio::test]
async fn a_cancel_requested_run_is_not_rerun_after_rescue() {
    let app = TestApp::with_manual_clock().await;
    let started = app
        .start_run(OperationType::RestoreExecute, Some(OWNER), json!({}))
        .await;
    let _lost = app.runs().claim().await.unwrap().unwrap();
    app.runs()
        .cancel(started.run.tenant_id(), started.run.id())
        .await
        .unwrap();
    app.advance(PAST_LEASE);
    assert_eq!(app.runs().rescue_stale().await.unwrap().requeued, 1);

    // A handler that would show it ran: none is registered, which would fail the run.
    let ran = app
        .run_pending_jobs(opsux_server::worker::Handlers::new())
        .await;
    assert_eq!(ran, 1);
    let run = app.runs().get(started.run.id()).await.unwrap().unwrap();
    assert_eq!(run.summary().outcome, Some(RunOutcome::Cancelled));
    assert_eq!(run.summary().reason_code, Some(ReasonCode::CancelledByUser));
    assert_eq!(app.notifications_for_run(started.run.id()).await, 1);
}
