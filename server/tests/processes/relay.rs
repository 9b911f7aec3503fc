// On PostgreSQL, streams hear committed changes through the database's announcements: when
// the listening connection drops, the relay listens again and every stream resynchronizes.
use opsux_core::OperationType;
use serde_json::json;

use crate::support::sse::SseClient;
use crate::support::{OWNER, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: cargo xtask test runs it with OPSUX_TEST_DATABASE_URL"]
async fn a_dropped_listener_reconnects_and_streams_resynchronize() {
    let app = TestApp::new().await;
    assert_eq!(app.store().backend().as_str(), "postgres");
    let addr = crate::support::serve(&app).await;
    let owner = app.login(OWNER).await;
    let mut widget = SseClient::connect(addr, "/api/t/contoso/operations/stream", &owner).await;
    assert_eq!(widget.next().await.0, "snapshot");
    let first = app
        .start_run(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    widget
        .until("changed", |data| {
            data["run"]["id"] == first.run.id().to_string()
        })
        .await;

    let ended = app
        .execute_raw(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'opsux-events' AND datname = current_database()",
        )
        .await
        .unwrap();
    assert_eq!(ended, 1, "one listening connection to end");
    let resync = widget.until("snapshot", |_| true).await;
    assert_eq!(resync["runs"].as_array().unwrap().len(), 1);

    // And the relay hears changes again.
    let second = app
        .start_run(OperationType::EntraGroupSync, Some(OWNER), json!({}))
        .await;
    widget
        .until("changed", |data| {
            data["run"]["id"] == second.run.id().to_string()
        })
        .await;
}
