// Bad input gets a 4xx with a message saying what is wrong; nothing is stored.
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::support::{HOST, ORIGIN, TestApp};

fn raw_start(cookie: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post("/api/t/contoso/operations")
        .header("host", HOST)
        .header("origin", ORIGIN)
        .header("cookie", cookie)
        .header("content-type", content_type)
        .body(body.into())
        .unwrap()
}

#[tokio::test]
async fn malformed_or_mistyped_start_bodies() {
    let app = TestApp::new().await;
    let cookie = app.login("owner@demo.test").await;
    let cases: Vec<(Request<Body>, StatusCode, &str, &str)> = vec![
        (
            raw_start(&cookie, "application/json", "{\"type\": "),
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "EOF",
        ),
        (
            // Valid JSON of the wrong shape: serde reads an array as a struct's fields in order.
            raw_start(&cookie, "application/json", "[1,2]"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "invalid type: integer `1`, expected a string",
        ),
        (
            raw_start(
                &cookie,
                "application/json",
                json!({"type": "inventory"}).to_string(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "unknown operation type \"inventory\"; known types: inventory_sync",
        ),
        (
            raw_start(
                &cookie,
                "application/json",
                json!({"type": "inventory_sync", "priority": 1}).to_string(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "unknown field `priority`",
        ),
        (
            raw_start(
                &cookie,
                "application/json",
                json!({"type": "inventory_sync", "params": [1]}).to_string(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "params",
        ),
        (
            raw_start(
                &cookie,
                "text/plain",
                json!({"type": "inventory_sync"}).to_string(),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Content-Type",
        ),
        (
            raw_start(
                &cookie,
                "application/json",
                format!(
                    "{{\"type\":\"inventory_sync\",\"params\":{{\"x\":\"{}\"}}}}",
                    "a".repeat(70_000)
                ),
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "",
        ),
    ];
    for (req, status, code, needle) in cases {
        let res = app.send(req).await;
        assert_eq!(res.status, status, "{}", res.text());
        let body = res.json();
        assert_eq!(body["error"]["code"], code, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            !message.is_empty() && message.contains(needle),
            "{message:?} lacks {needle:?}"
        );
    }
    assert_eq!(app.run_count().await, 0);
}

#[tokio::test]
async fn system_only_operations_cannot_be_started_by_people() {
    let app = TestApp::new().await;
    let cookie = app.login("owner@demo.test").await;
    let res = app
        .post(
            "/api/t/contoso/operations",
            Some(&cookie),
            &json!({"type": "operations_prune"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        res.json()["error"]["message"],
        "operations_prune is started by the system only"
    );
}

#[tokio::test]
async fn bad_list_parameters_say_what_is_allowed() {
    let app = TestApp::new().await;
    let cookie = app.login("owner@demo.test").await;
    let cases = [
        (
            "status=done",
            "unknown status \"done\"; known: queued, running, completed",
        ),
        ("type=x", "unknown operation type \"x\""),
        ("outcome=ok", "unknown outcome \"ok\""),
        ("cursor=abc", "malformed cursor"),
        ("limit=0", "limit must be between 1 and 200"),
        ("limit=5000", "limit must be between 1 and 200"),
        ("initiator=me", "is not a valid user id"),
        ("colour=red", "unknown field `colour`"),
    ];
    for (query, needle) in cases {
        let res = app
            .get(&format!("/api/t/contoso/operations?{query}"), Some(&cookie))
            .await;
        assert_eq!(
            res.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            res.text()
        );
        let message = res.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(needle), "{query}: {message:?}");
    }
}

#[tokio::test]
async fn malformed_run_ids_are_not_found() {
    let app = TestApp::new().await;
    let cookie = app.login("owner@demo.test").await;
    for path in [
        "/api/t/contoso/operations/not-a-uuid",
        "/api/t/contoso/operations/0192f1c4-7a1e-7cc3-9a6e-2f4c8d1b5e07",
    ] {
        let res = app.get(path, Some(&cookie)).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn undecodable_paths_are_json_404s() {
    let app = TestApp::new().await;
    let cookie = app.login("owner@demo.test").await;
    for path in [
        "/api/t/contoso/operations/%FF",
        "/api/t/%FF/operations",
        "/api/t/contoso/operations/%FF/stream",
    ] {
        let res = app.get(path, Some(&cookie)).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {}", res.text());
        assert_eq!(res.json()["error"]["code"], "not_found", "{path}");
    }
    let res = app
        .post("/api/me/notifications/%FF/read", Some(&cookie), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.json()["error"]["code"], "not_found");
}

#[tokio::test]
async fn text_with_a_nul_character_is_refused_on_every_backend() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    // PostgreSQL cannot store U+0000: refused at the door, on SQLite too, and nothing stored.
    let refused = app
        .post(
            "/api/t/contoso/backup-sets",
            Some(&owner),
            &json!({"name": "before\u{0}after"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("NUL"), "{}", refused.text());
    let sets = app
        .get("/api/t/contoso/backup-sets", Some(&owner))
        .await
        .json();
    assert_eq!(sets["items"], json!([]));
    // A backslash followed by the text `u0000` is no NUL.
    let kept = app
        .post(
            "/api/t/contoso/backup-sets",
            Some(&owner),
            &json!({"name": "C:\\u0000"}),
        )
        .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text());
    assert_eq!(kept.json()["name"], "C:\\u0000");

    let query = app
        .get("/api/t/contoso/policies?kind=a%00b", Some(&owner))
        .await;
    assert_eq!(query.status, StatusCode::BAD_REQUEST);
    assert!(query.text().contains("NUL"), "{}", query.text());
    let path = app
        .get("/api/t/contoso/backup-sets/a%00b", Some(&owner))
        .await;
    assert_eq!(path.status, StatusCode::NOT_FOUND);
}
