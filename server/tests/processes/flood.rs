// R8 under a login flood: a login flood against a real `opsux serve --demo` while a run is in progress: 3,000 wrong
// passwords from 100 clients. The limits answer most of them 429 with `Retry-After`; the
// password hashes that do run stay off the async workers, so `/healthz` keeps answering and
// the run's lease (2 s here) keeps being renewed: it succeeds on its first attempt and its
// initiator gets exactly one notification.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::opsux::{Opsux, Session, contoso_faults};
use crate::support::{OWNER, fresh_database};
use opsux_server::store::Store;

const CLIENTS: usize = 100;
/// Each client sends at least this many, and goes on until the flood has lasted three leases.
const ATTEMPTS_PER_CLIENT: usize = 30;
const FLOOD_FOR: Duration = Duration::from_secs(6);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_flood_is_refused_and_leaves_runs_and_health_alone() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    let server = Opsux::serve(&database, &["--no-scheduler", "--lease-secs", "2"]);
    server.ready().await;
    let store = Store::open(&database).await.unwrap();
    let owner = Session::sign_in(&server.base, OWNER).await;
    // Slow Graph answers keep the sync running through the flood.
    contoso_faults(&store, json!({"latency_ms": 3000})).await;
    let (status, answer) = owner
        .start(&json!({"type": "inventory_sync", "params": {}}))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    let run_path = format!(
        "/api/t/contoso/operations/{}",
        answer["run"]["id"].as_str().unwrap()
    );
    owner.run_at_status(&run_path, "running").await;

    let flooding = Arc::new(AtomicBool::new(true));
    let health = tokio::spawn(poll_health(server.base.clone(), Arc::clone(&flooding)));
    let (unauthorized, refused) = flood(&server.base).await;
    flooding.store(false, Ordering::SeqCst);
    let healthy_answers = health.await.unwrap();

    assert!(unauthorized + refused >= CLIENTS * ATTEMPTS_PER_CLIENT);
    assert!(
        unauthorized <= 70,
        "about a minute's budget gets through: {unauthorized} answered 401, {refused} 429"
    );
    assert!(healthy_answers > 0, "/healthz answered during the flood");
    let detail = owner.get(&run_path).await;
    assert_eq!(
        detail["run"]["status"], "running",
        "the run outlasted the flood"
    );

    contoso_faults(&store, json!({})).await;
    let run = owner.run_at_status(&run_path, "completed").await;
    assert_eq!(run["outcome"], "succeeded", "{run}");
    assert_eq!(run["attempt"], 1, "the lease was never lost: {run}");
    let id = run["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(store.notifications_for_run(id).await.unwrap(), 1);
}

/// 100 clients, each its own connection, each sending wrong passwords in turn for
/// [`FLOOD_FOR`]; how many were answered 401 and how many 429 (each 429 with `Retry-After`).
async fn flood(base: &str) -> (usize, usize) {
    let unauthorized = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (base, unauthorized, refused) = (
            base.to_owned(),
            Arc::clone(&unauthorized),
            Arc::clone(&refused),
        );
        clients.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let started = std::time::Instant::now();
            let mut attempt = 0;
            while attempt < ATTEMPTS_PER_CLIENT || started.elapsed() < FLOOD_FOR {
                attempt += 1;
                let res = http
                    .post(format!("{base}/api/login"))
                    .header("origin", &base)
                    .json(&json!({"email": OWNER, "password": format!("guess-{client}-{attempt}")}))
                    .send()
                    .await
                    .unwrap();
                match res.status() {
                    StatusCode::UNAUTHORIZED => unauthorized.fetch_add(1, Ordering::Relaxed),
                    StatusCode::TOO_MANY_REQUESTS => {
                        assert!(res.headers().contains_key("retry-after"));
                        refused.fetch_add(1, Ordering::Relaxed)
                    }
                    other => panic!("a login answered {other}: {}", res.text().await.unwrap()),
                };
            }
        }));
    }
    for client in clients {
        client.await.unwrap();
    }
    (
        unauthorized.load(Ordering::SeqCst),
        refused.load(Ordering::SeqCst),
    )
}

/// Asks `/healthz` until the flood is over; how many times it answered 200.
async fn poll_health(base: String, flooding: Arc<AtomicBool>) -> usize {
    let http = reqwest::Client::new();
    let mut answered = 0;
    while flooding.load(Ordering::SeqCst) {
        let res = http.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        answered += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    answered
}
