//! Flags several commands share: the database, the lease, the drain.

use crate::runs::RunConfig;
use crate::store::{self, SqliteSync, Store, StoreOptions};

#[derive(Debug, clap::Args)]
pub struct DatabaseArgs {
    /// Where the data lives: `sqlite://PATH` (the folder is created if needed) or
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`.
    #[arg(long, env = "DATABASE_URL", default_value = store::DEFAULT_URL)]
    pub database_url: String,
    /// SQLite only: `full` syncs every commit before acknowledging it (survives power loss);
    /// `normal` syncs at checkpoints (survives a crash of the process, not of the machine).
    #[arg(long, env = "OPSUX_SQLITE_SYNCHRONOUS", value_enum, default_value_t = SqliteSync::Full)]
    pub sqlite_synchronous: SqliteSync,
}

impl DatabaseArgs {
    pub(super) async fn open(&self) -> anyhow::Result<Store> {
        let options = StoreOptions {
            sqlite_sync: self.sqlite_synchronous,
        };
        Store::open_with(&self.database_url, options).await
    }
}

#[derive(Debug, clap::Args)]
pub struct LeaseArgs {
    /// Seconds a worker's claim on a run holds without a heartbeat; after that another worker
    /// rescues the run (R8). Every process on one database should use the same value.
    #[arg(long = "lease-secs", env = "OPSUX_LEASE_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub secs: u64,
}

impl LeaseArgs {
    pub(super) fn run_config(&self) -> RunConfig {
        RunConfig {
            lease: std::time::Duration::from_secs(self.secs),
            ..RunConfig::default()
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct DrainArgs {
    /// At SIGTERM or Ctrl-C: how long running handlers may go on before they are stopped and
    /// their runs handed back to the queue (streams end at once; no new run is claimed).
    #[arg(long = "drain-secs", env = "OPSUX_DRAIN_SECS", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub drain_secs: u64,
}

impl DrainArgs {
    pub(super) fn drain(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.drain_secs)
    }
}

/// How many runs may be active at once. Every process on one database should use the same
/// values: the API's starts and the scheduler's (which may run in a worker) both count.
#[derive(Debug, Clone, clap::Args)]
pub struct CapArgs {
    /// A person's start is refused (409) while the tenant has this many queued or running
    /// runs.
    #[arg(long, env = "OPSUX_MAX_ACTIVE_RUNS_PER_TENANT", default_value_t = RunConfig::default().max_active_per_tenant,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_active_runs_per_tenant: u32,
    /// A person's start is refused (409) while they have this many queued or running runs.
    #[arg(long, env = "OPSUX_MAX_ACTIVE_RUNS_PER_USER", default_value_t = RunConfig::default().max_active_per_user,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_active_runs_per_user: u32,
    /// The scheduler's share of a tenant's active runs: while the tenant has this many
    /// queued or running system runs a schedule's slot is skipped (and the schedule says
    /// why). Default: a quarter of --max-active-runs-per-tenant, at least 1.
    #[arg(long, env = "OPSUX_MAX_ACTIVE_SCHEDULED_RUNS_PER_TENANT",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_active_scheduled_runs_per_tenant: Option<u32>,
}

impl CapArgs {
    pub(super) fn run_config(&self, lease: &LeaseArgs) -> RunConfig {
        RunConfig {
            max_active_per_tenant: self.max_active_runs_per_tenant,
            max_active_per_user: self.max_active_runs_per_user,
            max_active_scheduled_per_tenant: self.max_active_scheduled_runs_per_tenant,
            ..lease.run_config()
        }
    }
}

/// R20's bounds on a tenant's provider: where it may live and how much it may send.
#[derive(Debug, Clone, clap::Args)]
pub struct ProviderArgs {
    /// A host a tenant's sign-in or Graph URL may name besides Microsoft's clouds (and
    /// loopback), e.g. a Graph-compatible gateway. Repeat, or separate with commas.
    #[arg(
        long = "provider-host",
        env = "OPSUX_PROVIDER_HOSTS",
        value_delimiter = ','
    )]
    pub hosts: Vec<String>,
    /// The largest provider answer read, in MiB; a bigger one fails the run
    /// `provider_response_too_large`.
    #[arg(long = "provider-max-body-mib", env = "OPSUX_PROVIDER_MAX_BODY_MIB",
          default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub max_body_mib: u16,
    /// The most pages one listing follows.
    #[arg(long = "provider-max-pages", env = "OPSUX_PROVIDER_MAX_PAGES", default_value_t = 500,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_pages: u32,
    /// The most items one listing collects.
    #[arg(long = "provider-max-items", env = "OPSUX_PROVIDER_MAX_ITEMS",
          default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub max_items: u32,
    /// Seconds one step (a whole listing, or one read or write, with every retry) may take
    /// before it fails `provider_timed_out`.
    #[arg(long = "provider-step-timeout-secs", env = "OPSUX_PROVIDER_STEP_TIMEOUT_SECS",
          default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub step_timeout_secs: u64,
}

impl ProviderArgs {
    pub(super) fn config(&self) -> crate::provider::ProviderConfig {
        use crate::provider::{ProviderConfig, ProviderLimits, ProviderOrigins};
        ProviderConfig {
            limits: ProviderLimits {
                max_body_bytes: usize::from(self.max_body_mib) * 1024 * 1024,
                max_pages: self.max_pages as usize,
                max_items: self.max_items as usize,
                step_timeout: std::time::Duration::from_secs(self.step_timeout_secs),
            },
            origins: ProviderOrigins::allowing(&self.hosts),
            ..ProviderConfig::default()
        }
    }
}
