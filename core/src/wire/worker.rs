//! `/api/v1/worker/…`: how another service's worker, holding a tenant's API token with the
//! `runs:work` scope, claims runs of registered types and moves them on. Every request after
//! the claim carries the run's `fencing_token`; one that is no longer the run's (its lease ran
//! out and the run was rescued, or it was never its token) is answered 409 and changes nothing.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::RunId;
use crate::operation::OperationType;
use crate::run::RunOutcome;
use crate::sanitize::FailureEntry;
use crate::summary::SummaryCounts;
use crate::wire::RunSummary;

/// The most runs one claim hands out.
pub const MAX_CLAIM: u32 = 32;
/// The lease a claim or heartbeat gives when it names none, in seconds.
pub const DEFAULT_LEASE_SECS: u32 = 60;
/// The shortest and longest lease a worker may ask for, in seconds.
pub const LEASE_SECS: std::ops::RangeInclusive<u32> = 10..=3600;
/// How long a claim waits for a run when none is queued, unless it asks for less, in seconds.
pub const MAX_WAIT_SECS: u32 = 20;
/// The wait of a claim that names none, in seconds.
pub const DEFAULT_WAIT_SECS: u32 = 5;

/// `POST /api/v1/worker/claim`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// The registered types this worker does (within the token's types, if it is limited).
    pub types: Vec<OperationType>,
    /// At most this many runs (1–32, default 1).
    #[serde(default)]
    pub max: Option<u32>,
    /// Each claimed run's lease, renewed by heartbeats (10–3600 s, default 60).
    #[serde(default)]
    pub lease_secs: Option<u32>,
    /// With nothing queued, how long to wait for a run before answering an empty list
    /// (0–20 s, default 5): a long poll, so an idle worker need not ask again at once.
    #[serde(default)]
    pub wait_secs: Option<u32>,
}

/// A run handed to a worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkerRun {
    pub id: RunId,
    #[serde(rename = "type")]
    pub operation: OperationType,
    /// The start parameters, as they met the type's schema.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: serde_json::Map<String, serde_json::Value>,
    /// 1 on the first try; more when an earlier worker's lease ran out (R8).
    pub attempt: u32,
    /// Sent with every later request about this run.
    pub fencing_token: String,
    #[serde(with = "time::serde::rfc3339")]
    pub lease_expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimResponse {
    /// Oldest first; empty when nothing was queued before the wait ended.
    pub runs: Vec<WorkerRun>,
}

/// `POST /api/v1/worker/runs/{id}/heartbeat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HeartbeatRequest {
    pub fencing_token: String,
    /// The lease from now (10–3600 s, default 60).
    #[serde(default)]
    pub lease_secs: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeartbeatResponse {
    /// A person asked to cancel the run: stop, and complete it with outcome `cancelled`.
    pub cancel_requested: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub lease_expires_at: OffsetDateTime,
}

/// `POST /api/v1/worker/runs/{id}/progress`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgressRequest {
    pub fencing_token: String,
    /// The run's counts so far, under its type's summary keys only (R5).
    pub counts: SummaryCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressResponse {
    /// A person asked to cancel the run: stop, and complete it with outcome `cancelled`.
    pub cancel_requested: bool,
}

/// `POST /api/v1/worker/runs/{id}/complete`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    pub fencing_token: String,
    pub outcome: RunOutcome,
    /// The final counts, under the type's summary keys only (R5).
    #[serde(default)]
    pub counts: SummaryCounts,
    /// What went wrong, if anything: a reason code each, and a message that is sanitized
    /// before it is stored (R6). The first one's code is the run's reason.
    #[serde(default)]
    pub failures: Vec<FailureEntry>,
}

/// The answer to a completion: the run as it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompleteResponse {
    pub run: RunSummary,
}
