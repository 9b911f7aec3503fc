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

    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT u.email, n.title, n.body, n.action_url FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.run_id = ?",
    )
    .bind(id.to_string())
    .fetch_all(&app.state.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [(
            "owner@demo.test".to_owned(),
            "Inventory sync completed".to_owned(),
            "3 total, 3 processed, 3 succeeded.".to_owned(),
            format!("/t/contoso/operations/{id}"),
        )]
    );
}

#[tokio::test]
async fn a_system_run_notifies_nobody() {
    let app = TestApp::new().await;
    for outcome in [RunOutcome::Succeeded, RunOutcome::Failed] {
        let started = app
            .start_run(
                OperationType::InventorySync,
                None,
                json!({"n": outcome.as_str()}),
            )
            .await;
        let claimed = app.runs().claim().await.unwrap().unwrap();
        claimed
            .complete(outcome, FailureSummary::new())
            .await
            .unwrap();
        assert_eq!(app.notifications_for_run(started.run.id()).await, 0);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM notifications").await, 0);
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
    let duplicate = sqlx::query(
        "INSERT INTO notifications (id, user_id, tenant_id, run_id, kind, outcome, title, body, action_url, created_at) \
         SELECT 'x', user_id, tenant_id, run_id, kind, outcome, title, body, action_url, created_at FROM notifications",
    )
    .execute(&app.state.pool)
    .await;
    assert!(duplicate.is_err(), "UNIQUE (run_id, kind) holds");
    assert_eq!(app.notifications_for_run(started.run.id()).await, 1);
}
