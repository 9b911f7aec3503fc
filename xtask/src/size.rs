//! `cargo xtask size`: what a browser downloads for each bundle — the panel's first load
//! (`dist/`) and the embeddable widget (`dist/widget/`), wasm, JS and CSS — raw, gzip and
//! brotli, against the size each must not pass and the size it aims for.

use std::path::Path;

use anyhow::bail;

use crate::compress::{brotli, gzip};
use crate::{app_build, toolchain};

/// A bundle's brotli size it must not pass, and the one it aims for, in bytes.
struct Budget {
    required: usize,
    target: usize,
}

const PANEL: Budget = Budget {
    required: 240_000,
    target: 160_000,
};
const WIDGET: Budget = Budget {
    required: 75_000,
    target: 60_000,
};

struct Row {
    name: String,
    raw: usize,
    gzip: usize,
    brotli: usize,
}

#[expect(
    clippy::print_stdout,
    reason = "the table on stdout is this command's output"
)]
pub(crate) fn run(root: &Path) -> anyhow::Result<()> {
    toolchain::ensure_all(root, toolchain::Needs::build())?;
    app_build::build_release(root)?;
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    for (bundle, dir, budget) in [
        ("panel", root.join("dist"), PANEL),
        ("widget", root.join("dist/widget"), WIDGET),
    ] {
        let rows = measure(&dir)?;
        for row in &rows {
            println!(
                "{:<44} {:>10} {:>10} {:>10}",
                row.name,
                kb(row.raw),
                kb(row.gzip),
                kb(row.brotli)
            );
        }
        let sum = |f: fn(&Row) -> usize| rows.iter().map(f).sum::<usize>();
        let total = sum(|r| r.brotli);
        println!(
            "{:<44} {:>10} {:>10} {:>10}   must stay within {} brotli: {}; aims for {}: {}\n",
            format!("{bundle} total (wasm + js + css)"),
            kb(sum(|r| r.raw)),
            kb(sum(|r| r.gzip)),
            kb(total),
            kb(budget.required),
            if total <= budget.required {
                "within"
            } else {
                "OVER"
            },
            kb(budget.target),
            if total <= budget.target {
                "within"
            } else {
                "not yet"
            },
        );
    }
    Ok(())
}

/// The `.wasm`, `.js` and `.css` files directly in `dir`.
fn measure(dir: &Path) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if ext == "wasm" || ext == "js" || ext == "css" {
            let data = std::fs::read(&path)?;
            rows.push(Row {
                name: path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                raw: data.len(),
                gzip: gzip(&data).len(),
                brotli: brotli(&data).len(),
            });
        }
    }
    if rows.is_empty() {
        bail!(
            "{} holds no .wasm, .js or .css file after the build",
            dir.display()
        );
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rows)
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}
