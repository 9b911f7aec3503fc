// R2, R12, R16: the notification centre shows each person their own terminal notifications.
use axum::http::StatusCode;
use opsux_server::worker::Handlers;
use serde_json::json;

use crate::streams::Succeed;
use crate::support::TestApp;

#[tokio::test]
async fn a_finished_run_shows_up_once_unread_and_can_be_marked_read() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    let started = app
        .post(
            "/api/t/contoso/operations",
            Some(&owner),
            &json!({"type": "entra_group_sync"}),
        )
        .await
        .json();
    let run_id = started["run"]["id"].as_str().unwrap().to_owned();
    let empty = app.get("/api/me/notifications", Some(&owner)).await.json();
    assert_eq!(
        empty,
        json!({"unread": 0, "items": []}),
        "nothing while queued"
    );

    let ran = app
        .worker(Handlers::new().with(opsux_core::OperationType::EntraGroupSync, Succeed))
        .run_pending()
        .await
        .unwrap();
    assert_eq!(ran, 1);

    let list = app.get("/api/me/notifications", Some(&owner)).await.json();
    assert_eq!(list["unread"], 1);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["title"], "Entra group sync completed");
    assert_eq!(items[0]["body"], "2 total, 2 processed, 2 succeeded.");
    assert_eq!(
        items[0]["action"],
        json!({"label": "View run", "url": format!("/t/contoso/operations/{run_id}")})
    );
    assert_eq!(items[0]["read_at"], json!(null));
    let id = items[0]["id"].as_str().unwrap().to_owned();

    let outsider = app.login("outsider@demo.test").await;
    let theirs = app
        .post(
            &format!("/api/me/notifications/{id}/read"),
            Some(&outsider),
            &json!({}),
        )
        .await;
    assert_eq!(
        theirs.status,
        StatusCode::NOT_FOUND,
        "someone else's notification does not exist"
    );
    assert_eq!(
        app.get("/api/me/notifications", Some(&outsider))
            .await
            .json()["items"],
        json!([])
    );

    let read = app
        .post(
            &format!("/api/me/notifications/{id}/read"),
            Some(&owner),
            &json!({}),
        )
        .await;
    assert_eq!(read.status, StatusCode::NO_CONTENT);
    let list = app.get("/api/me/notifications", Some(&owner)).await.json();
    assert_eq!(list["unread"], 0);
    assert!(list["items"][0]["read_at"].is_string());
}

#[tokio::test]
async fn read_all_clears_the_unread_count() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    for policy in app.seed_policies("contoso", 3).await {
        app.post(
            "/api/t/contoso/operations",
            Some(&owner),
            &json!({"type": "policy_unignore", "params": {"policy_ids": [policy]}}),
        )
        .await;
    }
    app.worker(Handlers::new().with(opsux_core::OperationType::PolicyUnignore, Succeed))
        .run_pending()
        .await
        .unwrap();
    assert_eq!(
        app.get("/api/me/notifications", Some(&owner)).await.json()["unread"],
        3
    );
    let res = app
        .post("/api/me/notifications/read-all", Some(&owner), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/me/notifications", Some(&owner)).await.json()["unread"],
        0
    );
}
