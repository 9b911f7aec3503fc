// S5 and the restore-run records: snapshots pushed back change the provider's policies; a
// force delete is audited (R19); prune removes old runs with their notifications.
use std::time::Duration;

use opsux_core::{OperationType, RunOutcome, SummaryKey};
use opsux_server::provider::{Cancel, TenantProvider};
use opsux_server::store::audit::{Actor, RunAudit};
use serde_json::json;

use crate::support::TestApp;
use crate::{World, count};

#[tokio::test]
async fn executing_a_restore_run_pushes_its_snapshots_back_to_the_provider() {
    let world = World::new().await;
    let policies = world.synced_policies().await;
    let contoso = world.app.tenant("contoso").await;
    let store = world.app.store();
    let set = uuid::Uuid::now_v7();
    store
        .create_backup_set(contoso.id, set, "Golden", None, 0)
        .await
        .unwrap();
    let set = set.to_string();
    for (id, _) in policies.iter().take(3) {
        store
            .add_backup_item(&set, id, 1, &json!({"passwordMinimumLength": 20}), 0)
            .await
            .unwrap();
    }
    let restore = uuid::Uuid::now_v7();
    store
        .create_restore_run(contoso.id, restore, &set, "Back to golden", 0)
        .await
        .unwrap();
    let restore = restore.to_string();

    let run = world
        .finished(
            OperationType::RestoreExecute,
            json!({"restore_run_id": restore}),
        )
        .await;
    assert_eq!(run.summary().outcome, Some(RunOutcome::Succeeded));
    assert_eq!(count(&run, SummaryKey::Updated), 3);
    let provider = world.provider();
    for (_, external) in policies.iter().take(3) {
        let policy = provider
            .get_policy(external, &Cancel::default())
            .await
            .unwrap();
        assert_eq!(
            policy.snapshot["passwordMinimumLength"], 20,
            "S5: the tenant changed"
        );
    }
    let record = store
        .restore_run(contoso.id, &restore)
        .await
        .unwrap()
        .unwrap();
    assert!(record.executed_at.is_some());
    // R19: each write to the tenant is audited with the policy as last synced and its source.
    let audited = world.audited("policy.restore").await;
    assert_eq!(audited.len(), 3);
    for entry in &audited {
        assert_eq!(entry.run_id, Some(run.id()));
        let after = entry.after.as_ref().unwrap();
        assert_eq!(after["source"]["restore_run_id"], restore.as_str());
        assert_eq!(after["snapshot"]["passwordMinimumLength"], 20);
        let before = entry.before.as_ref().unwrap();
        assert_eq!(before["policy_id"], after["policy_id"]);
        assert!(before["snapshot"].is_object());
    }
}

#[tokio::test]
async fn a_kept_version_is_pushed_back() {
    let world = World::new().await;
    let policies = world.synced_policies().await;
    let contoso = world.app.tenant("contoso").await;
    let (id, external) = &policies[7];
    let versions = world
        .app
        .store()
        .policy_versions(contoso.id, id)
        .await
        .unwrap();
    let kept = &versions[0];
    let before = kept.snapshot["passwordMinimumLength"].clone();
    let provider = world.provider();
    let mut changed = kept.snapshot.clone();
    changed["passwordMinimumLength"] = json!(99);
    provider
        .update_policy(external, &changed, &Cancel::default())
        .await
        .unwrap();

    let run = world
        .finished(
            OperationType::PolicyVersionRestore,
            json!({"policy_version_id": kept.id}),
        )
        .await;
    assert_eq!(run.summary().outcome, Some(RunOutcome::Succeeded));
    let now = provider
        .get_policy(external, &Cancel::default())
        .await
        .unwrap();
    assert_eq!(now.snapshot["passwordMinimumLength"], before);
    let audited = world.audited("policy.restore").await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].run_id, Some(run.id()));
    assert_eq!(audited[0].actor_label, "Olivia Owner");
    let after = audited[0].after.as_ref().unwrap();
    assert_eq!(after["source"]["policy_version_id"], kept.id.as_str());
    assert_eq!(after["external_id"], external.as_str());
}

#[tokio::test]
async fn archived_restore_runs_are_unarchived_or_force_deleted_with_an_audit_entry() {
    let world = World::new().await;
    let contoso = world.app.tenant("contoso").await;
    let store = world.app.store();
    let set = uuid::Uuid::now_v7();
    store
        .create_backup_set(contoso.id, set, "Set", None, 0)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for name in ["a", "b", "c"] {
        let id = uuid::Uuid::now_v7();
        store
            .create_restore_run(contoso.id, id, &set.to_string(), name, 0)
            .await
            .unwrap();
        ids.push(id.to_string());
    }
    for id in &ids[..2] {
        assert_eq!(
            store
                .set_restore_archived(contoso.id, id, true)
                .await
                .unwrap(),
            Some(true)
        );
    }
    // One archived record and one that is not: only the archived one may go.
    let deleted = world
        .finished(
            OperationType::RestoreRunForceDelete,
            json!({"restore_run_ids": [ids[0], ids[2]]}),
        )
        .await;
    assert_eq!(
        deleted.summary().outcome,
        Some(RunOutcome::PartiallySucceeded)
    );
    assert_eq!(
        (
            count(&deleted, SummaryKey::Deleted),
            count(&deleted, SummaryKey::Failed)
        ),
        (1, 1)
    );
    assert!(
        store
            .restore_run(contoso.id, &ids[0])
            .await
            .unwrap()
            .is_none()
    );
    let (audit, _) = store
        .audit_log(
            opsux_server::store::audit::AuditScope::Tenant(contoso.id),
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "restore_run.force_delete");
    assert_eq!(
        audit[0].actor.as_ref().unwrap().display_name,
        "Olivia Owner"
    );
    assert_eq!(audit[0].before.as_ref().unwrap()["name"], "a");

    let unarchived = world
        .finished(
            OperationType::RestoreRunUnarchive,
            json!({"restore_run_ids": [ids[1], ids[2]]}),
        )
        .await;
    assert_eq!(
        (
            count(&unarchived, SummaryKey::Updated),
            count(&unarchived, SummaryKey::Skipped)
        ),
        (1, 1)
    );
    let record = store
        .restore_run(contoso.id, &ids[1])
        .await
        .unwrap()
        .unwrap();
    assert!(!record.archived);
}

#[tokio::test]
async fn prune_deletes_runs_that_ended_before_the_window_with_their_notifications() {
    let world = World::with(TestApp::with_manual_clock().await).await;
    let old = world
        .finished(OperationType::EntraGroupSync, json!({}))
        .await;
    let policies = world.synced_policies().await;
    let exported = world
        .finished(
            OperationType::PolicyExport,
            json!({"policy_ids": [policies[0].0]}),
        )
        .await;
    let exports = world.app.state.config.exports_dir.clone();
    let file = exports.join(format!("policy-export-{}.json", exported.id()));
    assert!(file.exists());
    // A file no record names (a crash between writing and recording), long ago.
    let stray = exports.join("policy-export-stray.json");
    let long_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 3600);
    std::fs::File::create(&stray)
        .unwrap()
        .set_modified(long_ago)
        .unwrap();
    world.app.advance(Duration::from_secs(3 * 86_400));
    let recent = world
        .finished(OperationType::EntraGroupSync, json!({}))
        .await;
    let started = world
        .app
        .start_run(
            OperationType::OperationsPrune,
            None,
            json!({"older_than_days": 2}),
        )
        .await;
    world.work().await;
    let prune = world
        .app
        .runs()
        .get(started.run.id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(prune.summary().outcome, Some(RunOutcome::Succeeded));
    assert_eq!(
        count(&prune, SummaryKey::Deleted),
        3,
        "the two syncs and the export"
    );
    assert!(world.app.runs().get(old.id()).await.unwrap().is_none());
    assert!(!file.exists(), "the export file goes with its run");
    assert!(!stray.exists(), "a file no run refers to is swept");
    assert_eq!(world.app.notifications_for_run(old.id()).await, 0);
    assert!(world.app.runs().get(recent.id()).await.unwrap().is_some());
    assert_eq!(
        world.app.notifications_for_run(prune.id()).await,
        0,
        "a system run"
    );
}

#[tokio::test]
async fn a_restore_whose_backup_set_was_deleted_fails_saying_so() {
    let world = World::new().await;
    let contoso = world.app.tenant("contoso").await;
    let store = world.app.store();
    let set = uuid::Uuid::now_v7();
    store
        .create_backup_set(contoso.id, set, "Gone", None, 0)
        .await
        .unwrap();
    let restore = uuid::Uuid::now_v7();
    store
        .create_restore_run(contoso.id, restore, &set.to_string(), "Too late", 0)
        .await
        .unwrap();
    assert!(
        store
            .delete_backup_set(
                &set.to_string(),
                &RunAudit {
                    tenant_id: contoso.id,
                    actor: Actor::System,
                    run_id: opsux_core::RunId::from_uuid(uuid::Uuid::now_v7()),
                },
                0,
            )
            .await
            .unwrap()
    );
    let run = world
        .finished(
            OperationType::RestoreExecute,
            json!({"restore_run_id": restore.to_string()}),
        )
        .await;
    assert_eq!(run.summary().outcome, Some(RunOutcome::Failed));
    assert_eq!(
        run.summary().reason_code,
        Some(opsux_core::ReasonCode::NotFound)
    );
    let record = store
        .restore_run(contoso.id, &restore.to_string())
        .await
        .unwrap()
        .unwrap();
    assert!(record.executed_at.is_none());
}
