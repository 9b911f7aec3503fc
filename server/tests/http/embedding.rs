// SPEC §8 and R17: the widget's routes grant CORS with credentials to allow-listed origins
// only; every response carries the security headers; the panel's CSP allows its own inline
// start-up script by hash and framing by the allowed origins only.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::support::TestApp;

const ALLOWED: &str = "https://embed.example";

fn from_origin(method: Method, uri: &str, origin: &str, cookie: Option<&str>) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("origin", origin);
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    req.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn the_widget_routes_grant_cors_to_allowed_origins_only() {
    let app = TestApp::new().await;
    let cookie = app.login("owner@demo.test").await;
    let res = app
        .send(from_origin(
            Method::GET,
            "/api/t/contoso/operations/active",
            ALLOWED,
            Some(&cookie),
        ))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("access-control-allow-origin"), Some(ALLOWED));
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));

    // A refusal is readable too, so the widget can say "sign in" rather than fail blind.
    let res = app
        .send(from_origin(
            Method::GET,
            "/api/t/contoso/operations/active",
            ALLOWED,
            None,
        ))
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.header("access-control-allow-origin"), Some(ALLOWED));

    // Any other origin: no grant, so its page can read nothing.
    let res = app
        .send(from_origin(
            Method::GET,
            "/api/t/contoso/operations/active",
            "https://evil.example",
            Some(&cookie),
        ))
        .await;
    // (Without an allowed origin, a credentials flag alone grants nothing.)
    assert_eq!(res.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn only_the_routes_the_widget_uses_are_shared() {
    let app = TestApp::new().await;
    let cookie = app.login("owner@demo.test").await;
    for uri in [
        "/api/t/contoso/operations",
        "/api/me",
        "/api/me/notifications",
        "/api/catalog",
    ] {
        let res = app
            .send(from_origin(Method::GET, uri, ALLOWED, Some(&cookie)))
            .await;
        assert_eq!(res.header("access-control-allow-origin"), None, "{uri}");
    }
}

#[tokio::test]
async fn preflights_of_the_widget_routes_are_answered() {
    let app = TestApp::new().await;
    let mut req = from_origin(
        Method::OPTIONS,
        "/api/t/contoso/operations/stream",
        ALLOWED,
        None,
    );
    req.headers_mut()
        .insert("access-control-request-method", "GET".parse().unwrap());
    let res = app.send(req).await;
    assert!(res.status.is_success(), "{:?}", res.status);
    assert_eq!(res.header("access-control-allow-origin"), Some(ALLOWED));
    assert!(
        res.header("access-control-allow-methods")
            .unwrap()
            .contains("GET")
    );

    let mut req = from_origin(
        Method::OPTIONS,
        "/api/t/contoso/operations/stream",
        "https://evil.example",
        None,
    );
    req.headers_mut()
        .insert("access-control-request-method", "GET".parse().unwrap());
    let res = app.send(req).await;
    assert_eq!(res.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn the_widget_files_are_shared_with_allowed_origins() {
    let app = TestApp::new().await;
    let dir = app.state.config.assets_dir.join("widget");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("opsux-widget.js"), "import init from './x.js';").unwrap();
    let res = app
        .send(from_origin(
            Method::GET,
            "/widget/opsux-widget.js",
            ALLOWED,
            None,
        ))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("access-control-allow-origin"), Some(ALLOWED));
    assert!(res.header("content-type").unwrap().contains("javascript"));
    let res = app
        .send(from_origin(
            Method::GET,
            "/widget/opsux-widget.js",
            "https://evil.example",
            None,
        ))
        .await;
    assert_eq!(res.header("access-control-allow-origin"), None);
    let res = app
        .send(from_origin(
            Method::GET,
            "/widget/missing.js",
            ALLOWED,
            None,
        ))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    for uri in ["/healthz", "/api/catalog", "/api/me", "/api/nope"] {
        let res = app.send(crate::support::get(uri, None)).await;
        assert_eq!(
            res.header("x-content-type-options"),
            Some("nosniff"),
            "{uri}"
        );
        assert_eq!(
            res.header("referrer-policy"),
            Some("strict-origin-when-cross-origin"),
            "{uri}"
        );
        let csp = res.header("content-security-policy").unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{csp}"
        );
        assert!(csp.contains("object-src 'none'"), "{csp}");
    }
}

#[tokio::test]
async fn the_panel_csp_allows_its_inline_start_script_and_the_allowed_framers() {
    let assets = tempfile::tempdir().unwrap();
    let start = "\nimport init from '/app-1.js';\nawait init('/app-1_bg.wasm');\n";
    std::fs::write(
        assets.path().join("index.html"),
        format!(
            "<html><head><script type=\"module\" src=\"/other.js\"></script></head>\
             <body><script type=\"module\">{start}</script></body></html>"
        ),
    )
    .unwrap();
    let dir = assets.path().to_owned();
    let app = TestApp::with(move |c| c.assets_dir = dir).await;
    let res = app.send(crate::support::get("/t/contoso", None)).await;
    assert_eq!(res.status, StatusCode::OK);
    let csp = res.header("content-security-policy").unwrap().to_owned();
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(start.as_bytes()));
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    assert_eq!(
        csp.matches("'sha256-").count(),
        1,
        "scripts with src need no hash: {csp}"
    );
    assert!(
        csp.contains(&format!("frame-ancestors 'self' {ALLOWED}")),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
}

#[tokio::test]
async fn the_session_cookie_is_lax_unless_cross_site_embedding_is_on() {
    let body = serde_json::json!({"email": "owner@demo.test", "password": opsux_server::demo::DEMO_PASSWORD});
    for (cross_site, expect) in [(false, "SameSite=Lax"), (true, "SameSite=None")] {
        let app = TestApp::with(move |c| c.cross_site_cookies = cross_site).await;
        let res = app.post("/api/login", None, &body).await;
        assert_eq!(res.status, StatusCode::OK);
        let cookie = res.header("set-cookie").unwrap();
        assert!(cookie.contains(expect), "{cookie}");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        // Browsers drop SameSite=None without Secure.
        assert_eq!(cookie.contains("Secure"), cross_site, "{cookie}");
    }
}
