//! `cargo xtask test`: everything CI checks, cheapest first so a failure shows up early.

use std::path::Path;
use std::time::Instant;

use crate::shell::{cmd, timed};
use crate::toolchain::{self, CHROMEDRIVER};
use crate::{api_fuzz, app_build, e2e, metrics_check, postgres, size};

pub(crate) fn run(root: &Path) -> anyhow::Result<()> {
    let start = Instant::now();
    timed("setup", "toolchain", || {
        toolchain::ensure_all(root, toolchain::Needs::everything())
    })?;
    timed("fmt", "cargo fmt --check", || {
        cmd("cargo").args(["fmt", "--all", "--", "--check"]).run()
    })?;
    timed("clippy", "native crates, all targets, -D warnings", || {
        cmd("cargo")
            .args([
                "clippy",
                "--workspace",
                "--exclude",
                "opsux-app",
                "--all-targets",
            ])
            .args(["--locked", "--", "-D", "warnings"])
            .run()
    })?;
    timed("clippy", "browser crates (wasm32), -D warnings", || {
        cmd("cargo")
            .args([
                "clippy",
                "--package",
                "opsux-app",
                "--package",
                "opsux-core",
            ])
            .args([
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--locked",
            ])
            .args(["--", "-D", "warnings"])
            .run()
    })?;
    timed("test", "native", || {
        cmd("cargo")
            .args(["test", "--workspace", "--exclude", "opsux-app", "--locked"])
            .run()
    })?;
    timed(
        "test",
        "run-service conformance, HTTP, flow and multi-process suites on PostgreSQL",
        || {
            let database = postgres::TestDatabase::start(
                root,
                postgres::TEST_URL_VAR,
                postgres::Durability::Off,
            )?;
            cmd("cargo")
                .args(["test", "--package", "opsux-server", "--locked"])
                .args(["--test", "runs", "--test", "http", "--test", "processes"])
                .args(["--test", "flows"])
                // The multi-process test is ignored without PostgreSQL.
                .args(["--", "--include-ignored"])
                .env(postgres::TEST_URL_VAR, database.url())
                .run()?;
            timed(
                "fuzz",
                "the HTTP API against its OpenAPI document on PostgreSQL (Schemathesis)",
                || {
                    let url = database.fresh_database("opsux_api_fuzz")?;
                    api_fuzz::run(root, &api_fuzz::Backend::Postgres(&url))
                },
            )
        },
    )?;
    timed(
        "fuzz",
        "the HTTP API against its OpenAPI document on SQLite (Schemathesis)",
        || api_fuzz::run(root, &api_fuzz::Backend::Sqlite),
    )?;
    timed(
        "metrics",
        "/metrics by Prometheus' own parser, and docs/alerts.yml against it",
        || metrics_check::run(root),
    )?;
    timed(
        "test",
        "contract crate in headless Chromium (wasm32)",
        || {
            cmd("cargo")
                .args([
                    "test",
                    "--package",
                    "opsux-core",
                    "--target",
                    "wasm32-unknown-unknown",
                ])
                .arg("--locked")
                .env("CHROMEDRIVER", CHROMEDRIVER)
                .run()
        },
    )?;
    app_build::build_release(root)?;
    timed("size", "each bundle against its budget (brotli)", || {
        size::check(root)
    })?;
    timed(
        "e2e",
        "Playwright in Chromium against the real server",
        || e2e::run(root, e2e::Suite::Tests),
    )?;
    eprintln!(
        "\nall checks passed in {:.0}s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
