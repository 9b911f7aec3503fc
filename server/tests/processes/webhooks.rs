// Issue "How runs ended, for the systems around opsux", its webhooks end to end with the real
// binary: endpoints added with the CLI, runs ended through the worker protocol, a receiver on
// loopback that answers 503 to each delivery's first attempt, a SIGKILL between attempts, the
// signatures checked by the Python example receiver (an implementation that shares nothing
// with the server's), the filters, another tenant's runs, and the destination rule.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};

use crate::opsux::{Opsux, command, ok, refused};
use crate::support::fresh_database;

const TYPE: &str = "acme.ledger_check";
const ORIGIN: &str = "https://ops.example.test";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    endpoint: String,
    id: String,
    timestamp: String,
    signature: String,
    body: String,
    answered: u16,
}

/// A webhook receiver on loopback: `/{endpoint}` records every request; on `/all` the first
/// attempt of each delivery is answered 503, the next ones 200; `/moved` answers every one
/// with a redirect to `/all`, which must not be followed.
struct Receiver {
    base: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start() -> Self {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let app = Router::new()
            .route("/{endpoint}", post(receive))
            .with_state(Arc::clone(&got));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base, got }
    }

    fn at(&self, endpoint: &str) -> Vec<Received> {
        let got = self.got.lock().unwrap();
        got.iter()
            .filter(|r| r.endpoint == endpoint)
            .cloned()
            .collect()
    }

    /// Waits (at most a minute) until `endpoint`'s requests meet `done`.
    async fn wait(&self, endpoint: &str, what: &str, done: impl Fn(&[Received]) -> bool) {
        self.wait_for(Duration::from_secs(60), endpoint, what, done)
            .await;
    }

    /// [`Receiver::wait`], for what may wait out a claim (a minute) first.
    async fn wait_long(&self, endpoint: &str, what: &str, done: impl Fn(&[Received]) -> bool) {
        self.wait_for(Duration::from_secs(150), endpoint, what, done)
            .await;
    }

    async fn wait_for(
        &self,
        limit: Duration,
        endpoint: &str,
        what: &str,
        done: impl Fn(&[Received]) -> bool,
    ) {
        let waited = tokio::time::timeout(limit, async {
            while !done(&self.at(endpoint)) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
        assert!(waited.is_ok(), "{what}: {:#?}", self.at(endpoint));
    }
}

async fn receive(
    State(got): State<Arc<Mutex<Vec<Received>>>>,
    Path(endpoint): Path<String>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, [(&'static str, &'static str); 1]) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let id = header("webhook-id");
    let mut got = got.lock().unwrap();
    let first = !got.iter().any(|r| r.endpoint == endpoint && r.id == id);
    let status = match endpoint.as_str() {
        "all" if first => StatusCode::SERVICE_UNAVAILABLE,
        "moved" => StatusCode::TEMPORARY_REDIRECT,
        _ => StatusCode::OK,
    };
    got.push(Received {
        endpoint,
        id,
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body,
        answered: status.as_u16(),
    });
    (status, [("location", "/all")])
}

fn opsux(database: &str, args: &[&str]) -> std::process::Output {
    let mut all = args.to_vec();
    all.extend(["--database-url", database]);
    command(&all)
}

/// `webhook add`; the secret it printed on its last line.
fn add_webhook(database: &str, tenant: &str, name: &str, url: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "webhook",
        "add",
        "--tenant",
        tenant,
        "--name",
        name,
        "--url",
        url,
        "--webhook-allow-private",
    ];
    args.extend_from_slice(extra);
    let added = ok(&opsux(database, &args));
    let secret = added.lines().last().unwrap().trim().to_owned();
    assert!(secret.starts_with("whsec_"), "{added}");
    secret
}

fn deliveries(database: &str, tenant: &str, name: &str) -> Vec<Value> {
    let listed = ok(&opsux(
        database,
        &[
            "webhook",
            "deliveries",
            "--tenant",
            tenant,
            "--name",
            name,
            "--json",
        ],
    ));
    serde_json::from_str::<Value>(&listed)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Waits (at most a minute) until the endpoint's deliveries meet `done`.
async fn wait_deliveries(
    database: &str,
    tenant: &str,
    name: &str,
    what: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let mut last = Vec::new();
    let waited = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            last = deliveries(database, tenant, name);
            if done(&last) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "{what}: {last:#?}");
    last
}

/// `POST {base}/api/v1{path}` with `token`; the answer, which must be a success.
async fn call(base: &str, token: &str, path: &str, body: &Value) -> Value {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1{path}"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let answer: Value = res.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

/// Starts a run of [`TYPE`] in `tenant` (for `initiator`, or a system run), works it through
/// the worker protocol and ends it with `outcome`; its id.
async fn run_to_end(
    base: &str,
    token: &str,
    tenant: &str,
    n: u32,
    initiator: Option<&str>,
    outcome: &str,
) -> String {
    let mut start = json!({"type": TYPE, "params": {"n": n}});
    if let Some(email) = initiator {
        start["initiator"] = json!({"email": email});
    }
    let started = call(base, token, &format!("/t/{tenant}/operations"), &start).await;
    let id = started["run"]["id"].as_str().unwrap().to_owned();
    let claim = json!({"types": [TYPE], "max": 1, "lease_secs": 30, "wait_secs": 5});
    let claimed = call(base, token, "/worker/claim", &claim).await;
    let run = &claimed["runs"][0];
    assert_eq!(run["id"], id.as_str(), "{claimed}");
    let mut end = json!({
        "fencing_token": run["fencing_token"],
        "outcome": outcome,
        "counts": {"total": 2, "processed": 2},
    });
    if outcome == "failed" {
        end["failures"] = json!([{"reason_code": "permission_denied",
                                  "message": "ledger refused; password=hunter2"}]);
    }
    call(base, token, &format!("/worker/runs/{id}/complete"), &end).await;
    id
}

/// Whether the Python example receiver's `verify` accepts each request with `secret`.
fn python_verifies(secret: &str, requests: &[Received]) -> Vec<bool> {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/webhook_receiver.py"
    );
    let mut child = Command::new("python3")
        .args([script, "--check"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut cases = String::new();
    for r in requests {
        let case = json!({"secret": secret, "id": r.id, "timestamp": r.timestamp,
                          "body": r.body, "signature": r.signature});
        cases.push_str(&format!("{case}\n"));
    }
    child
        .stdin
        .take()
        .unwrap()
        .write_all(cases.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l == "ok")
        .collect()
}

fn tokens(database: &str) -> (String, String) {
    ok(&opsux(
        database,
        &[
            "operation-type",
            "add",
            "--key",
            TYPE,
            "--label",
            "Ledger check",
            "--capability",
            "policy.export",
            "--summary-keys",
            "total,processed,failed",
        ],
    ));
    let token = |tenant: &str| {
        let made = ok(&opsux(
            database,
            &[
                "token",
                "create",
                "--tenant",
                tenant,
                "--name",
                "ledger",
                "--scopes",
                "runs:start,runs:work",
                "--types",
                TYPE,
            ],
        ));
        made.lines().last().unwrap().trim().to_owned()
    };
    (token("contoso"), token("fabrikam"))
}

/// The events of `requests` by run id, each request's body parsed.
fn by_run(requests: &[Received]) -> BTreeMap<String, Vec<Value>> {
    let mut runs: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for r in requests {
        let event: Value = serde_json::from_str(&r.body).unwrap();
        let run = event["data"]["id"].as_str().unwrap().to_owned();
        runs.entry(run).or_default().push(event);
    }
    runs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ended_runs_reach_their_endpoints_once_signed_retried_and_across_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    let receiver = Receiver::start().await;
    // No scheduler: its daily prune would end runs of its own and reach the endpoints too.
    let flags = [
        "--webhook-allow-private",
        "--public-origin",
        ORIGIN,
        "--no-scheduler",
    ];
    let mut server = Opsux::serve(&database, &flags);
    server.ready().await;
    let (contoso, fabrikam) = tokens(&database);

    let url = |endpoint: &str| format!("{}/{endpoint}", receiver.base);
    let secret = add_webhook(&database, "contoso", "all", &url("all"), &[]);
    let failed_secret = add_webhook(
        &database,
        "contoso",
        "failed",
        &url("failed"),
        &["--only-failed"],
    );
    add_webhook(
        &database,
        "contoso",
        "system",
        &url("system"),
        &["--only-system"],
    );
    add_webhook(&database, "fabrikam", "other", &url("other"), &[]);
    add_webhook(
        &database,
        "contoso",
        "moved",
        &url("moved"),
        &["--only-system"],
    );
    // Without the operator's permission, loopback is refused at once, naming the rule.
    let refusal = refused(&opsux(
        &database,
        &[
            "webhook",
            "add",
            "--tenant",
            "contoso",
            "--name",
            "local",
            "--url",
            &url("x"),
        ],
    ));
    assert!(
        refusal.contains("https only") || refusal.contains("not a public"),
        "{refusal}"
    );
    let listed: Value = serde_json::from_str(&ok(&opsux(
        &database,
        &["webhook", "list", "--tenant", "contoso", "--json"],
    )))
    .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 4, "{listed}");
    assert!(!listed.to_string().contains("whsec_"), "{listed}");

    // A person's run, a system run that failed, a person's run that failed, another tenant's.
    let base = server.base.clone();
    let person = run_to_end(
        &base,
        &contoso,
        "contoso",
        1,
        Some("owner@demo.test"),
        "succeeded",
    )
    .await;
    let system = run_to_end(&base, &contoso, "contoso", 2, None, "failed").await;
    let person_failed = run_to_end(
        &base,
        &contoso,
        "contoso",
        3,
        Some("owner@demo.test"),
        "failed",
    )
    .await;
    let elsewhere = run_to_end(&base, &fabrikam, "fabrikam", 4, None, "succeeded").await;

    // Each first attempt on `all` is answered 503 (its retry comes 5 s later) …
    receiver
        .wait("all", "a first attempt per run", |r| r.len() >= 3)
        .await;
    wait_deliveries(&database, "contoso", "all", "three attempted", |d| {
        d.len() == 3 && d.iter().all(|d| d["attempts"].as_i64() >= Some(1))
    })
    .await;
    // … and the server dies, most likely between the attempts: the outbox survives it. (Were
    // it killed while sending a retry, that retry would be sent again once its claim ran
    // out: at least once, under the same webhook-id.)
    server.kill();
    let restarted = Opsux::serve(&database, &flags);
    restarted.ready().await;
    receiver
        .wait_long("all", "the retries after the restart", |r| {
            let mut answered: Vec<&str> = r
                .iter()
                .filter(|r| r.answered == 200)
                .map(|r| r.id.as_str())
                .collect();
            answered.sort_unstable();
            answered.dedup();
            answered.len() == 3
        })
        .await;
    let delivered = wait_deliveries(&database, "contoso", "all", "all delivered", |d| {
        d.iter().all(|d| d["state"] == "delivered")
    })
    .await;
    assert!(
        delivered.iter().all(|d| d["attempts"] == 2),
        "{delivered:#?}"
    );

    // One webhook-id per run, the same on its retry; signatures verify with the printed secret.
    let all = receiver.at("all");
    let runs = by_run(&all);
    assert_eq!(runs.keys().cloned().collect::<Vec<_>>(), {
        let mut ids = vec![person.clone(), system.clone(), person_failed.clone()];
        ids.sort();
        ids
    });
    let mut ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3, "{all:#?}");
    for id in &ids {
        let attempts: Vec<&Received> = all.iter().filter(|r| r.id == *id).collect();
        let answers: Vec<u16> = attempts.iter().map(|r| r.answered).collect();
        assert_eq!(answers[..2], [503, 200], "{attempts:#?}");
        assert!(
            attempts.iter().all(|r| r.body == attempts[0].body),
            "a retry sends the same event"
        );
    }
    assert!(python_verifies(&secret, &all).iter().all(|ok| *ok));
    assert!(
        python_verifies(&failed_secret, &all).iter().all(|ok| !ok),
        "another endpoint's secret does not verify"
    );

    // What a receiver learns of a person's run and of a system run.
    let event = &runs[&person][1];
    assert_eq!(event["type"], "run.ended");
    let data = &event["data"];
    assert_eq!(data["tenant"], "contoso");
    assert_eq!(data["type"], TYPE);
    assert_eq!(data["label"], "Ledger check");
    assert_eq!(data["status"], "completed");
    assert_eq!(data["outcome"], "succeeded");
    assert_eq!(data["summary_counts"], json!({"total": 2, "processed": 2}));
    assert_eq!(
        data["initiator"],
        json!({"kind": "person", "email": "owner@demo.test"})
    );
    assert_eq!(
        data["url"],
        format!("{ORIGIN}/t/contoso/operations/{person}")
    );
    assert_eq!(event["timestamp"], data["ended_at"]);
    assert!(data["started_at"].is_string() && data["created_at"].is_string());
    let data = &runs[&system][0]["data"];
    assert_eq!(data["initiator"], json!({"kind": "system"}));
    assert_eq!(data["outcome"], "failed");
    assert_eq!(data["reason_code"], "permission_denied");
    assert_eq!(data["failures"][0]["reason_code"], "permission_denied");
    assert!(
        !runs[&system][0].to_string().contains("hunter2"),
        "R6: {data}"
    );

    // The filters; another tenant's run reaches its own endpoint only.
    let failed = by_run(&receiver.at("failed"));
    receiver
        .wait("failed", "the failed runs", |r| r.len() >= 2)
        .await;
    let failed_runs: Vec<String> = by_run(&receiver.at("failed")).into_keys().collect();
    let mut expected = vec![system.clone(), person_failed.clone()];
    expected.sort();
    assert_eq!(failed_runs, expected, "{failed:?}");
    receiver
        .wait("system", "the system run", |r| !r.is_empty())
        .await;
    receiver
        .wait("other", "fabrikam's run", |r| !r.is_empty())
        .await;
    assert_eq!(
        by_run(&receiver.at("system"))
            .into_keys()
            .collect::<Vec<_>>(),
        vec![system.clone()]
    );
    assert_eq!(
        by_run(&receiver.at("other"))
            .into_keys()
            .collect::<Vec<_>>(),
        vec![elsewhere.clone()]
    );
    assert!(!runs.contains_key(&elsewhere));
    // A redirect is an answer like any other that is not a 2xx: recorded, never followed (the
    // `/all` requests above are each delivery's own two, nothing more).
    receiver
        .wait("moved", "the redirected attempt", |r| !r.is_empty())
        .await;
    let moved = wait_deliveries(
        &database,
        "contoso",
        "moved",
        "the redirect recorded",
        |d| d.len() == 1 && d[0]["last_status"] == 307,
    )
    .await;
    assert_eq!(moved[0]["state"], "pending", "{moved:#?}");
    assert_eq!(moved[0]["run_id"], system.as_str());

    // Without the operator's permission, the server refuses the loopback endpoint it holds:
    // nothing is sent, and the delivery says why.
    drop(restarted);
    let strict = Opsux::serve(&database, &["--public-origin", ORIGIN, "--no-scheduler"]);
    strict.ready().await;
    let sent_before = receiver.at("all").len();
    let refused_run = run_to_end(
        &strict.base,
        &contoso,
        "contoso",
        5,
        Some("owner@demo.test"),
        "succeeded",
    )
    .await;
    let listed = wait_deliveries(&database, "contoso", "all", "refused", |d| {
        d.iter()
            .any(|d| d["run_id"] == refused_run.as_str() && d["state"] == "failed")
    })
    .await;
    let refused_delivery = listed
        .iter()
        .find(|d| d["run_id"] == refused_run.as_str())
        .unwrap();
    assert!(
        refused_delivery["last_error"]
            .as_str()
            .unwrap()
            .starts_with("destination_not_allowed"),
        "{refused_delivery}"
    );
    assert_eq!(receiver.at("all").len(), sent_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: cargo xtask test runs it with OPSUX_TEST_DATABASE_URL"]
async fn two_processes_send_each_delivery_once() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    let receiver = Receiver::start().await;
    let server = Opsux::serve(&database, &["--webhook-allow-private", "--no-scheduler"]);
    server.ready().await;
    let (contoso, _) = tokens(&database);
    let secret = add_webhook(
        &database,
        "contoso",
        "all",
        &format!("{}/all", receiver.base),
        &[],
    );
    // A second process with its own deliverer, on the same database, its metrics on a port.
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metrics_listen = format!("127.0.0.1:{metrics_port}");
    let _worker = Opsux::worker(
        &database,
        &[
            "--webhook-allow-private",
            "--no-scheduler",
            "--metrics-listen",
            &metrics_listen,
        ],
    );

    let mut ended = Vec::new();
    for n in 0..6 {
        ended.push(run_to_end(&server.base, &contoso, "contoso", n, None, "succeeded").await);
    }
    receiver
        .wait("all", "every run delivered", |r| {
            r.iter().filter(|r| r.answered == 200).count() >= ended.len()
        })
        .await;
    wait_deliveries(&database, "contoso", "all", "all delivered", |d| {
        d.len() == ended.len() && d.iter().all(|d| d["state"] == "delivered")
    })
    .await;
    let all = receiver.at("all");
    let runs = by_run(&all);
    ended.sort();
    assert_eq!(runs.keys().cloned().collect::<Vec<_>>(), ended);
    // Each run: one webhook-id, one 503 and one 200 — never sent twice at once.
    for (run, events) in &runs {
        assert_eq!(events.len(), 2, "{run}: {events:#?}");
    }
    let mut ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), ended.len());
    assert!(python_verifies(&secret, &all).iter().all(|ok| *ok));

    // Each process counts the attempts it made: together, each delivery once of each kind.
    let mut counted = BTreeMap::<String, f64>::new();
    for base in [server.base.clone(), format!("http://{metrics_listen}")] {
        let text = reqwest::get(format!("{base}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("opsux_webhook_deliveries_total{result=\"") {
                let (result, value) = rest.split_once("\"} ").unwrap();
                *counted.entry(result.to_owned()).or_default() += value.parse::<f64>().unwrap();
            }
        }
    }
    let six = ended.len() as f64;
    assert_eq!(counted.get("delivered"), Some(&six), "{counted:?}");
    assert_eq!(counted.get("retrying"), Some(&six), "{counted:?}");
}
