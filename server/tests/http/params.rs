// Typed parameters (SPEC §3, R4): every start is checked before a run exists — a missing,
// unknown or ill-typed parameter, or an id that is not the tenant's, is a 422 naming the field —
// and the run's identity comes from the canonical parameters, so reordered or repeated ids and
// stray keys cannot start a duplicate.
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::TestApp;

#[tokio::test]
async fn every_params_error_is_a_422_naming_the_field() {
    let app = TestApp::new().await;
    let cookie = app.login("owner@demo.test").await;
    let ours = app.seed_policies("contoso", 2).await;
    let theirs = app.seed_policies("fabrikam", 1).await;
    let foreign = format!("no policy {:?} in this tenant", theirs[0]);
    let too_many: Vec<String> = (0..1001).map(|n| format!("p{n}")).collect();
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"type": "inventory_sync", "params": {"scope": "all"}}),
            "params.scope",
            "unknown parameter; this operation takes no parameters",
        ),
        (
            json!({"type": "policy_export", "params": {}}),
            "params.policy_ids",
            "missing",
        ),
        (
            json!({"type": "policy_export"}),
            "params.policy_ids",
            "missing",
        ),
        (
            json!({"type": "policy_export", "params": {"policy_ids": "all"}}),
            "params.policy_ids",
            "must be a list of ids",
        ),
        (
            json!({"type": "policy_export", "params": {"policy_ids": []}}),
            "params.policy_ids",
            "must hold 1 to 1000 ids",
        ),
        (
            json!({"type": "policy_export", "params": {"policy_ids": too_many}}),
            "params.policy_ids",
            "must hold 1 to 1000 ids",
        ),
        (
            json!({"type": "policy_unignore", "params": {"policy_ids": [ours[0], 7]}}),
            "params.policy_ids[1]",
            "must be an id",
        ),
        (
            json!({"type": "policy_unignore", "params": {"policy_ids": ["<script>"]}}),
            "params.policy_ids[0]",
            "must be an id",
        ),
        (
            json!({"type": "policy_export", "params": {"policy_ids": [ours[0], theirs[0]]}}),
            "params.policy_ids",
            &foreign,
        ),
        (
            json!({"type": "policy_export", "params": {"policy_ids": ["nope-1", "nope-2"]}}),
            "params.policy_ids",
            "2 ids name no policy in this tenant: \"nope-1\", \"nope-2\"",
        ),
        (
            json!({"type": "backup_set_add_policies", "params": {"backup_set_id": "missing-set", "policy_ids": [ours[0]]}}),
            "params.backup_set_id",
            "no backup set \"missing-set\" in this tenant",
        ),
        (
            json!({"type": "backup_schedule_run", "params": {"schedule_id": 5}}),
            "params.schedule_id",
            "must be an id (a string of 1 to 64 letters, digits, - or _)",
        ),
        (
            json!({"type": "backup_retention", "params": {"schedule_id": "gone"}}),
            "params.schedule_id",
            "no backup schedule \"gone\" in this tenant",
        ),
        (
            json!({"type": "policy_version_restore", "params": {"policy_version_id": "v-1"}}),
            "params.policy_version_id",
            "no policy version \"v-1\" in this tenant",
        ),
        (
            json!({"type": "restore_execute", "params": {"restore_run_id": "r-1"}}),
            "params.restore_run_id",
            "no unarchived restore run \"r-1\" in this tenant",
        ),
        (
            json!({"type": "restore_run_force_delete", "params": {"restore_run_ids": ["r-1"], "force": true}}),
            "params.force",
            "unknown parameter; this operation takes restore_run_ids",
        ),
    ];
    for (body, field, message) in cases {
        let res = app
            .post("/api/t/contoso/operations", Some(&cookie), &body)
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text()
        );
        let error = &res.json()["error"];
        assert_eq!(error["code"], "validation_failed");
        assert_eq!(error["message"], format!("{field}: {message}"), "{body}");
    }
    assert_eq!(app.run_count().await, 0, "no refused start left a run");
}

#[tokio::test]
async fn reordered_or_repeated_ids_are_the_same_run() {
    let app = TestApp::new().await;
    let cookie = app.login("owner@demo.test").await;
    let ids = app.seed_policies("contoso", 3).await;
    let start = |policy_ids: Value| {
        let body = json!({"type": "policy_export", "params": {"policy_ids": policy_ids}});
        let (app, cookie) = (&app, &cookie);
        async move {
            let res = app
                .post("/api/t/contoso/operations", Some(cookie), &body)
                .await;
            assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text());
            res.json()
        }
    };
    let first = start(json!([ids[2], ids[0], ids[1]])).await;
    assert_eq!(first["result"], "queued");
    let again = start(json!([ids[1], ids[2], ids[0], ids[1]])).await;
    assert_eq!(again["result"], "already_queued");
    assert_eq!(again["run"]["id"], first["run"]["id"]);
    let other = start(json!([ids[0], ids[1]])).await;
    assert_eq!(
        other["result"], "queued",
        "another selection is another run"
    );

    // The run keeps the canonical form: sorted, without repeats.
    let id = first["run"]["id"].as_str().unwrap();
    let detail = app
        .get(&format!("/api/t/contoso/operations/{id}"), Some(&cookie))
        .await
        .json();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(detail["context"]["params"], json!({"policy_ids": sorted}));
}
