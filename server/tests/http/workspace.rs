// R16, R19, R21: the workspace as its owners manage it from the Workspace page — tenants added
// (their owners the workspace's), renamed, connected to their provider after the credentials
// sign in (the secret sealed, never in an answer or the log), the connection tested; anyone
// who does not own the workspace gets 404.
use axum::http::StatusCode;
use opsux_server::secrets::SecretsKey;
use opsux_server::simulator::{Simulator, demo_tenants};
use serde_json::json;

use crate::support::{TestApp, with_origin};

async fn simulator() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(Simulator::demo().serve(listener));
    base
}

#[tokio::test]
async fn owners_add_rename_connect_and_test_tenants() {
    let app = TestApp::new()
        .await
        .with_secrets(SecretsKey::from_bytes(&[7; 32]));
    let owner = app.login("owner@demo.test").await;
    let reader = app.login("reader@demo.test").await;
    assert_eq!(
        app.get("/api/workspace", Some(&reader)).await.status,
        StatusCode::NOT_FOUND
    );
    let refused = app
        .post(
            "/api/workspace/tenants",
            Some(&reader),
            &json!({"slug": "x-y", "name": "X"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);

    let overview = app.get("/api/workspace", Some(&owner)).await.json();
    assert_eq!(overview["name"], "Demo workspace");
    assert_eq!(overview["owners"][0]["email"], "owner@demo.test");
    assert!(overview["tenants"][0]["connection"].is_null());

    // Added: the workspace's owner owns it.
    let bad = app
        .post(
            "/api/workspace/tenants",
            Some(&owner),
            &json!({"slug": "Acme!", "name": "Acme"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let added = app
        .post(
            "/api/workspace/tenants",
            Some(&owner),
            &json!({"slug": "acme", "name": "Acme"}),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let again = app
        .post(
            "/api/workspace/tenants",
            Some(&owner),
            &json!({"slug": "acme", "name": "Acme"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let me = app.get("/api/me", Some(&owner)).await.json();
    assert!(
        me["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["slug"] == "acme" && t["role"] == "owner"),
        "{me}"
    );
    let renamed = app
        .send(with_origin(
            "PATCH",
            "/api/workspace/tenants/acme",
            Some(&owner),
            Some(&json!({"name": "Acme Corp"})),
        ))
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());

    // Connected after the credentials sign in; a wrong secret is refused and nothing stored.
    let sim = simulator().await;
    let contoso = demo_tenants().remove(0);
    let connect = |secret: &str| {
        json!({
            "directory_id": contoso.directory_id,
            "client_id": contoso.client_id,
            "client_secret": secret,
            "login_url": sim,
            "graph_url": format!("{sim}/v1.0"),
        })
    };
    let path = "/api/workspace/tenants/acme/connection";
    let wrong = app
        .send(with_origin(
            "PUT",
            path,
            Some(&owner),
            Some(&connect("not-it")),
        ))
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.text()
    );
    assert!(
        wrong.text().contains("the credentials were not stored"),
        "{}",
        wrong.text()
    );
    assert!(!wrong.text().contains("not-it"));
    // R20: a provider off Microsoft's clouds (and not allowed by the operator) or over plain
    // http is refused before any request, saying how to allow it.
    for (graph_url, says) in [
        (
            "https://graph.evil.example/v1.0",
            "--provider-host graph.evil.example",
        ),
        ("http://graph.microsoft.com/v1.0", "plain http"),
    ] {
        let mut elsewhere = connect(&contoso.client_secret);
        elsewhere["graph_url"] = json!(graph_url);
        let refused = app
            .send(with_origin("PUT", path, Some(&owner), Some(&elsewhere)))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains(says), "{}", refused.text());
    }
    let untested = app
        .post(
            "/api/workspace/tenants/acme/connection/test",
            Some(&owner),
            &json!({}),
        )
        .await
        .json();
    assert_eq!(untested["ok"], false);
    let connected = app
        .send(with_origin(
            "PUT",
            path,
            Some(&owner),
            Some(&connect(&contoso.client_secret)),
        ))
        .await;
    assert_eq!(connected.status, StatusCode::OK, "{}", connected.text());
    assert!(!connected.text().contains(&contoso.client_secret));
    let acme = connected.json()["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "acme")
        .cloned()
        .unwrap();
    assert_eq!(acme["name"], "Acme Corp");
    assert_eq!(acme["connection"]["directory_id"], contoso.directory_id);
    let tested = app
        .post(
            "/api/workspace/tenants/acme/connection/test",
            Some(&owner),
            &json!({}),
        )
        .await
        .json();
    assert_eq!(tested["ok"], true, "{tested}");

    // Every change is in the tenant's audit log, by the owner, without the secret.
    let log = app.get("/api/t/acme/audit-log", Some(&owner)).await;
    assert!(!log.text().contains(&contoso.client_secret));
    let log = log.json();
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "tenant.connect",
            "tenant.rename",
            "member.grant",
            "tenant.add"
        ]
    );
    assert_eq!(log["items"][0]["actor_label"], "Olivia Owner");
}
