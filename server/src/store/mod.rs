//! The store: every SQL statement of the server lives behind it, on SQLite or PostgreSQL.
//!
//! [`Store`] is an enum over the two pools, not a trait object: the backends are a closed set,
//! an enum needs no boxed futures or generic parameters threaded through the router, and one
//! statement text serves both backends wherever their dialects agree — which, with `$N`
//! placeholders (sqlx's SQLite driver reads `$N` as the N-th argument), TEXT ids, BIGINT
//! Unix-millisecond times and TEXT JSON, is nearly everywhere. [`on_pool!`] and [`on_conn!`]
//! expand one body once per backend, so each arm is type-checked against its own driver.
//! Where the dialects differ (claiming with `FOR UPDATE SKIP LOCKED`, connection settings,
//! migrations), the backend's own text sits beside the other, in the same function.
//!
//! The topic modules say what the server does with it: [`accounts`] (users, tenants,
//! memberships), [`sessions`], [`notifications`] (reading and marking read), [`stats`]. The
//! run transitions are the run service's own (`runs::store`, private to it, R1).

pub mod access_changes;
pub mod accounts;
pub mod announce;
pub mod audit;
pub mod backups;
pub mod connections;
pub mod directory;
pub mod exports;
pub mod inventory;
pub mod invitations;
pub mod leases;
pub mod notifications;
pub mod oidc;
pub mod operation_types;
pub mod owned;
pub mod paging;
mod probe;
pub mod restores;
pub mod schedules;
pub mod sessions;
pub mod stats;
mod targets;
pub mod tokens;
pub mod webhooks;

use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

/// The default: a SQLite file under `./data/`.
pub const DEFAULT_URL: &str = "sqlite://data/opsux.db";

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// When SQLite syncs a commit to disk (PostgreSQL follows its own `synchronous_commit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SqliteSync {
    /// Every commit is on disk before it is acknowledged: a terminal transition whose event
    /// was sent survives a power loss. Group commit shares each sync among the transitions
    /// committed together.
    #[default]
    Full,
    /// Commits are synced at WAL checkpoints: still crash-safe for the process, but the last
    /// commits can be lost with the machine's power.
    Normal,
}

/// How to open a store.
#[derive(Debug, Clone, Copy, Default)]
pub struct StoreOptions {
    pub sqlite_sync: SqliteSync,
}

/// A connection pool to the server's database. Cheap to clone.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the store's pool, once per backend.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            $crate::store::Store::Sqlite($pool) => $body,
            $crate::store::Store::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Runs `$body` with `$conn` bound to the connection (`&mut SqliteConnection` or
/// `&mut PgConnection`), once per backend.
macro_rules! on_conn {
    ($c:expr, $conn:ident => $body:expr) => {
        match $c {
            $crate::store::Conn::Sqlite($conn) => $body,
            $crate::store::Conn::Postgres($conn) => $body,
        }
    };
}
pub(crate) use on_conn;

/// A borrowed connection: from the pool, or a transaction's.
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl Conn<'_> {
    /// The statement text for this connection's dialect, where the two differ.
    pub fn dialect(&self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self {
            Self::Sqlite(_) => sqlite,
            Self::Postgres(_) => postgres,
        }
    }
}

/// A connection taken from the pool until dropped.
pub enum Pooled {
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    Postgres(sqlx::pool::PoolConnection<Postgres>),
}

impl Pooled {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(c) => Conn::Sqlite(c),
            Self::Postgres(c) => Conn::Postgres(c),
        }
    }

    /// Starts a transaction on this connection.
    pub async fn begin(&mut self) -> Result<Tx<'_>, sqlx::Error> {
        use sqlx::Connection;
        Ok(match self {
            Self::Sqlite(c) => Tx::Sqlite(c.begin().await?),
            Self::Postgres(c) => Tx::Postgres(c.begin().await?),
        })
    }
}

/// An open transaction, on a pooled connection (`'static`) or a held one; rolled back if
/// dropped without [`Tx::commit`].
pub enum Tx<'c> {
    Sqlite(Transaction<'c, Sqlite>),
    Postgres(Transaction<'c, Postgres>),
}

impl Tx<'_> {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(tx) => Conn::Sqlite(tx),
            Self::Postgres(tx) => Conn::Postgres(tx),
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(tx) => tx.commit().await,
            Self::Postgres(tx) => tx.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(tx) => tx.rollback().await,
            Self::Postgres(tx) => tx.rollback().await,
        }
    }
}

impl Store {
    /// Opens the database at `url` (`sqlite://PATH` or `postgres://…`) and applies pending
    /// migrations.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        Self::open_with(url, StoreOptions::default()).await
    }

    pub async fn open_with(url: &str, options: StoreOptions) -> anyhow::Result<Self> {
        let store = Self::connect_with(url, options).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database at `url` without migrating it.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Self::connect_with(url, StoreOptions::default()).await
    }

    pub async fn connect_with(url: &str, options: StoreOptions) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            connect_sqlite(url, options.sqlite_sync)
                .await
                .map(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            connect_postgres(url).await.map(Self::Postgres)
        } else {
            bail!(
                "unsupported database URL {:?}: expected sqlite://PATH or postgres://USER@HOST/DB",
                redact_url(url)
            )
        }
    }

    /// Applies the migrations this build carries that the database lacks.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Self::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await,
            Self::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
        }
        .context("applying database migrations")
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// The statement text for this store's dialect, where the two differ.
    pub fn dialect(&self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self {
            Self::Sqlite(_) => sqlite,
            Self::Postgres(_) => postgres,
        }
    }

    /// Whether the database announces every committed change to every process (PostgreSQL's
    /// `NOTIFY`, see `relay`); if not, each process publishes its own changes.
    pub fn announces_changes(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    /// Whether transactions on separate connections commit side by side. SQLite takes one
    /// writer at a time; PostgreSQL commits concurrent transactions in parallel.
    pub fn commits_in_parallel(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    /// A one-connection pool to `LISTEN` on for the database's announcements, named
    /// `application_name` so operators (and tests) can find it; `None` when the database makes
    /// none (SQLite).
    pub fn listening_pool(&self, application_name: &str) -> Option<PgPool> {
        let Self::Postgres(pool) = self else {
            return None;
        };
        let options = pool
            .connect_options()
            .as_ref()
            .clone()
            .application_name(application_name);
        Some(
            PgPoolOptions::new()
                .max_connections(1)
                .connect_lazy_with(options),
        )
    }

    /// A transaction that holds the database's write lock from its first statement on SQLite
    /// (`BEGIN IMMEDIATE`), for changes that read before they write: a deferred transaction
    /// would fail at its first write if another connection committed after its first read.
    /// On PostgreSQL a plain transaction; callers lock the rows they depend on.
    pub async fn begin_immediate(&self) -> Result<Tx<'static>, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn acquire(&self) -> Result<Pooled, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(pool) => Pooled::Sqlite(pool.acquire().await?),
            Self::Postgres(pool) => Pooled::Postgres(pool.acquire().await?),
        })
    }

    pub async fn begin(&self) -> Result<Tx<'static>, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Closes every connection; later calls fail.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await);
    }
}

/// The folder of a `sqlite://` URL's database file (`.` for a bare file name); `None` for
/// another database. Files that belong with the database (its secrets key, exports) default
/// to it.
pub fn sqlite_folder(url: &str) -> Option<std::path::PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or_default();
    if path == ":memory:" {
        return None;
    }
    let parent = std::path::Path::new(path).parent()?;
    Some(if parent.as_os_str().is_empty() {
        ".".into()
    } else {
        parent.to_owned()
    })
}

/// The database file owner-only: created so before SQLite opens it (SQLite gives its `-wal`
/// and `-shm` files the database file's permissions), and an existing one others may read
/// tightened, with its `-wal` and `-shm`.
fn keep_private(file: &str) -> anyhow::Result<()> {
    if file.is_empty() || file == ":memory:" {
        return Ok(());
    }
    let path = std::path::Path::new(file);
    crate::private_files::touch_private(path)
        .with_context(|| format!("creating the database {}", path.display()))?;
    for suffix in ["", "-wal", "-shm"] {
        let path = std::path::PathBuf::from(format!("{file}{suffix}"));
        if path.exists() && crate::private_files::readable_by_others(&path)? {
            let mode = crate::private_files::mode_text(&path);
            crate::private_files::tighten(&path)
                .with_context(|| format!("making {} owner-only", path.display()))?;
            tracing::warn!(path = %path.display(), %mode, "the database was readable by other users; made it owner-only (0600)");
        }
    }
    Ok(())
}

async fn connect_sqlite(url: &str, sync: SqliteSync) -> anyhow::Result<SqlitePool> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or_default();
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating the database folder {}", parent.display()))?;
    }
    keep_private(path.split('?').next().unwrap_or_default())?;
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("invalid database URL {url:?}"))?
        .create_if_missing(true)
        // WAL lets readers (monitoring pages, streams) proceed while a transition commits.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(match sync {
            SqliteSync::Full => SqliteSynchronous::Full,
            SqliteSync::Normal => SqliteSynchronous::Normal,
        })
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    SqlitePoolOptions::new()
        .max_connections(8)
        // An embedded file has no connection to lose: skip the ping sqlx sends by default
        // before handing out a connection, a round trip per query.
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .with_context(|| format!("opening the database {url:?}"))
}

async fn connect_postgres(url: &str) -> anyhow::Result<PgPool> {
    let shown = redact_url(url);
    let options = PgConnectOptions::from_str(url)
        .with_context(|| format!("invalid database URL {shown:?}"))?
        .application_name("opsux");
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .with_context(|| format!("connecting to {shown:?}"))
}

/// `url` with any password replaced — in the user info and in a `password=` parameter — fit
/// for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (before_query, query) = rest
        .split_once('?')
        .map_or((rest, None), |(b, q)| (b, Some(q)));
    // The user info ends at the last `@` (a password may hold `/`, even unescaped).
    let shown = match before_query.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            let hidden = if user_info.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}")
        }
        None => format!("{scheme}://{before_query}"),
    };
    match query {
        Some(query) => {
            let params: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{shown}?{}", params.join("&"))
        }
        None => shown,
    }
}

#[cfg(test)]
mod tests {
    use super::{redact_url, sqlite_folder};

    #[test]
    fn files_that_belong_with_a_sqlite_database_sit_beside_it() {
        assert_eq!(sqlite_folder("sqlite://data/opsux.db"), Some("data".into()));
        assert_eq!(
            sqlite_folder("sqlite:/srv/x.db?mode=rwc"),
            Some("/srv".into())
        );
        assert_eq!(sqlite_folder("sqlite://x.db"), Some(".".into()));
        assert_eq!(sqlite_folder("postgres://u@h/db"), None);
        assert_eq!(sqlite_folder("sqlite::memory:"), None, "nothing beside it");
    }

    #[test]
    fn passwords_never_reach_a_message() {
        assert_eq!(
            redact_url("postgres://opsux:s3cret@db:5432/opsux"),
            "postgres://opsux:***@db:5432/opsux"
        );
        assert_eq!(
            redact_url("postgres://opsux@db/opsux"),
            "postgres://opsux@db/opsux"
        );
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
        assert_eq!(
            redact_url("postgres://u:p/ss@h/db"),
            "postgres://u:***@h/db",
            "a password holding a slash"
        );
        assert_eq!(
            redact_url("postgres://u@h/db?sslmode=require&password=hunter2"),
            "postgres://u@h/db?sslmode=require&password=***"
        );
    }
}
