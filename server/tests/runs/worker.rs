// R8: whatever a handler does, its run ends; the background loop picks up new runs by itself.
use futures_util::future::BoxFuture;
use opsux_core::{OperationType, ReasonCode, RunOutcome, RunStatus};
use opsux_server::events::Event;
use opsux_server::worker::{Handler, HandlerOutcome, Handlers, RunContext};
use serde_json::json;

use crate::support::TestApp;

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
    let started = app
        .runs()
        .start(
            app.start_request(operation, Some("owner@demo.test"), json!({}))
                .await,
        )
        .await
        .unwrap();
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
    assert_eq!(run.summary.outcome, Some(RunOutcome::Failed));
    assert_eq!(run.summary.reason_code, Some(ReasonCode::InternalError));
    assert!(
        !run.summary.message.as_deref().unwrap().contains("abc123"),
        "panic payloads are never stored"
    );
    assert_eq!(app.notifications_for_run(run.id()).await, 1);
}

#[tokio::test]
async fn an_erroring_handler_fails_its_run_with_a_sanitized_message() {
    let app = TestApp::new().await;
    let run = run_one(
        &app,
        OperationType::PolicyExport,
        Handlers::new().with(OperationType::PolicyExport, FailsWithSecret),
    )
    .await;
    assert_eq!(run.summary.outcome, Some(RunOutcome::Failed));
    assert_eq!(
        run.summary.reason_code,
        Some(ReasonCode::ProviderUnavailable)
    );
    assert_eq!(
        run.summary.message.as_deref(),
        Some("503 from graph; Authorization: [redacted] [redacted]")
    );
}

#[tokio::test]
async fn a_type_without_handler_fails_with_a_clear_reason() {
    let app = TestApp::new().await;
    let run = run_one(&app, OperationType::RestoreExecute, Handlers::new()).await;
    assert_eq!(run.summary.outcome, Some(RunOutcome::Failed));
    assert_eq!(
        run.summary.message.as_deref(),
        Some("this server has no handler for restore_execute")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_loop_runs_new_runs_when_woken() {
    let app = TestApp::new().await;
    let mut events = app.state.events.subscribe();
    let worker = app.worker(Handlers::new().with(OperationType::InventorySync, Succeeds));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let loop_task = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    let started = app
        .runs()
        .start(
            app.start_request(OperationType::InventorySync, None, json!({}))
                .await,
        )
        .await
        .unwrap();
    app.state.wake_worker.notify_one();
    let id = started.run.id();
    loop {
        let event = events.recv().await.unwrap();
        if let Event::RunChanged(run) = &*event
            && run.id == id
            && run.status == RunStatus::Completed
        {
            assert_eq!(run.outcome, Some(RunOutcome::Succeeded));
            break;
        }
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
        .runs()
        .start(
            app.start_request(OperationType::InventorySync, None, json!({}))
                .await,
        )
        .await
        .unwrap();
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
        run.summary
            .summary_counts
            .get(opsux_core::SummaryKey::Processed),
        Some(3)
    );
}
