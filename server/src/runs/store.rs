//! The SQL of every run transition — the only statements that write `status` or `outcome`
//! (R1) or insert into `notifications` (R2). Each transition is one `UPDATE … WHERE id = ? AND
//! status IN (sources) [AND lease_token = ?]`: the source list comes from the contract's state
//! machine, and zero rows affected is reported, never ignored.

use opsux_core::{
    FailureSummary, ReasonCode, RunEvent, RunId, RunState, RunStatus, SummaryCounts, transition,
};
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::RunError;
use super::record::{RunRecord, RunRow, run_columns, run_returning};

/// The statuses from which `event` leads to `target_status`, as the JSON array the guarded
/// statements read with `json_each`. Derived from the contract's transition table, so the SQL
/// cannot allow what the state machine forbids.
fn sources(event: RunEvent, target_status: RunStatus) -> String {
    let names: Vec<&str> = event
        .source_statuses()
        .iter()
        .filter(|from| {
            let state = match from {
                RunStatus::Queued => RunState::Queued,
                RunStatus::Running => RunState::Running,
                RunStatus::Completed => return false,
            };
            transition(state, event).is_ok_and(|to| to.status() == target_status)
        })
        .map(|s| s.as_str())
        .collect();
    serde_json::to_string(&names).unwrap_or_else(|_| "[]".to_owned())
}

/// The state `event` leads to from `from`; the caller has already checked it is allowed.
fn target(from: RunState, event: RunEvent) -> RunState {
    transition(from, event).unwrap_or(from)
}

pub(super) async fn load(
    conn: &mut SqliteConnection,
    id: RunId,
) -> Result<Option<RunRecord>, RunError> {
    let row: Option<RunRow> = sqlx::query_as(concat!(run_columns!(), " WHERE r.id = ?"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(RunRecord::try_from).transpose()
}

pub(super) async fn load_active(
    conn: &mut SqliteConnection,
    tenant_id: Uuid,
    op_type: &str,
    identity: &str,
) -> Result<Option<RunRecord>, RunError> {
    let row: Option<RunRow> = sqlx::query_as(concat!(
        run_columns!(),
        " WHERE r.tenant_id = ? AND r.type = ? AND r.identity = ? \
          AND r.status IN ('queued', 'running')"
    ))
    .bind(tenant_id.to_string())
    .bind(op_type)
    .bind(identity)
    .fetch_optional(conn)
    .await?;
    row.map(RunRecord::try_from).transpose()
}

/// What a new run is created with.
pub(super) struct NewRun<'a> {
    pub id: RunId,
    pub workspace_id: Uuid,
    pub tenant_id: Uuid,
    pub initiator: Option<Uuid>,
    pub op_type: &'a str,
    pub identity: &'a str,
    pub context: &'a str,
    pub max_attempts: u32,
    pub now_ms: i64,
}

/// Inserts a queued run unless an identical one is active; the partial unique index decides
/// (R4). Returns the new run, or `None` when an identical one is active.
pub(super) async fn insert_queued(
    conn: &mut SqliteConnection,
    run: &NewRun<'_>,
) -> Result<Option<RunRecord>, RunError> {
    let row: Option<RunRow> = sqlx::query_as(concat!(
        "INSERT INTO operation_runs \
           (id, workspace_id, tenant_id, initiator_user_id, type, identity, status, created_at, \
            context, max_attempts) \
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?) \
         ON CONFLICT (tenant_id, type, identity) WHERE status IN ('queued', 'running') DO NOTHING",
        run_returning!()
    ))
    .bind(run.id.to_string())
    .bind(run.workspace_id.to_string())
    .bind(run.tenant_id.to_string())
    .bind(run.initiator.map(|u| u.to_string()))
    .bind(run.op_type)
    .bind(run.identity)
    .bind(run.now_ms)
    .bind(run.context)
    .bind(run.max_attempts)
    .fetch_optional(conn)
    .await?;
    row.map(RunRecord::try_from).transpose()
}

/// Claims the oldest queued run (queued → running) with a fresh lease; `None` if none is queued.
pub(super) async fn claim_next(
    conn: &mut SqliteConnection,
    lease_token: &str,
    lease_expires_ms: i64,
    now_ms: i64,
) -> Result<Option<RunRecord>, RunError> {
    let claimed: Option<RunRow> = sqlx::query_as(concat!(
        "UPDATE operation_runs \
         SET status = 'running', lease_token = ?, lease_expires_at = ?, attempt = attempt + 1, \
             version = version + 1, \
             started_at = COALESCE(started_at, ?) \
         WHERE id = (SELECT id FROM operation_runs WHERE status = 'queued' \
                     ORDER BY created_at, id LIMIT 1) \
           AND status IN (SELECT value FROM json_each(?))",
        run_returning!()
    ))
    .bind(lease_token)
    .bind(lease_expires_ms)
    .bind(now_ms)
    .bind(sources(RunEvent::Claim, RunStatus::Running))
    .fetch_optional(conn)
    .await?;
    claimed.map(RunRecord::try_from).transpose()
}

/// Extends the lease of a running run held by `lease_token`. `false`: the lease is lost.
pub(super) async fn renew_lease(
    conn: &mut SqliteConnection,
    id: RunId,
    lease_token: &str,
    lease_expires_ms: i64,
) -> Result<bool, RunError> {
    let result = sqlx::query(
        "UPDATE operation_runs SET lease_expires_at = ? \
         WHERE id = ? AND status = 'running' AND lease_token = ?",
    )
    .bind(lease_expires_ms)
    .bind(id.to_string())
    .bind(lease_token)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Stores the latest counts of a running run; returns its cancel flag and new version, or
/// `None` if the lease is lost.
pub(super) async fn save_progress(
    conn: &mut SqliteConnection,
    id: RunId,
    lease_token: &str,
    counts: &SummaryCounts,
) -> Result<Option<(bool, i64)>, RunError> {
    let counts = serde_json::to_string(counts).map_err(|e| RunError::Corrupt(e.to_string()))?;
    Ok(sqlx::query_as(
        "UPDATE operation_runs SET summary_counts = ?, version = version + 1 \
         WHERE id = ? AND status = 'running' AND lease_token = ? \
         RETURNING cancel_requested, version",
    )
    .bind(counts)
    .bind(id.to_string())
    .bind(lease_token)
    .fetch_optional(conn)
    .await?)
}

/// Marks a running run as asked to cancel; `None` if it is not running.
pub(super) async fn request_cancel(
    conn: &mut SqliteConnection,
    id: RunId,
) -> Result<Option<RunRecord>, RunError> {
    let row: Option<RunRow> = sqlx::query_as(concat!(
        "UPDATE operation_runs SET cancel_requested = 1, version = version + 1 \
         WHERE id = ? AND status IN (SELECT value FROM json_each(?))",
        run_returning!()
    ))
    .bind(id.to_string())
    .bind(sources(RunEvent::Cancel, RunStatus::Running))
    .fetch_optional(conn)
    .await?;
    row.map(RunRecord::try_from).transpose()
}

/// Which lease a transition must match.
pub(super) enum LeaseGuard<'a> {
    /// Queued runs hold no lease.
    None,
    /// The caller holds this lease.
    Held(&'a str),
    /// The rescuer saw this lease expire before `now_ms`; it must still be the lease and still
    /// expired.
    Expired(&'a str, i64),
}

/// Running → queued after a lost lease (R8); `None` if the lease is no longer the expired one.
pub(super) async fn requeue(
    conn: &mut SqliteConnection,
    id: RunId,
    lease_token: &str,
    now_ms: i64,
) -> Result<Option<RunRecord>, RunError> {
    let row: Option<RunRow> = sqlx::query_as(concat!(
        "UPDATE operation_runs \
         SET status = 'queued', lease_token = NULL, lease_expires_at = NULL, version = version + 1 \
         WHERE id = ? AND status IN (SELECT value FROM json_each(?)) \
           AND lease_token = ? AND lease_expires_at < ?",
        run_returning!()
    ))
    .bind(id.to_string())
    .bind(sources(RunEvent::Requeue, RunStatus::Queued))
    .bind(lease_token)
    .bind(now_ms)
    .fetch_optional(conn)
    .await?;
    row.map(RunRecord::try_from).transpose()
}

/// How a run ends.
pub(super) struct Completion<'a> {
    pub event: RunEvent,
    pub reason: Option<ReasonCode>,
    pub message: Option<&'a str>,
    /// `None` keeps the stored counts.
    pub counts: Option<&'a SummaryCounts>,
    pub failures: Option<&'a FailureSummary>,
    pub now_ms: i64,
}

/// Moves a run into `completed` with the outcome the state machine gives `event`. Returns the
/// completed run, or `None` when the guarded update matched nothing; the caller writes the
/// notification in the same transaction.
pub(super) async fn complete(
    conn: &mut SqliteConnection,
    id: RunId,
    from: RunState,
    guard: LeaseGuard<'_>,
    done: &Completion<'_>,
) -> Result<Option<RunRecord>, RunError> {
    let to = target(from, done.event);
    let Some(outcome) = to.outcome() else {
        return Ok(None);
    };
    let counts = done
        .counts
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| RunError::Corrupt(e.to_string()))?;
    let failures = done
        .failures
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| RunError::Corrupt(e.to_string()))?;
    let (lease, expired_before) = match guard {
        LeaseGuard::None => (None, None),
        LeaseGuard::Held(token) => (Some(token), None),
        LeaseGuard::Expired(token, now) => (Some(token), Some(now)),
    };
    let row: Option<RunRow> = sqlx::query_as(concat!(
        "UPDATE operation_runs \
         SET status = ?, outcome = ?, completed_at = ?, \
             summary_counts = COALESCE(?, summary_counts), \
             failure_summary = COALESCE(?, failure_summary), \
             reason_code = ?, message = ?, lease_token = NULL, lease_expires_at = NULL, \
             version = version + 1 \
         WHERE id = ? AND status IN (SELECT value FROM json_each(?)) \
           AND lease_token IS ? AND (? IS NULL OR lease_expires_at < ?)",
        run_returning!()
    ))
    .bind(to.status().as_str())
    .bind(outcome.as_str())
    .bind(done.now_ms)
    .bind(counts)
    .bind(failures)
    .bind(done.reason.map(|r| r.as_str()))
    .bind(done.message)
    .bind(id.to_string())
    .bind(sources(done.event, RunStatus::Completed))
    .bind(lease)
    .bind(expired_before)
    .bind(expired_before)
    .fetch_optional(conn)
    .await?;
    row.map(RunRecord::try_from).transpose()
}

/// The one terminal notification of a run (R2). The `UNIQUE (run_id, kind)` constraint makes
/// a second one impossible even if a bug let a second completion through.
pub(super) struct NewNotification<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    pub run_id: RunId,
    pub outcome: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub action_url: &'a str,
    pub now_ms: i64,
}

pub(super) async fn insert_run_completed_notification(
    conn: &mut SqliteConnection,
    n: &NewNotification<'_>,
) -> Result<(), RunError> {
    sqlx::query(
        "INSERT INTO notifications \
           (id, user_id, tenant_id, run_id, kind, outcome, title, body, action_url, created_at) \
         VALUES (?, ?, ?, ?, 'run_completed', ?, ?, ?, ?, ?)",
    )
    .bind(n.id.to_string())
    .bind(n.user_id.to_string())
    .bind(n.tenant_id.to_string())
    .bind(n.run_id.to_string())
    .bind(n.outcome)
    .bind(n.title)
    .bind(n.body)
    .bind(n.action_url)
    .bind(n.now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Running runs whose lease expired before `now_ms`: `(id, lease token)`.
pub(super) async fn expired_leases(
    conn: &mut SqliteConnection,
    now_ms: i64,
) -> Result<Vec<(String, String)>, RunError> {
    Ok(sqlx::query_as(
        "SELECT id, lease_token FROM operation_runs \
         WHERE status = 'running' AND lease_expires_at < ? ORDER BY lease_expires_at",
    )
    .bind(now_ms)
    .fetch_all(conn)
    .await?)
}
