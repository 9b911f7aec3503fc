// R17 sessions: HttpOnly + SameSite cookies; login, me, logout.
use axum::http::StatusCode;
use insta::assert_json_snapshot;
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn login_sets_a_hardened_session_cookie_and_me_lists_tenants() {
    let app = TestApp::new().await;
    let res = app
        .post(
            "/api/login",
            None,
            &json!({"email": "owner@demo.test", "password": "opsux-demo"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let cookie = res.header("set-cookie").unwrap();
    assert!(cookie.starts_with("opsux_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");

    let session = cookie.split(';').next().unwrap();
    let me = app.get("/api/me", Some(session)).await.json();
    assert_eq!(me["user"]["email"], "owner@demo.test");
    let tenants: Vec<(&str, &str)> = me["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["slug"].as_str().unwrap(), t["role"].as_str().unwrap()))
        .collect();
    assert_eq!(tenants, [("contoso", "owner"), ("fabrikam", "owner")]);
}

#[tokio::test]
async fn reader_sees_only_view_capabilities() {
    let app = TestApp::new().await;
    let cookie = app.login("reader@demo.test").await;
    let me = app.get("/api/me", Some(&cookie)).await.json();
    assert_json_snapshot!(me["tenants"], @r#"
    [
      {
        "capabilities": [
          "runs.view"
        ],
        "name": "Contoso Ltd.",
        "role": "reader",
        "slug": "contoso"
      }
    ]
    "#);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = TestApp::new().await;
    let wrong_password = app
        .post(
            "/api/login",
            None,
            &json!({"email": "owner@demo.test", "password": "nope"}),
        )
        .await;
    let unknown_user = app
        .post(
            "/api/login",
            None,
            &json!({"email": "nobody@demo.test", "password": "opsux-demo"}),
        )
        .await;
    for res in [&wrong_password, &unknown_user] {
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        assert!(res.header("set-cookie").is_none());
    }
    assert_eq!(wrong_password.body, unknown_user.body);
    assert_json_snapshot!(wrong_password.json(), @r#"
    {
      "error": {
        "code": "unauthenticated",
        "message": "wrong e-mail or password"
      }
    }
    "#);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::new().await;
    let cookie = app.login("owner@demo.test").await;
    assert_eq!(
        app.get("/api/me", Some(&cookie)).await.status,
        StatusCode::OK
    );
    let res = app.post("/api/logout", Some(&cookie), &json!({})).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/me", Some(&cookie)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn without_a_session_the_api_says_sign_in() {
    let app = TestApp::new().await;
    for path in [
        "/api/me",
        "/api/me/notifications",
        "/api/t/contoso/operations",
    ] {
        let res = app.get(path, None).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(res.json()["error"]["code"], "unauthenticated", "{path}");
    }
    let forged = app.get("/api/me", Some("opsux_session=forged")).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_in_again_revokes_the_session_the_browser_had() {
    let app = TestApp::new().await;
    let first = app.login("owner@demo.test").await;
    let again = app
        .post(
            "/api/login",
            Some(&first),
            &json!({"email": "owner@demo.test", "password": "opsux-demo"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    let second = again
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    assert_ne!(second, first);
    assert_eq!(
        app.get("/api/me", Some(&first)).await.status,
        StatusCode::UNAUTHORIZED,
        "the replaced session no longer works"
    );
    assert_eq!(
        app.get("/api/me", Some(second)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn behind_https_the_cookie_is_secure_and_host_prefixed() {
    let app = TestApp::with(|config| {
        config.public_origin = Some("https://ops.example.com".to_owned());
    })
    .await;
    let res = app
        .send({
            let mut req = crate::support::post_json(
                "/api/login",
                None,
                &json!({"email": "owner@demo.test", "password": "opsux-demo"}),
            );
            req.headers_mut()
                .insert("origin", "https://ops.example.com".parse().unwrap());
            req
        })
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let cookie = res.header("set-cookie").unwrap();
    assert!(cookie.starts_with("__Host-opsux_session="), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert_eq!(
        res.header("strict-transport-security"),
        Some("max-age=31536000")
    );
    let session = cookie.split(';').next().unwrap();
    assert_eq!(
        app.get("/api/me", Some(session)).await.status,
        StatusCode::OK
    );
    // The unprefixed name is not read once the prefixed one is in use.
    let value = session.split_once('=').unwrap().1;
    let unprefixed = format!("opsux_session={value}");
    assert_eq!(
        app.get("/api/me", Some(&unprefixed)).await.status,
        StatusCode::UNAUTHORIZED
    );
}
