//! `opsux prune`: the retention prune started from the console — one system run per tenant
//! (no initiator, so no notification), each executed here unless a worker elsewhere took it
//! first; then waits for them all and prints how each ended. It runs nothing else.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use opsux_core::{OperationParams, OperationType, RunId, RunStatus, TenantSlug};

use super::DatabaseArgs;
use crate::clock::SystemClock;
use crate::flows::OperationsPrune;
use crate::runs::{StartRun, TenantRef, queries};
use crate::state::{AppState, Config};
use crate::worker::{Handlers, Worker, WorkerConfig};

#[derive(Debug, clap::Args)]
pub struct PruneArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Delete the runs that ended more than this many days ago (1–3650).
    #[arg(long)]
    pub older_than_days: u64,
    /// Only this tenant (its slug); repeat for several. Default: every tenant.
    #[arg(long = "tenant")]
    pub tenants: Vec<String>,
    /// Where export files are, to delete those of the pruned runs: as for `serve`. Default
    /// on SQLite: `exports` beside the database; on PostgreSQL it must be given.
    #[arg(long, env = "OPSUX_EXPORTS_DIR")]
    pub exports_dir: Option<std::path::PathBuf>,
}

pub(super) async fn prune(args: PruneArgs) -> anyhow::Result<()> {
    let mut params = serde_json::Map::new();
    params.insert("older_than_days".to_owned(), args.older_than_days.into());
    let params = OperationParams::parse(OperationType::OperationsPrune, &params)
        .map_err(|err| anyhow::anyhow!("--older-than-days: {}", err.message))?;
    let exports_dir =
        super::flows::exports_dir(args.exports_dir.as_deref(), &args.database.database_url)?;
    let store = args.database.open().await?;
    let state = AppState::new(Config::default(), store, Arc::new(SystemClock));
    let tenants = chosen_tenants(&state, &args.tenants).await?;
    let mut started = Vec::new();
    for tenant in tenants {
        let run = state
            .runs
            .start(StartRun {
                tenant: tenant.clone(),
                params: params.clone(),
                initiator: None,
                slot: None,
            })
            .await?;
        started.push((tenant, run.run.id()));
    }
    let prune = OperationsPrune {
        store: state.store.clone(),
        clock: Arc::clone(&state.clock),
        exports_dir,
    };
    let worker = Worker::new(
        state.runs.clone(),
        Handlers::new().with(OperationType::OperationsPrune, prune),
        WorkerConfig::default(),
        Arc::clone(&state.wake_worker),
    );
    for (_, id) in &started {
        if let Some(claimed) = state.runs.claim_run(*id).await? {
            worker.execute(claimed).await;
        }
    }
    // Those a worker elsewhere took end there.
    wait_for(&state, &started).await;
    for (tenant, id) in &started {
        let run = queries::get(&state.store, tenant.id, *id)
            .await?
            .context("a prune run vanished")?;
        print_outcome(tenant, run.summary());
    }
    Ok(())
}

async fn chosen_tenants(state: &AppState, slugs: &[String]) -> anyhow::Result<Vec<TenantRef>> {
    if slugs.is_empty() {
        return Ok(state.store.tenants().await?);
    }
    let mut tenants = Vec::new();
    for slug in slugs {
        let parsed = TenantSlug::parse(slug).with_context(|| format!("--tenant {slug:?}"))?;
        let tenant = state
            .store
            .tenant(&parsed)
            .await?
            .with_context(|| format!("--tenant {slug:?}: there is no such tenant"))?;
        tenants.push(tenant);
    }
    Ok(tenants)
}

/// Resolves once every run in `runs` has completed (whichever worker ran it).
async fn wait_for(state: &AppState, runs: &[(TenantRef, RunId)]) {
    for (tenant, id) in runs {
        loop {
            match queries::get(&state.store, tenant.id, *id).await {
                Ok(Some(run)) if run.summary().status == RunStatus::Completed => break,
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "reading a prune run failed; retrying"),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[expect(
    clippy::print_stdout,
    reason = "the outcome is the command's answer to the person at the terminal"
)]
fn print_outcome(tenant: &TenantRef, run: &opsux_core::wire::RunSummary) {
    let outcome = run.outcome.map_or("unknown", |o| o.as_str());
    let deleted = run
        .summary_counts
        .get(opsux_core::SummaryKey::Deleted)
        .unwrap_or(0);
    match &run.message {
        Some(message) => println!(
            "{}: {outcome}, {deleted} runs deleted ({message})",
            tenant.slug
        ),
        None => println!("{}: {outcome}, {deleted} runs deleted", tenant.slug),
    }
}
