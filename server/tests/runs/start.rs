// R4, S6: active-run dedupe lives in the database.
use opsux_core::wire::StartResult;
use opsux_core::{OperationType, RunStatus};
use serde_json::json;

use crate::support::{OWNER, TestApp};

#[tokio::test]
async fn a_start_creates_a_queued_run() {
    let app = TestApp::new().await;
    let req = app
        .start_request(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    let started = app.runs().start(req).await.unwrap();
    assert_eq!(started.result, StartResult::Queued);
    let run = started.run.summary();
    assert_eq!(run.status, RunStatus::Queued);
    assert_eq!(run.outcome, None);
    assert_eq!(run.attempt, 0);
    assert_eq!(run.initiator.as_ref().unwrap().display_name, "Olivia Owner");
    assert_eq!(
        run.view_run_url,
        format!("/t/contoso/operations/{}", run.id)
    );
}

#[tokio::test]
async fn an_identical_start_returns_the_active_run() {
    let app = TestApp::new().await;
    let first = app
        .start_run(
            OperationType::PolicyExport,
            Some(OWNER),
            json!({"policy_ids": ["a", "b"]}),
        )
        .await;
    // The same parameters, started by someone else (here: the system): the same identity.
    let again = app
        .start_run(
            OperationType::PolicyExport,
            None,
            json!({"policy_ids": ["a", "b"]}),
        )
        .await;
    assert_eq!(again.result, StartResult::AlreadyQueued);
    assert_eq!(again.run.id(), first.run.id());

    let other_target = app
        .start_run(
            OperationType::PolicyExport,
            None,
            json!({"policy_ids": ["c"]}),
        )
        .await;
    assert_eq!(other_target.result, StartResult::Queued);
    assert_ne!(other_target.run.id(), first.run.id());
    assert_eq!(app.run_count().await, 2);
}

#[tokio::test]
async fn parameter_order_does_not_change_the_identity() {
    let app = TestApp::new().await;
    let a = app
        .start_run(
            OperationType::BackupSetAddPolicies,
            None,
            json!({"backup_set_id": "s1", "policy_ids": ["p"]}),
        )
        .await;
    let b = app
        .start_run(
            OperationType::BackupSetAddPolicies,
            None,
            json!({"policy_ids": ["p"], "backup_set_id": "s1"}),
        )
        .await;
    assert_eq!(b.result, StartResult::AlreadyQueued);
    assert_eq!(a.run.id(), b.run.id());
}

#[tokio::test]
async fn a_completed_run_does_not_block_a_new_start() {
    let app = TestApp::new().await;
    let first = app
        .start_run(OperationType::InventorySync, None, json!({}))
        .await;
    app.runs()
        .cancel(first.run.tenant_id(), first.run.id())
        .await
        .unwrap();
    let second = app
        .start_run(OperationType::InventorySync, None, json!({}))
        .await;
    assert_eq!(second.result, StartResult::Queued);
    assert_ne!(second.run.id(), first.run.id());
}

// S6
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_identical_starts_create_one_run() {
    let app = TestApp::new().await;
    let req = app
        .start_request(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let runs = app.runs().clone();
        let req = req.clone();
        tasks.spawn(async move { runs.start(req).await.unwrap() });
    }
    let results = tasks.join_all().await;
    let queued = results
        .iter()
        .filter(|s| s.result == StartResult::Queued)
        .count();
    let deduped = results
        .iter()
        .filter(|s| s.result == StartResult::AlreadyQueued)
        .count();
    assert_eq!((queued, deduped), (1, 99));
    let id = results[0].run.id();
    assert!(
        results.iter().all(|s| s.run.id() == id),
        "every caller sees the one run"
    );
    assert_eq!(app.run_count().await, 1);
}

// Concurrent claimers (PostgreSQL: several writers, several processes) never take the same run,
// and a claim that loses a race takes the next run instead of reporting an empty queue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claims_take_distinct_runs_and_miss_none() {
    let app = TestApp::new().await;
    for n in 0..24 {
        app.start_run(
            OperationType::PolicyExport,
            None,
            json!({"policy_ids": [format!("p{n}")]}),
        )
        .await;
    }
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..24 {
        let runs = app.runs().clone();
        tasks.spawn(async move { runs.claim().await.unwrap().map(|c| c.id()) });
    }
    let claimed: Vec<_> = tasks.join_all().await;
    assert!(claimed.iter().all(Option::is_some), "{claimed:?}");
    let distinct: std::collections::HashSet<_> = claimed.iter().flatten().collect();
    assert_eq!(distinct.len(), 24);
    assert!(app.runs().claim().await.unwrap().is_none());
}
