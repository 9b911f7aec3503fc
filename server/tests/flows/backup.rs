// S2, S3 and the hand-picked backup flows: real snapshots from the provider, honest counts,
// exactly one notification per run with an initiator.
use opsux_core::wire::PolicySelection;
use opsux_core::{OperationType, RunOutcome, SummaryKey};
use opsux_server::store::schedules::Schedule;
use serde_json::json;

use crate::{World, count};

async fn schedule(world: &World, keep_last: u32) -> String {
    let contoso = world.app.tenant("contoso").await;
    let schedule = Schedule {
        id: uuid::Uuid::now_v7().to_string(),
        name: "Nightly".to_owned(),
        cron: "0 3 * * *".to_owned(),
        policy_selection: PolicySelection::All,
        keep_last,
        enabled: true,
        created_at: 0,
        updated_at: 0,
        skipped: None,
    };
    world
        .app
        .store()
        .insert_schedule(contoso.id, &schedule)
        .await
        .unwrap();
    schedule.id
}

#[tokio::test]
async fn a_schedule_run_snapshots_every_policy_not_ignored_into_a_new_set() {
    let world = World::new().await;
    let policies = world.synced_policies().await;
    let contoso = world.app.tenant("contoso").await;
    world
        .app
        .store()
        .set_ignored(contoso.id, &[policies[0].0.clone()], true)
        .await
        .unwrap();
    let schedule = schedule(&world, 7).await;
    let run = world
        .finished(
            OperationType::BackupScheduleRun,
            json!({"schedule_id": schedule}),
        )
        .await;
    assert_eq!(run.summary().outcome, Some(RunOutcome::Succeeded));
    let expected = (policies.len() - 1) as u64;
    assert_eq!(count(&run, SummaryKey::Total), expected);
    assert_eq!(count(&run, SummaryKey::Succeeded), expected);
    let sets = world
        .app
        .store()
        .sets_of_schedule(contoso.id, &schedule)
        .await
        .unwrap();
    assert_eq!(sets.len(), 1);
    let (set, items) = world
        .app
        .store()
        .backup_set(contoso.id, &sets[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(set.item_count, expected);
    assert!(set.name.starts_with("Nightly – "));
    assert!(
        items.iter().all(|i| i.policy_id != policies[0].0),
        "the ignored policy is left out"
    );
}

#[tokio::test]
async fn retention_deletes_the_sets_beyond_keep_last() {
    let world = World::new().await;
    let contoso = world.app.tenant("contoso").await;
    let schedule = schedule(&world, 2).await;
    for n in 0..4 {
        world
            .app
            .store()
            .backup_set_for_run(
                contoso.id,
                &schedule,
                &format!("set {n}"),
                &format!("run-{n}"),
                n * 1000,
            )
            .await
            .unwrap();
    }
    let run = world
        .finished(
            OperationType::BackupRetention,
            json!({"schedule_id": schedule}),
        )
        .await;
    assert_eq!(run.summary().outcome, Some(RunOutcome::Succeeded));
    assert_eq!(count(&run, SummaryKey::Deleted), 2);
    let left = world
        .app
        .store()
        .sets_of_schedule(contoso.id, &schedule)
        .await
        .unwrap();
    assert_eq!(left.len(), 2);
    let (newest, _) = world
        .app
        .store()
        .backup_set(contoso.id, &left[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(newest.name, "set 3");
    let audited = world.audited("backup_set.delete").await;
    let mut names: Vec<_> = audited
        .iter()
        .map(|e| e.before.as_ref().unwrap()["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["set 0", "set 1"],
        "R19: each deleted set, as it was"
    );
    assert!(audited.iter().all(|e| e.run_id == Some(run.id())));
}

#[tokio::test]
async fn policies_are_added_to_and_removed_from_a_set_by_hand() {
    let world = World::new().await;
    let policies = world.synced_policies().await;
    let contoso = world.app.tenant("contoso").await;
    let set = uuid::Uuid::now_v7();
    world
        .app
        .store()
        .create_backup_set(contoso.id, set, "By hand", None, 0)
        .await
        .unwrap();
    let set = set.to_string();
    let mut picked: Vec<String> = policies.iter().take(5).map(|(id, _)| id.clone()).collect();
    picked.push("not-a-policy".to_owned());
    let added = world
        .finished(
            OperationType::BackupSetAddPolicies,
            json!({"backup_set_id": set, "policy_ids": picked}),
        )
        .await;
    assert_eq!(
        added.summary().outcome,
        Some(RunOutcome::PartiallySucceeded)
    );
    assert_eq!(
        (
            count(&added, SummaryKey::Succeeded),
            count(&added, SummaryKey::Failed)
        ),
        (5, 1)
    );

    picked.pop();
    let again = world
        .finished(
            OperationType::BackupSetAddPolicies,
            json!({"backup_set_id": set, "policy_ids": picked}),
        )
        .await;
    assert_eq!(again.summary().outcome, Some(RunOutcome::Succeeded));
    assert_eq!(count(&again, SummaryKey::Skipped), 5, "already in the set");

    let removed = world
        .finished(
            OperationType::BackupSetRemovePolicies,
            json!({"backup_set_id": set, "policy_ids": &picked[..3]}),
        )
        .await;
    assert_eq!(count(&removed, SummaryKey::Deleted), 3);
    // R19: each item removed is audited as it was, by the person, with the run.
    let audited = world.audited("backup_set.remove_item").await;
    assert_eq!(audited.len(), 3);
    for entry in &audited {
        assert_eq!(entry.run_id, Some(removed.id()));
        assert_eq!(entry.actor_label, "Olivia Owner");
        let before = entry.before.as_ref().unwrap();
        assert_eq!(before["backup_set_id"], set.as_str());
        assert!(picked[..3].contains(&before["policy_id"].as_str().unwrap().to_owned()));
        assert!(before["policy_name"].is_string());
    }
    let (set, _) = world
        .app
        .store()
        .backup_set(contoso.id, &set)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(set.item_count, 2);
}

#[tokio::test]
async fn unignore_clears_the_flag_of_the_ignored_ones_only() {
    let world = World::new().await;
    let policies = world.synced_policies().await;
    let contoso = world.app.tenant("contoso").await;
    let ids: Vec<String> = policies.iter().take(4).map(|(id, _)| id.clone()).collect();
    world
        .app
        .store()
        .set_ignored(contoso.id, &ids[..3], true)
        .await
        .unwrap();
    let run = world
        .finished(OperationType::PolicyUnignore, json!({"policy_ids": ids}))
        .await;
    assert_eq!(run.summary().outcome, Some(RunOutcome::Succeeded));
    assert_eq!(
        (
            count(&run, SummaryKey::Updated),
            count(&run, SummaryKey::Skipped)
        ),
        (3, 1)
    );
    for id in &ids {
        let policy = world
            .app
            .store()
            .policy(contoso.id, id)
            .await
            .unwrap()
            .unwrap();
        assert!(!policy.ignored);
    }
}
