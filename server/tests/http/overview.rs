// The tenant overview: the last run of each type, recent failures with their reason codes, the
// next backups and 30 days of outcomes kept by the transitions; non-members get 404 (R16).
use axum::http::StatusCode;
use opsux_core::sanitize::FailureSummary;
use opsux_core::{OperationType, ReasonCode, RunOutcome};
use serde_json::{Value, json};

use crate::support::{OWNER, TestApp};

/// Starts `operation` as a system run, claims it and ends it with `outcome`.
async fn end_run(app: &TestApp, operation: OperationType, identity: &str, outcome: RunOutcome) {
    let started = app
        .start_run(operation, None, json!({ "policy_ids": [identity] }))
        .await;
    let claimed = app
        .runs()
        .claim_run(started.run.id())
        .await
        .unwrap()
        .expect("the run just started");
    match outcome {
        RunOutcome::Failed => {
            claimed
                .fail(ReasonCode::ProviderThrottled, "the tenant kept throttling")
                .await
                .unwrap();
        }
        RunOutcome::PartiallySucceeded => {
            let mut failures = FailureSummary::new();
            failures.push(ReasonCode::PermissionDenied, "one policy was not readable");
            claimed.complete(outcome, failures).await.unwrap();
        }
        other => {
            claimed
                .complete(other, FailureSummary::new())
                .await
                .unwrap();
        }
    }
}

fn day_total(days: &Value, field: &str) -> u64 {
    days.as_array()
        .unwrap()
        .iter()
        .map(|d| d[field].as_u64().unwrap())
        .sum()
}

#[tokio::test]
async fn the_overview_says_how_each_type_last_ended_what_failed_and_what_comes_next() {
    let app = TestApp::new().await;
    let cookie = app.login(OWNER).await;

    // Nothing has run yet: every part is empty but the 30 days are all there.
    let empty = app.get("/api/t/contoso/overview", Some(&cookie)).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.text());
    let empty = empty.json();
    assert_eq!(empty["last_runs"], json!([]));
    assert_eq!(empty["recent_failures"], json!([]));
    assert_eq!(empty["failures_total"], 0);
    assert_eq!(empty["days"].as_array().unwrap().len(), 30);

    end_run(
        &app,
        OperationType::PolicyExport,
        "a",
        RunOutcome::Succeeded,
    )
    .await;
    end_run(&app, OperationType::PolicyExport, "b", RunOutcome::Failed).await;
    end_run(
        &app,
        OperationType::PolicyExport,
        "c",
        RunOutcome::PartiallySucceeded,
    )
    .await;
    end_run(
        &app,
        OperationType::PolicyUnignore,
        "d",
        RunOutcome::Cancelled,
    )
    .await;
    // Still running: neither a last run nor counted.
    app.start_run(OperationType::InventorySync, None, json!({}))
        .await;

    let overview = app
        .get("/api/t/contoso/overview", Some(&cookie))
        .await
        .json();
    let last: Vec<(&str, &str)> = overview["last_runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["type"].as_str().unwrap(), r["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        last,
        [
            ("policy_export", "partially_succeeded"),
            ("policy_unignore", "cancelled")
        ],
        "the run of each type that ended last, in the catalog's order"
    );
    let failures: Vec<(&str, Vec<&str>)> = overview["recent_failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["run"]["outcome"].as_str().unwrap(),
                f["reason_codes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        failures,
        [
            ("partially_succeeded", vec!["permission_denied"]),
            ("failed", vec!["provider_throttled"]),
        ],
        "newest first, each with its reason codes"
    );
    assert_eq!(overview["failures_total"], 2);
    let days = &overview["days"];
    assert_eq!(days.as_array().unwrap().len(), 30);
    assert_eq!(
        (
            day_total(days, "succeeded"),
            day_total(days, "failed"),
            day_total(days, "partially_succeeded"),
            day_total(days, "cancelled")
        ),
        (1, 1, 1, 1)
    );
    let today = &days.as_array().unwrap()[29];
    assert_eq!(today["failed"], 1, "today is the last day: {today}");
}

#[tokio::test]
async fn next_backups_are_the_enabled_schedules_soonest_first() {
    let app = TestApp::new().await;
    let cookie = app.login(OWNER).await;
    for (name, cron, enabled) in [
        ("Weekly", "0 3 * * 0", true),
        ("Hourly", "0 * * * *", true),
        ("Paused", "30 * * * *", false),
    ] {
        let created = app
            .post(
                "/api/t/contoso/backup-schedules",
                Some(&cookie),
                &json!({"name": name, "cron": cron, "policy_selection": "all", "keep_last": 3}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        if !enabled {
            let id = created.json()["id"].as_str().unwrap().to_owned();
            let res = app
                .send(crate::support::with_origin(
                    "PATCH",
                    &format!("/api/t/contoso/backup-schedules/{id}"),
                    Some(&cookie),
                    Some(&json!({"enabled": false})),
                ))
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        }
    }
    let overview = app
        .get("/api/t/contoso/overview", Some(&cookie))
        .await
        .json();
    let names: Vec<&str> = overview["next_backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Hourly", "Weekly"]);
}

/// Starts the schedule `id`'s backup as a system run (as the scheduler does) and ends it.
async fn end_scheduled(app: &TestApp, id: &str, outcome: RunOutcome) -> String {
    let started = app
        .start_run(
            OperationType::BackupScheduleRun,
            None,
            json!({ "schedule_id": id }),
        )
        .await;
    let run = started.run.id();
    let claimed = app.runs().claim_run(run).await.unwrap().expect("queued");
    match outcome {
        RunOutcome::Failed => {
            claimed
                .fail(ReasonCode::PermissionDenied, "the app lost a permission")
                .await
                .unwrap();
        }
        other => {
            claimed
                .complete(other, FailureSummary::new())
                .await
                .unwrap();
        }
    }
    run.to_string()
}

#[tokio::test]
async fn each_schedule_carries_its_history_and_a_failed_last_run_is_marked() {
    let app = TestApp::new().await;
    let cookie = app.login(OWNER).await;
    let mut ids = Vec::new();
    for (name, cron) in [("Nightly", "0 3 * * *"), ("Weekly", "0 4 * * 0")] {
        let created = app
            .post(
                "/api/t/contoso/backup-schedules",
                Some(&cookie),
                &json!({"name": name, "cron": cron, "policy_selection": "all", "keep_last": 3}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        let created = created.json();
        assert_eq!(created["recent_runs"], json!([]));
        assert_eq!(created["last_success_at"], Value::Null);
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    let succeeded = end_scheduled(&app, &ids[0], RunOutcome::Succeeded).await;
    let failed = end_scheduled(&app, &ids[0], RunOutcome::Failed).await;
    let weekly = end_scheduled(&app, &ids[1], RunOutcome::Succeeded).await;

    // Served with the schedules, newest first, each schedule only its own runs.
    let list = app
        .get("/api/t/contoso/backup-schedules", Some(&cookie))
        .await
        .json();
    let nightly = &list["items"][0];
    assert_eq!(nightly["name"], "Nightly");
    let runs: Vec<(&str, &str)> = nightly["recent_runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        runs,
        [
            (failed.as_str(), "failed"),
            (succeeded.as_str(), "succeeded")
        ]
    );
    assert_eq!(
        nightly["recent_runs"][0]["view_run_url"],
        format!("/t/contoso/operations/{failed}")
    );
    assert!(nightly["last_success_at"].is_string(), "{nightly}");
    assert_eq!(list["items"][1]["recent_runs"][0]["id"], weekly.as_str());
    let one = app
        .get(
            &format!("/api/t/contoso/backup-schedules/{}", ids[0]),
            Some(&cookie),
        )
        .await
        .json();
    assert_eq!(one["recent_runs"], nightly["recent_runs"]);

    // The overview marks the schedule whose last run failed with that run.
    let overview = app
        .get("/api/t/contoso/overview", Some(&cookie))
        .await
        .json();
    let mut last: Vec<(&str, &str)> = overview["next_backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["name"].as_str().unwrap(),
                b["last_run"]["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    // Soonest first; which is sooner depends on the day the test runs.
    last.sort_unstable();
    assert_eq!(last, [("Nightly", "failed"), ("Weekly", "succeeded")]);
}

#[tokio::test]
async fn a_non_member_gets_not_found() {
    let app = TestApp::new().await;
    let cookie = app.login("outsider@demo.test").await;
    let res = app.get("/api/t/contoso/overview", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let anonymous = app.get("/api/t/contoso/overview", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}
