// R9: cancelling a queued run completes it at once; a running run is asked to stop.
use opsux_core::{FailureSummary, OperationType, ReasonCode, RunOutcome, RunStatus, SummaryCounts};
use opsux_server::runs::{Progressed, RunError};
use serde_json::json;

use crate::support::{OWNER, TestApp};

#[tokio::test]
async fn a_queued_run_is_cancelled_at_once() {
    let app = TestApp::new().await;
    let started = app
        .start_run(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    let run = app
        .runs()
        .cancel(started.run.tenant_id(), started.run.id())
        .await
        .unwrap();
    assert_eq!(run.summary().status, RunStatus::Completed);
    assert_eq!(run.summary().outcome, Some(RunOutcome::Cancelled));
    assert_eq!(run.summary().reason_code, Some(ReasonCode::CancelledByUser));
    assert_eq!(app.notifications_for_run(run.id()).await, 1);
    assert!(
        app.runs().claim().await.unwrap().is_none(),
        "a cancelled run is never claimed"
    );
}

#[tokio::test]
async fn a_running_run_stops_at_its_next_report() {
    let app = TestApp::new().await;
    let started = app
        .start_run(OperationType::PolicyExport, Some(OWNER), json!({}))
        .await;
    let mut claimed = app.runs().claim().await.unwrap().unwrap();
    let asked = app
        .runs()
        .cancel(started.run.tenant_id(), started.run.id())
        .await
        .unwrap();
    assert_eq!(
        asked.summary().status,
        RunStatus::Running,
        "still running until the handler stops"
    );
    assert!(asked.summary().cancel_requested);
    assert_eq!(app.notifications_for_run(started.run.id()).await, 0);

    assert_eq!(
        claimed.report_progress(SummaryCounts::new()).await.unwrap(),
        Progressed::CancelRequested
    );
    let done = claimed
        .complete(RunOutcome::Cancelled, FailureSummary::new())
        .await
        .unwrap();
    assert_eq!(done.summary().outcome, Some(RunOutcome::Cancelled));
    assert_eq!(app.notifications_for_run(started.run.id()).await, 1);
}

#[tokio::test]
async fn cancelling_a_completed_run_is_a_conflict() {
    let app = TestApp::new().await;
    let started = app
        .start_run(OperationType::InventorySync, None, json!({}))
        .await;
    app.runs()
        .cancel(started.run.tenant_id(), started.run.id())
        .await
        .unwrap();
    let err = app
        .runs()
        .cancel(started.run.tenant_id(), started.run.id())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RunError::Conflict {
                found: Some(RunStatus::Completed),
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_run_of_another_tenant_is_not_found() {
    let app = TestApp::new().await;
    let started = app
        .start_run(OperationType::InventorySync, None, json!({}))
        .await;
    let fabrikam = app.tenant("fabrikam").await;
    let err = app
        .runs()
        .cancel(fabrikam.id, started.run.id())
        .await
        .unwrap_err();
    assert!(matches!(err, RunError::NotFound(_)), "{err}");
}

// R9 in-process: dropping a stale handle must not deafen the current one to a cancel.
#[tokio::test]
async fn the_current_handle_hears_a_cancel_after_a_stale_one_is_dropped() {
    let app = TestApp::with_manual_clock().await;
    let started = app
        .start_run(OperationType::PolicyExport, Some(OWNER), json!({}))
        .await;
    let (stale, current) = app.stale_and_current_claims().await;
    drop(stale);
    app.runs()
        .cancel(started.run.tenant_id(), started.run.id())
        .await
        .unwrap();
    assert!(
        current.cancel_requested(),
        "heard without waiting for a progress write"
    );
}
