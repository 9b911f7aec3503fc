//! Progress of an active run (R7).
//!
//! Determinate only when the run reports `total > 0` and `processed`; otherwise indeterminate
//! with the time since the run started (or since it was queued). Surfaces show
//! `processed/total` and never a percentage in text; the percent only sizes the bar.

use std::time::Duration;

use time::OffsetDateTime;

use crate::badge::status_badge;
use crate::run::RunStatus;
use crate::summary::{SummaryCounts, SummaryKey};
use crate::wire::RunSummary;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Determinate {
        /// 0–100, for the width of a bar; never rendered as text.
        percent: u8,
        processed: u64,
        total: u64,
    },
    Indeterminate {
        /// `Queued` or `Running`: what the elapsed time counts.
        phase: RunStatus,
        elapsed: Duration,
    },
}

impl Progress {
    /// The progress to show for `run` at `now`; `None` for a completed run, which shows its
    /// terminal summary instead.
    pub fn of(run: &RunSummary, now: OffsetDateTime) -> Option<Self> {
        Self::compute(
            run.status,
            &run.summary_counts,
            run.created_at,
            run.started_at,
            now,
        )
    }

    /// [`Progress::of`] from the individual fields.
    pub fn compute(
        status: RunStatus,
        counts: &SummaryCounts,
        created_at: OffsetDateTime,
        started_at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Option<Self> {
        if !status.is_active() {
            return None;
        }
        let total = counts.get(SummaryKey::Total).unwrap_or(0);
        if let (true, Some(processed)) = (total > 0, counts.get(SummaryKey::Processed)) {
            let percent = (u128::from(processed) * 100 / u128::from(total)).min(100);
            return Some(Self::Determinate {
                percent: u8::try_from(percent).unwrap_or(100),
                processed,
                total,
            });
        }
        let since = match (status, started_at) {
            (RunStatus::Running, Some(started)) => started,
            _ => created_at,
        };
        Some(Self::Indeterminate {
            phase: status,
            elapsed: elapsed_between(since, now),
        })
    }

    /// The text beside the bar: `12/40`, `Queued · 4s`, `Running · 2m 05s`.
    pub fn label(&self) -> String {
        match self {
            Self::Determinate {
                processed, total, ..
            } => format!("{processed}/{total}"),
            Self::Indeterminate { phase, elapsed } => {
                // The same word as the run's badge, from the one catalog (R14).
                format!(
                    "{} · {}",
                    status_badge(*phase).label,
                    format_elapsed(*elapsed)
                )
            }
        }
    }
}

/// Time from `since` to `now`; zero when clocks disagree and `since` lies in the future.
pub fn elapsed_between(since: OffsetDateTime, now: OffsetDateTime) -> Duration {
    Duration::try_from(now - since).unwrap_or(Duration::ZERO)
}

/// `4s`, `2m 05s`, `1h 03m`: whole units, the smaller one zero-padded.
pub fn format_elapsed(elapsed: Duration) -> String {
    let secs = elapsed.as_secs();
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m {:02}s", secs / 60, secs % 60),
        _ => format!("{}h {:02}m", secs / 3600, secs % 3600 / 60),
    }
}
