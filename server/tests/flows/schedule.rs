// The scheduler (SPEC §5, S3): due schedules fire as system runs — no notification, ever —
// each slot once however often it ticks and however many schedulers there are (R4: the slot is
// part of the identity); a scheduled backup is followed by its retention; each tenant is pruned
// once a day.
use std::sync::Arc;
use std::time::Duration;

use opsux_core::wire::PolicySelection;
use opsux_core::{OperationType, RunOutcome, RunStatus};
use opsux_server::runs::queries::{self, RunFilter};
use opsux_server::scheduler::{Scheduler, SchedulerConfig};
use opsux_server::store::schedules::Schedule;

use crate::World;
use crate::support::TestApp;

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
