// R16: non-members get 404 on every tenant-scoped route and stream; members without the
// capability get 403.
use axum::http::StatusCode;
use serde_json::json;

use crate::support::TestApp;

const RUN: &str = "0192f1c4-7a1e-7cc3-9a6e-2f4c8d1b5e07";

async fn tenant_routes(app: &TestApp) -> Vec<(&'static str, String)> {
    let owner = app.login("owner@demo.test").await;
    let real = app
        .start_via_api(&owner, json!({"type": "inventory_sync"}))
        .await;
    let mut routes = Vec::new();
    for id in [real.as_str(), RUN] {
        routes.extend([
            ("GET", "/api/t/contoso/operations".to_owned()),
            ("GET", "/api/t/contoso/operations/active".to_owned()),
            ("GET", "/api/t/contoso/operations/stream".to_owned()),
            ("GET", format!("/api/t/contoso/operations/{id}")),
            ("GET", format!("/api/t/contoso/operations/{id}/stream")),
            ("POST", format!("/api/t/contoso/operations/{id}/cancel")),
            ("POST", "/api/t/contoso/operations".to_owned()),
        ]);
    }
    routes
}

#[tokio::test]
async fn non_members_get_404_everywhere_and_the_same_body_as_a_missing_tenant() {
    let app = TestApp::new().await;
    let routes = tenant_routes(&app).await;
    let outsider = app.login("outsider@demo.test").await;
    let reader = app.login("reader@demo.test").await;
    let missing = app
        .get("/api/t/no-such-tenant/operations", Some(&outsider))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // The reader is a member of contoso only: fabrikam is as invisible to them.
    for (cookie, swap) in [(&outsider, None), (&reader, Some("fabrikam"))] {
        for (method, path) in &routes {
            let path = swap.map_or(path.clone(), |t| path.replace("contoso", t));
            let res = match *method {
                "GET" => app.get(&path, Some(cookie)).await,
                _ => {
                    app.post(&path, Some(cookie), &json!({"type": "inventory_sync"}))
                        .await
                }
            };
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{method} {path}");
            assert_eq!(
                res.body, missing.body,
                "{method} {path}: no hint that the tenant exists"
            );
        }
    }
    assert_eq!(app.run_count().await, 1, "nothing started by outsiders");
}

#[tokio::test]
async fn a_reader_may_look_but_not_start_or_cancel() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    let id = app
        .start_via_api(&owner, json!({"type": "inventory_sync"}))
        .await;
    let reader = app.login("reader@demo.test").await;
    assert_eq!(
        app.get("/api/t/contoso/operations", Some(&reader))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/t/contoso/operations/{id}"), Some(&reader))
            .await
            .status,
        StatusCode::OK
    );

    let start = app
        .post(
            "/api/t/contoso/operations",
            Some(&reader),
            &json!({"type": "entra_group_sync"}),
        )
        .await;
    assert_eq!(start.status, StatusCode::FORBIDDEN);
    assert_eq!(
        start.json()["error"]["message"],
        "your role in this tenant does not allow this (needs groups.sync)"
    );
    let cancel = app
        .post(
            &format!("/api/t/contoso/operations/{id}/cancel"),
            Some(&reader),
            &json!({}),
        )
        .await;
    assert_eq!(cancel.status, StatusCode::FORBIDDEN);
    assert_eq!(app.runs_with_status("queued").await, 1);
}
