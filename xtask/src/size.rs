//! What a browser downloads for each bundle — the panel's first load (`dist/`: wasm, JS, CSS and
//! wasm-bindgen's snippets), the pages it loads on demand (`dist/deferred/`) and the embeddable
//! widget (`dist/widget/`) — raw, gzip and brotli, against the size each must stay within and
//! the size it aims for.
//!
//! `cargo xtask test` checks the sizes after its release build and fails above a bundle's
//! limit; `cargo xtask size` builds, prints the same table, then the largest contributors to
//! each bundle's code (twiggy, over the wasm as the compiler wrote it, with its names).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::compress::{brotli, gzip};
use crate::shell::{cmd, step};
use crate::{app_build, toolchain};

/// Brotli sizes in bytes: what fails the tests (`limit`), what the product requires
/// (`required`) and what it aims for (`target`).
struct Budget {
    limit: usize,
    required: usize,
    target: usize,
}

const PANEL: Budget = Budget {
    limit: 240_000,
    required: 240_000,
    target: 160_000,
};

const WIDGET: Budget = Budget {
    limit: 75_000,
    required: 75_000,
    target: 60_000,
};

struct Bundle {
    name: &'static str,
    /// The folder its files are in, from the project root.
    dir: &'static str,
    /// Subfolders whose files it loads too (wasm-bindgen's inline JS snippets).
    with_subfolders: &'static [&'static str],
    budget: Option<Budget>,
    /// The wasm as the compiler wrote it (names kept), from the project root.
    compiled: &'static str,
}

const BUNDLES: [Bundle; 3] = [
    Bundle {
        name: "panel (first load)",
        dir: "dist",
        with_subfolders: &["snippets"],
        budget: Some(PANEL),
        compiled: "target/panel/wasm32-unknown-unknown/wasm-release/opsux-app.wasm",
    },
    Bundle {
        name: "deferred pages (on demand)",
        dir: "dist/deferred",
        with_subfolders: &[],
        budget: None,
        compiled: "target/panel/wasm32-unknown-unknown/wasm-release/opsux-deferred.wasm",
    },
    Bundle {
        name: "widget",
        dir: "dist/widget",
        with_subfolders: &[],
        budget: Some(WIDGET),
        compiled: "target/wasm32-unknown-unknown/wasm-release/opsux-widget-core.wasm",
    },
];

const TWIGGY_VERSION: &str = "0.8.0";

struct Row {
    name: String,
    raw: usize,
    gzip: usize,
    brotli: usize,
}

/// `cargo xtask size`.
pub(crate) fn run(root: &Path) -> anyhow::Result<()> {
    toolchain::ensure_all(root, toolchain::Needs::build())?;
    app_build::build_release(root)?;
    let within = check(root);
    let twiggy = ensure_twiggy(root)?;
    for bundle in &BUNDLES {
        contributors(root, &twiggy, bundle)?;
    }
    within
}

/// Prints every bundle against its budget; an error names each bundle above its limit.
#[expect(
    clippy::print_stdout,
    reason = "the table on stdout is this command's output"
)]
pub(crate) fn check(root: &Path) -> anyhow::Result<()> {
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    let mut over = Vec::new();
    for bundle in &BUNDLES {
        let rows = measure(root, bundle)?;
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
        let verdict = bundle.budget.as_ref().map_or_else(
            || "no budget: loaded only when one of its pages is opened".to_owned(),
            |b| {
                if total > b.limit {
                    over.push(format!(
                        "{} is {} brotli, above its limit of {}",
                        bundle.name,
                        kb(total),
                        kb(b.limit)
                    ));
                }
                verdict(total, b)
            },
        );
        println!(
            "{:<44} {:>10} {:>10} {:>10}   {verdict}\n",
            format!("{} total", bundle.name),
            kb(sum(|r| r.raw)),
            kb(sum(|r| r.gzip)),
            kb(total),
        );
    }
    if over.is_empty() {
        Ok(())
    } else {
        bail!(
            "bundle size: {} (`cargo xtask size` shows what weighs most)",
            over.join("; ")
        )
    }
}

fn verdict(total: usize, budget: &Budget) -> String {
    let against = |label: &str, size: usize, below: &str| {
        let state = if total <= size { "within" } else { below };
        format!("{label} {}: {state}", kb(size))
    };
    let mut parts = Vec::new();
    if budget.limit != budget.required {
        parts.push(against("limit", budget.limit, "OVER"));
    }
    parts.push(against("required", budget.required, "OVER"));
    parts.push(against("target", budget.target, "not yet"));
    parts.join("; ")
}

/// The `.wasm`, `.js` and `.css` files the bundle loads.
fn measure(root: &Path, bundle: &Bundle) -> anyhow::Result<Vec<Row>> {
    let dir = root.join(bundle.dir);
    let mut files = files_in(&dir)?;
    for sub in bundle.with_subfolders {
        files.extend(files_in_tree(&dir.join(sub))?);
    }
    if files.is_empty() {
        bail!(
            "{} holds no .wasm, .js or .css file: build the app first (`cargo xtask size` does)",
            dir.display()
        );
    }
    let mut rows = Vec::new();
    for path in files {
        let data = std::fs::read(&path)?;
        rows.push(Row {
            name: path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string(),
            raw: data.len(),
            gzip: gzip(&data).len(),
            brotli: brotli(&data).len(),
        });
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rows)
}

fn files_in(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if path.is_file() && matches!(ext, "wasm" | "js" | "css") {
            files.push(path);
        }
    }
    Ok(files)
}

fn files_in_tree(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = files_in(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(files_in_tree(&path)?);
        }
    }
    Ok(files)
}

/// twiggy, in the project's own tools folder (nothing global).
fn ensure_twiggy(root: &Path) -> anyhow::Result<PathBuf> {
    let tools = root.join("target/tools");
    let twiggy = tools.join("bin/twiggy");
    let found = cmd(&twiggy).arg("--version").read();
    if found.as_deref() != Some(&format!("twiggy {TWIGGY_VERSION}")) {
        step(
            "size",
            &format!("installing twiggy {TWIGGY_VERSION} into target/tools (once)"),
        );
        cmd("cargo")
            .args(["install", "--locked", "--root"])
            .arg(&tools)
            .arg(format!("twiggy@{TWIGGY_VERSION}"))
            .run()?;
    }
    Ok(twiggy)
}

/// The crates and the functions that weigh most in the bundle's code, before wasm-opt (which
/// shrinks everything by about the same share).
#[expect(
    clippy::print_stdout,
    reason = "the table on stdout is this command's output"
)]
fn contributors(root: &Path, twiggy: &Path, bundle: &Bundle) -> anyhow::Result<()> {
    let wasm = root.join(bundle.compiled);
    let csv = cmd(twiggy)
        .args(["top", "-n", "1000000", "-f", "csv"])
        .arg(&wasm)
        .read()
        .with_context(|| format!("twiggy could not read {}", wasm.display()))?;
    let items = parse_top(&csv);
    let code: usize = items.iter().map(|(_, size)| size).sum();
    let mut by_crate = BTreeMap::<String, usize>::new();
    for (name, size) in &items {
        *by_crate.entry(crate_of(name)).or_default() += size;
    }
    let mut by_crate: Vec<_> = by_crate.into_iter().collect();
    by_crate.sort_by_key(|(_, size)| std::cmp::Reverse(*size));
    println!(
        "{}: largest contributors in {} ({} before wasm-opt, names excluded)",
        bundle.name,
        bundle.compiled,
        kb(code)
    );
    for (name, size) in by_crate.iter().take(12) {
        println!("  {:>10} {:>5.1}%  {name}", kb(*size), percent(*size, code));
    }
    println!("  largest items:");
    let mut items = items;
    items.sort_by_key(|(_, size)| std::cmp::Reverse(*size));
    for (name, size) in items.iter().take(10) {
        let short: String = name.chars().take(110).collect();
        println!(
            "  {:>10} {:>5.1}%  {short}",
            kb(*size),
            percent(*size, code)
        );
    }
    println!();
    Ok(())
}

/// `(name, shallow bytes)` of each item of code or data in twiggy's CSV (`Name,ShallowSize,…`,
/// names quoted when they hold a comma or a quote); the name and custom sections are left out
/// (wasm-bindgen and wasm-opt remove them).
fn parse_top(csv: &str) -> Vec<(String, usize)> {
    csv.lines()
        .skip(1)
        .filter_map(|line| {
            let (name, rest) = first_field(line)?;
            let size = rest.split(',').next()?.parse().ok()?;
            // Export entries are counted under the functions they name; in the compiler's
            // wasm they also stand for wasm-bindgen's descriptors, which it removes.
            let section = name.contains("function names")
                || name.starts_with("custom section")
                || name.starts_with("export ")
                || name.starts_with('Σ');
            (!section).then_some((name, size))
        })
        .collect()
}

/// A CSV line's first field, unquoted, and what follows its comma.
fn first_field(line: &str) -> Option<(String, &str)> {
    let Some(quoted) = line.strip_prefix('"') else {
        let (name, rest) = line.split_once(',')?;
        return Some((name.to_owned(), rest));
    };
    let mut name = String::new();
    let mut chars = quoted.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '"' {
            name.push(c);
        } else if chars.peek().is_some_and(|(_, next)| *next == '"') {
            name.push('"');
            chars.next();
        } else {
            return Some((name, quoted[at + 1..].strip_prefix(',')?));
        }
    }
    None
}

/// The crate an item's name starts with (`<tachys::… as …>::build` → `tachys`); data and
/// tables under their own names.
fn crate_of(name: &str) -> String {
    if name.starts_with("data segment") || name.starts_with("data[") {
        return "(data: strings and tables)".to_owned();
    }
    let start = name.trim_start_matches(['<', '&', '*']);
    let start = start.strip_prefix("mut ").unwrap_or(start);
    let end = start
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(start.len());
    match &start[..end] {
        "" => "(other)".to_owned(),
        krate => krate.to_owned(),
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::{crate_of, parse_top};

    #[test]
    fn items_are_counted_under_the_crate_their_name_starts_with() {
        assert_eq!(crate_of("tachys::view::Render::build::h12"), "tachys");
        assert_eq!(
            crate_of("<&mut serde_json::de::Deserializer<R> as x>::f"),
            "serde_json"
        );
        assert_eq!(crate_of("core[c5930c85a12de822]::fmt::write"), "core");
        assert_eq!(
            crate_of("data segment \".rodata\""),
            "(data: strings and tables)"
        );
    }

    #[test]
    fn twiggy_csv_rows_are_read_with_commas_in_names() {
        let csv = "Name,ShallowSize,ShallowSizePercent,RetainedSize,RetainedSizePercent\n\
                   \"\"\"function names\"\" subsection\",100,10.0,,\n\
                   \"<a::B<C,D> as e::F>::g\",40,4.0,,\n\
                   \"data segment \"\".rodata\"\"\",30,3.0,,\n\
                   code[0],7,0.7,,\n";
        assert_eq!(
            parse_top(csv),
            vec![
                ("<a::B<C,D> as e::F>::g".to_owned(), 40),
                ("data segment \".rodata\"".to_owned(), 30),
                ("code[0]".to_owned(), 7)
            ]
        );
    }
}
