// Issue "other services' operations", end to end with the real binary: a registered type, a
// token, a run started for a member through the API and worked by the Python example worker
// (`examples/worker.py`, standard library only) — one notification, the counts it reported —
// and every refusal the API owes a caller that is wrong about something.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::opsux::{Opsux, Session, command, ok, refused};
use crate::support::fresh_database;

const TYPE: &str = "acme.invoice_export";

/// `POST {base}/api/v1{path}` with `token`; the status and the answer.
async fn call(base: &str, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1{path}"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

fn opsux(database: &str, args: &[&str]) -> std::process::Output {
    let mut all = args.to_vec();
    all.extend(["--database-url", database]);
    command(&all)
}

fn token(database: &str, tenant: &str, name: &str, scopes: &str) -> String {
    let made = ok(&opsux(
        database,
        &[
            "token", "create", "--tenant", tenant, "--name", name, "--scopes", scopes, "--types",
            TYPE,
        ],
    ));
    made.lines().last().unwrap().trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_type_is_started_for_a_member_and_worked_by_the_python_worker() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    let server = Opsux::serve(&database, &[]);
    server.ready().await;
    let base = server.base.clone();

    // Registered, with a schema its parameters must meet.
    let schema = dir.path().join("invoice-export.schema.json");
    std::fs::write(
        &schema,
        json!({
            "type": "object",
            "required": ["month"],
            "properties": {
                "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                "items": {"type": "integer", "minimum": 1, "maximum": 100}
            },
            "additionalProperties": false
        })
        .to_string(),
    )
    .unwrap();
    let add = |key: &str| {
        opsux(
            &database,
            &[
                "operation-type",
                "add",
                "--key",
                key,
                "--label",
                "Invoice export",
                "--capability",
                "policy.export",
                "--summary-keys",
                "total,processed,succeeded,failed",
                "--params-schema",
                schema.to_str().unwrap(),
            ],
        )
    };
    ok(&add(TYPE));
    assert!(refused(&add(TYPE)).contains("is registered already"));
    assert!(refused(&add("inventory_sync")).contains("is a built-in operation"));
    let listed: Value = serde_json::from_str(&ok(&opsux(
        &database,
        &["operation-type", "list", "--json"],
    )))
    .unwrap();
    assert_eq!(listed[0]["key"], TYPE);
    assert_eq!(
        listed[0]["summary_keys"],
        json!(["total", "processed", "succeeded", "failed"])
    );

    let contoso = token(&database, "contoso", "billing", "runs:start,runs:work");
    let fabrikam = token(&database, "fabrikam", "billing", "runs:start,runs:work");
    let start = |params: Value, initiator: Option<&str>| {
        let mut body = json!({"type": TYPE, "params": params});
        if let Some(email) = initiator {
            body["initiator"] = json!({"email": email});
        }
        body
    };

    // Refusals: who the caller is, where, for whom, with what.
    let owners = start(
        json!({"month": "2026-11", "items": 3}),
        Some("owner@demo.test"),
    );
    let path = "/t/contoso/operations";
    assert_eq!(
        call(&base, "opsux_made_up", path, &owners).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(&base, &contoso, "/t/fabrikam/operations", &owners)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&base, &fabrikam, path, &owners).await.0,
        StatusCode::NOT_FOUND
    );
    for outsider in ["outsider@demo.test", "reader@demo.test", "nobody@demo.test"] {
        let (status, answer) = call(
            &base,
            &contoso,
            path,
            &start(json!({"month": "2026-11"}), Some(outsider)),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{outsider}: {answer}");
    }
    let (status, answer) = call(&base, &contoso, path, &start(json!({"month": "Nov"}), None)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("params.month"),
        "{answer}"
    );

    // A system run first, worked by hand: the fencing token and the allow-list hold.
    let (status, system) = call(
        &base,
        &contoso,
        path,
        &start(json!({"month": "2026-10"}), None),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{system}");
    let claim = json!({"types": [TYPE], "max": 5, "lease_secs": 30, "wait_secs": 0});
    let (status, claimed) = call(&base, &contoso, "/worker/claim", &claim).await;
    assert_eq!(status, StatusCode::OK, "{claimed}");
    let run = &claimed["runs"][0];
    assert_eq!(claimed["runs"].as_array().unwrap().len(), 1, "{claimed}");
    assert_eq!(run["id"], system["run"]["id"]);
    assert_eq!(run["params"], json!({"month": "2026-10"}));
    assert_eq!(run["attempt"], 1);
    let id = run["id"].as_str().unwrap();
    let fencing = run["fencing_token"].as_str().unwrap();
    let worker = |what: &str| format!("/worker/runs/{id}/{what}");
    let stale = json!({"fencing_token": "not-the-runs-token"});
    assert_eq!(
        call(&base, &contoso, &worker("heartbeat"), &stale).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        call(
            &base,
            &fabrikam,
            &worker("heartbeat"),
            &json!({"fencing_token": fencing})
        )
        .await
        .0,
        StatusCode::NOT_FOUND,
        "another tenant's token learns nothing of the run"
    );
    let (status, answer) = call(
        &base,
        &contoso,
        &worker("progress"),
        &json!({"fencing_token": fencing, "counts": {"total": 4, "deleted": 1}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not deleted"),
        "{answer}"
    );
    let (status, beat) = call(
        &base,
        &contoso,
        &worker("heartbeat"),
        &json!({"fencing_token": fencing, "lease_secs": 60}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{beat}");
    assert_eq!(beat["cancel_requested"], false);
    let (status, ended) = call(
        &base,
        &contoso,
        &worker("complete"),
        &json!({
            "fencing_token": fencing,
            "outcome": "failed",
            "counts": {"total": 4, "processed": 1, "failed": 1},
            "failures": [{"reason_code": "permission_denied",
                          "message": "ledger said no; password=hunter2 token=abcdef0123456789abcdef"}],
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(ended["run"]["outcome"], "failed");
    assert_eq!(ended["run"]["reason_code"], "permission_denied");
    let message = ended["run"]["message"].as_str().unwrap();
    assert!(
        !message.contains("hunter2") && !message.contains("abcdef0123456789"),
        "{message}"
    );
    assert_eq!(
        call(
            &base,
            &contoso,
            &worker("complete"),
            &json!({"fencing_token": fencing, "outcome": "succeeded"})
        )
        .await
        .0,
        StatusCode::CONFLICT,
        "an ended run cannot end twice"
    );

    // The owner's run: queued with the panel's toast; an identical start finds it.
    let (status, queued) = call(&base, &contoso, path, &owners).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    assert_eq!(queued["result"], "queued");
    assert_eq!(queued["run"]["label"], "Invoice export");
    assert_eq!(queued["toast"]["title"], "Invoice export queued");
    let id = queued["run"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        queued["view_run_url"],
        format!("/t/contoso/operations/{id}")
    );
    let (status, again) = call(&base, &contoso, path, &owners).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(again["result"], "already_queued");
    assert_eq!(again["run"]["id"], id.as_str());
    assert_eq!(again["toast"]["title"], "Invoice export already queued");
    let removal = refused(&opsux(
        &database,
        &["operation-type", "remove", "--key", TYPE],
    ));
    assert!(
        removal.contains("has runs that have not ended yet"),
        "{removal}"
    );

    // The Python example worker does it: claim, heartbeat, progress, complete.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/worker.py");
    let python = tokio::task::spawn_blocking({
        let base = base.clone();
        let contoso = contoso.clone();
        move || {
            Command::new("python3")
                .arg(example)
                // Long enough for the lease thread to renew once (every third of 10 s).
                .args([TYPE, "--once", "--item-secs", "1.2", "--lease-secs", "10"])
                .env("OPSUX_URL", base)
                .env("OPSUX_TOKEN", contoso)
                .output()
                .expect("python3 runs")
        }
    });
    let done = tokio::time::timeout(Duration::from_secs(60), python)
        .await
        .expect("the worker ends within a minute")
        .unwrap();
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(
        done.status.success(),
        "{said}\n{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(said.contains(&format!("run {id} succeeded")), "{said}");

    let owner = Session::sign_in(&base, "owner@demo.test").await;
    let run = owner
        .run_at_status(&format!("/api/t/contoso/operations/{id}"), "completed")
        .await;
    assert_eq!(run["outcome"], "succeeded");
    assert_eq!(run["label"], "Invoice export");
    assert_eq!(
        run["summary_counts"],
        json!({"total": 3, "processed": 3, "succeeded": 3})
    );
    assert_eq!(run["initiator"]["display_name"], "Olivia Owner");
    let notifications = owner.get("/api/me/notifications").await;
    let mine: Vec<&Value> = notifications["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["run_id"] == id.as_str())
        .collect();
    assert_eq!(mine.len(), 1, "exactly one notification: {notifications}");
    assert_eq!(mine[0]["title"], "Invoice export completed");
    let system_id = system["run"]["id"].as_str().unwrap();
    assert!(
        notifications["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["run_id"] != system_id),
        "a system run notifies nobody"
    );

    // Removed once nothing is active; revoked tokens are refused at once.
    ok(&opsux(
        &database,
        &["operation-type", "remove", "--key", TYPE],
    ));
    ok(&opsux(
        &database,
        &[
            "token", "revoke", "--tenant", "contoso", "--name", "billing",
        ],
    ));
    assert_eq!(
        call(&base, &contoso, "/worker/claim", &claim).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Its past runs keep their label.
    let run = owner.get(&format!("/api/t/contoso/operations/{id}")).await;
    assert_eq!(run["run"]["label"], "Invoice export");
}

// The Rust client's worker loop does a run the client started, against the real binary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_client_starts_a_run_and_its_worker_loop_does_it() {
    use opsux_client::{Client, Done, Worker};
    use opsux_core::wire::{Initiator, StartResult, TokenStartRequest};
    use opsux_core::{OperationType, SummaryCounts, SummaryKey};

    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    let server = Opsux::serve(&database, &[]);
    server.ready().await;
    ok(&opsux(
        &database,
        &[
            "operation-type",
            "add",
            "--key",
            TYPE,
            "--label",
            "Invoice export",
            "--capability",
            "policy.export",
            "--summary-keys",
            "total,processed",
        ],
    ));
    let client = Client::new(
        &server.base,
        &token(&database, "contoso", "rust", "runs:start,runs:work"),
    )
    .unwrap();
    let kind: OperationType = TYPE.parse().unwrap();
    let started = client
        .start(
            "contoso",
            &TokenStartRequest {
                operation: kind,
                params: serde_json::Map::from_iter([("items".to_owned(), json!(2))]),
                initiator: Some(Initiator {
                    email: "owner@demo.test".to_owned(),
                }),
            },
        )
        .await
        .unwrap();
    assert_eq!(started.result, StartResult::Queued);
    assert_eq!(started.toast.title, "Invoice export queued");

    let finished = std::sync::Arc::new(tokio::sync::Notify::new());
    let worker = Worker::new(client.clone(), [kind])
        .lease_secs(10)
        .wait_secs(1);
    let done = std::sync::Arc::clone(&finished);
    tokio::time::timeout(
        Duration::from_secs(60),
        worker.run(
            move |mut run| {
                let done = std::sync::Arc::clone(&done);
                async move {
                    let items = run.params()["items"].as_u64().unwrap();
                    for n in 1..=items {
                        let counts = SummaryCounts::new()
                            .with(SummaryKey::Total, items)?
                            .with(SummaryKey::Processed, n)?;
                        assert!(!run.progress(counts).await?.cancel_requested);
                    }
                    done.notify_one();
                    Ok(Done::succeeded(run.counts().clone()))
                }
            },
            finished.notified(),
        ),
    )
    .await
    .expect("the worker does the run within a minute");

    let owner = Session::sign_in(&server.base, "owner@demo.test").await;
    let path = format!("/api/t/contoso/operations/{}", started.run.id);
    let run = owner.run_at_status(&path, "completed").await;
    assert_eq!(run["outcome"], "succeeded");
    assert_eq!(run["summary_counts"], json!({"total": 2, "processed": 2}));
}
