// S1 and R20 through the inventory and group syncs.
use opsux_core::{OperationType, ReasonCode, RunOutcome, SummaryKey};
use opsux_server::provider::{Cancel, TenantProvider};
use opsux_server::store::inventory::PolicyFilter;
use serde_json::json;

use crate::support::OWNER;
use crate::{World, count};

async fn policy_count(world: &World) -> usize {
    let contoso = world.app.tenant("contoso").await;
    let (page, next) = world
        .app
        .store()
        .policies(contoso.id, &PolicyFilter::default(), None, 200)
        .await
        .unwrap();
    let mut total = page.len();
    let mut after = next;
    while let Some(cursor) = after {
        let (page, next) = world
            .app
            .store()
            .policies(contoso.id, &PolicyFilter::default(), Some(&cursor), 200)
            .await
            .unwrap();
        total += page.len();
        after = next;
    }
    total
}

#[tokio::test]
async fn inventory_sync_pulls_every_policy_and_keeps_each_new_version() {
    let world = World::new().await;
    let first = world
        .app
        .start_run(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    world.work().await;
    let run = world.app.runs().get(first.run.id()).await.unwrap().unwrap();
    assert_eq!(run.summary().outcome, Some(RunOutcome::Succeeded));
    let policies = world.tenant.policies as u64;
    for (key, expected) in [
        (SummaryKey::Total, policies),
        (SummaryKey::Processed, policies),
        (SummaryKey::Succeeded, policies),
        (SummaryKey::Created, policies),
        (SummaryKey::Updated, 0),
    ] {
        assert_eq!(count(&run, key), expected, "{key:?}");
    }
    assert_eq!(policy_count(&world).await, world.tenant.policies);
    assert_eq!(
        world.app.notifications_for_run(first.run.id()).await,
        1,
        "S1"
    );

    // Nothing changed at the provider: nothing created or updated, no new version.
    let run = world
        .finished(OperationType::InventorySync, json!({}))
        .await;
    assert_eq!(
        (
            count(&run, SummaryKey::Created),
            count(&run, SummaryKey::Updated)
        ),
        (0, 0)
    );
    assert_eq!(count(&run, SummaryKey::Processed), policies);
    assert_eq!(
        policy_count(&world).await,
        world.tenant.policies,
        "no duplicates"
    );

    // One policy changes at the provider: the next sync updates it and keeps its new version.
    let provider = world.provider();
    let cancel = Cancel::default();
    let changed = provider.list_policies(None, &cancel).await.unwrap().items[5].clone();
    let mut snapshot = changed.snapshot.clone();
    snapshot["passwordMinimumLength"] = json!(16);
    provider
        .update_policy(&changed.id, &snapshot, &cancel)
        .await
        .unwrap();
    let third = world
        .app
        .start_run(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    world.work().await;
    let run = world.app.runs().get(third.run.id()).await.unwrap().unwrap();
    assert_eq!(
        (
            count(&run, SummaryKey::Created),
            count(&run, SummaryKey::Updated)
        ),
        (0, 1)
    );
    let contoso = world.app.tenant("contoso").await;
    let ours = world
        .app
        .store()
        .policy_by_external_id(contoso.id, &changed.id)
        .await
        .unwrap()
        .unwrap();
    let versions = world
        .app
        .store()
        .policy_versions(contoso.id, &ours)
        .await
        .unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].snapshot["passwordMinimumLength"], 16);
}

#[tokio::test]
async fn a_throttling_storm_is_waited_out_and_the_sync_succeeds() {
    let world = World::new().await;
    world
        .faults(json!({"throttle_next": 3, "retry_after_secs": 0}))
        .await;
    let run = world
        .finished(OperationType::InventorySync, json!({}))
        .await;
    assert_eq!(run.summary().outcome, Some(RunOutcome::Succeeded));
    assert_eq!(
        count(&run, SummaryKey::Processed),
        world.tenant.policies as u64
    );
}

#[tokio::test]
async fn a_provider_outage_fails_the_run_with_its_reason_and_one_notification() {
    let world = World::new().await;
    world.faults(json!({"unavailable": true})).await;
    let run = world
        .finished(OperationType::InventorySync, json!({}))
        .await;
    assert_eq!(run.summary().outcome, Some(RunOutcome::Failed));
    assert_eq!(
        run.summary().reason_code,
        Some(ReasonCode::ProviderUnavailable)
    );
    assert_eq!(world.app.notifications_for_run(run.id()).await, 1);
    assert_eq!(policy_count(&world).await, 0);
}

#[tokio::test]
async fn a_tenant_without_a_connection_fails_saying_so() {
    let world = World::new().await;
    let request = world
        .app
        .start_request(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    let fabrikam = world.app.tenant("fabrikam").await;
    let started = world
        .app
        .runs()
        .start(opsux_server::runs::StartRun {
            tenant: fabrikam,
            ..request
        })
        .await
        .unwrap();
    world.work().await;
    let run = world
        .app
        .runs()
        .get(started.run.id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        run.summary().reason_code,
        Some(ReasonCode::ProviderAuthFailed)
    );
    assert!(
        run.summary()
            .message
            .as_deref()
            .is_some_and(|m| m.contains("not connected")),
        "{:?}",
        run.summary().message
    );
}

#[tokio::test]
async fn group_sync_pulls_every_group_and_a_system_run_notifies_nobody() {
    let world = World::new().await;
    let started = world
        .app
        .start_run(OperationType::EntraGroupSync, None, json!({}))
        .await;
    world.work().await;
    let run = world
        .app
        .runs()
        .get(started.run.id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.summary().outcome, Some(RunOutcome::Succeeded));
    assert_eq!(
        count(&run, SummaryKey::Succeeded),
        world.tenant.groups as u64
    );
    let contoso = world.app.tenant("contoso").await;
    let (groups, _) = world
        .app
        .store()
        .groups(contoso.id, None, 200)
        .await
        .unwrap();
    assert_eq!(groups.len(), world.tenant.groups);
    assert_eq!(world.app.notifications_for_run(run.id()).await, 0);
}
