//! The Playwright suite against the real server on free loopback ports; the README's
//! screenshots are taken the same way (`cargo xtask screenshots`).

use std::net::TcpListener;
use std::path::Path;

use anyhow::Context;

use crate::shell::cmd;
use crate::toolchain::CHROMIUM;

/// Which Playwright tests to run.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Suite {
    /// `tests/e2e/`: the end-to-end tests.
    Tests,
    /// `tests/docs/`: the README's screenshots, written to `docs/`.
    Screenshots,
}

pub(crate) fn run(root: &Path, suite: Suite) -> anyhow::Result<()> {
    let target = build_server(root)?;
    let [port, embed_port, foreign_port, simulator_port, webhook_port] = free_ports()?;
    // A fresh database per run: the suite starts from the demo data set every time.
    let data = target.join("e2e");
    if data.exists() {
        std::fs::remove_dir_all(&data).context("clearing the previous e2e database")?;
    }
    let config = match suite {
        Suite::Tests => "playwright.config.ts",
        Suite::Screenshots => "playwright.docs.config.ts",
    };
    cmd("npx")
        .args(["--no-install", "playwright", "test", "--config", config])
        .current_dir(root.join("tests"))
        .env("OPSUX_E2E_PORT", port.to_string())
        .env("OPSUX_E2E_EMBED_PORT", embed_port.to_string())
        .env("OPSUX_E2E_FOREIGN_PORT", foreign_port.to_string())
        .env("OPSUX_E2E_SIMULATOR_PORT", simulator_port.to_string())
        .env("OPSUX_E2E_WEBHOOK_PORT", webhook_port.to_string())
        .env("OPSUX_E2E_SERVER", target.join("debug/opsux"))
        .env("OPSUX_E2E_DIST", root.join("dist"))
        .env(
            "OPSUX_E2E_DATABASE",
            format!("sqlite://{}", data.join("opsux.db").display()),
        )
        .env("OPSUX_CHROMIUM", CHROMIUM)
        .run()
}

/// Builds the `opsux` binary (debug) the end-to-end steps run; the target folder it is in
/// (`debug/opsux` below it).
pub(crate) fn build_server(root: &Path) -> anyhow::Result<std::path::PathBuf> {
    cmd("cargo")
        .args([
            "build",
            "--locked",
            "--package",
            "opsux-server",
            "--bin",
            "opsux",
        ])
        .run()?;
    Ok(std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), Into::into))
}

/// Ports nobody listens on right now, all different (each held until all are found); the
/// servers bind them moments later.
pub(crate) fn free_ports<const N: usize>() -> anyhow::Result<[u16; N]> {
    let listeners = (0..N)
        .map(|_| TcpListener::bind("127.0.0.1:0").context("finding a free loopback port"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut ports = [0; N];
    for (port, listener) in ports.iter_mut().zip(&listeners) {
        *port = listener.local_addr()?.port();
    }
    Ok(ports)
}
