//! `operations_prune` (system only): the tenant's runs that ended more than `older_than_days`
//! ago are deleted with their notifications — whose links then answer the clean not-found —
//! and with their export files. Then the exports folder is swept of files no record refers
//! to (left by a crash between writing a file and recording it, or by an older version).
//!
//! It needs no provider, so no secrets key: the console's `opsux prune` runs it with the
//! database, a clock and the exports folder only.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;
use opsux_core::{OperationParams, SummaryCounts, SummaryKey};

use super::{internal, outcome_of, params, report};
use crate::clock::{SharedClock, to_ms};
use crate::store::Store;
use crate::worker::{Handler, HandlerOutcome, RunContext};

/// A file in the exports folder younger than this is never swept: its run may be between
/// writing it and recording it.
const SWEEP_GRACE: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone)]
pub struct OperationsPrune {
    pub store: Store,
    pub clock: SharedClock,
    /// Where export files are.
    pub exports_dir: PathBuf,
}

impl Handler for OperationsPrune {
    fn run<'a>(&'a self, ctx: &'a mut RunContext) -> BoxFuture<'a, HandlerOutcome> {
        Box::pin(async move {
            let days = match params(ctx) {
                Ok(OperationParams::OperationsPrune { older_than_days }) => older_than_days,
                Ok(_) => return internal(&std::io::Error::other("not a prune's parameters")),
                Err(outcome) => return outcome,
            };
            let window = i64::try_from(days)
                .unwrap_or(i64::MAX)
                .saturating_mul(86_400_000);
            let before = to_ms(self.clock.now()).saturating_sub(window);
            let pruned = match self.store.prune_runs(ctx.tenant_id(), before).await {
                Ok(pruned) => pruned,
                Err(err) => return internal(&err),
            };
            let files = pruned.export_files;
            let dir = self.exports_dir.clone();
            let known = match self.store.export_file_names().await {
                Ok(known) => known,
                Err(err) => return internal(&err),
            };
            let cleaned = tokio::task::spawn_blocking(move || {
                let deleted = delete_files(&dir, &files);
                let swept = sweep(&dir, &known, SystemTime::now());
                (deleted, swept)
            })
            .await;
            match cleaned {
                Ok((deleted, swept)) => {
                    tracing::info!(deleted, swept, "prune removed export files");
                }
                Err(err) => return internal(&err),
            }
            let mut counts = SummaryCounts::new();
            for key in [
                SummaryKey::Total,
                SummaryKey::Processed,
                SummaryKey::Succeeded,
                SummaryKey::Deleted,
            ] {
                counts.add(key, pruned.runs);
            }
            if let Some(stop) = report(ctx, &counts).await {
                return stop;
            }
            outcome_of(&counts)
        })
    }
}

/// Deletes the export `files` (relative to `dir`, or absolute from older records); how many
/// were there to delete.
fn delete_files(dir: &Path, files: &[String]) -> usize {
    files.iter().filter(|file| remove(&dir.join(file))).count()
}

/// Deletes the export files in `dir` that no record names and that are older than
/// [`SWEEP_GRACE`]; how many.
fn sweep(dir: &Path, known: &HashSet<String>, now: SystemTime) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let ours = name.starts_with("policy-export-") && name.ends_with(".json");
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|at| now.duration_since(at).unwrap_or_default() >= SWEEP_GRACE);
            ours && old && !known.contains(&name)
        })
        .filter(|entry| remove(&entry.path()))
        .count()
}

/// Removes `path`; whether it was there. A failure other than its absence is logged, not
/// fatal: the next prune's sweep tries again.
fn remove(path: &Path) -> bool {
    match std::fs::remove_file(path) {
        Ok(()) => true,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => false,
        Err(err) => {
            tracing::warn!(path = %path.display(), %err, "an export file could not be deleted");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_takes_old_unknown_export_files_only() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["policy-export-a.json", "policy-export-b.json", "notes.txt"] {
            std::fs::write(dir.path().join(name), "{}").unwrap();
        }
        let known: HashSet<String> = ["policy-export-a.json".to_owned()].into();
        let later = SystemTime::now() + SWEEP_GRACE + Duration::from_secs(1);
        assert_eq!(sweep(dir.path(), &known, SystemTime::now()), 0, "too fresh");
        assert_eq!(sweep(dir.path(), &known, later), 1);
        assert!(dir.path().join("policy-export-a.json").exists());
        assert!(!dir.path().join("policy-export-b.json").exists());
        assert!(dir.path().join("notes.txt").exists(), "not an export file");
    }
}
