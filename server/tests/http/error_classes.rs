// Every error class of the API, status and body, in one snapshot: the envelope is the same
// everywhere and each message says what is wrong.
use axum::body::Body;
use axum::http::Request;
use insta::assert_json_snapshot;
use serde_json::{Value, json};

use crate::support::{HOST, ORIGIN, TestApp};

fn post_raw(
    uri: &str,
    cookie: &str,
    origin: Option<&str>,
    content_type: &str,
    body: String,
) -> Request<Body> {
    let mut req = Request::post(uri)
        .header("host", HOST)
        .header("cookie", cookie)
        .header("content-type", content_type);
    if let Some(origin) = origin {
        req = req.header("origin", origin);
    }
    req.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn every_error_class_uses_the_envelope() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    let reader = app.login("reader@demo.test").await;
    let run = app
        .start_via_api(&owner, json!({"type": "inventory_sync"}))
        .await;
    let cancel = format!("/api/t/contoso/operations/{run}/cancel");
    app.post(&cancel, Some(&owner), &json!({})).await;
    let start = "/api/t/contoso/operations";

    let cases: Vec<(&str, Request<Body>)> = vec![
        (
            "invalid_json",
            post_raw(
                start,
                &owner,
                Some(ORIGIN),
                "application/json",
                "{".to_owned(),
            ),
        ),
        (
            "bad_request",
            crate::support::get("/api/t/contoso/operations?limit=0", Some(&owner)),
        ),
        ("unauthenticated", crate::support::get("/api/me", None)),
        (
            "forbidden_capability",
            post_raw(
                start,
                &reader,
                Some(ORIGIN),
                "application/json",
                json!({"type": "inventory_sync"}).to_string(),
            ),
        ),
        (
            "forbidden_origin",
            post_raw(
                start,
                &owner,
                None,
                "application/json",
                json!({"type": "inventory_sync"}).to_string(),
            ),
        ),
        (
            "not_found_tenant",
            crate::support::get("/api/t/fabrikam/operations", Some(&reader)),
        ),
        (
            "not_found_run",
            crate::support::get(
                "/api/t/contoso/operations/0192f1c4-7a1e-7cc3-9a6e-2f4c8d1b5e07",
                Some(&owner),
            ),
        ),
        (
            "method_not_allowed",
            crate::support::post_json("/api/me", Some(&owner), &json!({})),
        ),
        (
            "conflict",
            crate::support::post_json(&cancel, Some(&owner), &json!({})),
        ),
        (
            "payload_too_large",
            post_raw(
                start,
                &owner,
                Some(ORIGIN),
                "application/json",
                format!("\"{}\"", "x".repeat(70_000)),
            ),
        ),
        (
            "unsupported_media_type",
            post_raw(start, &owner, Some(ORIGIN), "text/plain", "{}".to_owned()),
        ),
        (
            "validation_failed",
            post_raw(
                start,
                &owner,
                Some(ORIGIN),
                "application/json",
                json!({"type": "sync_everything"}).to_string(),
            ),
        ),
    ];
    let mut seen = Vec::new();
    for (case, request) in cases {
        let res = app.send(request).await;
        let mut body = res.json();
        // The run id in the conflict message differs per run.
        if let Some(message) = body["error"]["message"].as_str() {
            body["error"]["message"] = Value::String(message.replace(&run, "{run_id}"));
        }
        seen.push(json!({"case": case, "status": res.status.as_u16(), "body": body}));
    }
    assert_json_snapshot!(seen, @r#"
    [
      {
        "body": {
          "error": {
            "code": "invalid_json",
            "message": "Failed to parse the request body as JSON: EOF while parsing an object at line 1 column 1"
          }
        },
        "case": "invalid_json",
        "status": 400
      },
      {
        "body": {
          "error": {
            "code": "bad_request",
            "message": "limit must be between 1 and 200"
          }
        },
        "case": "bad_request",
        "status": 400
      },
      {
        "body": {
          "error": {
            "code": "unauthenticated",
            "message": "sign in first"
          }
        },
        "case": "unauthenticated",
        "status": 401
      },
      {
        "body": {
          "error": {
            "code": "forbidden",
            "message": "your role in this tenant does not allow this (needs inventory.sync)"
          }
        },
        "case": "forbidden_capability",
        "status": 403
      },
      {
        "body": {
          "error": {
            "code": "forbidden",
            "message": "state-changing requests must carry an Origin header"
          }
        },
        "case": "forbidden_origin",
        "status": 403
      },
      {
        "body": {
          "error": {
            "code": "not_found",
            "message": "tenant not found"
          }
        },
        "case": "not_found_tenant",
        "status": 404
      },
      {
        "body": {
          "error": {
            "code": "not_found",
            "message": "run not found"
          }
        },
        "case": "not_found_run",
        "status": 404
      },
      {
        "body": {
          "error": {
            "code": "method_not_allowed",
            "message": "method not allowed on this endpoint"
          }
        },
        "case": "method_not_allowed",
        "status": 405
      },
      {
        "body": {
          "error": {
            "code": "conflict",
            "message": "run {run_id} cannot be cancelled: it is already completed"
          }
        },
        "case": "conflict",
        "status": 409
      },
      {
        "body": {
          "error": {
            "code": "payload_too_large",
            "message": "request body is larger than the 64 KiB limit"
          }
        },
        "case": "payload_too_large",
        "status": 413
      },
      {
        "body": {
          "error": {
            "code": "unsupported_media_type",
            "message": "Expected request with `Content-Type: application/json`"
          }
        },
        "case": "unsupported_media_type",
        "status": 415
      },
      {
        "body": {
          "error": {
            "code": "validation_failed",
            "message": "Failed to deserialize the JSON body into the target type: type: unknown operation type \"sync_everything\"; known types: inventory_sync, entra_group_sync, backup_schedule_run, backup_retention, backup_set_add_policies, backup_set_remove_policies, policy_export, policy_unignore, policy_version_restore, restore_execute, restore_run_unarchive, restore_run_force_delete, operations_prune, or a registered type's namespaced key such as acme.invoice_export at line 1 column 26"
          }
        },
        "case": "validation_failed",
        "status": 422
      }
    ]
    "#);
}
