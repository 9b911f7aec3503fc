// SPEC §7, S7, S8 across processes, on PostgreSQL: two API processes without workers and two
// worker processes on one database, running the real flows against the Graph simulator
// (slowed by its latency fault, so runs are long enough to kill, duplicate and cancel). Runs started through both APIs end exactly once with
// exactly one notification each; identical starts through both APIs create one run; a stream
// on one API process sees what the other processes' workers finished; a worker killed
// mid-run leaves its run to the other, after the lease; a cancel made through one API stops
// the run in whichever worker holds it (R9).
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use opsux_core::{RunId, RunOutcome};
use opsux_server::runs::queries;
use opsux_server::store::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::opsux::{Opsux, Session, contoso, contoso_faults};
use crate::support::sse::SseClient;
use crate::support::{OWNER, fresh_database};

/// Every process: a short lease, no scheduler (its system runs would only add to the counts).
const COMMON: &[&str] = &["--lease-secs", "2", "--no-scheduler"];
/// The latency of every provider answer, in ms: an export of n policies takes n × this.
const LATENCY_MS: u64 = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: cargo xtask test runs it with OPSUX_TEST_DATABASE_URL"]
async fn api_and_worker_processes_share_one_database() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    assert!(
        database.starts_with("postgres"),
        "set OPSUX_TEST_DATABASE_URL to a PostgreSQL server"
    );
    // Hundreds of one person's runs at once: past the default caps, on purpose.
    let api = [
        "--no-worker",
        "--max-active-runs-per-user",
        "1000",
        "--max-active-runs-per-tenant",
        "1000",
    ];
    let api_a = Opsux::serve(&database, &[&api[..], COMMON].concat());
    api_a.ready().await;
    let api_b = Opsux::serve(&database, &[&api[..], COMMON].concat());
    api_b.ready().await;
    let store = Store::open(&database).await.unwrap();
    let (a, b) = (
        Session::sign_in(&api_a.base, OWNER).await,
        Session::sign_in(&api_b.base, OWNER).await,
    );
    let mut bell_on_a = SseClient::connect_url(
        &format!("{}/api/me/notifications/stream", a.base),
        &a.cookie,
    )
    .await;
    assert_eq!(bell_on_a.next().await.0, "snapshot");

    // The inventory first: the policies every later run exports.
    let mut doomed = Opsux::worker(&database, &[&["--concurrency", "8"], COMMON].concat());
    let synced = start(&a, json!({"type": "inventory_sync"})).await;
    wait_until(&a, &synced, "completed").await;
    let policies = policy_ids(&a).await;
    assert_eq!(policies.len(), 240, "the simulator's contoso policies");
    contoso_faults(&store, json!({"latency_ms": LATENCY_MS})).await;

    // A worker is killed in the middle of a run; another takes it over after the lease.
    let rescued = start(&b, export(&policies[0..20])).await;
    wait_until(&a, &rescued, "running").await;
    doomed.kill();
    let _workers = [
        Opsux::worker(&database, &[&["--concurrency", "8"], COMMON].concat()),
        Opsux::worker(&database, &[&["--concurrency", "8"], COMMON].concat()),
    ];

    // 100 identical starts through each API at once, while the run they name is active.
    let identical = export(&policies[20..50]);
    let mut tasks = tokio::task::JoinSet::new();
    for session in [&a, &b] {
        for _ in 0..100 {
            let (session, body) = (session.clone(), identical.clone());
            tasks.spawn(async move { session.start(&body).await.unwrap() });
        }
    }
    let answers: Vec<(StatusCode, Value)> = tasks.join_all().await;
    let identical_ids: HashSet<&str> = answers
        .iter()
        .map(|(_, answer)| answer["run"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(identical_ids.len(), 1, "one active run per identity");
    assert_eq!(
        answers
            .iter()
            .filter(|(_, answer)| answer["result"] == "queued")
            .count(),
        1,
        "exactly one start created the run"
    );

    // 200 distinct runs, half through each API: one policy's export each.
    let mut runs: Vec<String> = vec![synced.clone(), rescued.clone()];
    runs.extend(identical_ids.iter().map(|id| (*id).to_owned()));
    let mut tasks = tokio::task::JoinSet::new();
    for (n, policy) in policies[40..240].iter().enumerate() {
        let session = if n % 2 == 0 { a.clone() } else { b.clone() };
        let body = export(std::slice::from_ref(policy));
        tasks.spawn(async move { start(&session, body).await });
    }
    runs.extend(tasks.join_all().await);
    // A long run, cancelled through the API that did not start it.
    let cancelled = start(&b, export(&policies)).await;
    wait_until(&a, &cancelled, "running").await;
    assert_eq!(a.cancel(&cancelled).await, StatusCode::OK);
    runs.push(cancelled.clone());
    let runs: HashSet<String> = runs.into_iter().collect();
    assert_eq!(runs.len(), 204);

    // The stream on API A, which runs no worker, hears every run end.
    let mut notified = HashMap::new();
    tokio::time::timeout(Duration::from_secs(180), async {
        while notified.len() < runs.len() {
            let (name, data) = bell_on_a.next().await;
            if name == "created" {
                let run = data["notification"]["run_id"].as_str().unwrap().to_owned();
                *notified.entry(run).or_insert(0) += 1;
            }
        }
    })
    .await
    .unwrap_or_else(|_| {
        panic!(
            "{} of {} runs announced on API A",
            notified.len(),
            runs.len()
        )
    });
    assert!(
        notified.values().all(|n| *n == 1),
        "one notification event per run"
    );

    let contoso = contoso(&store).await;
    for id in &runs {
        let id: RunId = id.parse().unwrap();
        let run = queries::get(&store, contoso.id, id).await.unwrap().unwrap();
        let expected = if id.to_string() == cancelled {
            RunOutcome::Cancelled
        } else {
            RunOutcome::Succeeded
        };
        assert_eq!(run.summary().outcome, Some(expected), "{id}");
        assert_eq!(store.notifications_for_run(id).await.unwrap(), 1, "{id}");
    }
    assert_eq!(store.run_count().await.unwrap(), 204);
    assert_eq!(store.notification_count().await.unwrap(), 204);
    let rescued: RunId = rescued.parse().unwrap();
    let rescued = queries::get(&store, contoso.id, rescued)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rescued.summary().attempt, 2, "taken over after the kill");
    eprintln!(
        "several processes: 204 runs through 2 API processes, 3 worker processes (1 killed \
         mid-run), 1 cancelled across processes, 204 notifications, each seen once on the \
         other API's stream"
    );
}

/// The start of an export of `policies`.
fn export(policies: &[String]) -> Value {
    json!({"type": "policy_export", "params": {"policy_ids": policies}})
}

/// Starts a run and returns its id.
async fn start(session: &Session, body: Value) -> String {
    let (status, answer) = session.start(&body).await.unwrap();
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    answer["run"]["id"].as_str().unwrap().to_owned()
}

/// Contoso's policy ids, through the API.
async fn policy_ids(session: &Session) -> Vec<String> {
    let page = session.get("/api/t/contoso/policies?limit=200").await;
    let mut ids: Vec<String> = ids_of(&page);
    let cursor = page["next_cursor"].as_str().expect("a second page");
    let rest = session
        .get(&format!(
            "/api/t/contoso/policies?limit=200&cursor={cursor}"
        ))
        .await;
    ids.extend(ids_of(&rest));
    ids
}

fn ids_of(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn wait_until(session: &Session, id: &str, status: &str) {
    let path = format!("/api/t/contoso/operations/{id}");
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let run = session.get(&path).await;
            if run["run"]["status"] == status {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("run {id} reaches {status}"));
}
