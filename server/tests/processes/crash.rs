// Group commit acknowledges a transition only once it is committed: a process killed at any
// moment has lost none of the starts it acknowledged.
use std::collections::HashSet;

use opsux_core::RunId;
use opsux_server::runs::queries;
use opsux_server::store::Store;
use reqwest::StatusCode;
use serde_json::json;
use tokio::sync::mpsc;

use crate::opsux::{Opsux, Session, contoso};
use crate::support::{OWNER, fresh_database, seed_policies};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_has_lost_nothing_it_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    // A backlog of hundreds of one person's runs: past the default caps, on purpose.
    let mut server = Opsux::serve(
        &database,
        &[
            "--no-worker",
            "--max-active-runs-per-user",
            "1000",
            "--max-active-runs-per-tenant",
            "1000",
        ],
    );
    server.ready().await;
    let owner = Session::sign_in(&server.base, OWNER).await;
    let policies = seed_policies(&Store::open(&database).await.unwrap(), "contoso", 300).await;

    // 300 distinct starts at once; the server is killed as soon as 200 are acknowledged, with
    // the others in flight.
    let (acks, mut acknowledged) = mpsc::unbounded_channel();
    let mut tasks = tokio::task::JoinSet::new();
    for policy in policies {
        let (owner, acks) = (owner.clone(), acks.clone());
        let body = json!({"type": "policy_export", "params": {"policy_ids": [policy]}});
        tasks.spawn(async move {
            if let Ok((StatusCode::ACCEPTED, answer)) = owner.start(&body).await {
                let _ = acks.send(answer["run"]["id"].as_str().unwrap().to_owned());
            }
        });
    }
    drop(acks);
    let mut ids = HashSet::new();
    while ids.len() < 200 {
        ids.insert(acknowledged.recv().await.expect("200 acknowledged starts"));
    }
    server.kill();
    while tasks.join_next().await.is_some() {}
    while let Ok(id) = acknowledged.try_recv() {
        ids.insert(id);
    }

    let store = Store::open(&database).await.unwrap();
    let contoso = contoso(&store).await;
    for id in &ids {
        let id: RunId = id.parse().unwrap();
        let run = queries::get(&store, contoso.id, id).await.unwrap();
        assert!(run.is_some(), "acknowledged run {id} was lost");
    }
    let stored = store.run_count().await.unwrap();
    assert!(
        stored >= ids.len() as i64 && stored <= 300,
        "{stored} runs stored, {} acknowledged",
        ids.len()
    );
}
