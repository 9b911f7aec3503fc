//! `cargo xtask bench lifecycle`: how fast the run service commits transitions, on SQLite and
//! PostgreSQL, against the raw commit rate of the same database.
//!
//! For each store and each concurrency (1, 8, 64 workers):
//! - Lifecycles: each worker repeats start (with an initiator) → claim → 5 progress reports →
//!   complete (with its notification): 8 transitions, every report written.
//! - Baseline: the same number of workers, each committing single-row `UPDATE`s of its own row
//!   one after another, on the same database with the same durability.
//! - Ratio: run-service transitions/s ÷ baseline commits/s. Above 1.0, group commit is putting
//!   more than one transition into each commit (each fsync).
//!
//! Stores: SQLite with `synchronous=FULL` (the default) and `NORMAL`, each in a fresh file;
//! PostgreSQL when `OPSUX_BENCH_DATABASE_URL` names a server whose role may create databases
//! (`cargo xtask bench` starts a throwaway cluster with full durability for it).
//! Numbers, not assertions: the machine decides them. `LIFECYCLES` sets the count per row
//! (default 480); `BENCH_STORES` picks stores (`sqlite-full,sqlite-normal,postgres`, the
//! default).

#![expect(
    clippy::print_stdout,
    reason = "the printed numbers are this benchmark's output"
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use opsux_core::{FailureSummary, OperationParams, RunOutcome, SummaryCounts, SummaryKey};
use opsux_server::clock::{SystemClock, to_ms};
use opsux_server::demo;
use opsux_server::events::EventHub;
use opsux_server::runs::{RunConfig, RunService, StartRun};
use opsux_server::store::{SqliteSync, Store, StoreOptions};

const CONCURRENCY: [usize; 3] = [1, 8, 64];
const REPORTS: u64 = 5;

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let lifecycles: usize = std::env::var("LIFECYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(480);
    let postgres = std::env::var("OPSUX_BENCH_DATABASE_URL").ok();
    let dir = tempfile::tempdir()?;
    println!(
        "opsux lifecycle benchmark: {lifecycles} lifecycles per row (start, claim, {REPORTS} \
         progress reports, complete = {} transitions each)\n",
        REPORTS + 3
    );
    println!(
        "{:<26} {:>7} {:>12} {:>14} {:>13} {:>14} {:>7}",
        "store", "workers", "lifecycles/s", "transitions/s", "per commit", "raw commits/s", "ratio"
    );
    let wanted = std::env::var("BENCH_STORES")
        .unwrap_or_else(|_| "sqlite-full,sqlite-normal,postgres".to_owned());
    let wanted: Vec<&str> = wanted.split(',').map(str::trim).collect();
    let mut round = 0;
    for (name, label, sync) in [
        ("sqlite-full", "sqlite synchronous=FULL", SqliteSync::Full),
        (
            "sqlite-normal",
            "sqlite synchronous=NORMAL",
            SqliteSync::Normal,
        ),
    ] {
        if !wanted.contains(&name) {
            continue;
        }
        for workers in CONCURRENCY {
            round += 1;
            let file = dir.path().join(format!("bench-{round}.db"));
            let url = format!("sqlite://{}", file.display());
            let store = Store::open_with(&url, StoreOptions { sqlite_sync: sync }).await?;
            row(label, &store, workers, lifecycles).await?;
        }
    }
    if !wanted.contains(&"postgres") {
    } else if let Some(admin) = postgres {
        for workers in CONCURRENCY {
            let store = common::fresh_postgres(&admin).await?;
            row("postgres", &store, workers, lifecycles).await?;
        }
    } else {
        println!("(postgres: set OPSUX_BENCH_DATABASE_URL, or run `cargo xtask bench`)");
    }
    Ok(())
}

/// Measures one store at one concurrency and prints its row.
async fn row(label: &str, store: &Store, workers: usize, lifecycles: usize) -> anyhow::Result<()> {
    demo::seed(store, to_ms(time::OffsetDateTime::now_utc())).await?;
    let tenant = store
        .tenant(&"contoso".parse()?)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo tenant"))?;
    let initiator = store
        .user_by_email("owner@demo.test")
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo owner"))?
        .id
        .parse()?;
    let runs = RunService::new(
        store.clone(),
        Arc::new(SystemClock),
        EventHub::new(),
        RunConfig {
            progress_interval: Duration::ZERO,
            // 64 workers keep up to 64 runs of one person active: above the caps a person's
            // starts meet in the panel, which are not what is measured here.
            max_active_per_tenant: 1_000,
            max_active_per_user: 1_000,
            ..RunConfig::default()
        },
    );
    let per_worker = lifecycles.div_ceil(workers);
    let t0 = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..workers {
        let (runs, tenant) = (runs.clone(), tenant.clone());
        tasks.spawn(async move {
            for n in 0..per_worker {
                let request = StartRun {
                    tenant: tenant.clone(),
                    // Distinct parameters, so the runs are distinct (R4).
                    params: OperationParams::PolicyExport {
                        policy_ids: vec![format!("w{w}-n{n}")],
                    },
                    initiator: Some(initiator),
                    slot: None,
                };
                runs.start(request).await?;
                // Another worker may claim this run and this one another's: all the same.
                let Some(mut claimed) = runs.claim().await? else {
                    continue;
                };
                for processed in 1..=REPORTS {
                    let counts = SummaryCounts::new()
                        .with(SummaryKey::Total, REPORTS)?
                        .with(SummaryKey::Processed, processed)?;
                    claimed.report_progress(counts).await?;
                }
                claimed
                    .complete(RunOutcome::Succeeded, FailureSummary::new())
                    .await?;
            }
            anyhow::Ok(())
        });
    }
    for result in tasks.join_all().await {
        result?;
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let c = runs.counters();
    let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    let transitions = load(&c.start) + load(&c.claim) + load(&c.progress) + load(&c.finish);
    let stats = runs.writer_stats();
    let per_commit = load(&stats.transitions) as f64 / load(&stats.batches).max(1) as f64;
    let finished = load(&c.finish) as f64;
    let rate = transitions as f64 / elapsed;
    let baseline = raw_commits(store, workers, usize::try_from(transitions)?).await?;
    println!(
        "{label:<26} {workers:>7} {:>12.0} {rate:>14.0} {per_commit:>13.1} {baseline:>14.0} {:>7.2}",
        finished / elapsed,
        rate / baseline
    );
    Ok(())
}

/// `workers` tasks each commit single-row `UPDATE`s of their own row until `total` commits
/// are done; returns commits/s.
async fn raw_commits(store: &Store, workers: usize, total: usize) -> anyhow::Result<f64> {
    store.prepare_commit_probe(workers).await?;
    let per_worker = total.div_ceil(workers);
    let t0 = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for row in 0..workers {
        let store = store.clone();
        tasks.spawn(async move {
            for _ in 0..per_worker {
                store.commit_probe(row).await?;
            }
            anyhow::Ok(())
        });
    }
    for result in tasks.join_all().await {
        result?;
    }
    Ok((per_worker * workers) as f64 / t0.elapsed().as_secs_f64())
}
