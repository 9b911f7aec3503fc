// R8, R11 at shutdown: SIGTERM with a stream open and a run in progress: the stream ends, the worker claims
// nothing more, the run's handler gets the drain time (1 s here) and is then stopped with its
// run handed back to the queue — not counted as an attempt, nobody notified — and the
// process exits 0. Restarted, the server finishes the run once, with one notification.
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::json;

use crate::opsux::{Opsux, Session, contoso, contoso_faults};
use crate::support::{OWNER, fresh_database};
use opsux_server::runs::queries;
use opsux_server::store::Store;

const ARGS: &[&str] = &["--no-scheduler", "--drain-secs", "1"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_streams_hands_runs_back_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    let mut server = Opsux::serve(&database, ARGS);
    server.ready().await;
    let store = Store::open(&database).await.unwrap();
    let owner = Session::sign_in(&server.base, OWNER).await;
    contoso_faults(&store, json!({"latency_ms": 3000})).await;
    let (status, answer) = owner
        .start(&json!({"type": "inventory_sync", "params": {}}))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    let id: opsux_core::RunId = answer["run"]["id"].as_str().unwrap().parse().unwrap();
    let path = format!("/api/t/contoso/operations/{id}");
    owner.run_at_status(&path, "running").await;

    let stream = reqwest::Client::new()
        .get(format!("{}/api/t/contoso/operations/stream", server.base))
        .header("cookie", &owner.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let mut body = stream.bytes_stream();
    let first = body.next().await.expect("a snapshot").unwrap();
    assert!(String::from_utf8_lossy(&first).contains("snapshot"));

    let asked = Instant::now();
    let reader = tokio::spawn(async move {
        // Read until the server ends the stream.
        while let Some(chunk) = body.next().await {
            if chunk.is_err() {
                break;
            }
        }
    });
    let exit = server.terminate().await;
    assert!(exit.success(), "opsux exits cleanly: {exit}");
    tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .expect("the open stream ended")
        .unwrap();
    let took = asked.elapsed();
    assert!(
        took < Duration::from_secs(30),
        "stopped within the drain time and its grace: {took:?}"
    );

    let contoso = contoso(&store).await;
    let run = queries::get(&store, contoso.id, id).await.unwrap().unwrap();
    assert_eq!(
        run.summary().status,
        opsux_core::RunStatus::Queued,
        "handed back"
    );
    assert_eq!(
        run.summary().attempt,
        0,
        "the stopped attempt is not counted"
    );
    assert_eq!(store.notifications_for_run(id).await.unwrap(), 0);

    // Restarted, the server takes the run from the queue and finishes it once.
    let server = Opsux::serve(&database, ARGS);
    server.ready().await;
    let owner = Session::sign_in(&server.base, OWNER).await;
    let done = owner.run_at_status(&path, "completed").await;
    assert_eq!(done["outcome"], "succeeded", "{done}");
    assert_eq!(done["attempt"], 1, "{done}");
    assert_eq!(store.notifications_for_run(id).await.unwrap(), 1);
}
