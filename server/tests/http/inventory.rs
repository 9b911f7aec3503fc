// The inventory API (SPEC §5 domain data): policies with filters and keyset paging, a policy's
// captured versions, groups; tenant-scoped like everything else (R16), read-only (R15).
use opsux_server::provider::{Group, Policy};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::TestApp;

fn policy(n: usize, kind: &str) -> Policy {
    Policy {
        id: format!("ext-{n}"),
        kind: kind.to_owned(),
        display_name: format!("Policy {n:02}"),
        last_modified: "2026-11-01T10:00:00Z".to_owned(),
        version: 1,
        snapshot: json!({"id": format!("ext-{n}"), "displayName": format!("Policy {n:02}"), "version": 1}),
    }
}

/// Seven contoso policies (two kinds, one ignored) and one fabrikam policy; their ids here.
async fn seed(app: &TestApp) -> (Vec<String>, String) {
    let contoso = app.tenant("contoso").await;
    let mut ids = Vec::new();
    for n in 1..=7 {
        let kind = if n % 2 == 0 {
            "iosGeneralDeviceConfiguration"
        } else {
            "windows10GeneralConfiguration"
        };
        ids.push(
            app.store()
                .upsert_policy(contoso.id, &(&policy(n, kind)).into(), 1_000)
                .await
                .unwrap(),
        );
    }
    app.store()
        .set_ignored(contoso.id, &ids[..1], true)
        .await
        .unwrap();
    let fabrikam = app.tenant("fabrikam").await;
    let theirs = app
        .store()
        .upsert_policy(
            fabrikam.id,
            &(&policy(99, "windows10GeneralConfiguration")).into(),
            1_000,
        )
        .await
        .unwrap();
    (ids, theirs)
}

fn names(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn policies_are_listed_by_name_filtered_and_paged() {
    let app = TestApp::new().await;
    seed(&app).await;
    // A reader may look.
    let reader = app.login("reader@demo.test").await;
    let all = app.get("/api/t/contoso/policies", Some(&reader)).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text());
    let all = all.json();
    assert_eq!(names(&all).len(), 7, "fabrikam's policy is not listed");
    assert_eq!(all["items"][0]["name"], "Policy 01");
    assert_eq!(all["items"][0]["ignored"], true);
    assert_eq!(
        all["items"][0]["provider_id"], "ext-1",
        "its id at the provider"
    );

    let mut seen = Vec::new();
    let mut path = "/api/t/contoso/policies?limit=3".to_owned();
    loop {
        let page = app.get(&path, Some(&reader)).await.json();
        seen.extend(names(&page).iter().map(|n| (*n).to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/t/contoso/policies?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        (1..=7)
            .map(|n| format!("Policy {n:02}"))
            .collect::<Vec<_>>()
    );

    // The kinds the filter takes: contoso's only, sorted.
    let kinds = app
        .get("/api/t/contoso/policies/kinds", Some(&reader))
        .await
        .json();
    assert_eq!(
        kinds["items"],
        json!([
            "iosGeneralDeviceConfiguration",
            "windows10GeneralConfiguration"
        ])
    );

    let ios = app
        .get(
            "/api/t/contoso/policies?kind=iosGeneralDeviceConfiguration",
            Some(&reader),
        )
        .await
        .json();
    assert_eq!(names(&ios), ["Policy 02", "Policy 04", "Policy 06"]);
    let ignored = app
        .get("/api/t/contoso/policies?ignored=true", Some(&reader))
        .await
        .json();
    assert_eq!(names(&ignored), ["Policy 01"]);
}

#[tokio::test]
async fn a_policy_and_its_versions_newest_first() {
    let app = TestApp::new().await;
    let (ids, _) = seed(&app).await;
    let id = &ids[2];
    let store = app.store();
    assert!(
        store
            .capture_version(id, 1, &json!({"v": 1}), 1_000)
            .await
            .unwrap()
    );
    assert!(
        store
            .capture_version(id, 2, &json!({"v": 2, "name": "<b>x</b>"}), 2_000)
            .await
            .unwrap()
    );
    assert!(
        !store
            .capture_version(id, 2, &json!({"v": 2}), 3_000)
            .await
            .unwrap(),
        "a version is kept once"
    );
    let owner = app.login("owner@demo.test").await;
    let policy = app
        .get(&format!("/api/t/contoso/policies/{id}"), Some(&owner))
        .await;
    assert_eq!(policy.status, StatusCode::OK);
    assert_eq!(policy.json()["name"], "Policy 03");
    let versions = app
        .get(
            &format!("/api/t/contoso/policies/{id}/versions"),
            Some(&owner),
        )
        .await
        .json();
    let versions = versions["items"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["provider_version"], 2);
    assert_eq!(versions[0]["snapshot"], json!({"v": 2, "name": "<b>x</b>"}));
    assert_eq!(versions[1]["provider_version"], 1);
}

#[tokio::test]
async fn another_tenants_inventory_is_not_found_and_outsiders_see_nothing() {
    let app = TestApp::new().await;
    let (ids, theirs) = seed(&app).await;
    let owner = app.login("owner@demo.test").await;
    for path in [
        format!("/api/t/contoso/policies/{theirs}"),
        format!("/api/t/contoso/policies/{theirs}/versions"),
        "/api/t/contoso/policies/no-such-policy".to_owned(),
    ] {
        let res = app.get(&path, Some(&owner)).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(res.json()["error"]["code"], "not_found");
    }
    let outsider = app.login("outsider@demo.test").await;
    for path in [
        "/api/t/contoso/policies".to_owned(),
        format!("/api/t/contoso/policies/{}", ids[0]),
        format!("/api/t/contoso/policies/{}/versions", ids[0]),
        "/api/t/contoso/groups".to_owned(),
    ] {
        assert_eq!(
            app.get(&path, Some(&outsider)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn groups_are_listed_by_name_and_paged() {
    let app = TestApp::new().await;
    let contoso = app.tenant("contoso").await;
    for n in (1..=5).rev() {
        let group = Group {
            id: format!("g-{n}"),
            display_name: format!("Group {n}"),
            description: (n % 2 == 0).then(|| format!("Even {n}")),
        };
        app.store()
            .upsert_group(contoso.id, &(&group).into(), 1_000)
            .await
            .unwrap();
    }
    let owner = app.login("owner@demo.test").await;
    let first = app
        .get("/api/t/contoso/groups?limit=2", Some(&owner))
        .await
        .json();
    assert_eq!(names(&first), ["Group 1", "Group 2"]);
    assert_eq!(first["items"][1]["description"], "Even 2");
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/api/t/contoso/groups?limit=10&cursor={cursor}"),
            Some(&owner),
        )
        .await
        .json();
    assert_eq!(names(&rest), ["Group 3", "Group 4", "Group 5"]);
    assert!(rest["next_cursor"].is_null());
}

#[tokio::test]
async fn bad_list_parameters_get_a_400_saying_what_is_wrong() {
    let app = TestApp::new().await;
    let owner = app.login("owner@demo.test").await;
    for (query, says) in [
        ("limit=0", "limit"),
        ("limit=500", "limit"),
        ("cursor=%%%", "cursor"),
        ("cursor=bm90LWEtY3Vyc29y", "cursor"),
        ("ignored=maybe", "ignored"),
        ("colour=red", "colour"),
    ] {
        let res = app
            .get(&format!("/api/t/contoso/policies?{query}"), Some(&owner))
            .await;
        assert_eq!(
            res.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            res.text()
        );
        let message = res.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(says), "{query}: {message}");
    }
}
