//! Project automation: `cargo xtask run | test | size | screenshots | bench | guards | setup`.
//!
//! Every command installs what it needs first (see `toolchain`), so a fresh machine with
//! Rust, Node.js and apt needs nothing else.

mod api_fuzz;
mod app_build;
mod compress;
mod e2e;
mod guards;
mod metrics_check;
mod peers;
mod postgres;
mod shell;
mod size;
mod test;
mod toolchain;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "opsux project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the dashboard and serve it with the API and the demo data set, and serve
    /// `examples/embed.html` from a second port (another origin) that embeds the widget.
    Run {
        /// Address for the server.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Port of the embedding example page (on 127.0.0.1).
        #[arg(long, default_value_t = 8081)]
        embed_port: u16,
        /// The database: `sqlite://PATH` (default `sqlite://data/opsux.db`) or an existing
        /// PostgreSQL server's `postgres://USER@HOST/DATABASE`.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Everything CI checks: formatting, lints, native and wasm tests, end-to-end tests.
    Test,
    /// Size of each browser bundle (wasm + JS + CSS): raw, gzip and brotli against its budget,
    /// then what weighs most in each (twiggy).
    Size,
    /// Run a benchmark and print its numbers, on SQLite and on a throwaway PostgreSQL cluster
    /// (or the server in `OPSUX_BENCH_DATABASE_URL`): `lifecycle` (run-service throughput),
    /// `peers` (opsux beside graphile-worker on PostgreSQL), `list` (the Operations list of a
    /// tenant with a million runs), `streams` (widget streams: memory per watcher, commit →
    /// received latency).
    Bench {
        #[arg(
            default_value = "lifecycle",
            value_parser = ["lifecycle", "peers", "list", "streams"]
        )]
        name: String,
    },
    /// Take the README's screenshots (`docs/*.png`) from the demo in Chromium: the overview
    /// with Active operations open, Run Detail of a live run, the widget embedded elsewhere.
    Screenshots,
    /// Scan the sources for code that bypasses the Ops-UX contract (also run by `test`).
    Guards,
    /// Install the toolchain only (wasm target, trunk, wasm-bindgen, wasm-opt, Chromium).
    Setup,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nerror: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let root = project_root();
    std::env::set_current_dir(&root)?;
    match cli.command {
        Command::Run {
            listen,
            embed_port,
            database_url,
        } => run(&root, &listen, embed_port, database_url.as_deref()),
        Command::Test => test::run(&root),
        Command::Size => size::run(&root),
        Command::Screenshots => {
            toolchain::ensure_all(&root, toolchain::Needs::everything())?;
            app_build::build_release(&root)?;
            e2e::run(&root, e2e::Suite::Screenshots)
        }
        Command::Guards => guards::run(&root),
        Command::Bench { name } => {
            let peers = match name.as_str() {
                "peers" => Some(peers::ensure_graphile_worker(&root)?),
                _ => None,
            };
            let database = postgres::TestDatabase::start(
                &root,
                postgres::BENCH_URL_VAR,
                postgres::Durability::Full,
            )?;
            let mut bench = shell::cmd("cargo")
                .args(["bench", "--package", "opsux-server", "--bench", &name])
                .env(postgres::BENCH_URL_VAR, database.url());
            if let Some(modules) = peers {
                bench = bench.env("GRAPHILE_WORKER_MODULES", modules);
            }
            bench.run()
        }
        Command::Setup => toolchain::ensure_all(&root, toolchain::Needs::everything()),
    }
}

fn run(
    root: &Path,
    listen: &str,
    embed_port: u16,
    database_url: Option<&str>,
) -> anyhow::Result<()> {
    toolchain::ensure_all(root, toolchain::Needs::build())?;
    app_build::build_release(root)?;
    let server = format!("http://{listen}");
    let embed_origin = format!("http://127.0.0.1:{embed_port}");
    // The embedding example, on its own origin, which the server allows.
    let mut embed_host = shell::cmd("node")
        .arg(root.join("tests/embed-host.mjs"))
        .args(["--server", &server, "--port", &embed_port.to_string()])
        .spawn()?;
    shell::step(
        "serve",
        &format!("the panel on {server}/ (sign in as owner@demo.test, password opsux-demo)"),
    );
    shell::step(
        "serve",
        &format!("the widget embedded in another site: {embed_origin}/"),
    );
    let served = shell::cmd("cargo")
        .args([
            "run",
            "--package",
            "opsux-server",
            "--bin",
            "opsux",
            "--",
            "serve",
        ])
        .args([
            "--demo",
            "--listen",
            listen,
            "--allowed-origin",
            &embed_origin,
        ])
        .args(
            database_url
                .map(|url| ["--database-url", url])
                .into_iter()
                .flatten(),
        )
        // Beside the default SQLite database, and on PostgreSQL (which needs them named) too.
        .args([
            "--secrets-key-file",
            "data/secrets.key",
            "--exports-dir",
            "data/exports",
        ])
        .arg("--assets-dir")
        .arg(root.join("dist"))
        .run();
    let _ = embed_host.kill();
    let _ = embed_host.wait();
    served
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one folder below the workspace root")
        .to_owned()
}
