// R2, R8 under chaos: a real `opsux serve` killed with SIGKILL at a random moment while its runs are in
// flight, restarted, twenty times over. Afterwards every acknowledged run has ended exactly
// once — none lost, none stuck, none finished twice — and its initiator has exactly one
// notification about it. The seed is printed; `OPSUX_CHAOS_SEED` replays a sequence.
use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::opsux::{Opsux, Session, contoso_faults};
use crate::support::{OWNER, fresh_database};
use opsux_server::store::Store;

const ROUNDS: usize = 20;
const STARTS_PER_ROUND: usize = 3;
/// Short leases, so a killed process's runs are rescued quickly after each restart.
const ARGS: &[&str] = &["--no-scheduler", "--lease-secs", "1", "--drain-secs", "0"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_and_restarted_twenty_times_every_run_ends_once() {
    let seed = std::env::var("OPSUX_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("chaos seed: {seed} (OPSUX_CHAOS_SEED={seed} replays it)");
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    let store = Store::open(&database).await.unwrap();

    // The inventory first, so there are policies to export.
    let server = Opsux::serve(&database, ARGS);
    server.ready().await;
    let owner = Session::sign_in(&server.base, OWNER).await;
    let sync = start(&owner, json!({"type": "inventory_sync", "params": {}})).await;
    let mut acknowledged = BTreeSet::from([sync.clone()]);
    wait_until_ended(&owner, &acknowledged).await;
    let policies: Vec<String> = owner.get("/api/t/contoso/policies?limit=200").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    drop(server);

    for round in 0..ROUNDS {
        let mut server = Opsux::serve(&database, ARGS);
        server.ready().await;
        let owner = Session::sign_in(&server.base, OWNER).await;
        // Each provider answer takes a while: kills land mid-run.
        contoso_faults(&store, json!({"latency_ms": 100})).await;
        for k in 0..STARTS_PER_ROUND {
            let policy = &policies[(round * STARTS_PER_ROUND + k) % policies.len()];
            let body = json!({"type": "policy_export", "params": {"policy_ids": [policy]}});
            acknowledged.insert(start(&owner, body).await);
        }
        tokio::time::sleep(Duration::from_millis(rng.u64(0..1_500))).await;
        server.kill();
    }

    // One last start, left to finish everything.
    let server = Opsux::serve(&database, ARGS);
    server.ready().await;
    let owner = Session::sign_in(&server.base, OWNER).await;
    let runs = wait_until_ended(&owner, &acknowledged).await;
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for run in &runs {
        let outcome = run["outcome"].as_str().unwrap();
        *outcomes.entry(outcome.to_owned()).or_default() += 1;
        // Succeeded, or gave up after its attempts were all killed (R8) — never anything else.
        assert!(
            outcome == "succeeded" || (outcome == "failed" && run["reason_code"] == "worker_lost"),
            "{run}"
        );
        let id = run["id"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            store.notifications_for_run(id).await.unwrap(),
            1,
            "exactly one notification for {run}"
        );
    }
    assert_eq!(
        store.notification_count().await.unwrap(),
        i64::try_from(acknowledged.len()).unwrap(),
        "no notification about anything else"
    );
    assert_eq!(
        store.run_count().await.unwrap(),
        i64::try_from(acknowledged.len()).unwrap(),
        "no run the clients were not told about"
    );
    eprintln!(
        "chaos: {} runs through {ROUNDS} kills, outcomes {outcomes:?}",
        acknowledged.len()
    );
}

async fn start(owner: &Session, body: Value) -> String {
    let (status, answer) = owner.start(&body).await.unwrap();
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    answer["run"]["id"].as_str().unwrap().to_owned()
}

/// Waits until every run in `ids` has completed (at most three minutes); the runs.
async fn wait_until_ended(owner: &Session, ids: &BTreeSet<String>) -> Vec<Value> {
    tokio::time::timeout(Duration::from_secs(180), async {
        loop {
            let mut runs = Vec::new();
            for id in ids {
                let detail = owner.get(&format!("/api/t/contoso/operations/{id}")).await;
                runs.push(detail["run"].clone());
            }
            if runs.iter().all(|r| r["status"] == "completed") {
                return runs;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .expect("every acknowledged run ends within three minutes of the last restart")
}
