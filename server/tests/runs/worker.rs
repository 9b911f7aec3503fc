// R8: whatever a handler does, its run ends; the background loop picks up new runs by itself.
use futures_util::future::BoxFuture;
use opsux_core::{OperationType, ReasonCode, RunOutcome, RunStatus};
use opsux_server::events::Event;
use opsux_server::worker::{Handler, HandlerOutcome, Handlers, RunContext};
use serde_json::json;

use crate::support::{OWNER, TestApp};

struct Panics;

impl Handler for Panics {
    fn run<'a>(&'a self, _: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move { panic!("handler bug with token=abc123") })
    }
}

struct FailsWithSecret;

impl Handler for FailsWithSecret {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            ctx.record_failure(ReasonCode::NotFound, "item gone");
            HandlerOutcome::Failed {
                reason: ReasonCode::ProviderUnavailable,
                message: "503 from graph; Authorization: Bearer eyJabc.def.ghi".to_owned(),
            }
        })
    }
}

struct Succeeds;

impl Handler for Succeeds {
    fn run<'a>(&'a self, _: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move { HandlerOutcome::Finished(RunOutcome::Succeeded) })
    }
}

async fn run_one(
    app: &TestApp,
    operation: OperationType,
    handlers: Handlers,
) -> opsux_server::runs::RunRecord {
    let started = app.start_run(operation, Some(OWNER), json!({})).await;
    assert_eq!(app.worker(handlers).run_pending().await.unwrap(), 1);
    app.runs().get(started.run.id()).await.unwrap().unwrap()
}

#[tokio::test]
async fn a_panicking_handler_still_completes_its_run() {
    let app = TestApp::new().await;
    let run = run_one(
        &app,
        OperationType::InventorySync,
        Handlers::new().with(OperationType::InventorySync, Panics),
    )
    .await;
    assert_eq!(run.summary().outcome, Some(RunOutcome::Failed));
    assert_eq!(run.summary().reason_code, Some(ReasonCode::InternalError));
    assert!(
        !run.summary().message.as_deref().unwrap().contains("abc123"),
        "panic payloads are never stored"
    );
    assert_eq!(app.notifications_for_run(run.id()).await, 1);
}

// R6
#[tokio::test]
async fn an_erroring_handler_fails_its_run_with_a_sanitized_message() {
    let app = TestApp::new().await;
    let run = run_one(
        &app,
        OperationType::PolicyExport,
        Handlers::new().with(OperationType::PolicyExport, FailsWithSecret),
    )
    .await;
    assert_eq!(run.summary().outcome, Some(RunOutcome::Failed));
    assert_eq!(
        run.summary().reason_code,
        Some(ReasonCode::ProviderUnavailable)
    );
    assert_eq!(
        run.summary().message.as_deref(),
        Some("503 from graph; Authorization: [redacted] [redacted]")
    );
}

#[tokio::test]
async fn a_type_without_handler_fails_with_a_clear_reason() {
    let app = TestApp::new().await;
    let run = run_one(&app, OperationType::RestoreExecute, Handlers::new()).await;
    assert_eq!(run.summary().outcome, Some(RunOutcome::Failed));
    assert_eq!(
        run.summary().message.as_deref(),
        Some("this server has no handler for restore_execute")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_loop_runs_new_runs_when_woken() {
    let app = TestApp::new().await;
    let mut events = app.state.events.subscribe();
    // Polling once an hour: only the wake can make the loop look again within the test.
    let worker = opsux_server::worker::Worker::new(
        app.state.runs.clone(),
        Handlers::new().with(OperationType::InventorySync, Succeeds),
        opsux_server::worker::WorkerConfig {
            concurrency: 2,
            poll_interval: std::time::Duration::from_secs(3600),
            ..opsux_server::worker::WorkerConfig::default()
        },
        std::sync::Arc::clone(&app.state.wake_worker),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let loop_task = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    let completed = |id: opsux_core::RunId, events: &mut tokio::sync::broadcast::Receiver<_>| {
        let mut events = events.resubscribe();
        async move {
            loop {
                let event: std::sync::Arc<Event> = events.recv().await.unwrap();
                if let Event::RunChanged(run) = &*event
                    && run.id == id
                    && run.status == RunStatus::Completed
                {
                    return run.outcome;
                }
            }
        }
    };
    // The first run is picked up by the loop's first look; once it is done the loop sleeps.
    for _ in 0..2 {
        let started = app
            .start_run(OperationType::InventorySync, None, json!({}))
            .await;
        let done = completed(started.run.id(), &mut events);
        app.state.wake_worker.notify_one();
        let outcome = tokio::time::timeout(std::time::Duration::from_secs(10), done)
            .await
            .expect("the woken loop runs the run within ten seconds");
        assert_eq!(outcome, Some(RunOutcome::Succeeded));
    }
    stop.send(()).unwrap();
    loop_task.await.unwrap();
}

/// Reports twice in quick succession, then works on a slow item until the test lets it go.
struct SlowSecondItem(std::sync::Arc<tokio::sync::Notify>);

impl Handler for SlowSecondItem {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let counts = |n| {
                opsux_core::SummaryCounts::new()
                    .with(opsux_core::SummaryKey::Total, 3)
                    .and_then(|c| c.with(opsux_core::SummaryKey::Processed, n))
                    .unwrap()
            };
            let _ = ctx.report(counts(1)).await;
            let _ = ctx.report(counts(2)).await;
            self.0.notified().await;
            let _ = ctx.report(counts(3)).await;
            HandlerOutcome::Finished(RunOutcome::Succeeded)
        })
    }
}

// R7: a coalesced report is not lost while the handler is busy: the keeper writes it when due.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_held_back_by_coalescing_lands_while_the_handler_is_busy() {
    let app = TestApp::with_config(opsux_server::runs::RunConfig {
        progress_interval: std::time::Duration::from_millis(100),
        ..crate::support::test_run_config()
    })
    .await;
    let started = app
        .start_run(OperationType::InventorySync, None, json!({}))
        .await;
    let mut events = app.state.events.subscribe();
    let gate = std::sync::Arc::new(tokio::sync::Notify::new());
    let worker = app.worker(Handlers::new().with(
        OperationType::InventorySync,
        SlowSecondItem(std::sync::Arc::clone(&gate)),
    ));
    let running = tokio::spawn(async move { worker.run_pending().await.unwrap() });
    let id = started.run.id();
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let event = events.recv().await.unwrap();
            if let Event::RunChanged(run) = &*event
                && run.id == id
                && run.summary_counts.get(opsux_core::SummaryKey::Processed) == Some(2)
            {
                assert_eq!(
                    run.status,
                    RunStatus::Running,
                    "written before the handler finished"
                );
                break;
            }
        }
    })
    .await
    .expect("the held-back report is written within ten seconds");
    gate.notify_one();
    assert_eq!(running.await.unwrap(), 1);
    let run = app.runs().get(id).await.unwrap().unwrap();
    assert_eq!(
        run.summary()
            .summary_counts
            .get(opsux_core::SummaryKey::Processed),
        Some(3)
    );
}

/// Works item by item as the test opens the gate, ignoring errors the way a careless handler
/// might; only the worker can stop it.
struct Careless {
    gate: std::sync::Arc<tokio::sync::Notify>,
    items: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Handler for Careless {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            loop {
                self.gate.notified().await;
                let _ = ctx.report(opsux_core::SummaryCounts::new()).await;
                self.items.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        })
    }
}

// R8 fencing: once another owner has the run, its old handler is stopped, not left working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_whose_lease_is_lost_is_stopped() {
    let app = TestApp::with_manual_clock().await;
    let started = app
        .start_run(OperationType::RestoreExecute, Some(OWNER), json!({}))
        .await;
    let gate = std::sync::Arc::new(tokio::sync::Notify::new());
    let items = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let worker = app.worker(Handlers::new().with(
        OperationType::RestoreExecute,
        Careless {
            gate: std::sync::Arc::clone(&gate),
            items: std::sync::Arc::clone(&items),
        },
    ));
    let claimed = app.runs().claim().await.unwrap().unwrap();
    let execution = tokio::spawn(async move { worker.execute(claimed).await });

    app.advance(std::time::Duration::from_secs(31));
    assert_eq!(app.runs().rescue_stale().await.unwrap().requeued, 1);
    // The next report meets the guard, the lease is known lost, and the handler is dropped.
    gate.notify_one();
    tokio::time::timeout(std::time::Duration::from_secs(10), execution)
        .await
        .expect("the stale handler is stopped within ten seconds")
        .unwrap();
    assert!(items.load(std::sync::atomic::Ordering::SeqCst) <= 1);
    let run = app.runs().get(started.run.id()).await.unwrap().unwrap();
    assert_eq!(
        run.summary().status,
        RunStatus::Queued,
        "left to the next claim"
    );
    assert_eq!(app.notifications_for_run(started.run.id()).await, 0);
}
