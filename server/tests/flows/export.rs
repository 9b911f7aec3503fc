// S4: a bulk policy_export ends by success, partially, by its circuit breaker, or by cancel —
// each with exactly one notification; a finished export's file is downloadable by members.
use std::time::Duration;

use axum::http::StatusCode;
use opsux_core::{OperationType, ReasonCode, RunOutcome, RunStatus, SummaryKey};
use opsux_server::flows::EXPORT_BREAKER;
use serde_json::json;

use crate::support::OWNER;
use crate::{World, count};

#[tokio::test]
async fn an_export_with_a_third_failing_ends_partially_and_its_file_is_downloadable() {
    let world = World::new().await;
    let policies: Vec<_> = world.synced_policies().await.into_iter().take(30).collect();
    let failing: Vec<&str> = policies
        .iter()
        .step_by(3)
        .map(|(_, ext)| ext.as_str())
        .collect();
    world.faults(json!({"failing_policies": failing})).await;
    let ids: Vec<&str> = policies.iter().map(|(id, _)| id.as_str()).collect();
    let run = world
        .finished(OperationType::PolicyExport, json!({"policy_ids": ids}))
        .await;
    assert_eq!(run.summary().outcome, Some(RunOutcome::PartiallySucceeded));
    for (key, expected) in [
        (SummaryKey::Total, 30),
        (SummaryKey::Processed, 30),
        (SummaryKey::Succeeded, 20),
        (SummaryKey::Failed, 10),
    ] {
        assert_eq!(count(&run, key), expected, "{key:?}");
    }
    assert_eq!(world.app.notifications_for_run(run.id()).await, 1);
    // Each failure names its policy as people know it.
    let contoso = world.app.tenant("contoso").await;
    let mut failing_names = Vec::new();
    for (id, external) in &policies {
        if failing.contains(&external.as_str()) {
            let policy = world.app.store().policy(contoso.id, id).await.unwrap();
            failing_names.push(policy.unwrap().name);
        }
    }
    let entries = run.failure_summary().entries();
    assert_eq!(entries.len(), 10);
    for entry in entries {
        assert!(
            failing_names.iter().any(|name| entry.message
                == format!("policy “{name}”: the provider was unavailable (HTTP 500, 1 attempt)")),
            "{:?}",
            entry.message
        );
    }

    let reader = world.app.login("reader@demo.test").await;
    let export = world
        .app
        .get(
            &format!("/api/t/contoso/operations/{}/export", run.id()),
            Some(&reader),
        )
        .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.text());
    let url = export.json()["download_url"].as_str().unwrap().to_owned();
    let file = world.app.get(&url, Some(&reader)).await;
    assert_eq!(file.status, StatusCode::OK);
    let name = format!("policy-export-{}.json", run.id());
    assert_eq!(
        file.header("content-disposition"),
        Some(format!("attachment; filename=\"{name}\"; filename*=UTF-8''{name}").as_str())
    );
    assert_eq!(file.header("cache-control"), Some("no-store"));
    assert_eq!(file.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(file.json()["policies"].as_array().unwrap().len(), 20);
    // On disk: owner-only, in an owner-only folder.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = &world.app.state.config.exports_dir;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(dir), 0o700);
        assert_eq!(mode(&dir.join(&name)), 0o600);
    }
    let outsider = world.app.login("outsider@demo.test").await;
    assert_eq!(
        world.app.get(&url, Some(&outsider)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_export_against_a_failing_provider_stops_at_the_circuit_breaker() {
    let world = World::new().await;
    let policies = world.synced_policies().await;
    world.faults(json!({"status": 500})).await;
    let ids: Vec<&str> = policies
        .iter()
        .take(40)
        .map(|(id, _)| id.as_str())
        .collect();
    let run = world
        .finished(OperationType::PolicyExport, json!({"policy_ids": ids}))
        .await;
    assert_eq!(run.summary().outcome, Some(RunOutcome::Failed));
    assert_eq!(
        run.summary().reason_code,
        Some(ReasonCode::CircuitBreakerOpen)
    );
    assert_eq!(
        count(&run, SummaryKey::Processed),
        u64::from(EXPORT_BREAKER)
    );
    assert_eq!(count(&run, SummaryKey::Total), 40);
    assert_eq!(world.app.notifications_for_run(run.id()).await, 1);
    let owner = world.app.login("owner@demo.test").await;
    let export = world
        .app
        .get(
            &format!("/api/t/contoso/operations/{}/export", run.id()),
            Some(&owner),
        )
        .await;
    assert_eq!(
        export.status,
        StatusCode::NOT_FOUND,
        "no file for a failed export"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_export_ends_cancelled_with_one_notification() {
    let world = World::new().await;
    let policies = world.synced_policies().await;
    // Slow answers, so the run is still going when the cancel comes.
    world.faults(json!({"latency_ms": 100})).await;
    let ids: Vec<&str> = policies
        .iter()
        .take(100)
        .map(|(id, _)| id.as_str())
        .collect();
    let started = world
        .app
        .start_run(
            OperationType::PolicyExport,
            Some(OWNER),
            json!({"policy_ids": ids}),
        )
        .await;
    let worker = world.app.worker(world.handlers.clone());
    let working = tokio::spawn(async move { worker.run_pending().await.unwrap() });
    let id = started.run.id();
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let run = world.app.runs().get(id).await.unwrap().unwrap();
            if run.summary().status == RunStatus::Running && count(&run, SummaryKey::Processed) > 0
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the export got going");
    world
        .app
        .runs()
        .cancel(started.run.tenant_id(), id)
        .await
        .unwrap();
    working.await.unwrap();
    let run = world.app.runs().get(id).await.unwrap().unwrap();
    assert_eq!(run.summary().outcome, Some(RunOutcome::Cancelled));
    assert!(count(&run, SummaryKey::Processed) < 100);
    assert_eq!(world.app.notifications_for_run(id).await, 1);
}
