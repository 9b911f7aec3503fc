// The scheduler (SPEC §5, S3): due schedules fire as system runs — no notification, ever —
// each slot once however often it ticks and however many schedulers there are (R4: the slot is
// part of the identity); a scheduled backup is followed by its retention; each tenant is pruned
// once a day.
use std::sync::Arc;
use std::time::Duration;

use opsux_core::wire::PolicySelection;
use opsux_core::{OperationType, RunOutcome, RunStatus};
use opsux_server::runs::RunConfig;
use opsux_server::runs::queries::{self, RunFilter};
use opsux_server::scheduler::{Scheduler, SchedulerConfig};
use opsux_server::store::schedules::Schedule;

use crate::World;
use crate::support::{OWNER, TestApp, test_run_config};

fn scheduler(world: &World) -> Scheduler {
    Scheduler::new(
        world.app.store().clone(),
        world.app.runs().clone(),
        Arc::clone(&world.app.state.clock),
        SchedulerConfig::default(),
    )
}

async fn runs_of(world: &World, operation: OperationType) -> Vec<opsux_core::wire::RunSummary> {
    let contoso = world.app.tenant("contoso").await;
    let filter = RunFilter {
        operation: Some(operation),
        ..RunFilter::default()
    };
    queries::list(world.app.store(), contoso.id, &filter, None, 200)
        .await
        .unwrap()
        .0
}

#[tokio::test]
async fn each_slot_fires_once_as_a_system_run_followed_by_its_retention() {
    let world = World::with(TestApp::with_manual_clock().await).await;
    world.synced_policies().await;
    let contoso = world.app.tenant("contoso").await;
    let created = opsux_server::clock::to_ms(world.app.state.clock.now());
    let schedule = Schedule {
        id: uuid::Uuid::now_v7().to_string(),
        name: "Hourly".to_owned(),
        cron: "0 * * * *".to_owned(),
        policy_selection: PolicySelection::All,
        keep_last: 1,
        enabled: true,
        created_at: created,
        updated_at: created,
        skipped: None,
    };
    world
        .app
        .store()
        .insert_schedule(contoso.id, &schedule)
        .await
        .unwrap();
    let (first, second) = (scheduler(&world), scheduler(&world));

    // The clock starts on the hour: that slot is due at once — once.
    let tick = first.tick().await.unwrap();
    assert!(tick.leading);
    assert_eq!(
        runs_of(&world, OperationType::BackupScheduleRun)
            .await
            .len(),
        1
    );
    assert_eq!(
        first.tick().await.unwrap().started,
        0,
        "a duplicate tick starts nothing"
    );
    assert!(
        !second.tick().await.unwrap().leading,
        "one scheduler at a time"
    );

    world.work().await;
    let backups = runs_of(&world, OperationType::BackupScheduleRun).await;
    assert_eq!(backups[0].outcome, Some(RunOutcome::Succeeded));
    assert!(backups[0].initiator.is_none());
    let retentions = runs_of(&world, OperationType::BackupRetention).await;
    assert_eq!(
        retentions.len(),
        1,
        "the scheduled backup is followed by its retention"
    );
    assert_eq!(retentions[0].status, RunStatus::Completed);
    assert_eq!(
        world.app.notification_count().await,
        0,
        "S3: system runs notify nobody"
    );

    // The next hour is the next slot.
    world.app.advance(Duration::from_secs(3600));
    assert_eq!(first.tick().await.unwrap().started, 1);
    world.work().await;
    assert_eq!(
        runs_of(&world, OperationType::BackupScheduleRun)
            .await
            .len(),
        2
    );
    let sets = world
        .app
        .store()
        .sets_of_schedule(contoso.id, &schedule.id)
        .await
        .unwrap();
    assert_eq!(
        sets.len(),
        1,
        "keep_last 1: the retention after the second run left one"
    );
    // R19: the set retention deleted is audited as the schedule's doing, with its run.
    let audited = world.audited("backup_set.delete").await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].actor_label, "system (schedule \"Hourly\")");
    assert!(audited[0].actor.is_none());
    let retention = runs_of(&world, OperationType::BackupRetention).await;
    assert_eq!(
        audited[0].run_id,
        Some(retention[0].id),
        "the newest retention"
    );
    assert_eq!(world.app.notification_count().await, 0);
}

#[tokio::test]
async fn every_tenant_is_pruned_once_a_day() {
    let world = World::with(TestApp::with_manual_clock().await).await;
    let scheduler = scheduler(&world);
    let tick = scheduler.tick().await.unwrap();
    assert_eq!(tick.started, 2, "contoso and fabrikam");
    assert_eq!(scheduler.tick().await.unwrap().started, 0);
    world.app.advance(Duration::from_secs(86_400));
    assert_eq!(scheduler.tick().await.unwrap().started, 2);
    let prunes = runs_of(&world, OperationType::OperationsPrune).await;
    assert_eq!(prunes.len(), 2);
    assert!(prunes.iter().all(|r| r.initiator.is_none()));
}

/// A schedule of contoso's firing every `cron`, created at `at_ms`.
async fn every(world: &World, name: &str, cron: &str, at_ms: i64) -> Schedule {
    let contoso = world.app.tenant("contoso").await;
    let schedule = Schedule {
        id: uuid::Uuid::now_v7().to_string(),
        name: name.to_owned(),
        cron: cron.to_owned(),
        policy_selection: PolicySelection::All,
        keep_last: 100,
        enabled: true,
        created_at: at_ms,
        updated_at: at_ms,
        skipped: None,
    };
    let store = world.app.store();
    assert!(store.insert_schedule(contoso.id, &schedule).await.unwrap());
    schedule
}

#[tokio::test]
async fn after_downtime_a_schedule_fires_once_not_once_per_missed_slot() {
    let world = World::with(TestApp::with_manual_clock().await).await;
    let now = opsux_server::clock::to_ms(world.app.state.clock.now());
    every(&world, "Quarter-hourly", "*/15 * * * *", now).await;
    let scheduler = scheduler(&world);
    scheduler.tick().await.unwrap();
    world.work().await;
    // Three hours down: twelve slots missed.
    world.app.advance(Duration::from_secs(3 * 3600));
    scheduler.tick().await.unwrap();
    scheduler.tick().await.unwrap();
    assert_eq!(
        runs_of(&world, OperationType::BackupScheduleRun)
            .await
            .len(),
        2,
        "the slot before the downtime and the latest one, nothing in between"
    );
}

#[tokio::test]
async fn schedules_hold_only_their_share_of_the_cap_and_never_lock_people_out() {
    let runs = RunConfig {
        max_active_per_tenant: 8,
        ..test_run_config()
    };
    let world = World::with(TestApp::with_manual_clock_and_config(runs).await).await;
    let now = opsux_server::clock::to_ms(world.app.state.clock.now());
    let mut schedules = Vec::new();
    for n in 0..20 {
        schedules.push(every(&world, &format!("Flood {n:02}"), "*/15 * * * *", now).await);
    }
    let scheduler = scheduler(&world);
    let tick = scheduler.tick().await.unwrap();
    assert_eq!(
        (
            tick.skipped,
            runs_of(&world, OperationType::BackupScheduleRun)
                .await
                .len()
        ),
        (18, 2),
        "a quarter of 8: two scheduled runs at once, the other slots skipped"
    );
    let contoso = world.app.tenant("contoso").await;
    let stored = world.app.store().schedules(contoso.id).await.unwrap();
    let skipped: Vec<_> = stored.iter().filter_map(|s| s.skipped.as_ref()).collect();
    assert_eq!(skipped.len(), 18);
    assert!(
        skipped[0].reason.contains("started by the scheduler"),
        "{}",
        skipped[0].reason
    );
    // A person still starts: the share left six of the tenant's eight.
    for op in [OperationType::InventorySync, OperationType::EntraGroupSync] {
        let started = world
            .app
            .runs()
            .start(
                world
                    .app
                    .start_request(op, Some(OWNER), serde_json::json!({}))
                    .await,
            )
            .await;
        assert!(started.is_ok(), "{op}: {started:?}");
    }
    // The skipped slots are not retried: the next tick starts nothing.
    assert_eq!(scheduler.tick().await.unwrap().started, 0);

    // A later slot fires again once the share has room, and clears its schedule's skip.
    world.work().await;
    world.app.advance(Duration::from_secs(15 * 60));
    let tick = scheduler.tick().await.unwrap();
    assert_eq!((tick.started, tick.skipped), (2, 18));
    let stored = world.app.store().schedules(contoso.id).await.unwrap();
    assert_eq!(stored.iter().filter(|s| s.skipped.is_none()).count(), 2);
}
