// Backup schedules: plain records with validation (a 422 naming the field), tenant-scoped
// (R16), written only by roles with backup.manage; each shows its next three run times.
use axum::http::StatusCode;
use opsux_server::store::inventory::SeenPolicy;
use serde_json::{Value, json};

use crate::support::{TestApp, with_origin};

const LIST: &str = "/api/t/contoso/backup-schedules";

fn nightly() -> Value {
    json!({"name": "Nightly", "cron": "0 3 * * *", "policy_selection": "all", "keep_last": 7})
}

#[tokio::test]
async fn an_owner_creates_changes_and_deletes_a_schedule() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    let created = app.post(LIST, Some(&owner), &nightly()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let created = created.json();
    assert_eq!(created["enabled"], true);
    assert_eq!(created["policy_selection"], "all");
    let next: Vec<&str> = created["next_runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(next.len(), 3);
    assert!(next.iter().all(|t| t.contains("T03:00:00")), "{next:?}");
    let id = created["id"].as_str().unwrap();
    let one = format!("{LIST}/{id}");

    let reader = app.login("reader@demo.test").await;
    let listed = app.get(LIST, Some(&reader)).await.json();
    assert_eq!(listed["items"][0]["name"], "Nightly");

    let changed = app
        .send(with_origin(
            "PATCH",
            &one,
            Some(&owner),
            Some(&json!({"enabled": false, "keep_last": 3, "name": "  Nightly (paused)  "})),
        ))
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    let changed = changed.json();
    assert_eq!(changed["keep_last"], 3);
    assert_eq!(changed["name"], "Nightly (paused)");
    assert_eq!(
        changed["next_runs"],
        json!([]),
        "a disabled schedule does not fire"
    );
    assert_eq!(changed["cron"], "0 3 * * *");

    let deleted = app
        .send(with_origin("DELETE", &one, Some(&owner), None))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&one, Some(&owner)).await.status,
        StatusCode::NOT_FOUND
    );
    let again = app
        .send(with_origin("DELETE", &one, Some(&owner), None))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn readers_may_look_outsiders_see_nothing_and_tenants_stay_apart() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    let theirs = app
        .post("/api/t/fabrikam/backup-schedules", Some(&owner), &nightly())
        .await
        .json();
    let theirs = format!("{LIST}/{}", theirs["id"].as_str().unwrap());
    assert_eq!(
        app.get(&theirs, Some(&owner)).await.status,
        StatusCode::NOT_FOUND
    );
    let patched = app
        .send(with_origin(
            "PATCH",
            &theirs,
            Some(&owner),
            Some(&json!({"keep_last": 1})),
        ))
        .await;
    assert_eq!(patched.status, StatusCode::NOT_FOUND);

    let reader = app.login("reader@demo.test").await;
    let refused = app.post(LIST, Some(&reader), &nightly()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("backup.manage")
    );

    let outsider = app.login("outsider@demo.test").await;
    assert_eq!(
        app.get(LIST, Some(&outsider)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(LIST, Some(&outsider), &nightly()).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn each_invalid_field_is_named_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let fabrikam = app.tenant("fabrikam").await;
    let foreign = app
        .store()
        .upsert_policy(
            fabrikam.id,
            &SeenPolicy {
                external_id: "ext-1",
                kind: "windows10GeneralConfiguration",
                display_name: "Theirs",
                last_modified: "",
                version: 1,
            },
            0,
        )
        .await
        .unwrap();
    let owner = app.login("owner@demo.test").await;
    let with = |field: &str, value: Value| {
        let mut body = nightly();
        body[field] = value;
        body
    };
    for (body, names) in [
        (with("name", json!("   ")), "name"),
        (with("cron", json!("every night")), "cron"),
        (with("cron", json!("0 25 * * *")), "cron"),
        (with("keep_last", json!(0)), "keep_last"),
        (
            with("policy_selection", json!({"kinds": []})),
            "policy_selection.kinds",
        ),
        (
            with("policy_selection", json!({"policy_ids": [foreign]})),
            "policy_selection.policy_ids",
        ),
        (with("policy_selection", json!("some")), "policy_selection"),
        (with("colour", json!("red")), "colour"),
        (
            json!({"name": "x", "cron": "0 3 * * *", "policy_selection": "all"}),
            "keep_last",
        ),
    ] {
        let res = app.post(LIST, Some(&owner), &body).await;
        assert!(res.status.is_client_error(), "{body}: {}", res.status);
        let message = res.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(names), "{body}: {message}");
    }
    assert_eq!(app.get(LIST, Some(&owner)).await.json()["items"], json!([]));
}

#[tokio::test]
async fn a_cron_that_never_fires_or_fires_too_often_is_refused() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    for (cron, says) in [
        ("0 0 31 2 *", "never fires"),
        ("* * * * *", "every 15 minutes"),
        ("*/10 * * * *", "every 15 minutes"),
    ] {
        let mut body = nightly();
        body["cron"] = json!(cron);
        let refused = app.post(LIST, Some(&owner), &body).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{cron}");
        let message = refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            message.starts_with("cron: ") && message.contains(says),
            "{message}"
        );
    }
    let created = app.post(LIST, Some(&owner), &nightly()).await.json();
    let one = format!("{LIST}/{}", created["id"].as_str().unwrap());
    let every_minute = app
        .send(with_origin(
            "PATCH",
            &one,
            Some(&owner),
            Some(&json!({"cron": "* * * * *"})),
        ))
        .await;
    assert_eq!(every_minute.status, StatusCode::UNPROCESSABLE_ENTITY);
    let listed = app.get(LIST, Some(&owner)).await.json();
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        1,
        "nothing stored"
    );
    assert_eq!(listed["items"][0]["cron"], "0 3 * * *");
}

#[tokio::test]
async fn a_tenant_holds_at_most_fifty_schedules() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    for n in 0..50 {
        let mut body = nightly();
        body["name"] = json!(format!("Nightly {n}"));
        let created = app.post(LIST, Some(&owner), &body).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    }
    let refused = app.post(LIST, Some(&owner), &nightly()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text().contains("50 backup schedules"),
        "{}",
        refused.text()
    );
    let listed = app.get(LIST, Some(&owner)).await.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 50);
    // Another tenant's count is its own.
    let theirs = app
        .post("/api/t/fabrikam/backup-schedules", Some(&owner), &nightly())
        .await;
    assert_eq!(theirs.status, StatusCode::CREATED);
}

#[tokio::test]
async fn deleting_a_schedule_is_audited_with_the_schedule_as_it_was() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    let created = app.post(LIST, Some(&owner), &nightly()).await.json();
    let id = created["id"].as_str().unwrap();
    let deleted = app
        .send(with_origin(
            "DELETE",
            &format!("{LIST}/{id}"),
            Some(&owner),
            None,
        ))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let log = app
        .get("/api/t/contoso/audit-log", Some(&owner))
        .await
        .json();
    let entry = &log["items"][0];
    assert_eq!(entry["action"], "backup_schedule.delete");
    assert_eq!(entry["actor_label"], "Olivia Owner", "{entry}");
    assert_eq!(entry["before"]["id"], id);
    assert_eq!(entry["before"]["cron"], "0 3 * * *");
    assert!(entry["after"].is_null());
}
