//! A stored run, read back and checked against the contract.

use opsux_core::wire::{RunDetail, RunSummary, UserRef};
use opsux_core::{
    FailureSummary, OperationType, ReasonCode, RunId, RunOutcome, RunState, RunStatus,
    SummaryCounts, TenantSlug, UserId, presenter,
};
use uuid::Uuid;

use super::RunError;
use crate::clock::from_ms;

/// The columns of a run's summary (`FROM operation_runs r JOIN tenants t … LEFT JOIN users
/// u …`): what lists and the widget show, without the parameters and failures only Run
/// Detail needs. A macro so queries stay `&'static str` via `concat!`.
macro_rules! summary_columns {
    () => {
        "SELECT r.id, r.tenant_id, t.slug AS tenant_slug, r.type AS op_type, \
         r.status, r.outcome, r.initiator_user_id, u.display_name AS initiator_name, \
         r.created_at, r.started_at, r.completed_at, r.summary_counts, \
         r.message, r.reason_code, r.attempt, r.cancel_requested, r.version, \
         ot.label AS type_label \
         FROM operation_runs r JOIN tenants t ON t.id = r.tenant_id \
         LEFT JOIN users u ON u.id = r.initiator_user_id \
         LEFT JOIN operation_types ot ON ot.key = r.type"
    };
}
pub(crate) use summary_columns;

/// Every column of a run, for reading one whole (`FROM` as in [`summary_columns`]).
macro_rules! run_columns {
    () => {
        "SELECT r.id, r.tenant_id, t.slug AS tenant_slug, r.type AS op_type, \
         r.status, r.outcome, r.initiator_user_id, u.display_name AS initiator_name, \
         r.created_at, r.started_at, r.completed_at, r.summary_counts, r.failure_summary, \
         r.context, r.message, r.reason_code, r.attempt, r.max_attempts, r.cancel_requested, r.version, \
         r.lease_token, ot.label AS type_label \
         FROM operation_runs r JOIN tenants t ON t.id = r.tenant_id \
         LEFT JOIN users u ON u.id = r.initiator_user_id \
         LEFT JOIN operation_types ot ON ot.key = r.type"
    };
}
pub(crate) use run_columns;

/// The same columns as [`run_columns`], for the `RETURNING` clause of a transition, so the
/// transition and the read of its result are one statement. The subqueries fetch what the
/// joins would.
macro_rules! run_returning {
    () => {
        " RETURNING id, tenant_id, \
         (SELECT t.slug FROM tenants t WHERE t.id = operation_runs.tenant_id) AS tenant_slug, \
         type AS op_type, status, outcome, initiator_user_id, \
         (SELECT u.display_name FROM users u WHERE u.id = operation_runs.initiator_user_id) \
           AS initiator_name, \
         created_at, started_at, completed_at, summary_counts, failure_summary, context, \
         message, reason_code, attempt, max_attempts, cancel_requested, version, lease_token, \
         (SELECT ot.label FROM operation_types ot WHERE ot.key = operation_runs.type) \
           AS type_label"
    };
}
pub(crate) use run_returning;

/// The [`summary_columns`] of a run.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SummaryRow {
    id: String,
    tenant_id: String,
    tenant_slug: String,
    op_type: String,
    status: String,
    outcome: Option<String>,
    initiator_user_id: Option<String>,
    initiator_name: Option<String>,
    created_at: i64,
    started_at: Option<i64>,
    completed_at: Option<i64>,
    summary_counts: String,
    message: Option<String>,
    reason_code: Option<String>,
    attempt: i64,
    cancel_requested: bool,
    version: i64,
    /// A registered type's label (`operation_types`); `NULL` for a built-in operation.
    type_label: Option<String>,
}

/// The [`run_columns`] of a run.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RunRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    failure_summary: String,
    context: String,
    max_attempts: i64,
    lease_token: Option<String>,
}

/// A run as the service knows it: the wire summary plus the columns only the server sees.
/// Read-only outside the run service: nothing but a transition makes one (R1).
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub(super) summary: RunSummary,
    pub(super) tenant_id: Uuid,
    pub(super) state: RunState,
    pub(super) failure_summary: FailureSummary,
    pub(super) context: serde_json::Map<String, serde_json::Value>,
    pub(super) max_attempts: u32,
    pub(super) lease_token: Option<String>,
}

impl RunRecord {
    pub fn id(&self) -> RunId {
        self.summary.id
    }

    pub fn summary(&self) -> &RunSummary {
        &self.summary
    }

    pub fn into_summary(self) -> RunSummary {
        self.summary
    }

    pub fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }

    pub fn state(&self) -> RunState {
        self.state
    }

    pub fn failure_summary(&self) -> &FailureSummary {
        &self.failure_summary
    }

    /// Free metadata; the start parameters are under `params`.
    pub fn context(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.context
    }

    /// Whether a worker holds the run's lease (only while running).
    pub fn holds_lease(&self) -> bool {
        self.lease_token.is_some()
    }

    pub fn detail(&self) -> RunDetail {
        RunDetail {
            run: self.summary.clone(),
            failure_summary: self.failure_summary.clone(),
            context: self.context.clone(),
        }
    }
}

fn corrupt(what: impl std::fmt::Display) -> RunError {
    RunError::Corrupt(what.to_string())
}

fn uuid(s: &str) -> Result<Uuid, RunError> {
    Uuid::parse_str(s).map_err(|e| corrupt(format!("id {s:?}: {e}")))
}

impl RunRow {
    /// The run's id as stored, for logging a row that cannot be decoded.
    pub(crate) fn raw_id(&self) -> &str {
        self.summary.raw_id()
    }

    /// The queue's order: oldest first, then by id.
    pub(crate) fn created_at_and_id(&self) -> (i64, String) {
        (self.summary.created_at, self.summary.id.clone())
    }
}

impl SummaryRow {
    /// Where the newest-first list goes on after this row, read before the row is decoded, so
    /// a row that cannot be decoded does not stop the paging.
    pub(crate) fn position(&self) -> Option<(i64, RunId)> {
        Some((
            self.created_at,
            RunId::from_uuid(Uuid::parse_str(&self.id).ok()?),
        ))
    }

    /// The run's id as stored, for logging a row that cannot be decoded.
    pub(crate) fn raw_id(&self) -> &str {
        &self.id
    }
}

/// A run's summary, checked against the contract; with the tenant id and state a record
/// needs.
pub(crate) struct DecodedSummary {
    pub(crate) summary: RunSummary,
    pub(crate) tenant_id: Uuid,
    pub(crate) state: RunState,
}

impl TryFrom<SummaryRow> for DecodedSummary {
    type Error = RunError;

    fn try_from(row: SummaryRow) -> Result<Self, RunError> {
        let id = RunId::from_uuid(uuid(&row.id)?);
        let tenant = TenantSlug::parse(&row.tenant_slug).map_err(corrupt)?;
        let operation: OperationType = row.op_type.parse().map_err(corrupt)?;
        let status = RunStatus::parse(&row.status).ok_or_else(|| corrupt(&row.status))?;
        let outcome = row
            .outcome
            .as_deref()
            .map(|o| RunOutcome::parse(o).ok_or_else(|| corrupt(o)))
            .transpose()?;
        let state = RunState::from_parts(status, outcome).map_err(corrupt)?;
        let initiator = match (row.initiator_user_id, row.initiator_name) {
            (Some(id), Some(display_name)) => Some(UserRef {
                id: UserId::from_uuid(uuid(&id)?),
                display_name,
            }),
            _ => None,
        };
        let summary_counts: SummaryCounts =
            serde_json::from_str(&row.summary_counts).map_err(corrupt)?;
        let reason_code = row
            .reason_code
            .as_deref()
            .map(|r| r.parse::<ReasonCode>().map_err(corrupt))
            .transpose()?;
        let summary = RunSummary {
            id,
            view_run_url: presenter::view_run_url(&tenant, id),
            tenant,
            operation,
            label: presenter::run_label(operation, row.type_label.as_deref()),
            status,
            outcome,
            initiator,
            created_at: from_ms(row.created_at),
            started_at: row.started_at.map(from_ms),
            completed_at: row.completed_at.map(from_ms),
            summary_counts,
            cancel_requested: row.cancel_requested,
            attempt: u32::try_from(row.attempt).map_err(corrupt)?,
            version: u64::try_from(row.version).map_err(corrupt)?,
            reason_code,
            message: row.message,
        };
        Ok(Self {
            summary,
            tenant_id: uuid(&row.tenant_id)?,
            state,
        })
    }
}

impl TryFrom<RunRow> for RunRecord {
    type Error = RunError;

    fn try_from(row: RunRow) -> Result<Self, RunError> {
        let DecodedSummary {
            summary,
            tenant_id,
            state,
        } = DecodedSummary::try_from(row.summary)?;
        let failure_summary: FailureSummary =
            serde_json::from_str(&row.failure_summary).map_err(corrupt)?;
        let context = serde_json::from_str(&row.context).map_err(corrupt)?;
        Ok(Self {
            summary,
            tenant_id,
            state,
            failure_summary,
            context,
            max_attempts: u32::try_from(row.max_attempts).map_err(corrupt)?,
            lease_token: row.lease_token,
        })
    }
}
