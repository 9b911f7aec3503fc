//! `opsux worker`: claims and executes queued runs (and schedules them), without the API.

use std::sync::Arc;

use super::signals::{deliver_in_background, run_in_background, stop_on_signal};
use super::{CapArgs, DatabaseArgs, DrainArgs, FlowArgs, LeaseArgs, flows};
use crate::clock::SystemClock;
use crate::state::{AppState, Config};

#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Runs executed at once by this worker.
    #[arg(long, env = "OPSUX_WORKER_CONCURRENCY", default_value_t = 4)]
    pub concurrency: usize,
    #[command(flatten)]
    pub lease: LeaseArgs,
    #[command(flatten)]
    pub caps: CapArgs,
    #[command(flatten)]
    pub drain: DrainArgs,
    #[command(flatten)]
    pub flows: FlowArgs,
    #[command(flatten)]
    pub webhooks: super::WebhookArgs,
    /// The panel's public origin (`https://host[:port]`): the run links in webhooks are made
    /// absolute with it (left as paths without it).
    #[arg(long, env = "OPSUX_PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,
}

pub(super) async fn worker(args: WorkerArgs) -> anyhow::Result<()> {
    let exports_dir = args.flows.exports_dir(&args.database.database_url)?;
    let store = args.database.open().await?;
    let config = Config {
        runs: args.caps.run_config(&args.lease),
        exports_dir: exports_dir.clone(),
        ..Config::default()
    };
    let state = AppState::new(config, store, Arc::new(SystemClock));
    let secrets = Arc::new(args.flows.secrets.key(&args.database.database_url)?);
    super::secrets::bind_unbound(&state.store, &secrets).await;
    let deliverer = flows::deliverer(
        &state,
        Arc::clone(&secrets),
        &args.webhooks,
        args.public_origin.clone(),
    )?;
    let env = args.flows.env(&state, secrets, exports_dir);
    let worker = flows::worker(&state, &env, args.concurrency, args.drain.drain());
    let scheduler = (!args.flows.no_scheduler).then(|| flows::scheduler(&state, &args.flows));
    tracing::info!(
        backend = state.store.backend().as_str(),
        concurrency = args.concurrency.max(1),
        scheduler = scheduler.is_some(),
        "opsux worker started"
    );
    let stopped = stop_on_signal();
    let delivering = deliver_in_background(deliverer, stopped.clone());
    run_in_background(worker, scheduler, stopped).await;
    delivering.await?;
    Ok(())
}
