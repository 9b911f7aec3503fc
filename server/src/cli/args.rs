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
