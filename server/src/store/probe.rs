//! What the benchmarks need of the database itself: a fresh database beside this one, the raw
//! commit rate (single-row updates, each its own commit) that the run service's group commit
//! is compared with, and a million finished runs made in one statement. Here so that no
//! benchmark needs to know which backend it talks to.

use anyhow::{Context, ensure};
use uuid::Uuid;

use super::{Store, on_pool};

/// How long a scratch database is kept before a later run drops it.
const SCRATCH_LIFETIME: std::time::Duration = std::time::Duration::from_secs(3600);

impl Store {
    /// Creates an empty database `name` (lowercase letters, digits, `_`) on this PostgreSQL
    /// server; the role must be allowed to create databases.
    pub async fn create_database(&self, name: &str) -> anyhow::Result<()> {
        ensure!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "a database name of lowercase letters, digits and `_` only: {name:?}"
        );
        let Self::Postgres(pool) = self else {
            anyhow::bail!("only a PostgreSQL server creates databases; SQLite opens files");
        };
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(pool)
            .await
            .with_context(|| format!("creating database {name}"))?;
        Ok(())
    }

    /// Creates an empty database named `<prefix>_<unix seconds>_<random>` for one test or
    /// benchmark and returns its name; first drops the databases of the same prefix made more
    /// than [`SCRATCH_LIFETIME`] ago (or named before this scheme), which an interrupted or
    /// finished run left behind: each holds a migrated schema, and thousands of them once
    /// filled a developer's disk.
    pub async fn create_scratch_database(&self, prefix: &str) -> anyhow::Result<String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let Self::Postgres(pool) = self else {
            anyhow::bail!("only a PostgreSQL server creates databases; SQLite opens files");
        };
        let names: Vec<(String,)> = sqlx::query_as("SELECT datname FROM pg_database")
            .fetch_all(pool)
            .await
            .context("listing databases")?;
        let stale = names.into_iter().map(|(name,)| name).filter(|name| {
            let Some(rest) = name.strip_prefix(prefix).and_then(|r| r.strip_prefix('_')) else {
                return false;
            };
            let made = rest
                .split('_')
                .next()
                .and_then(|secs| secs.parse::<u64>().ok());
            made.is_none_or(|made| made + SCRATCH_LIFETIME.as_secs() < now)
        });
        for name in stale {
            // Another run's database may be dropped by it at the same moment: not an error.
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(pool)
            .await;
        }
        let name = format!(
            "{prefix}_{now}_{}",
            &Uuid::new_v4().simple().to_string()[..12]
        );
        self.create_database(&name).await?;
        Ok(name)
    }

    /// Makes the rows `0..rows` that [`commit_probe`](Self::commit_probe) updates.
    pub async fn prepare_commit_probe(&self, rows: usize) -> Result<(), sqlx::Error> {
        const CREATE: &str =
            "CREATE TABLE IF NOT EXISTS bench_counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)";
        const INSERT: &str =
            "INSERT INTO bench_counter (id, n) VALUES ($1, 0) ON CONFLICT (id) DO NOTHING";
        on_pool!(self, pool => {
            sqlx::query(CREATE).execute(pool).await?;
            for id in 0..rows {
                sqlx::query(INSERT).bind(id as i64).execute(pool).await?;
            }
        });
        Ok(())
    }

    /// Brings the planner's statistics up to date, as a database in service has them: a
    /// benchmark's tables grow from nothing within seconds, faster than autovacuum looks, and
    /// plans made for an empty table would scan the whole one.
    pub async fn analyze(&self) -> Result<(), sqlx::Error> {
        on_pool!(self, pool => {
            sqlx::query("ANALYZE").execute(pool).await?;
        });
        Ok(())
    }

    /// One raw commit: a single-row `UPDATE` of row `row`, on its own (autocommit).
    pub async fn commit_probe(&self, row: usize) -> Result<(), sqlx::Error> {
        const UPDATE: &str = "UPDATE bench_counter SET n = n + 1 WHERE id = $1";
        on_pool!(self, pool => {
            sqlx::query(UPDATE).bind(row as i64).execute(pool).await?;
        });
        Ok(())
    }

    /// `runs` completed runs in the tenant, a second apart from `first_created`, one in a
    /// thousand a failed `restore_execute`, the rest succeeded `policy_export`s, inserted by
    /// the database itself in one statement (ids are valid UUIDs built from the run's number),
    /// then `ANALYZE`d. For `cargo xtask bench list` only: it writes
    /// finished runs without the run service (the one allowed exception to R1's guard).
    #[doc(hidden)]
    pub async fn fill_completed_runs_for_benchmark(
        &self,
        workspace: Uuid,
        tenant: Uuid,
        initiator: &str,
        runs: i64,
        first_created: i64,
    ) -> Result<(), sqlx::Error> {
        const COLUMNS: &str = "INSERT INTO operation_runs (id, workspace_id, tenant_id, \
            initiator_user_id, type, identity, status, outcome, created_at, started_at, \
            completed_at, summary_counts, context, attempt, max_attempts, reason_code) ";
        // The same rows on both backends; only how a number becomes an id and where the
        // numbers come from differ.
        let (id, numbers) = match self {
            Self::Sqlite(_) => (
                "printf('%08x-0000-7000-8000-%012x', n, n)",
                "(WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq \
                  WHERE n < $1 - 1) SELECT n FROM seq) AS seq",
            ),
            Self::Postgres(_) => (
                "lpad(to_hex(n), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(n), 12, '0')",
                "generate_series(0, $1 - 1) AS n",
            ),
        };
        let sql = format!(
            "{COLUMNS} SELECT {id}, $2, $3, $4, \
               CASE WHEN n % 1000 = 7 THEN 'restore_execute' ELSE 'policy_export' END, \
               'bench-' || n, 'completed', \
               CASE WHEN n % 1000 = 7 THEN 'failed' ELSE 'succeeded' END, $5 + n * 1000, \
               $5 + n * 1000, $5 + n * 1000 + 500, \
               '{{\"total\":3,\"processed\":3,\"succeeded\":3}}', \
               '{{\"params\":{{\"policy_ids\":[\"a\",\"b\",\"c\"]}}}}', 1, 3, \
               CASE WHEN n % 1000 = 7 THEN 'provider_throttled' END \
             FROM {numbers}"
        );
        on_pool!(self, pool => {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(runs)
                .bind(workspace.to_string())
                .bind(tenant.to_string())
                .bind(initiator)
                .bind(first_created)
                .execute(pool)
                .await?;
            sqlx::query("ANALYZE").execute(pool).await?;
        });
        Ok(())
    }
}
