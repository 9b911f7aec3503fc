// R16, R19, R21: a tenant's members as the Members page reads and changes them — every member
// sees who has access; only owners change roles or remove; the last owner stays; each change is
// in the audit log with the person who made it; a removed member's session gets 404 at once.
use axum::http::StatusCode;
use serde_json::json;

use crate::support::{TestApp, with_origin};

#[tokio::test]
async fn owners_change_roles_and_remove_members_and_the_last_owner_stays() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    let reader = app.login("reader@demo.test").await;
    let reader_id = app.user_id("reader@demo.test").await;
    let owner_id = app.user_id("owner@demo.test").await;

    // Every member sees who has access, owners first.
    let seen = app.get("/api/t/contoso/members", Some(&reader)).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text());
    let seen = seen.json();
    let people: Vec<(&str, &str)> = seen["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        people,
        [("owner@demo.test", "owner"), ("reader@demo.test", "reader")]
    );

    // A reader may not change anyone, themselves included.
    let path = format!("/api/t/contoso/members/{reader_id}");
    let refused = app
        .send(with_origin(
            "PUT",
            &path,
            Some(&reader),
            Some(&json!({"role": "owner"})),
        ))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());

    // The owner promotes the reader to operator: the same session may now start a run.
    let changed = app
        .send(with_origin(
            "PUT",
            &path,
            Some(&owner),
            Some(&json!({"role": "operator"})),
        ))
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    assert_eq!(changed.json()["items"][1]["role"], "operator");
    let started = app
        .post(
            "/api/t/contoso/operations",
            Some(&reader),
            &json!({"type": "inventory_sync"}),
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.text());

    // An unknown role, and a stranger's id, are refused.
    let bad = app
        .send(with_origin(
            "PUT",
            &path,
            Some(&owner),
            Some(&json!({"role": "admin"})),
        ))
        .await;
    assert_eq!(bad.status.as_u16() / 100, 4);
    let outsider = app.user_id("outsider@demo.test").await;
    let stranger = app
        .send(with_origin(
            "DELETE",
            &format!("/api/t/contoso/members/{outsider}"),
            Some(&owner),
            None,
        ))
        .await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);

    // The last owner can be neither demoted nor removed.
    let own = format!("/api/t/contoso/members/{owner_id}");
    let demote = app
        .send(with_origin(
            "PUT",
            &own,
            Some(&owner),
            Some(&json!({"role": "reader"})),
        ))
        .await;
    assert_eq!(demote.status, StatusCode::CONFLICT);
    assert!(
        demote.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("last owner")
    );
    let leave = app
        .send(with_origin("DELETE", &own, Some(&owner), None))
        .await;
    assert_eq!(leave.status, StatusCode::CONFLICT);

    // Removed: the reader's open session gets 404 for the tenant from the next request.
    let removed = app
        .send(with_origin("DELETE", &path, Some(&owner), None))
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let gone = app.get("/api/t/contoso/operations", Some(&reader)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    // Both changes are in the tenant's audit log, made by the owner.
    let entries = app.audit_trail("contoso", &owner).await;
    let log = app
        .get("/api/t/contoso/audit-log", Some(&owner))
        .await
        .json();
    assert_eq!(
        entries,
        [
            "member.revoke by Olivia Owner",
            "member.role_change by Olivia Owner"
        ]
    );
    assert_eq!(
        log["items"][1]["before"],
        json!({"email": "reader@demo.test", "role": "reader"})
    );
    assert_eq!(
        log["items"][1]["after"],
        json!({"email": "reader@demo.test", "role": "operator"})
    );
}
