// R17: state changes need our own Origin or an allow-listed one; GET changes nothing.
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::support::{HOST, OWNER, TestApp};

fn start(origin: Option<&str>, cookie: &str) -> Request<Body> {
    let mut req = Request::post("/api/t/contoso/operations")
        .header("host", HOST)
        .header("cookie", cookie)
        .header("content-type", "application/json");
    if let Some(origin) = origin {
        req = req.header("origin", origin);
    }
    req.body(Body::from(json!({"type": "inventory_sync"}).to_string()))
        .unwrap()
}

#[tokio::test]
async fn state_changes_need_a_trusted_origin() {
    let app = TestApp::new().await;
    let cookie = app.login("owner@demo.test").await;
    let cases = [
        (None, StatusCode::FORBIDDEN),
        (Some("http://evil.example"), StatusCode::FORBIDDEN),
        (
            Some("http://opsux.test.evil.example"),
            StatusCode::FORBIDDEN,
        ),
        (Some("null"), StatusCode::FORBIDDEN),
        (Some("https://embed.example"), StatusCode::ACCEPTED),
        (Some("http://opsux.test"), StatusCode::ACCEPTED),
    ];
    for (origin, status) in cases {
        let res = app.send(start(origin, &cookie)).await;
        assert_eq!(res.status, status, "origin {origin:?}: {}", res.text());
        if status == StatusCode::FORBIDDEN {
            assert_eq!(res.json()["error"]["code"], "forbidden");
            assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
        }
    }
    assert_eq!(app.run_count().await, 1, "refused requests changed nothing");
}

#[tokio::test]
async fn login_itself_needs_the_origin() {
    let app = TestApp::new().await;
    let req = Request::post("/api/login")
        .header("host", HOST)
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"email": "owner@demo.test", "password": "opsux-demo"}).to_string(),
        ))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_configured_public_origin_is_the_only_own_origin() {
    let app = TestApp::with(|c| c.public_origin = Some("https://ops.example".to_owned())).await;
    let cookie = app
        .login_with_origin("owner@demo.test", "https://ops.example")
        .await;
    let cases = [
        (Some("https://ops.example"), StatusCode::ACCEPTED),
        // Same host as the request, other scheme or not the configured origin: refused.
        (Some("http://opsux.test"), StatusCode::FORBIDDEN),
        (Some("http://ops.example"), StatusCode::FORBIDDEN),
        (Some("https://embed.example"), StatusCode::ACCEPTED),
    ];
    for (origin, status) in cases {
        let res = app.send(start(origin, &cookie)).await;
        assert_eq!(res.status, status, "origin {origin:?}: {}", res.text());
    }
}

#[tokio::test]
async fn get_changes_nothing() {
    let app = TestApp::new().await;
    let cookie = app.login(OWNER).await;
    let run = app
        .start_via_api(&cookie, json!({"type": "inventory_sync"}))
        .await;
    for path in [
        format!("/api/t/contoso/operations/{run}/cancel"),
        "/api/me/notifications/read-all".to_owned(),
        "/api/logout".to_owned(),
        "/api/login".to_owned(),
    ] {
        let res = app.get(&path, Some(&cookie)).await;
        assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED, "GET {path}");
    }
    let detail = app
        .get(&format!("/api/t/contoso/operations/{run}"), Some(&cookie))
        .await;
    assert_eq!(
        detail.json()["run"]["status"],
        "queued",
        "the run was not cancelled"
    );
    assert_eq!(
        app.get("/api/me", Some(&cookie)).await.status,
        StatusCode::OK,
        "still signed in"
    );
}

// DNS rebinding: with an allow-list of host names, any other name in `Host` is refused —
// except on the health probe, which says nothing.
#[tokio::test]
async fn a_host_name_not_on_the_allow_list_is_refused() {
    let app = TestApp::with(|config| {
        config.allowed_hosts = Some(opsux_server::hosts::default_allowed_hosts(&[
            "ops.internal".to_owned(),
        ]));
    })
    .await;
    let request = |host: &str, path: &str| {
        Request::get(path)
            .header("host", host)
            .body(Body::empty())
            .unwrap()
    };
    let refused = app
        .send(request("rebound.example:8080", "/api/catalog"))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json()["error"]["code"], "bad_request");
    // Refusals carry the security headers like every other answer.
    assert_eq!(refused.header("x-content-type-options"), Some("nosniff"));
    assert!(refused.header("content-security-policy").is_some());
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--allowed-host"),
        "{}",
        refused.text()
    );
    let page = app.send(request("rebound.example", "/")).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    // Addresses cannot be rebound: a page loaded from one is this server's own.
    for host in [
        "localhost:8080",
        "LOCALHOST",
        "127.0.0.1:9",
        "10.1.2.3",
        "[::1]:8080",
        "ops.internal",
    ] {
        let ok = app.send(request(host, "/api/catalog")).await;
        assert_eq!(ok.status, StatusCode::OK, "{host}");
    }
    let probe = app.send(request("rebound.example", "/healthz")).await;
    assert_eq!(probe.status, StatusCode::OK);
}
