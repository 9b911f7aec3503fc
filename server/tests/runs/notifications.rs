// R2, R3, S1: exactly one terminal notification for the initiator; none for system runs; none
// while queued or running.
use opsux_core::{FailureSummary, OperationType, RunOutcome, SummaryCounts, SummaryKey};
use serde_json::json;

use crate::support::{OWNER, TestApp};

#[tokio::test]
async fn an_initiated_run_notifies_its_initiator_once_at_the_end() {
    let app = TestApp::new().await;
    let started = app
        .start_run(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    let id = started.run.id();
    assert_eq!(app.notifications_for_run(id).await, 0, "none while queued");
    let mut claimed = app.runs().claim().await.unwrap().unwrap();
    claimed
        .report_progress(SummaryCounts::new().with(SummaryKey::Total, 3).unwrap())
        .await
        .unwrap();
    assert_eq!(app.notifications_for_run(id).await, 0, "none while running");
    let counts = SummaryCounts::new()
        .with(SummaryKey::Total, 3)
        .and_then(|c| c.with(SummaryKey::Processed, 3))
        .and_then(|c| c.with(SummaryKey::Succeeded, 3))
        .unwrap();
    claimed.report_progress(counts).await.unwrap();
    claimed
        .complete(RunOutcome::Succeeded, FailureSummary::new())
        .await
        .unwrap();

    let owner = app.user_id(OWNER).await;
    let (_, stored) = app.store().notifications(owner).await.unwrap();
    let rows: Vec<_> = stored
        .iter()
        .filter(|n| n.run_id == id)
        .map(|n| (n.title.as_str(), n.body.as_str(), n.action.url.clone()))
        .collect();
    assert_eq!(
        rows,
        [(
            "Inventory sync completed",
            "3 total, 3 processed, 3 succeeded.",
            format!("/t/contoso/operations/{id}"),
        )]
    );
    for other in ["reader@demo.test", "outsider@demo.test"] {
        let user = app.user_id(other).await;
        let (_, theirs) = app.store().notifications(user).await.unwrap();
        assert!(theirs.is_empty(), "{other} got a notification");
    }
}

#[tokio::test]
async fn a_system_run_notifies_nobody() {
    let app = TestApp::new().await;
    for outcome in [RunOutcome::Succeeded, RunOutcome::Failed] {
        let started = app
            .start_run(OperationType::InventorySync, None, json!({}))
            .await;
        let claimed = app.runs().claim().await.unwrap().unwrap();
        claimed
            .complete(outcome, FailureSummary::new())
            .await
            .unwrap();
        assert_eq!(app.notifications_for_run(started.run.id()).await, 0);
    }
    assert_eq!(app.notification_count().await, 0);
}

#[tokio::test]
async fn the_database_refuses_a_second_notification_for_a_run() {
    let app = TestApp::new().await;
    let started = app
        .start_run(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    let claimed = app.runs().claim().await.unwrap().unwrap();
    claimed
        .complete(RunOutcome::Succeeded, FailureSummary::new())
        .await
        .unwrap();
    let duplicate = app
        .execute_raw(
            "INSERT INTO notifications \
               (id, user_id, tenant_id, run_id, kind, outcome, title, body, action_url, created_at) \
             SELECT 'x', user_id, tenant_id, run_id, kind, outcome, title, body, action_url, \
                    created_at \
             FROM notifications",
        )
        .await;
    assert!(duplicate.is_err(), "UNIQUE (run_id, kind) holds");
    assert_eq!(app.notifications_for_run(started.run.id()).await, 1);
}
