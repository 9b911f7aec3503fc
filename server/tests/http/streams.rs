// §6, R11: the live streams over a real socket — snapshot first, then changes, the run
// dropped from the widget when it ends, a fresh snapshot on reconnect.
use std::sync::Arc;

use futures_util::future::BoxFuture;
use opsux_core::{OperationType, RunOutcome, SummaryCounts, SummaryKey};
use opsux_server::worker::{Handler, HandlerOutcome, Handlers, RunContext};
use serde_json::json;
use tokio::sync::Notify;

use crate::support::sse::SseClient;
use crate::support::{OWNER, TestApp, serve};

fn counts(total: u64, processed: u64) -> SummaryCounts {
    SummaryCounts::new()
        .with(SummaryKey::Total, total)
        .and_then(|c| c.with(SummaryKey::Processed, processed))
        .and_then(|c| c.with(SummaryKey::Succeeded, processed))
        .unwrap()
}

/// Processes two items and succeeds.
pub(crate) struct Succeed;

impl Handler for Succeed {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let _ = ctx.report(counts(2, 2)).await;
            HandlerOutcome::Finished(RunOutcome::Succeeded)
        })
    }
}

/// Processes one item, waits until the test opens the gate, then finishes.
struct Gated(Arc<Notify>);

impl Handler for Gated {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let _ = ctx.report(counts(2, 1)).await;
            self.0.notified().await;
            let _ = ctx.report(counts(2, 2)).await;
            HandlerOutcome::Finished(RunOutcome::Succeeded)
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_stream_follows_a_run_from_queued_to_gone() {
    let app = TestApp::new().await;
    let addr = serve(&app).await;
    let owner = app.login("owner@demo.test").await;
    let mut widget = SseClient::connect(addr, "/api/t/contoso/operations/stream", &owner).await;
    let mut bell = SseClient::connect(addr, "/api/me/notifications/stream", &owner).await;
    assert_eq!(
        widget.next().await,
        (
            "snapshot".to_owned(),
            json!({"type": "snapshot", "runs": []})
        )
    );
    let (name, snapshot) = bell.next().await;
    assert_eq!(
        (name.as_str(), &snapshot["unread"]),
        ("snapshot", &json!(0))
    );

    let started = app
        .post(
            "/api/t/contoso/operations",
            Some(&owner),
            &json!({"type": "inventory_sync"}),
        )
        .await
        .json();
    let id = started["run"]["id"].as_str().unwrap().to_owned();
    let mut detail = SseClient::connect(
        addr,
        &format!("/api/t/contoso/operations/{id}/stream"),
        &owner,
    )
    .await;
    let (name, first) = detail.next().await;
    assert_eq!(
        (name.as_str(), &first["run"]["run"]["status"]),
        ("snapshot", &json!("queued"))
    );
    let queued = widget
        .until("changed", |d| d["run"]["id"] == id.as_str())
        .await;
    assert_eq!(queued["run"]["status"], "queued");

    let gate = Arc::new(Notify::new());
    let worker =
        app.worker(Handlers::new().with(OperationType::InventorySync, Gated(Arc::clone(&gate))));
    let running = tokio::spawn(async move { worker.run_pending().await.unwrap() });

    let progress = widget
        .until("changed", |d| d["run"]["summary_counts"]["processed"] == 1)
        .await;
    assert_eq!(progress["run"]["status"], "running");
    let detail_progress = detail
        .until("changed", |d| {
            d["run"]["run"]["summary_counts"]["processed"] == 1
        })
        .await;
    assert_eq!(detail_progress["run"]["run"]["summary_counts"]["total"], 2);
    assert_eq!(app.notification_count().await, 0, "nothing while running");

    gate.notify_one();
    let ended = widget
        .until("ended", |d| d["run"]["id"] == id.as_str())
        .await;
    assert_eq!(ended["run"]["outcome"], "succeeded");
    let created = bell.until("created", |_| true).await;
    assert_eq!(created["unread"], 1);
    assert_eq!(created["notification"]["title"], "Inventory sync completed");
    let last = detail
        .until("changed", |d| d["run"]["run"]["status"] == "completed")
        .await;
    assert_eq!(last["run"]["run"]["summary_counts"]["processed"], 2);
    assert_eq!(running.await.unwrap(), 1);

    // A reconnecting client starts from a fresh snapshot: the ended run is gone.
    let mut again = SseClient::connect(addr, "/api/t/contoso/operations/stream", &owner).await;
    assert_eq!(
        again.next().await,
        (
            "snapshot".to_owned(),
            json!({"type": "snapshot", "runs": []})
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnecting_client_gets_the_runs_it_missed_in_its_snapshot() {
    let app = TestApp::new().await;
    let addr = serve(&app).await;
    let owner = app.login("owner@demo.test").await;
    let mut first = SseClient::connect(addr, "/api/t/contoso/operations/stream", &owner).await;
    first.next().await;
    drop(first);
    for policy in app.seed_policies("contoso", 3).await {
        app.post(
            "/api/t/contoso/operations",
            Some(&owner),
            &json!({"type": "policy_export", "params": {"policy_ids": [policy]}}),
        )
        .await;
    }
    let mut second = SseClient::connect(addr, "/api/t/contoso/operations/stream", &owner).await;
    let (name, snapshot) = second.next().await;
    assert_eq!(name, "snapshot");
    assert_eq!(snapshot["runs"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marking_read_updates_the_bell_stream() {
    let app = TestApp::new().await;
    let addr = serve(&app).await;
    let owner = app.login("owner@demo.test").await;
    app.post(
        "/api/t/contoso/operations",
        Some(&owner),
        &json!({"type": "entra_group_sync"}),
    )
    .await;
    app.worker(Handlers::new().with(OperationType::EntraGroupSync, Succeed))
        .run_pending()
        .await
        .unwrap();
    let mut bell = SseClient::connect(addr, "/api/me/notifications/stream", &owner).await;
    let (_, snapshot) = bell.next().await;
    assert_eq!(snapshot["unread"], 1);
    app.post("/api/me/notifications/read-all", Some(&owner), &json!({}))
        .await;
    assert_eq!(
        bell.until("read", |_| true).await,
        json!({"type": "read", "unread": 0})
    );
}

// One slow client must neither stall the others nor miss a state for good: when it lags behind
// the hub, its next message is a fresh snapshot.
#[tokio::test]
async fn a_lagging_stream_is_resynchronized_with_a_snapshot() {
    let app = TestApp::with_event_capacity(4).await;
    let addr = serve(&app).await;
    let owner = app.login("owner@demo.test").await;
    let mut widget = SseClient::connect(addr, "/api/t/contoso/operations/stream", &owner).await;
    assert_eq!(widget.next().await.0, "snapshot");
    let started = app
        .start_run(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    // On this single-threaded runtime nothing reads the hub while we publish: the stream's
    // receiver falls 46 events behind a 4-event buffer.
    for _ in 0..50 {
        app.state
            .events
            .deliver(opsux_server::events::Event::RunChanged(
                started.run.summary().clone(),
            ));
    }
    let resync = widget.until("snapshot", |_| true).await;
    let runs = resync["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["id"], started.run.id().to_string());
}

// R16, R17: a stream authorizes like the page it feeds, for as long as it is open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_end_when_the_session_or_the_membership_ends() {
    let app = TestApp::new().await;
    let addr = serve(&app).await;
    let owner = app.login("owner@demo.test").await;
    let mut widget = SseClient::connect(addr, "/api/t/contoso/operations/stream", &owner).await;
    let mut bell = SseClient::connect(addr, "/api/me/notifications/stream", &owner).await;
    widget.next().await;
    bell.next().await;
    app.post("/api/logout", Some(&owner), &json!({})).await;
    widget.ended().await;
    bell.ended().await;

    let reader = app.login("reader@demo.test").await;
    let mut watching = SseClient::connect(addr, "/api/t/contoso/operations/stream", &reader).await;
    watching.next().await;
    let reader_id = app.user_id("reader@demo.test").await;
    let contoso = app.tenant("contoso").await;
    assert!(
        app.store()
            .remove_membership(reader_id, contoso.id)
            .await
            .unwrap()
    );
    watching.ended().await;
}

// One person may hold a bounded number of streams, over all their sessions: the next is
// refused with 429 (signing in again does not make room), and a closed stream gives its slot
// back. Another person is not affected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_per_person_are_capped_and_slots_come_back() {
    let app = TestApp::with(|config| config.streams_per_user = 3).await;
    let owner = app.login(OWNER).await;
    let addr = serve(&app).await;
    let mut open = Vec::new();
    for path in [
        "/api/me/notifications/stream",
        "/api/t/contoso/operations/stream",
        "/api/t/fabrikam/operations/stream",
    ] {
        let mut stream = SseClient::connect(addr, path, &owner).await;
        assert_eq!(stream.next().await.0, "snapshot");
        open.push(stream);
    }
    let http = reqwest::Client::new();
    let refused = http
        .get(format!("http://{addr}/api/me/notifications/stream"))
        .header("cookie", &owner)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(
        body["error"]["message"],
        "you have 3 event streams open, the most allowed per person; close other tabs or streams first"
    );

    let second_session = app.login(OWNER).await;
    let also_refused = http
        .get(format!("http://{addr}/api/me/notifications/stream"))
        .header("cookie", &second_session)
        .send()
        .await
        .unwrap();
    assert_eq!(
        also_refused.status(),
        reqwest::StatusCode::TOO_MANY_REQUESTS,
        "a new session is not more room"
    );

    let other = app.login("reader@demo.test").await;
    let mut theirs = SseClient::connect(addr, "/api/me/notifications/stream", &other).await;
    assert_eq!(theirs.next().await.0, "snapshot");

    drop(open.pop());
    // The server notices the closed connection on its own schedule: wait for the slot.
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let res = http
                .get(format!("http://{addr}/api/me/notifications/stream"))
                .header("cookie", &owner)
                .send()
                .await
                .unwrap();
            if res.status() == reqwest::StatusCode::OK {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("a closed stream gives its slot back");
}

// R21: removing a member, or a person signing out everywhere, ends their open streams at once
// — not at the periodic check, which is set to ten minutes here. On SQLite the service
// publishes the change; on PostgreSQL the database announces it to every process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_members_and_ended_sessions_lose_their_streams_at_once() {
    let app =
        TestApp::with(|config| config.stream_recheck = std::time::Duration::from_secs(600)).await;
    let addr = serve(&app).await;
    let owner = app.login(OWNER).await;
    let reader = app.login("reader@demo.test").await;
    let mut widget = SseClient::connect(addr, "/api/t/contoso/operations/stream", &reader).await;
    let mut bell = SseClient::connect(addr, "/api/me/notifications/stream", &reader).await;
    widget.next().await;
    bell.next().await;
    let reader_id = app.user_id("reader@demo.test").await;
    let removed = app
        .send(crate::support::with_origin(
            "DELETE",
            &format!("/api/t/contoso/members/{reader_id}"),
            Some(&owner),
            None,
        ))
        .await;
    assert_eq!(removed.status, reqwest::StatusCode::NO_CONTENT);
    widget.ended().await;

    let mut owners_bell = SseClient::connect(addr, "/api/me/notifications/stream", &owner).await;
    owners_bell.next().await;
    let ended = app
        .post("/api/me/sessions/end-all", Some(&owner), &json!({}))
        .await;
    assert_eq!(ended.status, reqwest::StatusCode::NO_CONTENT);
    owners_bell.ended().await;
}

// R21: a change of access made by another process — the console's `opsux member revoke`, which
// publishes nothing to this server — still ends the person's open streams at once: on SQLite
// the server reads what the database's triggers recorded, every second; on PostgreSQL the
// database announces it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_changed_by_another_process_ends_streams_at_once() {
    use opsux_server::org::{self, Change};
    use opsux_server::store::audit::Actor;
    let app =
        TestApp::with(|config| config.stream_recheck = std::time::Duration::from_secs(600)).await;
    let addr = serve(&app).await;
    let reader = app.login("reader@demo.test").await;
    let mut widget = SseClient::connect(addr, "/api/t/contoso/operations/stream", &reader).await;
    widget.next().await;
    let console = Change {
        actor: Actor::Console {
            os_user: "test".to_owned(),
        },
        at_ms: 1,
    };
    org::revoke(app.store(), &console, "contoso", "reader@demo.test")
        .await
        .unwrap();
    widget.ended().await;
}

// A process killed between a commit and its announcement (PostgreSQL) takes the announcement
// with it: the relay's periodic look at the runs it has seen active still shows the change.
// Here the change is made by hand, so nothing announces it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_whose_announcement_was_lost_still_reaches_the_streams() {
    let app = TestApp::new().await;
    if !app.store().announces_changes() {
        // SQLite: one process publishes its own changes; there is nothing to lose.
        return;
    }
    let addr = serve(&app).await;
    let owner = app.login(OWNER).await;
    let mut widget = SseClient::connect(addr, "/api/t/contoso/operations/stream", &owner).await;
    widget.next().await;
    let started = app
        .start_run(OperationType::InventorySync, Some(OWNER), json!({}))
        .await;
    let id = started.run.id().to_string();
    // The relay has seen it queued.
    widget
        .until("changed", |c| c["run"]["id"] == id.as_str())
        .await;
    let moved = crate::support::execute_raw(
        app.store(),
        "UPDATE operation_runs SET summary_counts = '{\"total\":7}', version = version + 1 \
         WHERE status = 'queued'",
    )
    .await
    .unwrap();
    assert_eq!(moved, 1);
    let seen = widget
        .until("changed", |c| {
            c["run"]["id"] == id.as_str() && c["run"]["summary_counts"]["total"] == 7
        })
        .await;
    assert_eq!(seen["run"]["status"], "queued");
}
