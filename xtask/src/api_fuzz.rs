//! Property-based fuzzing of the HTTP API with Schemathesis, from the server's own OpenAPI
//! document, against `opsux serve --demo` on a free loopback port — on SQLite, and on
//! PostgreSQL: no answer may be a 5xx, and every answer's status, content type and body must
//! be what the document says. The settings and the sign-in hook are in `tests/api-fuzz/`.
//! Streams are left out: they never end.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

use crate::e2e::{build_server, free_ports};
use crate::shell::{cmd, step};

const SCHEMATHESIS_VERSION: &str = "4.32.5";
/// Seconds of fuzzing after the schema's examples and its coverage cases, on each backend.
const FUZZ_SECONDS: &str = "30";

/// The database the fuzzed server runs on.
pub(crate) enum Backend<'a> {
    Sqlite,
    /// An empty PostgreSQL database, by URL.
    Postgres(&'a str),
}

pub(crate) fn run(root: &Path, backend: &Backend<'_>) -> anyhow::Result<()> {
    let target = build_server(root)?;
    let schemathesis = ensure_schemathesis(&target)?;
    let data = target.join(match backend {
        Backend::Sqlite => "api-fuzz",
        Backend::Postgres(_) => "api-fuzz-postgres",
    });
    if data.exists() {
        std::fs::remove_dir_all(&data).context("clearing the previous fuzzing database")?;
    }
    std::fs::create_dir_all(&data)?;
    let [port] = free_ports()?;
    let base = format!("http://127.0.0.1:{port}");
    let server = Server(start_server(&target, &data, port, backend)?);
    let fuzz = root.join("tests/api-fuzz");
    let result = cmd(&schemathesis)
        .arg("--config-file")
        .arg(fuzz.join("schemathesis.toml"))
        .args(["run", &format!("{base}/api/openapi.json")])
        .args(["--wait-for-schema", "60"])
        // Streams never end; logout, signing out everywhere and changing the password end or
        // lock the fuzzer's own session (wrong current passwords count like failed sign-ins).
        .args([
            "--exclude-path-regex",
            "/stream$|/logout$|/sessions/end-all$|/me/password$",
        ])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-time", FUZZ_SECONDS, "--no-color"])
        .env("OPSUX_FUZZ_BASE", &base)
        .env("PYTHONPATH", &fuzz)
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .run();
    drop(server);
    result.with_context(|| {
        format!(
            "the API fuzzing found answers the document does not allow; the server's log is {}",
            data.join("server.log").display()
        )
    })
}

/// The demo server, its log in `data/server.log` (its key and exports in `data` too).
pub(crate) fn start_server(
    target: &Path,
    data: &Path,
    port: u16,
    backend: &Backend<'_>,
) -> anyhow::Result<Child> {
    let log = std::fs::File::create(data.join("server.log"))?;
    let database = match backend {
        Backend::Sqlite => format!("sqlite://{}", data.join("opsux.db").display()),
        Backend::Postgres(url) => (*url).to_owned(),
    };
    Command::new(target.join("debug/opsux"))
        .args(["serve", "--demo", "--no-scheduler"])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--database-url")
        .arg(database)
        .arg("--secrets-key-file")
        .arg(data.join("secrets.key"))
        .arg("--exports-dir")
        .arg(data.join("exports"))
        .arg("--assets-dir")
        .arg(data.join("no-dashboard"))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .context("starting the demo server")
}

/// Kills the server when the fuzzing ends, however it ends.
pub(crate) struct Server(pub(crate) Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Schemathesis in its own virtual environment under `target/tools/`, installed from PyPI
/// at the pinned version when missing; the path of its command.
fn ensure_schemathesis(target: &Path) -> anyhow::Result<PathBuf> {
    let venv = python_venv(
        target,
        &format!("schemathesis-{SCHEMATHESIS_VERSION}"),
        &[&format!("schemathesis=={SCHEMATHESIS_VERSION}")],
    )?;
    Ok(venv.join("bin/schemathesis"))
}

/// A Python virtual environment `target/tools/{name}` with `packages` (pinned), made and
/// installed from PyPI when missing; its folder.
pub(crate) fn python_venv(target: &Path, name: &str, packages: &[&str]) -> anyhow::Result<PathBuf> {
    let venv = target.join("tools").join(name);
    // Written last: a venv whose install was cut off is made again.
    let done = venv.join(".installed");
    if done.exists() {
        return Ok(venv);
    }
    if cmd("python3").arg("--version").read().is_none() {
        bail!("Python 3 is needed here: install python3 and python3-venv");
    }
    step(
        "setup",
        &format!("installing {} in {}", packages.join(", "), venv.display()),
    );
    cmd("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .run()
        .context("creating a Python virtual environment (Debian: apt-get install python3-venv)")?;
    cmd(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(packages)
        .run()?;
    std::fs::write(&done, packages.join("\n"))?;
    Ok(venv)
}
