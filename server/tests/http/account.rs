// R17, R19, R21: a person's own account — changing the password needs the current one, keeps
// this session and ends the others; "Sign out everywhere" ends them all, this one included.
use axum::http::StatusCode;
use serde_json::json;

use crate::support::TestApp;

async fn login_with(app: &TestApp, email: &str, password: &str) -> crate::support::Response {
    app.post(
        "/api/login",
        None,
        &json!({"email": email, "password": password}),
    )
    .await
}

fn cookie_of(res: &crate::support::Response) -> String {
    res.header("set-cookie")
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_new_password_needs_the_current_one_and_ends_the_other_sessions() {
    let app = TestApp::new().await;
    let here = app.login("reader@demo.test").await;
    let elsewhere = app.login("reader@demo.test").await;
    let sessions = app.get("/api/me/sessions", Some(&here)).await.json();
    let items = sessions["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);

    let wrong = app
        .post(
            "/api/me/password",
            Some(&here),
            &json!({"current_password": "not it", "new_password": "a brand new password"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.text().contains("current_password"),
        "{}",
        wrong.text()
    );
    let short = app
        .post(
            "/api/me/password",
            Some(&here),
            &json!({"current_password": "opsux-demo", "new_password": "short"}),
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.text().contains("at least 12"), "{}", short.text());

    let changed = app
        .post(
            "/api/me/password",
            Some(&here),
            &json!({"current_password": "opsux-demo", "new_password": "a brand new password"}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.text());
    assert_eq!(app.get("/api/me", Some(&here)).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/me", Some(&elsewhere)).await.status,
        StatusCode::UNAUTHORIZED,
        "the other session ended"
    );
    let old = login_with(&app, "reader@demo.test", "opsux-demo").await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = login_with(&app, "reader@demo.test", "a brand new password").await;
    assert_eq!(new.status, StatusCode::OK);

    // In the workspace's audit log, by the person, without the password.
    let store = app.store();
    let workspace = store.workspace().await.unwrap().unwrap();
    let (entries, _) = store
        .audit_log(
            opsux_server::store::audit::AuditScope::Workspace(workspace.id.parse().unwrap()),
            None,
            10,
        )
        .await
        .unwrap();
    let entry = entries
        .iter()
        .find(|e| e.action == "user.password_set")
        .expect("an entry");
    assert_eq!(entry.actor_label, "Riley Reader");
    assert_eq!(
        entry.after,
        Some(json!({"email": "reader@demo.test", "sessions_ended": 1}))
    );
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session() {
    let app = TestApp::new().await;
    let here = app.login("owner@demo.test").await;
    let first = login_with(&app, "owner@demo.test", "opsux-demo").await;
    let elsewhere = cookie_of(&first);
    let ended = app
        .post("/api/me/sessions/end-all", Some(&here), &json!({}))
        .await;
    assert_eq!(ended.status, StatusCode::NO_CONTENT);
    assert!(ended.header("set-cookie").unwrap().contains("Max-Age=0"));
    for cookie in [&here, &elsewhere] {
        assert_eq!(
            app.get("/api/me", Some(cookie)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

// R19: failed sign-ins are counted per account, not written per attempt: the first after a
// quiet spell at once, the ones after it together — at the next successful sign-in, or by the
// scheduler once ten minutes have passed, so a burst that stops is still recorded.
#[tokio::test]
async fn failed_sign_ins_reach_the_audit_log_counted_even_when_the_burst_stops() {
    use opsux_server::org;
    use opsux_server::store::audit::AuditScope;
    let app = TestApp::new().await;
    let store = app.store();
    let workspace = store.workspace().await.unwrap().unwrap();
    let scope = AuditScope::Workspace(workspace.id.parse().unwrap());
    let failures = |entries: &[opsux_core::wire::AuditEntryDto]| -> Vec<serde_json::Value> {
        entries
            .iter()
            .filter(|e| e.action == "sign_in.failed")
            .map(|e| e.after.clone().unwrap()["failures"].clone())
            .collect()
    };
    let t0 = 1_000_000;
    for n in 0..4 {
        org::sign_in_failed(store, "reader@demo.test", t0 + n)
            .await
            .unwrap();
    }
    org::sign_in_failed(store, "nobody@demo.test", t0)
        .await
        .unwrap();
    let (entries, _) = store.audit_log(scope, None, 50).await.unwrap();
    assert_eq!(
        failures(&entries),
        [json!(1)],
        "the first at once, the rest pending"
    );

    // Not yet due, then due.
    assert_eq!(
        org::record_pending_failures(store, t0 + 60_000)
            .await
            .unwrap(),
        0
    );
    let due = t0 + org::RECORD_EVERY_MS + 1;
    assert_eq!(org::record_pending_failures(store, due).await.unwrap(), 1);
    let (entries, _) = store.audit_log(scope, None, 50).await.unwrap();
    assert_eq!(failures(&entries), [json!(3), json!(1)]);
    assert_eq!(
        org::record_pending_failures(store, due + 1).await.unwrap(),
        0
    );
}
