//! Installs, idempotently and quietly when present, every tool the build and tests need:
//! the wasm32 target, Trunk, the wasm-bindgen CLI matching `Cargo.lock`, wasm-opt (npm's
//! `binaryen`, with the Playwright packages in `tests/`), and Debian's Chromium + ChromeDriver.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::shell::{cmd, step};

/// Trunk 0.22 needs a newer rustc than the workspace's; 0.21.14 is the verified one.
const TRUNK_VERSION: &str = "0.21.14";
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

#[derive(Clone, Copy)]
pub(crate) struct Needs {
    browser: bool,
}

impl Needs {
    /// Building and serving the app.
    pub(crate) fn build() -> Self {
        Self { browser: false }
    }

    /// Building, plus the browser the tests drive.
    pub(crate) fn everything() -> Self {
        Self { browser: true }
    }
}

pub(crate) fn ensure_all(root: &Path, needs: Needs) -> anyhow::Result<()> {
    ensure_wasm_target()?;
    ensure_trunk()?;
    ensure_wasm_bindgen(root)?;
    ensure_npm_packages(root)?;
    if needs.browser {
        ensure_chromium()?;
    }
    Ok(())
}

/// `PATH` for child processes: cargo's install folder and the npm tools first, so the pinned
/// versions win over anything else on the machine (notably Debian's older wasm-opt).
pub(crate) fn tool_path() -> std::ffi::OsString {
    let mut dirs = vec![
        cargo_bin_dir(),
        crate::project_root().join("tests/node_modules/.bin"),
    ];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

fn cargo_bin_dir() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default()
        .join("bin")
}

fn ensure_wasm_target() -> anyhow::Result<()> {
    let installed = cmd("rustup")
        .args(["target", "list", "--installed"])
        .read()
        .context("rustup is needed to add the wasm32 target (install Rust with rustup)")?;
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    step("setup", "adding the wasm32-unknown-unknown target");
    cmd("rustup")
        .args(["target", "add", "wasm32-unknown-unknown"])
        .run()
}

fn ensure_trunk() -> anyhow::Result<()> {
    let found = cmd("trunk").arg("--version").read();
    if found.as_deref() == Some(&format!("trunk {TRUNK_VERSION}")) {
        return Ok(());
    }
    step(
        "setup",
        &format!("installing trunk {TRUNK_VERSION} (a few minutes, once)"),
    );
    cmd("cargo")
        .args(["install", "--locked", &format!("trunk@{TRUNK_VERSION}")])
        .run()
}

/// The CLI must be the exact version the app links; it is read from `Cargo.lock`.
fn ensure_wasm_bindgen(root: &Path) -> anyhow::Result<()> {
    let version = locked_version(root, "wasm-bindgen")?;
    check_trunk_pins(root, &version)?;
    let found = cmd("wasm-bindgen").arg("--version").read();
    if found.as_deref() == Some(&format!("wasm-bindgen {version}")) {
        return Ok(());
    }
    step(
        "setup",
        &format!("installing wasm-bindgen-cli {version} (a few minutes, once)"),
    );
    // Not `--locked`: the CLI's own lockfile pins a crate version the registry no longer has.
    cmd("cargo")
        .args([
            "install",
            "--force",
            "wasm-bindgen-cli",
            "--version",
            &version,
        ])
        .run()
}

fn check_trunk_pins(root: &Path, wasm_bindgen: &str) -> anyhow::Result<()> {
    let trunk_toml =
        std::fs::read_to_string(root.join("Trunk.toml")).context("reading Trunk.toml")?;
    let pinned = format!("wasm_bindgen = \"{wasm_bindgen}\"");
    if !trunk_toml.contains(&pinned) {
        bail!("Trunk.toml must pin {pinned} to match Cargo.lock; update its [tools] section");
    }
    Ok(())
}

/// The version of `name` recorded in `Cargo.lock`.
pub(crate) fn locked_version(root: &Path, name: &str) -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{name}\"")
            && let Some(version) = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'))
        {
            return Ok(version.to_owned());
        }
    }
    bail!("Cargo.lock has no entry for {name}")
}

/// `npm ci` in `tests/` when its lockfile is newer than what is installed.
fn ensure_npm_packages(root: &Path) -> anyhow::Result<()> {
    let dir = root.join("tests");
    let installed = dir.join("node_modules/.package-lock.json");
    let lock = dir.join("package-lock.json");
    let fresh = match (modified(&installed), modified(&lock)) {
        (Some(installed), Some(lock)) => installed >= lock,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    if cmd("npm").arg("--version").read().is_none() {
        bail!("npm is needed for the browser tests and wasm-opt: install Node.js 20 or newer");
    }
    step(
        "setup",
        "installing npm packages in tests/ (Playwright, binaryen)",
    );
    cmd("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        // The tests drive the system's Chromium; never download one.
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .run()
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn ensure_chromium() -> anyhow::Result<()> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    apt_install(
        &["chromium", "chromium-driver"],
        "Chromium and ChromeDriver are needed for the browser tests",
    )
}

/// Whether this process runs as root.
pub(crate) fn is_root() -> bool {
    cmd("id").arg("-u").read().as_deref() == Some("0")
}

/// Installs Debian packages: as root directly, else through password-less sudo; otherwise
/// fails saying what to run.
pub(crate) fn apt_install(packages: &[&str], why: &str) -> anyhow::Result<()> {
    let is_root = is_root();
    let sudo = !is_root && cmd("sudo").args(["-n", "true"]).read().is_some();
    if !is_root && !sudo {
        bail!(
            "{why}: run `sudo apt-get install -y {}` (Debian)",
            packages.join(" ")
        );
    }
    step(
        "setup",
        &format!("installing Debian's {}", packages.join(", ")),
    );
    let apt = |args: &[&str]| {
        let command = if sudo {
            cmd("sudo").args(["-n", "apt-get"])
        } else {
            cmd("apt-get")
        };
        command
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .run()
    };
    apt(&["update", "-qq"])?;
    apt(&[&["install", "-y", "-qq"][..], packages].concat())
}
