//! `cargo xtask bench list`: the Operations list of a tenant with a million runs, as the
//! server answers it — the whole request through the real router (session, membership guard,
//! query, JSON), on SQLite and PostgreSQL.
//!
//! Rows: the first page, a deep page (by cursor, nine hundred thousand runs in), the first page
//! with a filter that matches one run in a thousand, and the tenant's overview (the last run of
//! each type, the failures of 7 days, 30 days of outcomes). The runs ended in the last days, so
//! the overview has all of them to count. Each row is `REQUESTS` requests one after another;
//! p50, p99 and max of the server's time per request. Numbers, not assertions.
//! `LIST_RUNS` sets the run count (default 1,000,000); `BENCH_STORES` picks stores
//! (`sqlite,postgres`, the default); PostgreSQL needs `OPSUX_BENCH_DATABASE_URL` (`cargo
//! xtask bench list` starts a throwaway cluster for it).

#![expect(
    clippy::print_stdout,
    reason = "the printed numbers are this benchmark's output"
)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use opsux_server::clock::{SystemClock, to_ms};
use opsux_server::state::Config;
use opsux_server::store::Store;
use opsux_server::{AppState, app, demo};
use tower::ServiceExt;

const REQUESTS: usize = 200;

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let runs: i64 = std::env::var("LIST_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let wanted = std::env::var("BENCH_STORES").unwrap_or_else(|_| "sqlite,postgres".to_owned());
    println!(
        "opsux list benchmark: {runs} runs in one tenant, {REQUESTS} requests per row, server \
         time per request\n"
    );
    println!(
        "{:<10} {:<34} {:>9} {:>9} {:>9} {:>6}",
        "store", "request", "p50 ms", "p99 ms", "max ms", "items"
    );
    let dir = tempfile::tempdir()?;
    if wanted.contains("sqlite") {
        let url = format!("sqlite://{}", dir.path().join("list.db").display());
        measure("sqlite", Store::open(&url).await?, runs, &dir).await?;
    }
    if wanted.contains("postgres") {
        match std::env::var("OPSUX_BENCH_DATABASE_URL") {
            Ok(admin) => {
                let store = common::fresh_postgres(&admin).await?;
                measure("postgres", store, runs, &dir).await?;
            }
            Err(_) => println!(
                "(postgres: set OPSUX_BENCH_DATABASE_URL, or run `cargo xtask bench list`)"
            ),
        }
    }
    Ok(())
}

async fn measure(
    label: &str,
    store: Store,
    runs: i64,
    dir: &tempfile::TempDir,
) -> anyhow::Result<()> {
    let now_ms = to_ms(time::OffsetDateTime::now_utc());
    demo::seed(&store, now_ms).await?;
    // A second apart, the last an hour ago.
    let first_created = now_ms - runs * 1000 - 3_600_000;
    let started = Instant::now();
    fill(&store, runs, first_created).await?;
    eprintln!(
        "{label}: {runs} runs stored in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let state = AppState::new(
        Config {
            assets_dir: dir.path().join("no-dashboard"),
            exports_dir: dir.path().join("exports"),
            ..Config::default()
        },
        store,
        Arc::new(SystemClock),
    );
    let router = app(state);
    let cookie = login(&router).await?;
    // Nine tenths of the way down: the cursor of a run created that long after the first.
    let deep = format!("{}_{}", first_created + runs / 10 * 1000, run_id(runs / 10));
    let rows = [
        (
            "first page",
            "/api/t/contoso/operations?limit=50".to_owned(),
        ),
        (
            "deep page (cursor, 90% down)",
            format!("/api/t/contoso/operations?limit=50&cursor={deep}"),
        ),
        (
            "first page, 1 in 1,000 matches",
            "/api/t/contoso/operations?limit=50&type=restore_execute".to_owned(),
        ),
        ("overview", "/api/t/contoso/overview".to_owned()),
    ];
    for (name, uri) in rows {
        let mut times = Vec::with_capacity(REQUESTS);
        let mut items = 0;
        for _ in 0..REQUESTS {
            let request = Request::get(&uri)
                .header(header::HOST, "localhost")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())?;
            let t0 = Instant::now();
            let response = router.clone().oneshot(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            times.push(t0.elapsed());
            anyhow::ensure!(status == StatusCode::OK, "{uri}: {status}");
            let answer: serde_json::Value = serde_json::from_slice(&body)?;
            // A list's rows; the overview's runs counted over its 30 days.
            items = answer["items"].as_array().map_or_else(
                || {
                    answer["days"].as_array().map_or(0, |days| {
                        days.iter()
                            .flat_map(|d| {
                                ["succeeded", "partially_succeeded", "failed", "cancelled"]
                                    .map(|k| d[k].as_u64().unwrap_or(0))
                            })
                            .sum::<u64>() as usize
                    })
                },
                Vec::len,
            );
        }
        times.sort();
        println!(
            "{label:<10} {name:<34} {:>9.2} {:>9.2} {:>9.2} {items:>6}",
            ms(times[times.len() / 2]),
            ms(times[times.len() * 99 / 100]),
            ms(times[times.len() - 1]),
        );
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The id of the `n`th run `fill` made (a valid UUID built from `n`).
fn run_id(n: i64) -> String {
    format!("{n:08x}-0000-7000-8000-{n:012x}")
}

/// `runs` completed runs in contoso, a second apart from `first_created` (see
/// [`Store::fill_completed_runs_for_benchmark`]).
async fn fill(store: &Store, runs: i64, first_created: i64) -> anyhow::Result<()> {
    let tenant = store
        .tenant(&"contoso".parse()?)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo tenant"))?;
    let owner = store
        .user_by_email("owner@demo.test")
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo owner"))?
        .id;
    store
        .fill_completed_runs_for_benchmark(
            tenant.workspace_id,
            tenant.id,
            &owner,
            runs,
            first_created,
        )
        .await?;
    Ok(())
}

/// Signs in as the demo owner; the `Cookie` header value.
async fn login(router: &axum::Router) -> anyhow::Result<String> {
    let request = Request::post("/api/login")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://localhost")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!(
            r#"{{"email":"owner@demo.test","password":"{}"}}"#,
            demo::DEMO_PASSWORD
        )))?;
    let response = router.clone().oneshot(request).await?;
    anyhow::ensure!(
        response.status() == StatusCode::OK,
        "login: {}",
        response.status()
    );
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| anyhow::anyhow!("no session cookie"))?;
    Ok(cookie.to_owned())
}
