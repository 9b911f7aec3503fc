// The metrics endpoint (OpenMetrics text) reports runs by status and type, the runs that ended,
// transitions, notifications and stream subscribers.
use axum::http::StatusCode;
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn metrics_count_runs_transitions_and_notifications() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    let id = app
        .start_via_api(&owner, json!({"type": "inventory_sync"}))
        .await;
    let policies = app.seed_policies("contoso", 1).await;
    app.post(
        "/api/t/contoso/operations",
        Some(&owner),
        &json!({"type": "policy_export", "params": {"policy_ids": policies}}),
    )
    .await;
    app.post(
        &format!("/api/t/contoso/operations/{id}/cancel"),
        Some(&owner),
        &json!({}),
    )
    .await;

    let res = app.get("/metrics", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("application/openmetrics-text; version=1.0.0")
    );
    let text = res.text();
    for line in [
        "# TYPE opsux_runs gauge",
        "opsux_runs{type=\"inventory_sync\",status=\"completed\"} 1",
        "opsux_runs{type=\"policy_export\",status=\"queued\"} 1",
        "opsux_run_transitions_total{kind=\"start\"} 2",
        "opsux_run_transitions_total{kind=\"cancel\"} 1",
        "opsux_run_transitions_total{kind=\"claim\"} 0",
        "opsux_commits_total 3",
        "opsux_committed_transitions_total 3",
        "opsux_notifications 1",
        "opsux_sse_subscribers 0",
        "opsux_webhook_pending 0",
        // The cancelled run ended once, never started: no duration, no queue wait.
        "# TYPE opsux_runs_ended counter",
        "opsux_runs_ended_total{type=\"inventory_sync\",outcome=\"cancelled\",initiator=\"person\"} 1",
        "# EOF",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in:\n{text}"
        );
    }
}

#[tokio::test]
async fn a_configured_token_guards_the_metrics() {
    let app = TestApp::with(|c| c.metrics_token = Some("s3cret-scraper".to_owned())).await;
    assert_eq!(
        app.get("/metrics", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let wrong = axum::http::Request::get("/metrics")
        .header("authorization", "Bearer guess")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.send(wrong).await.status, StatusCode::UNAUTHORIZED);
    let right = axum::http::Request::get("/metrics")
        .header("authorization", "Bearer s3cret-scraper")
        .body(axum::body::Body::empty())
        .unwrap();
    let res = app.send(right).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.text().contains("opsux_notifications 0"),
        "{}",
        res.text()
    );
}
