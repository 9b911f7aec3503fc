//! What `cargo xtask bench peers` compares opsux with: graphile-worker, a PostgreSQL job queue
//! from npm, installed at a pinned version under `target/tools/` (nothing global).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::shell::{cmd, step};

const GRAPHILE_WORKER_VERSION: &str = "0.18.0";
/// Its PostgreSQL driver, pinned too (graphile-worker asks for `^8.11.3`).
const PG_VERSION: &str = "8.23.1";

/// The `node_modules` folder graphile-worker is installed in, installing it when missing.
pub(crate) fn ensure_graphile_worker(root: &Path) -> anyhow::Result<PathBuf> {
    let dir = root.join(format!(
        "target/tools/graphile-worker-{GRAPHILE_WORKER_VERSION}"
    ));
    let modules = dir.join("node_modules");
    if modules.join("graphile-worker/package.json").exists() && modules.join("pg").exists() {
        return Ok(modules);
    }
    if cmd("npm").arg("--version").read().is_none() {
        bail!("npm is needed to compare with graphile-worker: install Node.js 20 or newer");
    }
    step(
        "setup",
        &format!(
            "installing graphile-worker {GRAPHILE_WORKER_VERSION} in {}",
            dir.display()
        ),
    );
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("package.json"),
        r#"{ "name": "opsux-bench-peers", "private": true }"#,
    )?;
    cmd("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--save-exact",
        ])
        .arg(format!("graphile-worker@{GRAPHILE_WORKER_VERSION}"))
        .arg(format!("pg@{PG_VERSION}"))
        .current_dir(&dir)
        .run()
        .context("installing graphile-worker from npm")?;
    Ok(modules)
}
