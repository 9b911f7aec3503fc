//! Contract guards: static scans that stop code bypassing the Ops-UX contract where the
//! compiler cannot. Each guard names the rule it protects; every hit is reported as
//! `path:line: snippet`. Product code and benchmarks only (`core/src`, `server/src`,
//! `server/benches`, `app/src`): tests may set up states directly. Allow-list entries are explicit, few, and each says why.
//!
//! `cargo xtask guards` prints the hits; the tests in `tests.rs` run with the workspace's
//! tests (`cargo test --workspace`, and so `cargo xtask test`).

mod lexer;
mod rules;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context;

pub(crate) use rules::Guard;

/// The folders scanned, relative to the project root.
const SCANNED: &[&str] = &["core/src", "server/src", "server/benches", "app/src"];

/// One piece of code that breaks a guard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    pub(crate) guard: Guard,
    /// Relative to the project root, with `/` separators.
    pub(crate) path: String,
    pub(crate) line: usize,
    pub(crate) snippet: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}    [guard {}: {}]",
            self.path,
            self.line,
            self.snippet,
            self.guard.letter(),
            self.guard.rule()
        )
    }
}

/// Every violation under `root`, in path and line order.
pub(crate) fn scan(root: &Path) -> anyhow::Result<Vec<Violation>> {
    let mut files = Vec::new();
    for dir in SCANNED {
        collect_rust_files(&root.join(dir), &mut files)?;
    }
    files.sort();
    let mut violations = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        let relative = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        for guard in Guard::ALL {
            let mut offsets = guard.unconditional_hits(&text);
            if !guard.allows(&relative) {
                offsets.extend(guard.hits(&text));
            }
            for offset in offsets {
                violations.push(Violation {
                    guard,
                    path: relative.clone(),
                    line: line_of(&text, offset),
                    snippet: snippet_at(&text, offset),
                });
            }
        }
    }
    violations.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    violations.dedup();
    Ok(violations)
}

fn collect_rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The trimmed source line holding `offset`, shortened for the report.
fn snippet_at(text: &str, offset: usize) -> String {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[start..end].trim();
    match line.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

/// `cargo xtask guards`: prints every violation; fails if there is one.
pub(crate) fn run(root: &Path) -> anyhow::Result<()> {
    let violations = scan(root)?;
    for v in &violations {
        eprintln!("{v}");
    }
    if violations.is_empty() {
        eprintln!("contract guards: clean");
        Ok(())
    } else {
        anyhow::bail!("{} contract guard violation(s)", violations.len())
    }
}
