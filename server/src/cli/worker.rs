//! `opsux worker`: claims and executes queued runs (and schedules them), without the API.

use std::sync::Arc;

use anyhow::Context;

use super::signals::{deliver_in_background, run_in_background, stop_on_signal, until_stopped};
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
    /// Serve `/metrics` on this address: the runs this worker ended and the webhooks it sent
    /// are counted in this process only, so scrape it too.
    #[arg(long, env = "OPSUX_METRICS_LISTEN")]
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// Bearer token `/metrics` needs; required when `--metrics-listen` is not on loopback.
    #[arg(long, env = "OPSUX_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
}

pub(super) async fn worker(args: WorkerArgs) -> anyhow::Result<()> {
    let exports_dir = args.flows.exports_dir(&args.database.database_url)?;
    if let Some(listen) = args.metrics_listen
        && !listen.ip().is_loopback()
        && args.metrics_token.is_none()
    {
        anyhow::bail!(
            "--metrics-listen {listen} is reachable from other machines: give --metrics-token \
             (or OPSUX_METRICS_TOKEN), or listen on 127.0.0.1"
        );
    }
    let store = args.database.open().await?;
    let config = Config {
        runs: args.caps.run_config(&args.lease),
        exports_dir: exports_dir.clone(),
        metrics_token: args.metrics_token.clone(),
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
    if let Some(listen) = args.metrics_listen {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen} for /metrics"))?;
        tracing::info!("metrics on http://{}/metrics", listener.local_addr()?);
        let router = crate::metrics::router(state.clone());
        let until = until_stopped(stopped.clone());
        tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, router)
                .with_graceful_shutdown(until)
                .await
            {
                tracing::error!(%err, "the metrics listener stopped");
            }
        });
    }
    let delivering = deliver_in_background(deliverer, stopped.clone());
    run_in_background(worker, scheduler, stopped).await;
    delivering.await?;
    Ok(())
}
