// The worker protocol (`/api/v1/worker/…`) in one process: what a remote worker may claim, how
// the fencing token guards every later request (R8), that a cancel reaches the worker in its
// heartbeat's answer (R9), that counts outside the type's allow-list are refused and nothing is
// written (R5), and that opsux's own worker never takes these runs.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use opsux_server::org::{self, Change, NewApiToken, NewRegisteredType, TokenScope};
use opsux_server::store::audit::Actor;
use serde_json::{Value, json};

use crate::support::{HOST, OWNER, TestApp, with_origin};

const TYPE: &str = "acme.invoice_export";

async fn register(app: &TestApp) {
    let keys = ["total".to_owned(), "processed".to_owned()];
    let new = NewRegisteredType {
        key: TYPE,
        label: "Invoice export",
        capability: "policy.export",
        summary_keys: &keys,
        params_schema: None,
    };
    let change = Change {
        actor: Actor::System,
        at_ms: 0,
    };
    org::register_type(app.store(), &change, &new)
        .await
        .unwrap();
}

async fn token(
    app: &TestApp,
    name: &str,
    scopes: &[TokenScope],
    types: Option<&[String]>,
) -> String {
    let change = Change {
        actor: Actor::System,
        at_ms: 0,
    };
    let new = NewApiToken {
        name,
        scopes,
        types,
        expires_days: None,
    };
    org::create_token(app.store(), &change, "contoso", &new)
        .await
        .unwrap()
        .secret
}

async fn call(app: &TestApp, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let req = Request::post(format!("/api/v1{path}"))
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = app.send(req).await;
    (res.status, res.json())
}

/// A token that starts and works runs of every type.
async fn worker_token(app: &TestApp) -> String {
    let scopes = [TokenScope::RunsStart, TokenScope::RunsWork];
    token(app, "worker", &scopes, None).await
}

/// Starts a run of the registered type for the owner; its id.
async fn start(app: &TestApp, token: &str, month: &str) -> String {
    let body = json!({"type": TYPE, "params": {"month": month}, "initiator": {"email": OWNER}});
    let (status, answer) = call(app, token, "/t/contoso/operations", &body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    answer["run"]["id"].as_str().unwrap().to_owned()
}

fn claim(wait_secs: u32) -> Value {
    json!({"types": [TYPE], "max": 1, "lease_secs": 10, "wait_secs": wait_secs})
}

#[tokio::test]
async fn claims_are_limited_to_registered_types_the_token_may_work() {
    let app = TestApp::new().await;
    register(&app).await;
    let worker = worker_token(&app).await;
    let starter = token(&app, "starter", &[TokenScope::RunsStart], None).await;
    let other = token(
        &app,
        "other",
        &[TokenScope::RunsWork],
        Some(&["policy_export".to_owned()]),
    )
    .await;
    let refusals = [
        (&starter, claim(0), StatusCode::FORBIDDEN, "runs:work"),
        (
            &other,
            claim(0),
            StatusCode::FORBIDDEN,
            "may not start or work",
        ),
        (
            &worker,
            json!({"types": ["inventory_sync"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "built-in",
        ),
        (
            &worker,
            json!({"types": ["acme.nothing"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not a registered",
        ),
        (
            &worker,
            json!({"types": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "at least one",
        ),
        (
            &worker,
            json!({"types": [TYPE], "max": 0}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "max: give 1–32",
        ),
        (
            &worker,
            json!({"types": [TYPE], "lease_secs": 5}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "lease_secs",
        ),
        (
            &worker,
            json!({"types": [TYPE], "wait_secs": 60}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "wait_secs",
        ),
        (
            &worker,
            json!({"types": [TYPE], "priority": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown field",
        ),
    ];
    for (token, body, status, says) in refusals {
        let (got, answer) = call(&app, token, "/worker/claim", &body).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert!(
            answer["error"]["message"].as_str().unwrap().contains(says),
            "{body}: {answer}"
        );
    }

    // With nothing queued: an empty list. opsux's own worker never takes a registered run,
    // and a claim takes nothing built in.
    assert_eq!(
        call(&app, &worker, "/worker/claim", &claim(0)).await.1,
        json!({"runs": []})
    );
    let id = start(&app, &worker, "2026-11").await;
    let sync = app
        .start_via_api(&app.login(OWNER).await, json!({"type": "inventory_sync"}))
        .await;
    let builtin = app.runs().claim_batch(10).await.unwrap();
    assert_eq!(
        builtin
            .iter()
            .map(|c| c.id().to_string())
            .collect::<Vec<_>>(),
        [sync],
        "the built-in worker claims only the built-in run"
    );
    let (_, claimed) = call(&app, &worker, "/worker/claim", &claim(0)).await;
    assert_eq!(claimed["runs"][0]["id"], id.as_str());
    assert_eq!(claimed["runs"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_waiting_claim_gets_the_run_queued_while_it_waits() {
    let app = TestApp::new().await;
    register(&app).await;
    let worker = worker_token(&app).await;
    let listeners = app.state.events.subscriber_count();
    let body = claim(20);
    let waiting = call(&app, &worker, "/worker/claim", &body);
    let queue = async {
        // Once the claim listens for new runs (it looked and found none), one is queued.
        while app.state.events.subscriber_count() == listeners {
            tokio::task::yield_now().await;
        }
        start(&app, &worker, "2026-11").await
    };
    let ((status, claimed), id) = tokio::time::timeout(Duration::from_secs(15), async {
        tokio::join!(waiting, queue)
    })
    .await
    .expect("the waiting claim answers before its 20 s are up");
    assert_eq!(status, StatusCode::OK, "{claimed}");
    assert_eq!(claimed["runs"][0]["id"], id.as_str());
}

#[tokio::test]
async fn the_fencing_token_guards_every_step_and_a_cancel_reaches_the_heartbeat() {
    let app = TestApp::with_manual_clock().await;
    register(&app).await;
    let worker = worker_token(&app).await;
    let id = start(&app, &worker, "2026-11").await;
    let (_, claimed) = call(&app, &worker, "/worker/claim", &claim(0)).await;
    let first = claimed["runs"][0]["fencing_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(claimed["runs"][0]["attempt"], 1);
    let step = |what: &str| format!("/worker/runs/{id}/{what}");

    // Counts the type does not allow: 422, and nothing written.
    let (status, answer) = call(
        &app,
        &worker,
        &step("progress"),
        &json!({"fencing_token": first, "counts": {"total": 3, "failed": 1}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let owner = app.login(OWNER).await;
    let detail = app
        .get(&format!("/api/t/contoso/operations/{id}"), Some(&owner))
        .await
        .json();
    assert_eq!(detail["run"]["summary_counts"], json!({}));

    // The lease runs out: the rescuer requeues the run, the old token is refused everywhere,
    // and the next claim holds it under a new one.
    app.advance(Duration::from_secs(11));
    app.runs().rescue_stale().await.unwrap();
    for what in ["heartbeat", "progress", "complete"] {
        let body = json!({"fencing_token": first, "counts": {"total": 3}, "outcome": "succeeded"});
        let body = match what {
            "heartbeat" => json!({"fencing_token": first}),
            "progress" => json!({"fencing_token": first, "counts": {"total": 3}}),
            _ => body,
        };
        let (status, answer) = call(&app, &worker, &step(what), &body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{what}: {answer}");
    }
    let (_, claimed) = call(&app, &worker, "/worker/claim", &claim(0)).await;
    assert_eq!(claimed["runs"][0]["attempt"], 2);
    let second = claimed["runs"][0]["fencing_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(first, second);

    // Cancelled is what a person asks for, not a way to end a run quietly.
    let (status, answer) = call(
        &app,
        &worker,
        &step("complete"),
        &json!({"fencing_token": second, "outcome": "cancelled"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");

    // A person cancels: the next heartbeat says so, and the worker ends the run cancelled.
    let (_, beat) = call(
        &app,
        &worker,
        &step("heartbeat"),
        &json!({"fencing_token": second}),
    )
    .await;
    assert_eq!(beat["cancel_requested"], false);
    let cancel = app
        .send(with_origin(
            "POST",
            &format!("/api/t/contoso/operations/{id}/cancel"),
            Some(&owner),
            Some(&json!({})),
        ))
        .await;
    assert_eq!(cancel.status, StatusCode::OK, "{}", cancel.text());
    let (_, beat) = call(
        &app,
        &worker,
        &step("heartbeat"),
        &json!({"fencing_token": second}),
    )
    .await;
    assert_eq!(beat["cancel_requested"], true);
    let (status, ended) = call(
        &app,
        &worker,
        &step("complete"),
        &json!({"fencing_token": second, "outcome": "cancelled", "counts": {"total": 3, "processed": 1}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(ended["run"]["outcome"], "cancelled");
    assert_eq!(
        ended["run"]["summary_counts"],
        json!({"total": 3, "processed": 1})
    );
    let notifications = app.get("/api/me/notifications", Some(&owner)).await.json();
    let titles: Vec<&str> = notifications["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["run_id"] == id.as_str())
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Invoice export cancelled"]);
}

#[tokio::test]
async fn a_claim_whose_asker_is_gone_hands_its_runs_back_at_once() {
    let app = TestApp::new().await;
    register(&app).await;
    let worker = worker_token(&app).await;
    let id = start(&app, &worker, "2026-11").await;
    let tenant = app.tenant("contoso").await;
    let key = opsux_core::ExternalKey::parse(TYPE).unwrap();

    // The writer is held, so the claim cannot be answered before its asker gives up.
    let paused = app.runs().pause_writes().await;
    let cut_off =
        app.runs()
            .claim_registered_for(tenant.id, vec![key], 1, Duration::from_secs(600));
    assert!(
        tokio::time::timeout(Duration::from_millis(50), cut_off)
            .await
            .is_err(),
        "no answer while the writer is held"
    );
    drop(paused);

    // Committed, nobody to tell: the run is queued again, its attempt not spent, at once
    // rather than after its ten-minute lease.
    let path = format!("/api/t/contoso/operations/{id}");
    let owner = app.login(OWNER).await;
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let run = app.get(&path, Some(&owner)).await.json();
            if run["run"]["status"] == "queued" && run["run"]["version"].as_u64() > Some(1) {
                return;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the run is handed back");
    let (_, claimed) = call(&app, &worker, "/worker/claim", &claim(0)).await;
    assert_eq!(claimed["runs"][0]["id"], id.as_str());
    assert_eq!(claimed["runs"][0]["attempt"], 1);
}

#[tokio::test]
async fn registering_a_type_refuses_what_it_could_not_keep_and_is_audited() {
    let app = TestApp::new().await;
    let change = Change {
        actor: Actor::System,
        at_ms: 0,
    };
    let keys = ["total".to_owned()];
    // Key, capability, summary keys, schema, and what the refusal says.
    type Case<'a> = (&'a str, &'a str, &'a [String], Option<Value>, &'a str);
    let cases: [Case<'_>; 7] = [
        (
            "inventory_sync",
            "policy.export",
            &keys,
            None,
            "is a built-in operation",
        ),
        ("acme", "policy.export", &keys, None, "has no namespace"),
        (
            "acme.export",
            "runs.view",
            &keys,
            None,
            "not a capability that starts operations",
        ),
        (
            "acme.export",
            "root",
            &keys,
            None,
            "not a capability that starts operations",
        ),
        (
            "acme.export",
            "policy.export",
            &[],
            None,
            "give the counts its runs report",
        ),
        (
            "acme.export",
            "policy.export",
            &["bytes".to_owned()],
            None,
            "bytes",
        ),
        (
            "acme.export",
            "policy.export",
            &keys,
            Some(json!({"$ref": "https://schemas.example.com/export.json"})),
            "is not a usable JSON Schema",
        ),
    ];
    for (key, capability, summary_keys, params_schema, says) in cases {
        let new = NewRegisteredType {
            key,
            label: "Export",
            capability,
            summary_keys,
            params_schema,
        };
        let err = org::register_type(app.store(), &change, &new)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains(says), "{key} {capability}: {err}");
    }
    register(&app).await;
    org::remove_type(app.store(), &change, TYPE).await.unwrap();
    let owner = app.login(OWNER).await;
    let log = app
        .get("/api/workspace/audit-log", Some(&owner))
        .await
        .json();
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .filter(|a| a.starts_with("operation_type."))
        .collect();
    assert_eq!(actions, ["operation_type.remove", "operation_type.add"]);
}
