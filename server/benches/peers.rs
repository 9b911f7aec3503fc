//! `cargo xtask bench peers`: opsux beside graphile-worker, a well-tuned PostgreSQL job queue,
//! on the same throwaway cluster (full durability) in the same run. Each row gets a fresh
//! database.
//!
//! - **backlog**: `PEERS_BACKLOG` items (default 20,000) are queued first, then the workers
//!   drain them; items/s from the first claim to the last terminal commit. opsux's are runs
//!   started by a person, so each one ends with its notification written in the terminal
//!   transition (graphile-worker's no-op job has nothing like it), and the caps on a person's
//!   active runs are lifted so that 20,000 can wait at once.
//! - **lifecycle**: 8 producers, each starts one item, waits until it has finished (committed),
//!   and starts the next, `PEERS_LIFECYCLES` in all (default 2,000); items/s and the p50/p99
//!   latency from start to finished.
//!
//! Both tools at their defaults and at the best settings found on a 2-core machine (the
//! `settings` column says which). opsux runs its own `Worker` with a handler that does nothing,
//! as graphile-worker runs a task that does nothing. Numbers, no pass/fail: the ratio is opsux
//! ÷ graphile-worker at the same settings and workload.
//!
//! Needs `OPSUX_BENCH_DATABASE_URL` (a role that may create databases) and
//! `GRAPHILE_WORKER_MODULES` (the `node_modules` graphile-worker is installed in); `cargo xtask
//! bench peers` provides both.

#![expect(
    clippy::print_stdout,
    reason = "the printed numbers are this benchmark's output"
)]

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use opsux_core::{OperationParams, OperationType, RunId, RunOutcome, RunStatus, UserId};
use opsux_server::clock::{SystemClock, to_ms};
use opsux_server::demo;
use opsux_server::events::{Event, EventHub};
use opsux_server::runs::{RunConfig, RunService, StartRun, TenantRef};
use opsux_server::store::Store;
use opsux_server::worker::{Handler, HandlerOutcome, Handlers, RunContext, Worker, WorkerConfig};
use tokio::sync::Notify;

const PRODUCERS: usize = 8;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Workload {
    Backlog,
    Lifecycle,
}

impl Workload {
    fn as_str(self) -> &'static str {
        match self {
            Self::Backlog => "backlog",
            Self::Lifecycle => "lifecycle",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Settings {
    Defaults,
    Tuned,
}

impl Settings {
    fn as_str(self) -> &'static str {
        match self {
            Self::Defaults => "defaults",
            Self::Tuned => "tuned",
        }
    }
}

/// One line of the table.
struct Measured {
    items_per_s: f64,
    p50_ms: Option<f64>,
    p99_ms: Option<f64>,
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let admin = std::env::var("OPSUX_BENCH_DATABASE_URL")
        .context("set OPSUX_BENCH_DATABASE_URL, or run `cargo xtask bench peers`")?;
    let modules = std::env::var("GRAPHILE_WORKER_MODULES")
        .context("set GRAPHILE_WORKER_MODULES, or run `cargo xtask bench peers`")?;
    let backlog = env_count("PEERS_BACKLOG", 20_000);
    let lifecycles = env_count("PEERS_LIFECYCLES", 2_000);
    println!(
        "opsux beside graphile-worker on one PostgreSQL cluster (fsync on): backlog = {backlog} \
         queued then drained (opsux's each end with a notification), lifecycle = {PRODUCERS} \
         producers, start → wait until finished, {lifecycles} in all\n"
    );
    println!(
        "{:<16} {:<34} {:<10} {:>9} {:>8} {:>8} {:>7}",
        "tool", "settings", "workload", "items/s", "p50 ms", "p99 ms", "ratio"
    );
    for workload in [Workload::Backlog, Workload::Lifecycle] {
        let count = match workload {
            Workload::Backlog => backlog,
            Workload::Lifecycle => lifecycles,
        };
        for settings in [Settings::Defaults, Settings::Tuned] {
            let url = common::fresh_database(&admin).await?;
            let peer = graphile_worker(Path::new(&modules), &url, workload, settings, count)?;
            print_row(
                "graphile-worker",
                graphile_settings(workload, settings),
                workload,
                &peer,
                None,
            );
            let store = common::fresh_postgres(&admin).await?;
            let (label, mine) = match workload {
                Workload::Backlog => opsux_backlog(store, settings, count).await?,
                Workload::Lifecycle => opsux_lifecycle(store, settings, count).await?,
            };
            print_row("opsux", &label, workload, &mine, Some(&peer));
        }
    }
    Ok(())
}

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn print_row(
    tool: &str,
    settings: &str,
    workload: Workload,
    m: &Measured,
    peer: Option<&Measured>,
) {
    let ms = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"));
    let ratio = peer.map_or_else(String::new, |p| {
        format!("{:.2}", m.items_per_s / p.items_per_s)
    });
    println!(
        "{tool:<16} {settings:<34} {:<10} {:>9.0} {:>8} {:>8} {ratio:>7}",
        workload.as_str(),
        m.items_per_s,
        ms(m.p50_ms),
        ms(m.p99_ms),
    );
}

/// What `graphile-worker.mjs` sets for each row, as the table shows it.
fn graphile_settings(workload: Workload, settings: Settings) -> &'static str {
    match (settings, workload) {
        (Settings::Defaults, _) => "concurrency 1",
        (Settings::Tuned, Workload::Backlog) => "conc. 32, localQueue 500, batched",
        (Settings::Tuned, Workload::Lifecycle) => "conc. 24, localQueue 25, batched",
    }
}

/// Runs graphile-worker's side in Node and reads its JSON line.
fn graphile_worker(
    modules: &Path,
    url: &str,
    workload: Workload,
    settings: Settings,
    count: usize,
) -> anyhow::Result<Measured> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers/graphile-worker.mjs");
    let output = std::process::Command::new("node")
        .arg(script)
        .args(["--modules", &modules.display().to_string()])
        .args(["--database", url])
        .args(["--workload", workload.as_str()])
        .args(["--settings", settings.as_str()])
        .args(["--count", &count.to_string()])
        .args(["--producers", &PRODUCERS.to_string()])
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running node (is Node.js installed?)")?;
    anyhow::ensure!(
        output.status.success(),
        "graphile-worker's {} run failed ({})",
        workload.as_str(),
        output.status
    );
    let line = String::from_utf8_lossy(&output.stdout);
    let json: serde_json::Value = serde_json::from_str(line.trim())
        .with_context(|| format!("graphile-worker's output is not its JSON line: {line}"))?;
    let number = |key: &str| json.get(key).and_then(serde_json::Value::as_f64);
    Ok(Measured {
        items_per_s: number("items_per_s").context("no items_per_s in graphile-worker's line")?,
        p50_ms: number("p50_ms"),
        p99_ms: number("p99_ms"),
    })
}

/// A handler that does nothing: what is measured is the queue around it.
struct Noop;

impl Handler for Noop {
    fn run<'a>(&'a self, _ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        async { HandlerOutcome::Finished(RunOutcome::Succeeded) }.boxed()
    }
}

/// The worker settings of each row; the label the table shows.
fn worker_config(workload: Workload, settings: Settings) -> (String, WorkerConfig) {
    let defaults = WorkerConfig::default();
    let concurrency = match (settings, workload) {
        (Settings::Defaults, _) => defaults.concurrency,
        (Settings::Tuned, Workload::Backlog) => 1024,
        (Settings::Tuned, Workload::Lifecycle) => 8,
    };
    (
        format!("concurrency {concurrency}"),
        WorkerConfig {
            concurrency,
            ..defaults
        },
    )
}

/// The demo's tenant and owner, on a fresh store.
async fn seeded(store: &Store) -> anyhow::Result<(TenantRef, UserId)> {
    demo::seed(store, to_ms(time::OffsetDateTime::now_utc())).await?;
    let tenant = store
        .tenant(&"contoso".parse()?)
        .await?
        .context("no demo tenant")?;
    let owner = store
        .user_by_email("owner@demo.test")
        .await?
        .context("no demo owner")?
        .id
        .parse()?;
    Ok((tenant, owner))
}

/// A policy export of a policy of its own: distinct parameters make distinct runs (R4).
fn start_request(tenant: &TenantRef, initiator: UserId, n: usize) -> StartRun {
    StartRun {
        tenant: tenant.clone(),
        params: OperationParams::PolicyExport {
            policy_ids: vec![format!("p{n}")],
        },
        initiator: Some(initiator),
        slot: None,
    }
}

async fn opsux_backlog(
    store: Store,
    settings: Settings,
    count: usize,
) -> anyhow::Result<(String, Measured)> {
    let (tenant, owner) = seeded(&store).await?;
    let runs = RunService::new(
        store.clone(),
        Arc::new(SystemClock),
        EventHub::new(),
        RunConfig {
            max_active_per_tenant: u32::MAX,
            max_active_per_user: u32::MAX,
            ..RunConfig::default()
        },
    );
    // Queue them all first (not measured).
    let mut queueing = tokio::task::JoinSet::new();
    for part in 0..16 {
        let (runs, tenant) = (runs.clone(), tenant.clone());
        queueing.spawn(async move {
            for n in (part..count).step_by(16) {
                runs.start(start_request(&tenant, owner, n)).await?;
            }
            anyhow::Ok(())
        });
    }
    for queued in queueing.join_all().await {
        queued?;
    }
    store.analyze().await?;
    let (label, config) = worker_config(Workload::Backlog, settings);
    let worker = Worker::new(
        runs.clone(),
        Handlers::new().with(OperationType::PolicyExport, Noop),
        config,
        Arc::new(Notify::new()),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let t0 = Instant::now();
    let working = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    let finished = || runs.counters().finish.load(Ordering::Relaxed);
    while finished() < count as u64 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let _ = stop.send(());
    working.await?;
    // The writers keep their connections until the service is gone; closing waits for them.
    drop(runs);
    store.close().await;
    Ok((
        label,
        Measured {
            items_per_s: count as f64 / elapsed,
            p50_ms: None,
            p99_ms: None,
        },
    ))
}

/// Runs finished (or whose producer is waiting for them), by id.
#[derive(Default)]
struct Finishes {
    waiting: HashMap<RunId, tokio::sync::oneshot::Sender<Instant>>,
    /// Finished before their producer began waiting.
    early: HashMap<RunId, Instant>,
}

async fn opsux_lifecycle(
    store: Store,
    settings: Settings,
    count: usize,
) -> anyhow::Result<(String, Measured)> {
    let (tenant, owner) = seeded(&store).await?;
    let events = EventHub::with_capacity(1 << 16);
    let runs = RunService::new(
        store.clone(),
        Arc::new(SystemClock),
        events.clone(),
        RunConfig::default(),
    );
    let finishes = Arc::new(Mutex::new(Finishes::default()));
    let mut changes = events.subscribe();
    let watcher = {
        let finishes = Arc::clone(&finishes);
        tokio::spawn(async move {
            while let Ok(event) = changes.recv().await {
                let Event::RunChanged(run) = &*event else {
                    continue;
                };
                if run.status != RunStatus::Completed {
                    continue;
                }
                let now = Instant::now();
                let mut finishes = finishes.lock().unwrap_or_else(|e| e.into_inner());
                match finishes.waiting.remove(&run.id) {
                    Some(waiter) => {
                        let _ = waiter.send(now);
                    }
                    None => {
                        finishes.early.insert(run.id, now);
                    }
                }
            }
        })
    };
    let (label, config) = worker_config(Workload::Lifecycle, settings);
    let wake = Arc::new(Notify::new());
    let worker = Worker::new(
        runs.clone(),
        Handlers::new().with(OperationType::PolicyExport, Noop),
        config,
        Arc::clone(&wake),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let working = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    let per_producer = count.div_ceil(PRODUCERS);
    let t0 = Instant::now();
    let mut producers = tokio::task::JoinSet::new();
    for p in 0..PRODUCERS {
        let (runs, tenant, wake) = (runs.clone(), tenant.clone(), Arc::clone(&wake));
        let finishes = Arc::clone(&finishes);
        producers.spawn(async move {
            let mut latencies = Vec::with_capacity(per_producer);
            for n in 0..per_producer {
                let started = Instant::now();
                let run = runs
                    .start(start_request(&tenant, owner, p * per_producer + n))
                    .await?
                    .run
                    .id();
                wake.notify_one();
                let ended = {
                    let mut finishes = finishes.lock().unwrap_or_else(|e| e.into_inner());
                    match finishes.early.remove(&run) {
                        Some(at) => Ok(at),
                        None => {
                            let (tx, rx) = tokio::sync::oneshot::channel();
                            finishes.waiting.insert(run, tx);
                            Err(rx)
                        }
                    }
                };
                let ended = match ended {
                    Ok(at) => at,
                    Err(rx) => rx.await.context("the event watcher ended")?,
                };
                latencies.push(ended.duration_since(started).as_secs_f64() * 1000.0);
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = Vec::with_capacity(count);
    for produced in producers.join_all().await {
        latencies.extend(produced?);
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let _ = stop.send(());
    working.await?;
    watcher.abort();
    drop(runs);
    store.close().await;
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let index = ((q * latencies.len() as f64) as usize).min(latencies.len().saturating_sub(1));
        latencies.get(index).copied()
    };
    Ok((
        label,
        Measured {
            items_per_s: latencies.len() as f64 / elapsed,
            p50_ms: at(0.5),
            p99_ms: at(0.99),
        },
    ))
}
