// R19: the audit log shows owners who did what, when, before and after — newest first, this
// tenant's only; anyone else is refused.
use axum::http::StatusCode;
use opsux_server::store::audit::{Actor, AuditScope, NewAuditEntry, record};
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn owners_read_the_tenants_audit_log_newest_first() {
    let app = TestApp::new().await;
    let contoso = app.tenant("contoso").await;
    let fabrikam = app.tenant("fabrikam").await;
    let owner_id = app.user_id("owner@demo.test").await;
    let before = json!({"id": "r1", "name": "Old restore", "archived": true});
    let mut tx = app.store().begin().await.unwrap();
    for (tenant, action, at, actor) in [
        (
            contoso.id,
            "restore_run.force_delete",
            2_000,
            Some(owner_id),
        ),
        (contoso.id, "membership.role_change", 1_000, None),
        (
            fabrikam.id,
            "restore_run.force_delete",
            3_000,
            Some(owner_id),
        ),
    ] {
        let entry = NewAuditEntry {
            scope: AuditScope::Tenant(tenant),
            actor: Actor::of_initiator(actor),
            action,
            before: Some(&before),
            after: None,
            run_id: None,
            at_ms: at,
        };
        record(&mut tx.conn(), &entry).await.unwrap();
    }
    tx.commit().await.unwrap();

    let owner = app.login("owner@demo.test").await;
    let log = app.get("/api/t/contoso/audit-log", Some(&owner)).await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.text());
    let log = log.json();
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "fabrikam's entry is not shown");
    assert_eq!(items[0]["action"], "restore_run.force_delete");
    assert_eq!(items[0]["actor"]["display_name"], "Olivia Owner");
    assert_eq!(items[0]["before"], before);
    assert!(items[0]["after"].is_null());
    assert_eq!(items[0]["actor_label"], "Olivia Owner");
    assert!(items[1]["actor"].is_null(), "a system action has no actor");
    assert_eq!(items[1]["actor_label"], "system");

    let page = app
        .get("/api/t/contoso/audit-log?limit=1", Some(&owner))
        .await
        .json();
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/api/t/contoso/audit-log?limit=1&cursor={cursor}"),
            Some(&owner),
        )
        .await
        .json();
    assert_eq!(rest["items"][0]["action"], "membership.role_change");
}

#[tokio::test]
async fn only_owners_may_read_it() {
    let app = TestApp::new().await;
    let reader = app.login("reader@demo.test").await;
    let refused = app.get("/api/t/contoso/audit-log", Some(&reader)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("owners")
    );
    let outsider = app.login("outsider@demo.test").await;
    assert_eq!(
        app.get("/api/t/contoso/audit-log", Some(&outsider))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
