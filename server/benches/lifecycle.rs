//! `cargo xtask bench lifecycle`: how fast the run service commits transitions on SQLite,
//! against the raw commit rate of the same database file.
//!
//! - Lifecycles: start (with an initiator) → claim → 10 progress reports → complete (with its
//!   notification), one after another. Measured twice: with the default progress coalescing
//!   (one write per 250 ms, so a tight loop writes the first report only) and with every report
//!   written.
//! - Baseline: the same number of single-row `UPDATE` transactions, one after another, on the
//!   same file with the same durability settings (WAL, synchronous=NORMAL).
//! - Start latency: rounds of 100 concurrent identical starts; p50 and p99.
//!
//! Numbers, not assertions: the machine decides them. `LIFECYCLES` sets the count (default 500).

#![expect(
    clippy::print_stdout,
    reason = "the printed numbers are this benchmark's output"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use opsux_core::{FailureSummary, OperationType, RunOutcome, SummaryCounts, SummaryKey};
use opsux_server::clock::{SystemClock, to_ms};
use opsux_server::demo;
use opsux_server::events::EventHub;
use opsux_server::runs::{RunConfig, RunService, StartRun, TenantRef};
use opsux_server::store::Store;

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let lifecycles: usize = std::env::var("LIFECYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = Store::open(&url).await?;
    let Store::Sqlite(pool) = store.clone() else {
        anyhow::bail!("the benchmark's baseline is written for SQLite");
    };
    demo::seed(&store, to_ms(time::OffsetDateTime::now_utc())).await?;
    let tenant: TenantRef = store
        .tenant(&"contoso".parse()?)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo tenant"))?;
    let user = store
        .user_by_email("owner@demo.test")
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo owner"))?
        .id;
    let service = |progress_interval| {
        RunService::new(
            store.clone(),
            Arc::new(SystemClock),
            EventHub::new(),
            RunConfig {
                progress_interval,
                ..RunConfig::default()
            },
        )
    };
    let start = |n: usize| StartRun {
        tenant: tenant.clone(),
        operation: OperationType::InventorySync,
        params: serde_json::json!({ "n": n })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        initiator: user.parse().ok(),
    };

    println!(
        "opsux lifecycle benchmark — SQLite (WAL, synchronous=NORMAL), {lifecycles} lifecycles\n"
    );
    let mut ratios = Vec::new();
    for (label, interval) in [
        (
            "coalesced progress (default 250 ms)",
            Duration::from_millis(250),
        ),
        ("every progress report written", Duration::ZERO),
    ] {
        let runs = service(interval);
        let t0 = Instant::now();
        for n in 0..lifecycles {
            runs.start(start(n)).await?;
            let mut claimed = runs
                .claim()
                .await?
                .ok_or_else(|| anyhow::anyhow!("nothing to claim"))?;
            for processed in 1..=10 {
                let counts = SummaryCounts::new()
                    .with(SummaryKey::Total, 10)?
                    .with(SummaryKey::Processed, processed)?;
                claimed.report_progress(counts).await?;
            }
            claimed
                .complete(RunOutcome::Succeeded, FailureSummary::new())
                .await?;
        }
        let elapsed = t0.elapsed().as_secs_f64();
        let c = runs.counters();
        let load = |a: &std::sync::atomic::AtomicU64| a.load(std::sync::atomic::Ordering::Relaxed);
        let transitions = load(&c.start) + load(&c.claim) + load(&c.progress) + load(&c.finish);
        let baseline = raw_commits(&pool, usize::try_from(transitions)?).await?;
        let rate = transitions as f64 / elapsed;
        ratios.push(rate / baseline);
        println!("{label}:");
        println!(
            "  lifecycles/s          {:>10.1}",
            lifecycles as f64 / elapsed
        );
        println!(
            "  committed transitions {:>10} ({:.1} per lifecycle)",
            transitions,
            transitions as f64 / lifecycles as f64
        );
        println!("  transitions/s         {rate:>10.1}");
        println!("  raw UPDATE commits/s  {baseline:>10.1}  (same count, same file)");
        println!("  ratio                 {:>10.2}\n", rate / baseline);
        sqlx::query("DELETE FROM notifications")
            .execute(&pool)
            .await?;
        sqlx::query("DELETE FROM operation_runs")
            .execute(&pool)
            .await?;
    }

    let runs = service(Duration::from_millis(250));
    let mut latencies = Vec::new();
    for round in 0..20 {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..100 {
            let runs = runs.clone();
            let req = start(1_000_000 + round);
            tasks.spawn(async move {
                let t = Instant::now();
                runs.start(req).await.map(|_| t.elapsed())
            });
        }
        for latency in tasks.join_all().await {
            latencies.push(latency?);
        }
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "100 concurrent identical starts (20 rounds, {} starts):",
        latencies.len()
    );
    println!("  p50 {:>8.2} ms", pct(0.50).as_secs_f64() * 1000.0);
    println!("  p99 {:>8.2} ms", pct(0.99).as_secs_f64() * 1000.0);
    let runs_created: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM operation_runs")
        .fetch_one(&pool)
        .await?;
    println!("  runs created: {runs_created} (one per round)");
    Ok(())
}

/// Commits `count` single-row UPDATE transactions one after another; returns commits/s.
async fn raw_commits(pool: &sqlx::SqlitePool, count: usize) -> anyhow::Result<f64> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS bench_counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
    )
    .execute(pool)
    .await?;
    sqlx::query("INSERT OR IGNORE INTO bench_counter (id, n) VALUES (1, 0)")
        .execute(pool)
        .await?;
    let t0 = Instant::now();
    for _ in 0..count {
        sqlx::query("UPDATE bench_counter SET n = n + 1 WHERE id = 1")
            .execute(pool)
            .await?;
    }
    Ok(count as f64 / t0.elapsed().as_secs_f64())
}
