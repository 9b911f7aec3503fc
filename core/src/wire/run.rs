use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{RunId, TenantSlug, UserId};
use crate::operation::OperationType;
use crate::reason::ReasonCode;
use crate::run::{RunOutcome, RunStatus};
use crate::sanitize::FailureSummary;
use crate::summary::SummaryCounts;

/// Who started a run; absent for system runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRef {
    pub id: UserId,
    pub display_name: String,
}

/// A run as lists, the widget and stream events show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunSummary {
    pub id: RunId,
    pub tenant: TenantSlug,
    #[serde(rename = "type")]
    pub operation: OperationType,
    /// What the run is called: a built-in operation's name, or the label a registered type
    /// was registered with (kept with its runs after the type is removed).
    pub label: String,
    pub status: RunStatus,
    pub outcome: Option<RunOutcome>,
    pub initiator: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub completed_at: Option<OffsetDateTime>,
    pub summary_counts: SummaryCounts,
    /// A person asked to cancel this running run; its handler stops at its next report.
    pub cancel_requested: bool,
    pub attempt: u32,
    /// Increases with every change of the run. A client keeps the highest version it has seen
    /// and ignores events carrying a lower one: events may arrive out of order.
    pub version: u64,
    pub reason_code: Option<ReasonCode>,
    pub message: Option<String>,
    /// Canonical Run Detail link, from the presenter.
    pub view_run_url: String,
}

/// Everything Run Detail shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunDetail {
    pub run: RunSummary,
    pub failure_summary: FailureSummary,
    /// Free metadata about the run (its target parameters among them); always rendered as text.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub context: serde_json::Map<String, serde_json::Value>,
}
