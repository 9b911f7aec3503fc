//! A throwaway PostgreSQL cluster for the tests and the benchmark: Debian's `postgresql`
//! (installed when missing), `initdb` into a fresh folder under `target/`, `pg_ctl start` on a
//! free loopback port, and stopped and deleted when dropped. `OPSUX_TEST_DATABASE_URL` (tests)
//! and `OPSUX_BENCH_DATABASE_URL` (benchmark) name an existing server instead.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::shell::{Cmd, cmd, step};
use crate::toolchain::{apt_install, is_root};

/// The variable the server's test fixtures read.
pub(crate) const TEST_URL_VAR: &str = "OPSUX_TEST_DATABASE_URL";
/// The variable the lifecycle benchmark reads.
pub(crate) const BENCH_URL_VAR: &str = "OPSUX_BENCH_DATABASE_URL";

/// What a cluster promises about commits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    /// No fsync: the tests check behaviour, not power loss, and run faster.
    Off,
    /// PostgreSQL's defaults (fsync, synchronous commit): what the benchmark measures.
    Full,
}

/// A PostgreSQL server for one test run.
pub(crate) enum TestDatabase {
    /// Named by `OPSUX_TEST_DATABASE_URL`; left as it was found.
    Given(String),
    Throwaway(Cluster),
}

impl TestDatabase {
    /// The server named by `variable`, else a throwaway cluster.
    pub(crate) fn start(
        root: &Path,
        variable: &str,
        durability: Durability,
    ) -> anyhow::Result<Self> {
        match std::env::var(variable) {
            Ok(url) if !url.is_empty() => Ok(Self::Given(url)),
            _ => Cluster::start(root, durability).map(Self::Throwaway),
        }
    }

    /// A URL of a role that may create databases.
    pub(crate) fn url(&self) -> &str {
        match self {
            Self::Given(url) => url,
            Self::Throwaway(cluster) => &cluster.url,
        }
    }

    /// A new, empty database `name` on this server (an old one of that name dropped first);
    /// its URL.
    pub(crate) fn fresh_database(&self, name: &str) -> anyhow::Result<String> {
        let psql = server_binaries()?.join("psql");
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            cmd(&psql)
                .arg(self.url())
                .args(["--quiet", "--no-psqlrc", "--command", &sql])
                .quiet()
                .run()
                .with_context(|| format!("psql: {sql}"))?;
        }
        Ok(with_database(self.url(), name))
    }
}

/// `url` naming database `name` instead (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

pub(crate) struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    url: String,
    /// Root may not run a PostgreSQL server: then the cluster belongs to `postgres`.
    as_postgres: bool,
}

impl Cluster {
    fn start(root: &Path, durability: Durability) -> anyhow::Result<Self> {
        let bin = server_binaries()?;
        let as_postgres = is_root();
        let [port] = crate::e2e::free_ports()?;
        let dir = root.join("target/postgres").join(format!("cluster-{port}"));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).context("clearing an old test cluster")?;
        }
        std::fs::create_dir_all(&dir).context("creating the test cluster folder")?;
        if as_postgres {
            cmd("chown").args(["postgres:postgres"]).arg(&dir).run()?;
        }
        step(
            "postgres",
            &format!("a throwaway cluster on 127.0.0.1:{port}"),
        );
        let cluster = Self {
            bin,
            dir,
            url: format!("postgres://opsux@127.0.0.1:{port}/postgres"),
            as_postgres,
        };
        let data = cluster.dir.join("data");
        cluster
            .tool("initdb")
            .args([
                "--username",
                "opsux",
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
            ])
            .args(["--no-locale", "--no-sync", "--pgdata"])
            .arg(&data)
            .quiet()
            .run()
            .context("initdb failed")?;
        // TCP only: no socket file.
        let mut options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' \
             -c max_connections=400"
        );
        if durability == Durability::Off {
            options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        cluster
            .tool("pg_ctl")
            .args(["start", "--wait", "--silent", "--pgdata"])
            .arg(&data)
            .arg("--log")
            .arg(cluster.dir.join("server.log"))
            .args(["-o", &options])
            .run()
            .context("the test PostgreSQL server did not start (see its server.log)")?;
        Ok(cluster)
    }

    /// A server program, run as `postgres` when we are root.
    fn tool(&self, name: &str) -> Cmd {
        let program = self.bin.join(name);
        if self.as_postgres {
            cmd("runuser").args(["-u", "postgres", "--"]).arg(program)
        } else {
            cmd(program)
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .tool("pg_ctl")
            .args(["stop", "--mode", "immediate", "--silent", "--pgdata"])
            .arg(self.dir.join("data"))
            .quiet()
            .run();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The folder with `initdb` and `pg_ctl`: Debian keeps them out of `PATH`, under
/// `/usr/lib/postgresql/<major>/bin`. Installs Debian's `postgresql` when none is there.
fn server_binaries() -> anyhow::Result<PathBuf> {
    if let Some(found) = newest_server() {
        return Ok(found);
    }
    apt_install(
        &["postgresql"],
        "PostgreSQL is needed for the PostgreSQL test suites",
    )?;
    match newest_server() {
        Some(found) => Ok(found),
        None => bail!("postgresql is installed but no initdb was found under /usr/lib/postgresql"),
    }
}

fn newest_server() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let major = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((major, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn a_url_names_another_database() {
        assert_eq!(
            with_database("postgres://opsux@127.0.0.1:5432/postgres", "fuzz"),
            "postgres://opsux@127.0.0.1:5432/fuzz"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "fuzz"),
            "postgres://u:p@h/fuzz?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:1", "fuzz"),
            "postgres://h:1/fuzz"
        );
    }
}
