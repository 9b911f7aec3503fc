// Another service starts runs with a tenant's API token (`POST /api/v1/t/{tenant}/operations`):
// the panel's answer (toast, canonical link, "already queued" for an identical start, R4) for
// a member named by e-mail, or a system run; and every refusal — no token, a made-up or
// revoked one (401), another tenant's path (404, R16), a scope, type or initiator not allowed
// (403). No `Origin`: the callers are servers, and the token is the only credential.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use opsux_core::presenter;
use opsux_server::org::{self, Change, NewApiToken, TokenScope};
use opsux_server::store::audit::Actor;
use serde_json::{Value, json};

use crate::support::{HOST, OWNER, TestApp};

const PATH: &str = "/api/v1/t/contoso/operations";

async fn token(
    app: &TestApp,
    slug: &str,
    name: &str,
    scopes: &[TokenScope],
    types: Option<&[String]>,
) -> String {
    let change = Change {
        actor: Actor::System,
        at_ms: opsux_server::clock::to_ms(time::OffsetDateTime::now_utc()),
    };
    let new = NewApiToken {
        name,
        scopes,
        types,
        expires_days: None,
    };
    org::create_token(app.store(), &change, slug, &new)
        .await
        .unwrap()
        .secret
}

fn start(path: &str, token: Option<&str>, body: &Value) -> Request<Body> {
    let mut req = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    req.body(Body::from(body.to_string())).unwrap()
}

fn sync_for(email: &str) -> Value {
    json!({"type": "inventory_sync", "params": {}, "initiator": {"email": email}})
}

#[tokio::test]
async fn a_token_starts_a_run_for_a_member_with_the_panels_answer() {
    let app = TestApp::new().await;
    let secret = token(&app, "contoso", "billing", &[TokenScope::RunsStart], None).await;

    let first = app.send(start(PATH, Some(&secret), &sync_for(OWNER))).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.text());
    let first = first.json();
    assert_eq!(first["result"], "queued");
    let run = &first["run"];
    let id: opsux_core::RunId = run["id"].as_str().unwrap().parse().unwrap();
    let tenant: opsux_core::TenantSlug = "contoso".parse().unwrap();
    assert_eq!(
        first["toast"],
        serde_json::to_value(presenter::queued_toast("Inventory sync", &tenant, id)).unwrap()
    );
    assert_eq!(first["view_run_url"], presenter::view_run_url(&tenant, id));
    assert_eq!(run["initiator"]["id"], app.user_id(OWNER).await.to_string());

    // The identical start is the same run, "already queued" (R4).
    let again = app.send(start(PATH, Some(&secret), &sync_for(OWNER))).await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    let again = again.json();
    assert_eq!(again["result"], "already_queued");
    assert_eq!(again["run"]["id"], run["id"]);

    // The scheme's name in any case (RFC 9110): the same start, the same run.
    let lower = Request::post(PATH)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("bearer {secret}"))
        .body(Body::from(sync_for(OWNER).to_string()))
        .unwrap();
    let lower = app.send(lower).await;
    assert_eq!(lower.status, StatusCode::ACCEPTED, "{}", lower.text());
    assert_eq!(lower.json()["run"]["id"], run["id"]);

    // Without an initiator, a system run.
    let system = app
        .send(start(
            PATH,
            Some(&secret),
            &json!({"type": "entra_group_sync", "params": {}}),
        ))
        .await;
    assert_eq!(system.status, StatusCode::ACCEPTED, "{}", system.text());
    assert!(system.json()["run"]["initiator"].is_null());
}

#[tokio::test]
async fn tokens_that_are_missing_made_up_revoked_or_elsewhere_get_nothing() {
    let app = TestApp::new().await;
    let secret = token(&app, "contoso", "billing", &[TokenScope::RunsStart], None).await;
    let body = sync_for(OWNER);

    for (presented, why) in [
        (None, "no token"),
        (Some("opsux_made_up"), "made up"),
        (Some("not even ours"), "not a token of ours"),
    ] {
        let res = app.send(start(PATH, presented, &body)).await;
        assert_eq!(
            res.status,
            StatusCode::UNAUTHORIZED,
            "{why}: {}",
            res.text()
        );
        assert_eq!(res.json()["error"]["code"], "unauthenticated", "{why}");
    }
    // A path that cannot be read names no tenant of the token's either.
    let unreadable = app
        .send(start("/api/v1/t/%FF/operations", Some(&secret), &body))
        .await;
    assert_eq!(
        unreadable.status,
        StatusCode::NOT_FOUND,
        "{}",
        unreadable.text()
    );
    // The contoso token on fabrikam's path: as if fabrikam did not exist.
    let elsewhere = app
        .send(start("/api/v1/t/fabrikam/operations", Some(&secret), &body))
        .await;
    assert_eq!(
        elsewhere.status,
        StatusCode::NOT_FOUND,
        "{}",
        elsewhere.text()
    );

    // Revoked: refused at the next request.
    let change = Change {
        actor: Actor::System,
        at_ms: opsux_server::clock::to_ms(time::OffsetDateTime::now_utc()),
    };
    org::revoke_token(app.store(), &change, "contoso", "billing")
        .await
        .unwrap();
    let revoked = app.send(start(PATH, Some(&secret), &body)).await;
    assert_eq!(
        revoked.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        revoked.text()
    );
    assert_eq!(app.run_count().await, 0, "nothing was started");
}

#[tokio::test]
async fn a_scope_type_or_initiator_the_token_may_not_use_is_forbidden() {
    let app = TestApp::new().await;
    let work_only = token(&app, "contoso", "worker", &[TokenScope::RunsWork], None).await;
    let exports_only = token(
        &app,
        "contoso",
        "exports",
        &[TokenScope::RunsStart],
        Some(&["policy_export".to_owned()]),
    )
    .await;
    let any = token(&app, "contoso", "any", &[TokenScope::RunsStart], None).await;

    let forbidden = |res: &crate::support::Response, why: &str| {
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{why}: {}", res.text());
        assert_eq!(res.json()["error"]["code"], "forbidden", "{why}");
    };
    forbidden(
        &app.send(start(PATH, Some(&work_only), &sync_for(OWNER)))
            .await,
        "runs:work only",
    );
    forbidden(
        &app.send(start(PATH, Some(&exports_only), &sync_for(OWNER)))
            .await,
        "another type",
    );
    for (email, why) in [
        ("outsider@demo.test", "not a member"),
        ("nobody@demo.test", "no account"),
        ("reader@demo.test", "a reader may not start"),
    ] {
        let res = app.send(start(PATH, Some(&any), &sync_for(email))).await;
        forbidden(&res, why);
        assert!(
            res.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("must be a member of contoso"),
            "{why}"
        );
    }
    // Bad input is the panel's 4xx, nothing started.
    let unknown = app
        .send(start(
            PATH,
            Some(&any),
            &json!({"type": "inventory_sync", "params": {}, "who": "me"}),
        ))
        .await;
    assert!(unknown.status.is_client_error(), "{}", unknown.text());
    assert_eq!(app.run_count().await, 0);
}

// The Workspace page's list and revoke: owners of the workspace see every tenant's live
// tokens (never a secret) and revoke one, audited, refused from the next request on; anyone
// else gets the 404 the workspace always answers them.
#[tokio::test]
async fn workspace_owners_see_tokens_without_secrets_and_revoke_them() {
    use crate::support::with_origin;

    let app = TestApp::new().await;
    let secret = token(
        &app,
        "contoso",
        "billing export",
        &[TokenScope::RunsStart],
        None,
    )
    .await;
    let owner = app.login(OWNER).await;
    let overview = app.get("/api/workspace", Some(&owner)).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(
        !overview.text().contains(&secret["opsux_".len()..]),
        "no secret"
    );
    let contoso = overview.json()["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "contoso")
        .cloned()
        .unwrap();
    assert_eq!(contoso["tokens"][0]["name"], "billing export");
    assert_eq!(contoso["tokens"][0]["scopes"], json!(["runs:start"]));
    assert_eq!(contoso["tokens"][0]["types"], Value::Null);

    let path = "/api/workspace/tenants/contoso/tokens/billing%20export";
    for email in ["reader@demo.test", "outsider@demo.test"] {
        let cookie = app.login(email).await;
        let res = app
            .send(with_origin("DELETE", path, Some(&cookie), None))
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{email}: {}", res.text());
    }
    let res = app
        .send(with_origin("DELETE", path, Some(&owner), None))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let tenants = res.json()["tenants"].clone();
    assert!(
        tenants
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["tokens"] == json!([])),
        "{tenants}"
    );
    let again = app
        .send(with_origin("DELETE", path, Some(&owner), None))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.text());
    let refused = app.send(start(PATH, Some(&secret), &sync_for(OWNER))).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(
        app.audit_trail("contoso", &owner)
            .await
            .iter()
            .any(|a| a.starts_with("token.revoke")),
        "audited"
    );
}
