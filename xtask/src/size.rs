//! `cargo xtask size`: what a browser downloads for the dashboard.

use std::path::Path;

use anyhow::bail;

use crate::compress::{brotli, gzip};
use crate::{app_build, toolchain};

#[expect(
    clippy::print_stdout,
    reason = "the table on stdout is this command's output"
)]
pub(crate) fn run(root: &Path) -> anyhow::Result<()> {
    toolchain::ensure_all(root, toolchain::Needs::build())?;
    app_build::build_release(root)?;
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(root.join("dist"))? {
        let path = entry?.path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if ext == "wasm" || ext == "js" {
            let data = std::fs::read(&path)?;
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            rows.push((name, data.len(), gzip(&data).len(), brotli(&data).len()));
        }
    }
    if rows.is_empty() {
        bail!("dist/ holds no .wasm or .js file after the build");
    }
    rows.sort();
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    for (name, raw, gz, br) in &rows {
        println!(
            "{name:<44} {:>10} {:>10} {:>10}",
            kib(*raw),
            kib(*gz),
            kib(*br)
        );
    }
    let total = |f: fn(&(String, usize, usize, usize)) -> usize| rows.iter().map(f).sum::<usize>();
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "total (wasm + js)",
        kib(total(|r| r.1)),
        kib(total(|r| r.2)),
        kib(total(|r| r.3))
    );
    Ok(())
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}
