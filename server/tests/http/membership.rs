// R16, membership ends and access ends: a person removed from a tenant no longer hears about
// its runs — the notifications they had drop out of their list, count and stream snapshot, a
// run they started that ends afterwards notifies nobody — while their other tenants carry on.
use axum::http::StatusCode;
use opsux_core::OperationType;
use opsux_server::worker::Handlers;
use serde_json::json;

use crate::streams::Succeed;
use crate::support::sse::SseClient;
use crate::support::{OWNER, TestApp, serve};

fn handlers() -> Handlers {
    Handlers::new()
        .with(OperationType::InventorySync, Succeed)
        .with(OperationType::EntraGroupSync, Succeed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_member_hears_nothing_more_about_the_tenant() {
    let app = TestApp::new().await;
    let owner = app.login(OWNER).await;
    // One contoso run ended while a member: one notification.
    let before = app
        .start_via_api(&owner, json!({"type": "inventory_sync", "params": {}}))
        .await;
    assert_eq!(app.run_pending_jobs(handlers()).await, 1);
    let list = app.get("/api/me/notifications", Some(&owner)).await.json();
    assert_eq!(list["unread"], 1);
    assert_eq!(list["items"][0]["run_id"], before);
    // A second contoso run and a fabrikam run are queued when the membership ends.
    let after = app
        .start_via_api(&owner, json!({"type": "entra_group_sync", "params": {}}))
        .await;
    let fabrikam = app
        .post(
            "/api/t/fabrikam/operations",
            Some(&owner),
            &json!({"type": "inventory_sync", "params": {}}),
        )
        .await;
    assert_eq!(fabrikam.status, StatusCode::ACCEPTED);
    let removed = app
        .execute_raw(
            "DELETE FROM memberships \
             WHERE user_id = (SELECT id FROM users WHERE email = 'owner@demo.test') \
               AND tenant_id = (SELECT id FROM tenants WHERE slug = 'contoso')",
        )
        .await
        .unwrap();
    assert_eq!(removed, 1);

    let list = app.get("/api/me/notifications", Some(&owner)).await.json();
    assert_eq!(list["unread"], 0, "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "{list}");
    let addr = serve(&app).await;
    let mut bell = SseClient::connect(addr, "/api/me/notifications/stream", &owner).await;
    let (name, snapshot) = bell.next().await;
    assert_eq!(name, "snapshot");
    assert_eq!(snapshot["unread"], 0);

    // Both queued runs end: the contoso one notifies nobody, the fabrikam one its initiator.
    assert_eq!(app.run_pending_jobs(handlers()).await, 2);
    assert_eq!(
        app.notifications_for_run(after.parse().unwrap()).await,
        0,
        "no notification once the initiator left the tenant"
    );
    let (name, created) = bell.next().await;
    assert_eq!(name, "created");
    assert_eq!(created["notification"]["tenant"], "fabrikam");
    assert_eq!(created["unread"], 1);
    let list = app.get("/api/me/notifications", Some(&owner)).await.json();
    let tenants: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["tenant"].as_str().unwrap())
        .collect();
    assert_eq!(tenants, ["fabrikam"]);
    // And contoso's pages are a 404 now, like for anyone outside it.
    let page = app.get("/api/t/contoso/operations", Some(&owner)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}
