// Backup sets and restore runs as records: created with validation, listed newest first,
// read with their items; tenant-scoped (R16) and written only by the roles allowed to.
use axum::http::StatusCode;
use opsux_server::provider::Policy;
use serde_json::json;

use crate::support::TestApp;

fn policy(n: usize) -> Policy {
    Policy {
        id: format!("ext-{n}"),
        kind: "windows10GeneralConfiguration".to_owned(),
        display_name: format!("Policy {n}"),
        last_modified: String::new(),
        version: 3,
        snapshot: json!({"n": n}),
    }
}

#[tokio::test]
async fn a_backup_set_lists_its_items_by_policy_name() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    let created = app
        .post(
            "/api/t/contoso/backup-sets",
            Some(&owner),
            &json!({"name": " Before the upgrade "}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let created = created.json();
    assert_eq!(created["name"], "Before the upgrade");
    assert_eq!(created["item_count"], 0);
    let set = created["id"].as_str().unwrap().to_owned();

    let contoso = app.tenant("contoso").await;
    for n in [2, 1] {
        let id = app
            .store()
            .upsert_policy(contoso.id, &(&policy(n)).into(), 0)
            .await
            .unwrap();
        assert!(
            app.store()
                .add_backup_item(&set, &id, 3, &json!({"n": n}), 5)
                .await
                .unwrap()
        );
        assert!(
            !app.store()
                .add_backup_item(&set, &id, 3, &json!({"n": n}), 6)
                .await
                .unwrap(),
            "an item is kept once per set"
        );
    }
    let detail = app
        .get(&format!("/api/t/contoso/backup-sets/{set}"), Some(&owner))
        .await
        .json();
    assert_eq!(detail["set"]["item_count"], 2);
    let names: Vec<&str> = detail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["policy_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Policy 1", "Policy 2"]);
}

#[tokio::test]
async fn backup_sets_come_newest_first_in_pages() {
    let app = TestApp::with_manual_clock().await;
    let owner = app.login("owner@demo.test").await;
    for name in ["first", "second", "third"] {
        let res = app
            .post(
                "/api/t/contoso/backup-sets",
                Some(&owner),
                &json!({"name": name}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED);
        app.advance(std::time::Duration::from_secs(1));
    }
    let page = app
        .get("/api/t/contoso/backup-sets?limit=2", Some(&owner))
        .await
        .json();
    assert_eq!(page["items"][0]["name"], "third");
    assert_eq!(page["items"][1]["name"], "second");
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/api/t/contoso/backup-sets?limit=2&cursor={cursor}"),
            Some(&owner),
        )
        .await
        .json();
    assert_eq!(rest["items"][0]["name"], "first");
    assert!(rest["next_cursor"].is_null());
}

#[tokio::test]
async fn a_restore_run_is_made_from_the_tenants_own_backup_set() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    let ours = app
        .post(
            "/api/t/contoso/backup-sets",
            Some(&owner),
            &json!({"name": "ours"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let theirs = app
        .post(
            "/api/t/fabrikam/backup-sets",
            Some(&owner),
            &json!({"name": "theirs"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = app
        .post(
            "/api/t/contoso/restore-runs",
            Some(&owner),
            &json!({"backup_set_id": theirs, "name": "wrong"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("backup_set_id")
    );

    let made = app
        .post(
            "/api/t/contoso/restore-runs",
            Some(&owner),
            &json!({"backup_set_id": ours, "name": "Roll back"}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    let made = made.json();
    assert_eq!(made["archived"], false);
    assert!(made["executed_at"].is_null());
    let id = made["id"].as_str().unwrap();
    let one = app
        .get(&format!("/api/t/contoso/restore-runs/{id}"), Some(&owner))
        .await;
    assert_eq!(one.json()["backup_set_id"], ours.as_str());
    let live = app
        .get("/api/t/contoso/restore-runs?archived=false", Some(&owner))
        .await
        .json();
    assert_eq!(live["items"].as_array().unwrap().len(), 1);
    let archived = app
        .get("/api/t/contoso/restore-runs?archived=true", Some(&owner))
        .await
        .json();
    assert_eq!(archived["items"], json!([]));
    assert_eq!(
        app.get(&format!("/api/t/fabrikam/restore-runs/{id}"), Some(&owner))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Archived (twice: the same answer), it is listed as archived; another tenant's path is
    // not found.
    let archive = format!("/api/t/contoso/restore-runs/{id}/archive");
    for _ in 0..2 {
        let res = app.post(&archive, Some(&owner), &json!({})).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!(res.json()["archived"], true);
    }
    let archived = app
        .get("/api/t/contoso/restore-runs?archived=true", Some(&owner))
        .await
        .json();
    assert_eq!(archived["items"][0]["id"], id);
    // An archived record is not executed (unarchive it first).
    let execute = app
        .post(
            "/api/t/contoso/operations",
            Some(&owner),
            &json!({"type": "restore_execute", "params": {"restore_run_id": id}}),
        )
        .await;
    assert_eq!(execute.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        execute.json()["error"]["message"],
        format!("params.restore_run_id: no unarchived restore run \"{id}\" in this tenant")
    );
    let foreign = format!("/api/t/fabrikam/restore-runs/{id}/archive");
    assert_eq!(
        app.post(&foreign, Some(&owner), &json!({})).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn readers_may_look_but_not_write_and_outsiders_see_nothing() {
    let app = TestApp::new().await;
    let reader = app.login("reader@demo.test").await;
    assert_eq!(
        app.get("/api/t/contoso/backup-sets", Some(&reader))
            .await
            .status,
        StatusCode::OK
    );
    for (path, body) in [
        ("/api/t/contoso/backup-sets", json!({"name": "x"})),
        (
            "/api/t/contoso/restore-runs",
            json!({"backup_set_id": "x", "name": "x"}),
        ),
        ("/api/t/contoso/restore-runs/x/archive", json!({})),
    ] {
        assert_eq!(
            app.post(path, Some(&reader), &body).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let outsider = app.login("outsider@demo.test").await;
    for path in ["/api/t/contoso/backup-sets", "/api/t/contoso/restore-runs"] {
        assert_eq!(
            app.get(path, Some(&outsider)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let owner = app.login("owner@demo.test").await;
    let nameless = app
        .post(
            "/api/t/contoso/backup-sets",
            Some(&owner),
            &json!({"name": ""}),
        )
        .await;
    assert_eq!(nameless.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        nameless.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("name")
    );
}
