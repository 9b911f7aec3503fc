//! What `serve` and `worker` run besides the API: the flows' environment (secrets key, exports
//! folder), the worker executing them, the scheduler, and for `--demo` the Graph simulator the
//! demo tenants are connected to.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::flows::{self, FlowEnv};
use crate::scheduler::{Scheduler, SchedulerConfig};
use crate::secrets::SecretsKey;
use crate::state::AppState;
use crate::store;
use crate::webhooks::{Deliverer, DelivererConfig};
use crate::worker::{Worker, WorkerConfig};

#[derive(Debug, clap::Args)]
pub struct SecretsArgs {
    /// The key sealing tenant credentials at rest: 32 random bytes, base64 (44 characters).
    /// Every process on one database needs the same key. Takes precedence over the key file.
    /// Prefer the environment or a key file: a flag's value shows in the process list.
    #[arg(
        long = "secrets-key",
        env = "OPSUX_SECRETS_KEY",
        hide_env_values = true
    )]
    pub secrets_key: Option<String>,
    /// A file holding the key; created (readable by its owner only) when missing. Default on
    /// SQLite: `secrets.key` beside the database; on PostgreSQL the key must be given.
    #[arg(long, env = "OPSUX_SECRETS_KEY_FILE")]
    pub secrets_key_file: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct FlowArgs {
    #[command(flatten)]
    pub secrets: SecretsArgs,
    #[command(flatten)]
    pub provider: super::ProviderArgs,
    /// Where `policy_export` writes its files, and downloads read them: a folder every
    /// process reaches. Default on SQLite: `exports` beside the database; on PostgreSQL it
    /// must be given.
    #[arg(long, env = "OPSUX_EXPORTS_DIR")]
    pub exports_dir: Option<PathBuf>,
    /// Do not run the scheduler here (scheduled backups, the daily prune). Several schedulers
    /// are safe — one leads at a time — so this is only to keep a process quiet.
    #[arg(long, env = "OPSUX_NO_SCHEDULER")]
    pub no_scheduler: bool,
    /// How often the scheduler looks for due schedules, in seconds. A slot fires at most this
    /// long after its time.
    #[arg(long, env = "OPSUX_SCHEDULER_TICK_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub scheduler_tick_secs: u64,
}

impl SecretsArgs {
    /// The secrets key, from `--secrets-key`, the key file, or the default file.
    pub fn key(&self, database_url: &str) -> anyhow::Result<SecretsKey> {
        if let Some(text) = &self.secrets_key {
            if std::env::var("OPSUX_SECRETS_KEY").ok().as_deref() != Some(text.as_str()) {
                tracing::warn!(
                    "--secrets-key on the command line shows in the process list to every user \
                     of this machine: give the key in OPSUX_SECRETS_KEY or a key file instead"
                );
            }
            return SecretsKey::from_base64(text).context("OPSUX_SECRETS_KEY");
        }
        let path = match (&self.secrets_key_file, store::sqlite_folder(database_url)) {
            (Some(path), _) => path.clone(),
            (None, Some(folder)) => folder.join("secrets.key"),
            (None, None) => anyhow::bail!(
                "on PostgreSQL every process needs the same secrets key: set OPSUX_SECRETS_KEY \
                 (32 random bytes, base64) or --secrets-key-file on each"
            ),
        };
        SecretsKey::load_or_create(&path)
    }
}

impl FlowArgs {
    /// The exports folder, created (owner-only) if missing, as an absolute path.
    pub fn exports_dir(&self, database_url: &str) -> anyhow::Result<PathBuf> {
        exports_dir(self.exports_dir.as_deref(), database_url)
    }

    /// What the flows of this process work with: exports go to `exports_dir`.
    pub fn env(&self, state: &AppState, secrets: Arc<SecretsKey>, exports_dir: PathBuf) -> FlowEnv {
        FlowEnv {
            store: state.store.clone(),
            secrets,
            provider: self.provider.config(),
            clock: Arc::clone(&state.clock),
            exports_dir,
            runs: Some(state.runs.clone()),
        }
    }
}

/// This process's worker, running every operation's flow, `concurrency` runs at once.
pub(super) fn worker(
    state: &AppState,
    env: &FlowEnv,
    concurrency: usize,
    drain: std::time::Duration,
) -> Worker {
    Worker::new(
        state.runs.clone(),
        flows::handlers(env),
        WorkerConfig {
            concurrency: concurrency.max(1),
            drain,
            ..WorkerConfig::default()
        },
        Arc::clone(&state.wake_worker),
    )
}

/// This process's webhook deliverer.
pub(super) fn deliverer(
    state: &AppState,
    secrets: Arc<SecretsKey>,
    destinations: &super::WebhookArgs,
    public_origin: Option<String>,
) -> anyhow::Result<Deliverer> {
    if destinations.webhook_allow_private {
        tracing::warn!(
            "--webhook-allow-private: webhooks may go to loopback and private addresses, and \
             over plain http"
        );
    }
    Deliverer::new(
        state.store.clone(),
        secrets,
        Arc::clone(&state.clock),
        DelivererConfig {
            allow_private: destinations.webhook_allow_private,
            public_origin,
        },
        Arc::clone(&state.webhook_metrics),
    )
}

pub(super) fn scheduler(state: &AppState, args: &FlowArgs) -> Scheduler {
    let tick = std::time::Duration::from_secs(args.scheduler_tick_secs);
    let defaults = SchedulerConfig::default();
    Scheduler::new(
        state.store.clone(),
        state.runs.clone(),
        Arc::clone(&state.clock),
        SchedulerConfig {
            tick,
            // The lease outlives a few ticks, so a leader is not replaced between two.
            lease: defaults.lease.max(tick * 3),
            ..defaults
        },
    )
}

/// Starts the Graph simulator in this process on `listen`; its base URL.
pub(super) async fn start_simulator(listen: SocketAddr) -> anyhow::Result<String> {
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("the simulator cannot listen on {listen}"))?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        if let Err(err) = crate::simulator::Simulator::demo().serve(listener).await {
            tracing::error!(%err, "the Graph simulator stopped");
        }
    });
    Ok(base)
}

/// The exports folder: `explicit`, else `exports` beside a SQLite database; created
/// owner-only (0700) if missing, tightened if others may list it; as an absolute path.
pub(super) fn exports_dir(
    explicit: Option<&std::path::Path>,
    database_url: &str,
) -> anyhow::Result<PathBuf> {
    let dir = match (explicit, store::sqlite_folder(database_url)) {
        (Some(dir), _) => dir.to_owned(),
        (None, Some(folder)) => folder.join("exports"),
        (None, None) => anyhow::bail!(
            "on PostgreSQL give --exports-dir (OPSUX_EXPORTS_DIR): a folder every process \
             reaches, where exports are written and downloaded from"
        ),
    };
    crate::private_files::private_dir(&dir)
        .with_context(|| format!("creating the exports folder {}", dir.display()))?;
    std::path::absolute(&dir).with_context(|| format!("the exports folder {}", dir.display()))
}
