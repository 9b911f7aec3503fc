// Start quotas (R4 still answers first) and fair claims: a person's start is refused while they, or the tenant, have
// the most queued or running runs allowed — an identical run still answers `already_queued`,
// system runs are not refused — and the worker takes the next run from the tenant with the
// fewest running, so one tenant's backlog does not starve another.
use opsux_core::wire::StartResult;
use opsux_core::{OperationParams, OperationType};
use opsux_server::runs::{RunConfig, RunError, StartRun};
use serde_json::json;

use crate::support::{OWNER, TestApp, test_run_config};

async fn app_with(per_tenant: u32, per_user: u32) -> TestApp {
    TestApp::with_config(RunConfig {
        max_active_per_tenant: per_tenant,
        max_active_per_user: per_user,
        ..test_run_config()
    })
    .await
}

#[tokio::test]
async fn a_person_has_a_bounded_number_of_active_runs() {
    let app = app_with(100, 2).await;
    for n in 0..2 {
        app.start_run(
            OperationType::PolicyExport,
            Some(OWNER),
            json!({"policy_ids": [format!("p{n}")]}),
        )
        .await;
    }
    let request = app
        .start_request(
            OperationType::PolicyExport,
            Some(OWNER),
            json!({"policy_ids": [format!("p{}", 2)]}),
        )
        .await;
    let refused = app.runs().start(request).await.unwrap_err();
    assert!(matches!(refused, RunError::OverQuota(_)), "{refused:?}");
    assert_eq!(
        refused.to_string(),
        "you already have 2 queued or running operations, the most allowed per person; \
         start this one when some have ended"
    );
    // The same run again is still "already queued", cap or no cap.
    let again = app
        .start_run(
            OperationType::PolicyExport,
            Some(OWNER),
            json!({"policy_ids": [format!("p{}", 0)]}),
        )
        .await;
    assert_eq!(again.result, StartResult::AlreadyQueued);
    // Someone else, and the system, may still start.
    let other = app
        .start_run(
            OperationType::PolicyExport,
            Some("reader@demo.test"),
            json!({"policy_ids": [format!("p{}", 9)]}),
        )
        .await;
    assert_eq!(other.result, StartResult::Queued);
    let system = app
        .start_run(OperationType::OperationsPrune, None, json!({}))
        .await;
    assert_eq!(system.result, StartResult::Queued);
    assert_eq!(app.run_count().await, 4);

    // When one ends, the person may start again.
    let claimed = app.runs().claim().await.unwrap().unwrap();
    claimed
        .complete(
            opsux_core::RunOutcome::Succeeded,
            opsux_core::FailureSummary::new(),
        )
        .await
        .unwrap();
    let request = app
        .start_request(
            OperationType::PolicyExport,
            Some(OWNER),
            json!({"policy_ids": [format!("p{}", 2)]}),
        )
        .await;
    assert_eq!(
        app.runs().start(request).await.unwrap().result,
        StartResult::Queued
    );
}

#[tokio::test]
async fn a_tenant_has_a_bounded_number_of_active_runs() {
    let app = app_with(3, 100).await;
    app.start_run(OperationType::OperationsPrune, None, json!({}))
        .await;
    for n in 0..2 {
        app.start_run(
            OperationType::PolicyExport,
            Some(OWNER),
            json!({"policy_ids": [format!("p{n}")]}),
        )
        .await;
    }
    let request = app
        .start_request(
            OperationType::PolicyExport,
            Some("reader@demo.test"),
            json!({"policy_ids": [format!("p{}", 5)]}),
        )
        .await;
    let refused = app.runs().start(request).await.unwrap_err();
    assert_eq!(
        refused.to_string(),
        "contoso already has 3 queued or running operations, the most allowed per tenant; \
         start this one when some have ended"
    );
}

async fn start_in(app: &TestApp, tenant: &str, n: u32) -> opsux_core::RunId {
    let request = StartRun {
        tenant: app.tenant(tenant).await,
        params: OperationParams::PolicyExport {
            policy_ids: vec![format!("p{n}")],
        },
        initiator: None,
        slot: None,
    };
    app.runs().start(request).await.unwrap().run.id()
}

#[tokio::test]
async fn claims_take_turns_between_tenants() {
    let app = app_with(100, 100).await;
    let mut contoso = Vec::new();
    for n in 0..4 {
        contoso.push(start_in(&app, "contoso", n).await);
    }
    let fabrikam = start_in(&app, "fabrikam", 0).await;
    let mut order = Vec::new();
    let mut held = Vec::new();
    while let Some(claimed) = app.runs().claim().await.unwrap() {
        order.push(claimed.id());
        held.push(claimed);
    }
    // Oldest first while both have none running; then fabrikam's one run before contoso's
    // backlog goes on.
    assert_eq!(
        order,
        [contoso[0], fabrikam, contoso[1], contoso[2], contoso[3]]
    );
}
