// R10, R13, R15: start answers with the presenter's toast and link; lists and details read
// the database.
use axum::http::StatusCode;
use insta::assert_json_snapshot;
use serde_json::{Value, json};

use crate::support::{OWNER, TestApp};

/// Replaces the values that differ per run (ids, times) so the rest can be snapshotted.
fn stable(mut value: Value, id: &str) -> Value {
    fn walk(v: &mut Value, id: &str) {
        match v {
            Value::String(s) if s.contains(id) => *s = s.replace(id, "{run_id}"),
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    if key.ends_with("_at") && value.is_string() {
                        *value = Value::String("{time}".to_owned());
                    } else if key == "id" && value.is_string() && value != id {
                        *value = Value::String("{user_id}".to_owned());
                    } else {
                        walk(value, id);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, id)),
            _ => {}
        }
    }
    walk(&mut value, id);
    value
}

#[tokio::test]
async fn start_answers_202_with_toast_and_canonical_link() {
    let app = TestApp::new().await;
    let cookie = app.login("owner@demo.test").await;
    let res = app
        .post(
            "/api/t/contoso/operations",
            Some(&cookie),
            &json!({"type": "inventory_sync", "params": {}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::ACCEPTED);
    let body = res.json();
    let id = body["run"]["id"].as_str().unwrap().to_owned();
    assert_json_snapshot!(stable(body, &id), @r#"
    {
      "result": "queued",
      "run": {
        "attempt": 0,
        "cancel_requested": false,
        "completed_at": null,
        "created_at": "{time}",
        "id": "{run_id}",
        "initiator": {
          "display_name": "Olivia Owner",
          "id": "{user_id}"
        },
        "label": "Inventory sync",
        "message": null,
        "outcome": null,
        "reason_code": null,
        "started_at": null,
        "status": "queued",
        "summary_counts": {},
        "tenant": "contoso",
        "type": "inventory_sync",
        "version": 1,
        "view_run_url": "/t/contoso/operations/{run_id}"
      },
      "toast": {
        "action": {
          "label": "View run",
          "url": "/t/contoso/operations/{run_id}"
        },
        "body": "Follow its progress in Active operations; you will be notified when it ends.",
        "duration_ms": 5000,
        "kind": "queued",
        "title": "Inventory sync queued"
      },
      "view_run_url": "/t/contoso/operations/{run_id}"
    }
    "#);

    let again = app
        .post(
            "/api/t/contoso/operations",
            Some(&cookie),
            &json!({"type": "inventory_sync", "params": {}}),
        )
        .await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    let again = again.json();
    assert_eq!(again["result"], "already_queued");
    assert_eq!(again["run"]["id"], id.as_str());
    assert_eq!(again["toast"]["title"], "Inventory sync already queued");
    assert_eq!(again["toast"]["kind"], "already_queued");
}

#[tokio::test]
async fn list_active_and_detail() {
    let app = TestApp::new().await;
    let cookie = app.login("owner@demo.test").await;
    let policies = app.seed_policies("contoso", 5).await;
    let mut ids = Vec::new();
    for policy in &policies {
        let res = app
            .post(
                "/api/t/contoso/operations",
                Some(&cookie),
                &json!({"type": "policy_export", "params": {"policy_ids": [policy]}}),
            )
            .await;
        ids.push(res.json()["run"]["id"].as_str().unwrap().to_owned());
    }
    let cancelled = &ids[0];
    let res = app
        .post(
            &format!("/api/t/contoso/operations/{cancelled}/cancel"),
            Some(&cookie),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["outcome"], "cancelled");

    // Newest first, two per page, following the cursor.
    let mut seen = Vec::new();
    let mut url = "/api/t/contoso/operations?limit=2".to_owned();
    loop {
        let page = app.get(&url, Some(&cookie)).await.json();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("/api/t/contoso/operations?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first);

    let completed = app
        .get("/api/t/contoso/operations?status=completed", Some(&cookie))
        .await
        .json();
    assert_eq!(completed["items"].as_array().unwrap().len(), 1);
    let active = app
        .get("/api/t/contoso/operations/active", Some(&cookie))
        .await
        .json();
    let active_ids: Vec<&str> = active["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        active_ids,
        ids[1..].iter().map(String::as_str).collect::<Vec<_>>(),
        "oldest first, cancelled gone"
    );

    let detail = app
        .get(
            &format!("/api/t/contoso/operations/{}", ids[1]),
            Some(&cookie),
        )
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    let detail = detail.json();
    assert_eq!(detail["run"]["id"], ids[1].as_str());
    assert_eq!(
        detail["context"]["params"],
        json!({"policy_ids": [policies[1].as_str()]})
    );
    assert_eq!(
        detail["failure_summary"],
        json!({"entries": [], "omitted": 0})
    );
}

#[tokio::test]
async fn cancelling_twice_is_a_conflict() {
    let app = TestApp::new().await;
    let cookie = app.login("owner@demo.test").await;
    let id = app
        .start_via_api(&cookie, json!({"type": "inventory_sync"}))
        .await;
    let url = format!("/api/t/contoso/operations/{id}/cancel");
    assert_eq!(
        app.post(&url, Some(&cookie), &json!({})).await.status,
        StatusCode::OK
    );
    let again = app.post(&url, Some(&cookie), &json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json()["error"]["code"], "conflict");
}

// A start past the person's active-run cap is a 409 naming the cap; nothing is created.
#[tokio::test]
async fn a_start_past_the_cap_is_a_conflict_that_names_it() {
    let app = TestApp::with(|config| config.runs.max_active_per_user = 1).await;
    let owner = app.login(OWNER).await;
    app.start_via_api(&owner, json!({"type": "inventory_sync", "params": {}}))
        .await;
    let res = app
        .post(
            "/api/t/contoso/operations",
            Some(&owner),
            &json!({"type": "entra_group_sync", "params": {}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    assert_eq!(res.json()["error"]["code"], "conflict");
    assert!(
        res.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("you already have 1 queued or running operation,"),
        "{}",
        res.text()
    );
    assert_eq!(app.run_count().await, 1);
}
