// The demo, as `cargo xtask run` serves it: `opsux serve --demo` with its in-process Graph
// simulator. Every operation a person can start is started through the API and ends with real
// counts (processed = succeeded + failed + skipped = total); the prune runs from the console as
// system runs, which notify no one; the tenants' client secrets reach no log line and (on
// SQLite, whose file the test can read) no stored field.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::opsux::{Opsux, Session, command, command_with, exports_dir};
use crate::support::{OWNER, fresh_database};
use opsux_server::store::Store;

/// Starts `type` with `params`, waits for its end; the finished run.
async fn run(owner: &Session, operation: &str, params: Value) -> Value {
    let (status, answer) = owner
        .start(&json!({"type": operation, "params": params}))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::ACCEPTED, "{operation}: {answer}");
    let path = format!(
        "/api/t/contoso/operations/{}",
        answer["run"]["id"].as_str().unwrap()
    );
    owner.run_at_status(&path, "completed").await
}

/// Asserts the run succeeded with honest counts; its total.
fn succeeded(run: &Value) -> u64 {
    let counts = &run["summary_counts"];
    let count = |key: &str| counts[key].as_u64().unwrap_or(0);
    assert_eq!(run["outcome"], "succeeded", "{run}");
    assert_eq!(count("processed"), count("total"), "{run}");
    assert_eq!(
        count("processed"),
        count("succeeded") + count("failed") + count("skipped"),
        "{run}"
    );
    count("total")
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_runs_for_real_in_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    let server = Opsux::serve(&database, &["--no-scheduler"]);
    server.ready().await;
    let owner = Session::sign_in(&server.base, OWNER).await;

    assert_eq!(
        succeeded(&run(&owner, "inventory_sync", json!({})).await),
        240
    );
    assert_eq!(
        succeeded(&run(&owner, "entra_group_sync", json!({})).await),
        60
    );
    let policies: Vec<String> = owner.get("/api/t/contoso/policies?limit=10").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    let groups = owner.get("/api/t/contoso/groups").await;
    assert!(!groups["items"].as_array().unwrap().is_empty());

    // An export, downloadable by members.
    let export = run(
        &owner,
        "policy_export",
        json!({"policy_ids": &policies[..3]}),
    )
    .await;
    assert_eq!(succeeded(&export), 3);
    let file = owner
        .get(&format!("/api/t/contoso/operations/{}/export", id(&export)))
        .await;
    let bundle = owner.get(file["download_url"].as_str().unwrap()).await;
    assert_eq!(
        bundle["policies"].as_array().unwrap().len(),
        3,
        "the file, downloaded"
    );
    assert_eq!(
        succeeded(
            &run(
                &owner,
                "policy_unignore",
                json!({"policy_ids": &policies[..2]})
            )
            .await
        ),
        2
    );

    // A schedule's backup and retention, started by hand.
    let (status, schedule) = owner
        .post(
            "/api/t/contoso/backup-schedules",
            &json!({"name": "Nightly", "cron": "0 3 * * *", "keep_last": 1,
                    "policy_selection": {"policy_ids": &policies[..5]}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{schedule}");
    let schedule = json!({"schedule_id": id(&schedule)});
    assert_eq!(
        succeeded(&run(&owner, "backup_schedule_run", schedule.clone()).await),
        5
    );
    succeeded(&run(&owner, "backup_retention", schedule).await);

    // A set filled and thinned by hand, restored through a restore run.
    let (status, set) = owner
        .post(
            "/api/t/contoso/backup-sets",
            &json!({"name": "Before the change"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{set}");
    let set_id = id(&set);
    let add = json!({"backup_set_id": set_id, "policy_ids": &policies[..3]});
    assert_eq!(
        succeeded(&run(&owner, "backup_set_add_policies", add).await),
        3
    );
    let remove = json!({"backup_set_id": set_id, "policy_ids": &policies[..1]});
    assert_eq!(
        succeeded(&run(&owner, "backup_set_remove_policies", remove).await),
        1
    );
    let versions = owner
        .get(&format!("/api/t/contoso/policies/{}/versions", policies[0]))
        .await;
    let version = id(&versions["items"][0]);
    succeeded(
        &run(
            &owner,
            "policy_version_restore",
            json!({"policy_version_id": version}),
        )
        .await,
    );
    let (status, restore) = owner
        .post(
            "/api/t/contoso/restore-runs",
            &json!({"backup_set_id": set_id, "name": "Roll back"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{restore}");
    let restore_id = id(&restore);
    assert_eq!(
        succeeded(
            &run(
                &owner,
                "restore_execute",
                json!({"restore_run_id": restore_id})
            )
            .await
        ),
        2
    );
    // Archived by hand, brought back, archived again and deleted for good.
    let archive = format!("/api/t/contoso/restore-runs/{restore_id}/archive");
    assert_eq!(owner.post(&archive, &json!({})).await.0, StatusCode::OK);
    let ids = json!({"restore_run_ids": [restore_id]});
    assert_eq!(
        succeeded(&run(&owner, "restore_run_unarchive", ids.clone()).await),
        1
    );
    assert_eq!(owner.post(&archive, &json!({})).await.0, StatusCode::OK);
    assert_eq!(
        succeeded(&run(&owner, "restore_run_force_delete", ids).await),
        1
    );
    let audit = owner.get("/api/t/contoso/audit-log").await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|entry| entry["action"] == "restore_run.force_delete"),
        "{audit}"
    );

    // The prune, from the console: a system run per tenant, no notification.
    let notifications = owner.get("/api/me/notifications").await["items"]
        .as_array()
        .unwrap()
        .len();
    let exports = exports_dir();
    let output = command(&[
        "prune",
        "--older-than-days",
        "30",
        "--database-url",
        &database,
        "--exports-dir",
        exports.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "contoso: succeeded, 0 runs deleted",
            "fabrikam: succeeded, 0 runs deleted"
        ]
    );
    let prunes = owner
        .get("/api/t/contoso/operations?type=operations_prune")
        .await;
    assert_eq!(prunes["items"][0]["initiator"], Value::Null);
    assert_eq!(prunes["items"][0]["outcome"], "succeeded");
    let after = owner.get("/api/me/notifications").await["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(after, notifications, "system runs notify no one");
    assert_eq!(after, 12, "one notification per run started by the owner");

    // The secrets were used (every run above signed in with them) and never shown.
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(log.contains("run ended"), "the log is written");
    let mut stored = Vec::new();
    if let Some(path) = database.strip_prefix("sqlite://") {
        for file in [path.to_owned(), format!("{path}-wal")] {
            stored.extend(std::fs::read(file).unwrap_or_default());
        }
        assert!(!stored.is_empty());
    }
    let stored = String::from_utf8_lossy(&stored);
    for tenant in opsux_server::simulator::demo_tenants() {
        assert!(!log.contains(&tenant.client_secret), "a secret in the log");
        assert!(
            !stored.contains(&tenant.client_secret),
            "a secret in the database"
        );
        assert!(stored.is_empty() || stored.contains(&tenant.client_id));
    }
}

/// `opsux connect`: credentials that do not sign in are refused and not stored; good ones are
/// stored sealed, and the tenant's next run works with them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_is_connected_from_the_console_after_its_credentials_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    let server = Opsux::serve(&database, &["--no-scheduler"]);
    server.ready().await;
    let owner = Session::sign_in(&server.base, OWNER).await;
    let store = Store::open(&database).await.unwrap();
    let fabrikam = store
        .tenant(&opsux_core::TenantSlug::parse("fabrikam").unwrap())
        .await
        .unwrap()
        .unwrap();
    let before = store.connection(fabrikam.id).await.unwrap().unwrap();
    // Fabrikam pointed at the simulator's *contoso* directory, whose data is told apart by size.
    let contoso = opsux_server::simulator::demo_tenants().remove(0);
    let simulator = before.login_url.clone();
    let graph = format!("{simulator}/v1.0");
    let connect = |secret: &str| {
        command_with(
            &[
                "connect",
                "--database-url",
                &database,
                "--tenant",
                "fabrikam",
                "--directory-id",
                &contoso.directory_id,
                "--client-id",
                &contoso.client_id,
                "--login-url",
                &simulator,
                "--graph-url",
                &graph,
            ],
            &[("OPSUX_CLIENT_SECRET", secret)],
        )
    };

    let refused = connect("not-the-secret");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("the credentials were not stored: signing in to the provider failed"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("not-the-secret"),
        "the secret is not echoed"
    );
    assert_eq!(
        store.connection(fabrikam.id).await.unwrap().unwrap(),
        before
    );

    let connected = connect(&contoso.client_secret);
    let stdout = String::from_utf8_lossy(&connected.stdout);
    assert!(
        connected.status.success(),
        "{}",
        String::from_utf8_lossy(&connected.stderr)
    );
    assert!(
        stdout.starts_with("fabrikam: connected, signed in"),
        "{stdout}"
    );
    let after = store.connection(fabrikam.id).await.unwrap().unwrap();
    assert_eq!(after.directory_id, contoso.directory_id);
    assert!(!after.secret_sealed.contains(&contoso.client_secret));

    let (status, started) = owner
        .post(
            "/api/t/fabrikam/operations",
            &json!({"type": "inventory_sync"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    let path = format!("/api/t/fabrikam/operations/{}", id(&started["run"]));
    let run = owner.run_at_status(&path, "completed").await;
    assert_eq!(
        succeeded(&run),
        240,
        "contoso's directory, through fabrikam's new connection"
    );
}
