// R8, R2: the lease during the terminal write: a finished run whose terminal write keeps failing for
// a while (here: the notification insert refused as a serialization failure twelve times, a
// trigger on PostgreSQL) is retried for longer than its lease lasts — and the worker goes on
// renewing the lease until the write lands, so the rescuer never takes the run back and the
// work is not done twice: the run succeeds on its first attempt with one notification.
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use opsux_core::{OperationType, RunOutcome, RunStatus};
use opsux_server::runs::RunConfig;
use opsux_server::store::Store;
use opsux_server::worker::{Handler, HandlerOutcome, Handlers, RunContext, Worker, WorkerConfig};
use serde_json::json;

use crate::support::{OWNER, TestApp, test_run_config};

struct Done;

impl Handler for Done {
    fn run<'a>(&'a self, _ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async { HandlerOutcome::Finished(RunOutcome::Succeeded) })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: cargo xtask test runs it with OPSUX_TEST_DATABASE_URL"]
async fn the_lease_outlives_a_terminal_write_that_is_retried() {
    let app = TestApp::with_config(RunConfig {
        lease: Duration::from_secs(1),
        ..test_run_config()
    })
    .await;
    assert!(
        matches!(app.store(), Store::Postgres(_)),
        "this test injects faults with a PostgreSQL trigger"
    );
    for sql in [
        "CREATE SEQUENCE injected_faults",
        "CREATE FUNCTION refuse_first_inserts() RETURNS trigger AS $$ BEGIN \
           IF nextval('injected_faults') <= 12 THEN \
             RAISE EXCEPTION 'injected' USING ERRCODE = '40001'; \
           END IF; \
           RETURN NEW; \
         END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse_first_inserts BEFORE INSERT ON notifications \
         FOR EACH ROW EXECUTE FUNCTION refuse_first_inserts()",
    ] {
        app.execute_raw(sql).await.unwrap();
    }
    // A worker whose loop also rescues stale leases, twice a lease.
    let worker = Worker::new(
        app.runs().clone(),
        Handlers::new().with(OperationType::InventorySync, Done),
        WorkerConfig {
            poll_interval: Duration::from_millis(200),
            ..WorkerConfig::default()
        },
        Arc::clone(&app.state.wake_worker),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let looping = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    let started = app
        .start_run(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    app.state.wake_worker.notify_one();
    let id = started.run.id();
    let run = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let run = app.runs().get(id).await.unwrap().unwrap();
            if run.summary().status == RunStatus::Completed {
                return run;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the run ends");
    let _ = stop.send(());
    looping.await.unwrap();
    assert_eq!(run.summary().outcome, Some(RunOutcome::Succeeded));
    assert_eq!(run.summary().attempt, 1, "never taken back by the rescuer");
    assert_eq!(app.notifications_for_run(id).await, 1);
}
