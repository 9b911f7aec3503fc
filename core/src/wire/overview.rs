//! `GET /api/t/{tenant}/overview`: a tenant's health at a glance. What runs now is not here:
//! the page shows it from the tenant's active-runs stream, which is live.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ReasonCode;
use crate::wire::RunSummary;

/// Days the chart covers, today included.
pub const OVERVIEW_DAYS: usize = 30;
/// Days whose failures are listed and counted, today included.
pub const FAILURE_DAYS: usize = 7;
/// Failures listed, newest first.
pub const FAILURES_LISTED: usize = 10;
/// Next backups listed, soonest first.
pub const NEXT_BACKUPS_LISTED: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantOverview {
    /// For each operation type that has ended at least once, its run that ended last, in the
    /// catalog's order of types.
    pub last_runs: Vec<RunSummary>,
    /// Runs that failed or partly succeeded in the last [`FAILURE_DAYS`] days, newest first, at
    /// most [`FAILURES_LISTED`].
    pub recent_failures: Vec<OverviewFailure>,
    /// How many runs failed or partly succeeded in those days, all of them.
    pub failures_total: u64,
    /// When enabled backup schedules fire next, soonest first: the [`NEXT_BACKUPS_LISTED`]
    /// soonest, and every other whose last run failed or partly succeeded.
    pub next_backups: Vec<NextBackup>,
    /// Runs that ended on each of the last [`OVERVIEW_DAYS`] UTC days, oldest first; every day
    /// is present, with zeros when nothing ended.
    pub days: Vec<DayOutcomes>,
}

/// A failed or partly successful run and every reason code it ended with: its own and its
/// failed items'.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverviewFailure {
    pub run: RunSummary,
    pub reason_codes: Vec<ReasonCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextBackup {
    pub schedule_id: String,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: OffsetDateTime,
    /// The schedule's last ended run, if one ended: the overview marks a schedule whose last
    /// run failed.
    pub last_run: Option<RunSummary>,
}

/// How many runs ended on one UTC day, by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayOutcomes {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub succeeded: u64,
    pub partially_succeeded: u64,
    pub failed: u64,
    pub cancelled: u64,
}

impl DayOutcomes {
    pub fn total(&self) -> u64 {
        self.succeeded + self.partially_succeeded + self.failed + self.cancelled
    }
}
