// R1: claim, progress and finish through the claimed-run handle; guarded writes.
use std::time::Duration;

use opsux_core::{
    FailureSummary, OperationType, ReasonCode, RunEvent, RunOutcome, RunStatus, SummaryCounts,
    SummaryKey,
};
use opsux_server::runs::{Progressed, RunConfig, RunError};
use serde_json::json;

use crate::support::{OWNER, TestApp, test_run_config};

fn counts(total: u64, processed: u64) -> SummaryCounts {
    SummaryCounts::new()
        .with(SummaryKey::Total, total)
        .and_then(|c| c.with(SummaryKey::Processed, processed))
        .unwrap()
}

#[tokio::test]
async fn claim_takes_the_oldest_queued_run_with_a_lease() {
    let app = TestApp::new().await;
    assert!(
        app.runs().claim().await.unwrap().is_none(),
        "nothing queued"
    );
    let first = app
        .start_run(OperationType::InventorySync, None, json!({}))
        .await;
    let _second = app
        .start_run(OperationType::EntraGroupSync, None, json!({}))
        .await;
    let claimed = app.runs().claim().await.unwrap().unwrap();
    assert_eq!(claimed.id(), first.run.id());
    let run = &claimed.record().summary();
    assert_eq!(run.status, RunStatus::Running);
    assert_eq!(run.attempt, 1);
    assert!(run.started_at.is_some());
    assert!(claimed.record().holds_lease());
}

#[tokio::test]
async fn a_named_run_is_claimed_only_while_it_is_queued() {
    let app = TestApp::new().await;
    let first = app
        .start_run(OperationType::InventorySync, None, json!({}))
        .await;
    let second = app
        .start_run(OperationType::EntraGroupSync, None, json!({}))
        .await;
    let claimed = app.runs().claim_run(second.run.id()).await.unwrap();
    assert_eq!(claimed.unwrap().id(), second.run.id(), "not the oldest");
    assert!(
        app.runs()
            .claim_run(second.run.id())
            .await
            .unwrap()
            .is_none(),
        "taken already"
    );
    let next = app.runs().claim().await.unwrap().unwrap();
    assert_eq!(next.id(), first.run.id());
}

#[tokio::test]
async fn progress_and_success() {
    let app = TestApp::new().await;
    let started = app
        .start_run(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    let mut claimed = app.runs().claim().await.unwrap().unwrap();
    assert_eq!(
        claimed.report_progress(counts(10, 4)).await.unwrap(),
        Progressed::Continue
    );
    let stored = app.runs().get(started.run.id()).await.unwrap().unwrap();
    assert_eq!(stored.summary().summary_counts, counts(10, 4));
    assert_eq!(stored.summary().status, RunStatus::Running);

    claimed.report_progress(counts(10, 10)).await.unwrap();
    let before_finish = app.runs().get(started.run.id()).await.unwrap().unwrap();
    let done = claimed
        .complete(RunOutcome::Succeeded, FailureSummary::new())
        .await
        .unwrap();
    assert_eq!(done.summary().status, RunStatus::Completed);
    assert_eq!(done.summary().outcome, Some(RunOutcome::Succeeded));
    assert_eq!(done.summary().summary_counts, counts(10, 10));
    assert!(done.summary().completed_at.is_some());
    assert!(!done.holds_lease(), "a completed run holds no lease");
    // queued 1 → claimed 2 → two progress writes 3, 4 → completed 5: every change is newer.
    assert_eq!(started.run.summary().version, 1);
    assert_eq!(before_finish.summary().version, 4);
    assert_eq!(done.summary().version, 5);
}

// R6
#[tokio::test]
async fn failures_are_stored_sanitized_with_their_reason() {
    let app = TestApp::new().await;
    app.start_run(OperationType::PolicyExport, None, json!({}))
        .await;
    let claimed = app.runs().claim().await.unwrap().unwrap();
    let done = claimed
        .fail(
            ReasonCode::ProviderAuthFailed,
            "token request failed: client_secret=s3cr3t for admin@contoso.com\n",
        )
        .await
        .unwrap();
    assert_eq!(done.summary().outcome, Some(RunOutcome::Failed));
    assert_eq!(
        done.summary().reason_code,
        Some(ReasonCode::ProviderAuthFailed)
    );
    let message = done.summary().message.clone().unwrap();
    assert_eq!(
        message,
        "token request failed: client_secret=[redacted] for [email]"
    );
    let stored = app.runs().get(done.id()).await.unwrap().unwrap();
    let raw = serde_json::to_string(stored.failure_summary()).unwrap();
    assert!(
        !raw.contains("s3cr3t") && !raw.contains("admin@contoso.com"),
        "{raw}"
    );
}

#[tokio::test]
async fn partial_success_takes_the_first_failure_as_reason() {
    let app = TestApp::new().await;
    app.start_run(OperationType::PolicyExport, None, json!({}))
        .await;
    let claimed = app.runs().claim().await.unwrap().unwrap();
    let mut failures = FailureSummary::new();
    failures.push(ReasonCode::NotFound, "policy p-7 was deleted");
    failures.push(ReasonCode::ProviderThrottled, "429");
    let done = claimed
        .complete(RunOutcome::PartiallySucceeded, failures)
        .await
        .unwrap();
    assert_eq!(done.summary().reason_code, Some(ReasonCode::NotFound));
    assert_eq!(done.failure_summary().entries().len(), 2);
}

#[tokio::test]
async fn progress_is_coalesced_and_the_final_counts_always_land() {
    let app = TestApp::with_config(RunConfig {
        progress_interval: Duration::from_secs(3600),
        ..test_run_config()
    })
    .await;
    let started = app
        .start_run(OperationType::InventorySync, None, json!({}))
        .await;
    let mut claimed = app.runs().claim().await.unwrap().unwrap();
    for processed in 0..=1000 {
        claimed
            .report_progress(counts(1000, processed))
            .await
            .unwrap();
    }
    // Only the first report was written; the rest wait for the interval or the finish.
    let stored = app.runs().get(started.run.id()).await.unwrap().unwrap();
    assert_eq!(stored.summary().summary_counts, counts(1000, 0));
    let done = claimed
        .complete(RunOutcome::Succeeded, FailureSummary::new())
        .await
        .unwrap();
    assert_eq!(done.summary().summary_counts, counts(1000, 1000));

    // Written: the claim, one progress report, the completion (which carried the last counts).
    let counters = app.runs().counters();
    let load = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        (
            load(&counters.claim),
            load(&counters.progress),
            load(&counters.finish)
        ),
        (1, 1, 1)
    );
    assert_eq!(
        done.summary().version,
        4,
        "created, claimed, one report, completed"
    );
}

#[tokio::test]
async fn a_stale_handle_is_fenced_out() {
    let app = TestApp::with_manual_clock().await;
    app.start_run(OperationType::InventorySync, None, json!({}))
        .await;
    let (mut stale, current) = app.stale_and_current_claims().await;
    assert_eq!(current.record().summary().attempt, 2);

    let lost = |err: RunError| matches!(err, RunError::LeaseLost(_));
    assert!(lost(stale.heartbeat().await.unwrap_err()));
    assert!(lost(stale.report_progress(counts(1, 1)).await.unwrap_err()));
    let err = stale
        .complete(RunOutcome::Succeeded, FailureSummary::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RunError::Conflict {
                event: RunEvent::Finish(RunOutcome::Succeeded),
                ..
            }
        ),
        "{err}"
    );

    current.heartbeat().await.unwrap();
    let done = current
        .complete(RunOutcome::Succeeded, FailureSummary::new())
        .await
        .unwrap();
    assert_eq!(done.summary().outcome, Some(RunOutcome::Succeeded));
}
