//! Project automation: `cargo xtask run | test | size | setup`.
//!
//! Every command installs what it needs first (see `toolchain`), so a fresh machine with
//! Rust, Node.js and apt needs nothing else.

mod app_build;
mod compress;
mod e2e;
mod guards;
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
    /// Build the dashboard and serve it with the API and the demo data set.
    Run {
        /// Address for the server.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Everything CI checks: formatting, lints, native and wasm tests, end-to-end tests.
    Test,
    /// Size of the release dashboard bundle (wasm + JS): raw, gzip and brotli.
    Size,
    /// Run a benchmark and print its numbers (`lifecycle`: run-service throughput on SQLite).
    Bench {
        #[arg(default_value = "lifecycle", value_parser = ["lifecycle"])]
        name: String,
    },
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
        Command::Run { listen } => run(&root, &listen),
        Command::Test => test::run(&root),
        Command::Size => size::run(&root),
        Command::Guards => guards::run(&root),
        Command::Bench { name } => shell::cmd("cargo")
            .args(["bench", "--package", "opsux-server", "--bench", &name])
            .run(),
        Command::Setup => toolchain::ensure_all(&root, toolchain::Needs::everything()),
    }
}

fn run(root: &Path, listen: &str) -> anyhow::Result<()> {
    toolchain::ensure_all(root, toolchain::Needs::build())?;
    app_build::build_release(root)?;
    shell::step("serve", &format!("http://{listen}"));
    shell::cmd("cargo")
        .args([
            "run",
            "--package",
            "opsux-server",
            "--bin",
            "opsux",
            "--",
            "serve",
        ])
        .args(["--demo", "--listen", listen, "--assets-dir"])
        .arg(root.join("dist"))
        .run()
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one folder below the workspace root")
        .to_owned()
}
