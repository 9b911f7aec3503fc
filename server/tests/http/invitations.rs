// R16, R19, R22: invitations — owners invite by e-mail with a role; the link works once, for 7
// days, until revoked; accepting makes the account (or needs the existing one signed in), makes
// the person a member and signs them in; each step is audited.
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, with_origin};

/// `POST …/invitations` as `cookie`; the link's token.
async fn invite(app: &TestApp, cookie: &str, email: &str, role: &str) -> String {
    let made = app
        .post(
            "/api/t/contoso/invitations",
            Some(cookie),
            &json!({"email": email, "role": role}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    let path = made.json()["path"].as_str().unwrap().to_owned();
    path.strip_prefix("/invite/")
        .expect("an /invite/ path")
        .to_owned()
}

async fn accept(
    app: &TestApp,
    token: &str,
    cookie: Option<&str>,
    body: &Value,
) -> crate::support::Response {
    app.post(&format!("/api/invitations/{token}/accept"), cookie, body)
        .await
}

#[tokio::test]
async fn an_invited_colleague_makes_an_account_and_lands_in_the_tenant_once() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    let reader = app.login("reader@demo.test").await;

    // Owners only.
    let refused = app
        .post(
            "/api/t/contoso/invitations",
            Some(&reader),
            &json!({"email": "new@acme.test", "role": "reader"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let malformed = app
        .post(
            "/api/t/contoso/invitations",
            Some(&owner),
            &json!({"email": "not an address", "role": "reader"}),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let member = app
        .post(
            "/api/t/contoso/invitations",
            Some(&owner),
            &json!({"email": "reader@demo.test", "role": "owner"}),
        )
        .await;
    assert_eq!(
        member.status,
        StatusCode::CONFLICT,
        "an existing member is not invited"
    );

    let token = invite(&app, &owner, "nora@acme.test", "operator").await;
    let listed = app
        .get("/api/t/contoso/invitations", Some(&owner))
        .await
        .json();
    assert_eq!(listed["items"][0]["email"], "nora@acme.test");
    assert_eq!(listed["items"][0]["invited_by"], "Olivia Owner");
    assert_eq!(listed["items"][0]["expired"], false);

    // The person holding the link sees what it is for, without a session.
    let view = app.get(&format!("/api/invitations/{token}"), None).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.text());
    let view = view.json();
    assert_eq!(view["tenant_name"], "Contoso Ltd.");
    assert_eq!(view["role"], "operator");
    assert_eq!(view["account_exists"], false);

    // A name and a password that meets the rules are needed.
    let nameless = accept(&app, &token, None, &json!({"password": "a long password"})).await;
    assert_eq!(nameless.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        nameless.text().contains("display_name"),
        "{}",
        nameless.text()
    );
    let short = accept(
        &app,
        &token,
        None,
        &json!({"display_name": "Nora", "password": "short"}),
    )
    .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);

    let body = json!({"display_name": "Nora Newman", "password": "a long password"});
    let accepted = accept(&app, &token, None, &body).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text());
    let me = accepted.json();
    assert_eq!(me["user"]["email"], "nora@acme.test");
    assert_eq!(me["tenants"][0]["slug"], "contoso");
    assert_eq!(me["tenants"][0]["role"], "operator");
    let cookie = accepted
        .header("set-cookie")
        .expect("signed in")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let runs = app.get("/api/t/contoso/operations", Some(&cookie)).await;
    assert_eq!(runs.status, StatusCode::OK);

    // Once: the link is spent, and no longer listed.
    let again = accept(&app, &token, None, &body).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let gone = app.get(&format!("/api/invitations/{token}"), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let listed = app
        .get("/api/t/contoso/invitations", Some(&owner))
        .await
        .json();
    assert_eq!(listed["items"], json!([]));

    // Someone with an account accepts signed in as it, not by making another.
    let token = invite(&app, &owner, "outsider@demo.test", "reader").await;
    let view = app
        .get(&format!("/api/invitations/{token}"), None)
        .await
        .json();
    assert_eq!(view["account_exists"], true);
    let anonymous = accept(&app, &token, None, &body).await;
    assert_eq!(anonymous.status, StatusCode::CONFLICT);
    assert!(
        anonymous.text().contains("sign in as outsider@demo.test"),
        "{}",
        anonymous.text()
    );
    let wrong_person = accept(&app, &token, Some(&reader), &json!({})).await;
    assert_eq!(wrong_person.status, StatusCode::CONFLICT);
    let outsider = app.login("outsider@demo.test").await;
    let joined = accept(&app, &token, Some(&outsider), &json!({})).await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.text());
    assert_eq!(joined.json()["tenants"][0]["role"], "reader");

    // Revoked: the link stops working.
    let token = invite(&app, &owner, "late@acme.test", "reader").await;
    let id = app
        .get("/api/t/contoso/invitations", Some(&owner))
        .await
        .json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/t/contoso/invitations/{id}");
    let revoked = app
        .send(with_origin("DELETE", &path, Some(&owner), None))
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let twice = app
        .send(with_origin("DELETE", &path, Some(&owner), None))
        .await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND);
    let dead = app.get(&format!("/api/invitations/{token}"), None).await;
    assert_eq!(dead.status, StatusCode::NOT_FOUND);

    // Every step is in the tenant's audit log.
    let entries = app.audit_trail("contoso", &owner).await;
    assert_eq!(
        entries,
        [
            "invitation.revoke by Olivia Owner",
            "invitation.create by Olivia Owner",
            "invitation.accept by Oscar Outsider",
            "invitation.create by Olivia Owner",
            "invitation.accept by Nora Newman",
            "invitation.create by Olivia Owner",
        ]
    );
}

#[tokio::test]
async fn an_invitation_expires_after_seven_days() {
    let app = TestApp::with_manual_clock().await;
    let owner = app.login("owner@demo.test").await;
    let token = invite(&app, &owner, "slow@acme.test", "reader").await;
    app.advance(Duration::from_secs(7 * 24 * 60 * 60 - 60));
    let still = app.get(&format!("/api/invitations/{token}"), None).await;
    assert_eq!(still.status, StatusCode::OK);
    app.advance(Duration::from_secs(120));
    let body = json!({"display_name": "Slow", "password": "a long password"});
    let expired = accept(&app, &token, None, &body).await;
    assert_eq!(expired.status, StatusCode::NOT_FOUND);
    assert!(expired.text().contains("expired"), "{}", expired.text());
}
