//! The SQL of every run transition — the only statements that write `status` or `outcome`
//! (R1) or insert into `notifications` (R2). Each transition is one `UPDATE … WHERE id = ? AND
//! status IN (sources) [AND lease_token = ?]`: the source list comes from the contract's state
//! machine, and zero rows affected is reported, never ignored.

use opsux_core::presenter::ActiveRunCap;
use opsux_core::{
    FailureSummary, OperationType, ReasonCode, RunEvent, RunId, RunState, RunStatus, SummaryCounts,
    transition,
};
use uuid::Uuid;

use super::RunError;
use super::record::{RunRecord, RunRow, run_columns, run_returning};
use crate::store::{Conn, on_conn};

/// The statuses from which `event` leads to `target_status`, bound to a guarded statement's
/// `status IN ($a, $b)` (the second repeats the first when there is one). Derived from the
/// contract's transition table, so the SQL cannot allow what the state machine forbids.
fn sources(event: RunEvent, target_status: RunStatus) -> [&'static str; 2] {
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
    match names.as_slice() {
        [one] => [one, one],
        [first, second, ..] => [first, second],
        // No source: bind a status no row has, so the statement matches nothing.
        [] => ["none", "none"],
    }
}

/// The state `event` leads to from `from`; the caller has already checked it is allowed.
fn target(from: RunState, event: RunEvent) -> RunState {
    transition(from, event).unwrap_or(from)
}

pub(super) async fn load(conn: &mut Conn<'_>, id: RunId) -> Result<Option<RunRecord>, RunError> {
    const SQL: &str = concat!(run_columns!(), " WHERE r.id = $1");
    let row: Option<RunRow> = on_conn!(conn, c => {
        sqlx::query_as(SQL).bind(id.to_string()).fetch_optional(&mut **c).await
    })?;
    row.map(RunRecord::try_from).transpose()
}

pub(super) async fn load_active(
    conn: &mut Conn<'_>,
    tenant_id: Uuid,
    op_type: &str,
    identity: &str,
) -> Result<Option<RunRecord>, RunError> {
    const SQL: &str = concat!(
        run_columns!(),
        " WHERE r.tenant_id = $1 AND r.type = $2 AND r.identity = $3 \
          AND r.status IN ('queued', 'running')"
    );
    let row: Option<RunRow> = on_conn!(conn, c => {
        sqlx::query_as(SQL)
            .bind(tenant_id.to_string())
            .bind(op_type)
            .bind(identity)
            .fetch_optional(&mut **c)
            .await
    })?;
    row.map(RunRecord::try_from).transpose()
}

/// What a new run is created with.
#[derive(Debug)]
pub(super) struct NewRun {
    pub id: RunId,
    pub workspace_id: Uuid,
    pub tenant_id: Uuid,
    pub initiator: Option<Uuid>,
    pub op_type: OperationType,
    pub identity: String,
    pub context: String,
    pub max_attempts: u32,
    pub now_ms: i64,
    /// The active-run caps the start is held to; `None` for a system run not scheduled.
    pub quota: Option<Quota>,
}

/// How many queued or running runs a start may find.
#[derive(Debug, Clone, Copy)]
pub(super) enum Quota {
    /// A person's start: the tenant's runs of any kind, and the person's own.
    Person { per_tenant: u32, per_user: u32 },
    /// The scheduler's start: the tenant's system runs only, within their share.
    Scheduled { share: u32 },
}

/// Whether a start would pass a cap (counted in the writer's transaction, so on SQLite
/// exactly; on PostgreSQL concurrent starts in several processes may pass a cap by at most
/// one each).
pub(super) async fn over_quota(
    conn: &mut Conn<'_>,
    run: &NewRun,
) -> Result<Option<ActiveRunCap>, RunError> {
    // Counted up to the cap only: whether it is reached is all that matters, and a tenant
    // with a large backlog (a cap raised high) costs no more than the cap.
    const PERSON: &str = "SELECT \
        (SELECT count(*) FROM (SELECT 1 FROM operation_runs \
          WHERE tenant_id = $1 AND status IN ('queued', 'running') LIMIT $3) t), \
        (SELECT count(*) FROM (SELECT 1 FROM operation_runs \
          WHERE initiator_user_id = $2 AND status IN ('queued', 'running') LIMIT $4) u)";
    const SCHEDULED: &str = "SELECT count(*) FROM (SELECT 1 FROM operation_runs \
        WHERE tenant_id = $1 AND initiator_user_id IS NULL AND status IN ('queued', 'running') \
        LIMIT $2) s";
    match (run.quota, run.initiator) {
        // No cap at all: nothing to count.
        (
            Some(Quota::Person {
                per_tenant: u32::MAX,
                per_user: u32::MAX,
            }),
            _,
        ) => Ok(None),
        (
            Some(Quota::Person {
                per_tenant,
                per_user,
            }),
            Some(initiator),
        ) => {
            let (tenant, user): (i64, i64) = on_conn!(conn, c => {
                sqlx::query_as(PERSON)
                    .bind(run.tenant_id.to_string())
                    .bind(initiator.to_string())
                    .bind(i64::from(per_tenant))
                    .bind(i64::from(per_user))
                    .fetch_one(&mut **c)
                    .await
            })?;
            Ok(if user >= i64::from(per_user) {
                Some(ActiveRunCap::Person(per_user))
            } else if tenant >= i64::from(per_tenant) {
                Some(ActiveRunCap::Tenant(per_tenant))
            } else {
                None
            })
        }
        (Some(Quota::Scheduled { share }), None) => {
            let system: i64 = on_conn!(conn, c => {
                sqlx::query_scalar(SCHEDULED)
                    .bind(run.tenant_id.to_string())
                    .bind(i64::from(share))
                    .fetch_one(&mut **c)
                    .await
            })?;
            Ok((system >= i64::from(share)).then_some(ActiveRunCap::Scheduled(share)))
        }
        _ => Ok(None),
    }
}

/// Inserts a queued run if its caps allow it and no identical run is active (the partial
/// unique index decides, R4); `None` otherwise, and the caller finds which. The caps are
/// counted in the insert itself, so a start that passes them costs one round trip.
macro_rules! insert_queued_sql {
    ($caps:literal) => {
        concat!(
            "INSERT INTO operation_runs \
               (id, workspace_id, tenant_id, initiator_user_id, type, identity, status, \
                created_at, context, max_attempts) \
             SELECT $1, $2, $3, $4, $5, $6, 'queued', $7, $8, $9 WHERE ",
            $caps,
            " ON CONFLICT (tenant_id, type, identity) WHERE status IN ('queued', 'running') \
             DO NOTHING",
            run_returning!()
        )
    };
}
const INSERT_UNCAPPED: &str = insert_queued_sql!("TRUE");
/// A person's start: under the tenant's cap `$10` and the person's cap `$11`.
const INSERT_PERSON: &str = insert_queued_sql!(
    "(SELECT count(*) FROM (SELECT 1 FROM operation_runs \
       WHERE tenant_id = $3 AND status IN ('queued', 'running') LIMIT $10) t) < $10 \
     AND (SELECT count(*) FROM (SELECT 1 FROM operation_runs \
       WHERE initiator_user_id = $4 AND status IN ('queued', 'running') LIMIT $11) u) < $11"
);
/// The scheduler's start: under the tenant's share `$10` for system runs.
const INSERT_SCHEDULED: &str = insert_queued_sql!(
    "(SELECT count(*) FROM (SELECT 1 FROM operation_runs \
       WHERE tenant_id = $3 AND initiator_user_id IS NULL \
         AND status IN ('queued', 'running') LIMIT $10) s) < $10"
);

pub(super) async fn insert_queued(
    conn: &mut Conn<'_>,
    run: &NewRun,
) -> Result<Option<RunRecord>, RunError> {
    let (sql, caps): (&str, [Option<i64>; 2]) = match (run.quota, run.initiator) {
        (
            Some(Quota::Person {
                per_tenant,
                per_user,
            }),
            Some(_),
        ) if (per_tenant, per_user) != (u32::MAX, u32::MAX) => (
            INSERT_PERSON,
            [Some(i64::from(per_tenant)), Some(i64::from(per_user))],
        ),
        (Some(Quota::Scheduled { share }), None) => {
            (INSERT_SCHEDULED, [Some(i64::from(share)), None])
        }
        _ => (INSERT_UNCAPPED, [None, None]),
    };
    let row: Option<RunRow> = on_conn!(conn, c => {
        let mut query = sqlx::query_as(sql)
            .bind(run.id.to_string())
            .bind(run.workspace_id.to_string())
            .bind(run.tenant_id.to_string())
            .bind(run.initiator.map(|u| u.to_string()))
            .bind(run.op_type.as_str())
            .bind(&run.identity)
            .bind(run.now_ms)
            .bind(&run.context)
            .bind(i64::from(run.max_attempts));
        for cap in caps.into_iter().flatten() {
            query = query.bind(cap);
        }
        query.fetch_optional(&mut **c).await
    })?;
    row.map(RunRecord::try_from).transpose()
}

/// Claims up to `tokens.len()` queued runs (queued → running), each with a fresh lease under
/// its own token (the token's position in `tokens` is the order of claiming) — or only
/// `only`, if it is queued, with the first token. Returns the claimed runs, oldest first; none
/// if there is nothing to claim.
///
/// Fair across tenants: the runs are taken from the tenant with the fewest runs running (then
/// the oldest queue head), so one tenant's backlog of hundreds waits its turn behind another
/// tenant's single run instead of starving it; what that tenant lacks is taken from the
/// oldest of any tenant.
///
/// One statement claims a whole batch. On PostgreSQL its rows are picked `FOR UPDATE SKIP
/// LOCKED`: a row another process is claiming at this moment is passed over, not waited for
/// and then found taken, so a lost race yields the next rows and never reads as an empty
/// queue. SQLite has one writer at a time, so the same statement without the locking clause
/// is race-free there.
pub(super) async fn claim_batch(
    conn: &mut Conn<'_>,
    tokens: &[String],
    lease_expires_ms: i64,
    now_ms: i64,
    pick: &Pick,
) -> Result<Vec<RunRecord>, RunError> {
    let lease = Lease {
        expires_ms: lease_expires_ms,
        now_ms,
    };
    let mut claimed = Vec::with_capacity(tokens.len());
    // A run whose stored row no longer decodes is set aside (failed) and the next one taken,
    // so one bad row never stalls the queue; a few end this claim (the next one goes on).
    let mut set_aside_left = MAX_SET_ASIDE;
    while claimed.len() < tokens.len() {
        let rows = claim_rows(conn, &tokens[claimed.len()..], lease, pick).await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let id = row.raw_id().to_owned();
            match RunRecord::try_from(row) {
                Ok(run) => claimed.push(run),
                Err(err) => {
                    tracing::error!(run = %id, error = %err, "a claimed run's stored data is invalid; failing it");
                    set_aside(conn, &id, now_ms).await?;
                    set_aside_left = set_aside_left.saturating_sub(1);
                }
            }
        }
        if set_aside_left == 0 || matches!(pick, Pick::Only(_)) {
            break;
        }
    }
    Ok(claimed)
}

/// Which queued runs a claim takes.
#[derive(Debug, Clone)]
pub(super) enum Pick {
    /// The oldest runs of built-in operations, fairest tenant first: the built-in worker's.
    Builtin,
    /// Only this run, if it is queued (the console's own runs).
    Only(RunId),
    /// The oldest runs of these registered types in this tenant: an API token's worker.
    Registered {
        tenant_id: Uuid,
        /// The type keys, as a JSON array.
        types: String,
    },
}

/// Bad rows set aside in one claim before it gives up (the next claim goes on).
const MAX_SET_ASIDE: usize = 8;

#[derive(Debug, Clone, Copy)]
struct Lease {
    expires_ms: i64,
    now_ms: i64,
}

/// Fails a run just claimed whose row does not decode — without reading it back, which would
/// fail the same way — with `internal_error`. No one is notified: who started it is part of
/// what cannot be read.
async fn set_aside(conn: &mut Conn<'_>, id: &str, now_ms: i64) -> Result<(), RunError> {
    const SQL: &str = "UPDATE operation_runs \
         SET status = 'completed', outcome = 'failed', completed_at = $1, \
             reason_code = 'internal_error', \
             message = 'The run could not be read back from the database, so it was not run.', \
             lease_token = NULL, lease_expires_at = NULL, version = version + 1 \
         WHERE id = $2 AND status IN ($3, $4)";
    let [a, b] = sources(
        RunEvent::Finish(opsux_core::RunOutcome::Failed),
        RunStatus::Completed,
    );
    on_conn!(conn, c => {
        sqlx::query(SQL)
            .bind(now_ms)
            .bind(id)
            .bind(a)
            .bind(b)
            .execute(&mut **c)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// The claimed rows, undecoded: the fairest tenant's oldest queued runs, then any tenant's.
async fn claim_rows(
    conn: &mut Conn<'_>,
    tokens: &[String],
    lease: Lease,
    pick: &Pick,
) -> Result<Vec<RunRow>, RunError> {
    match pick {
        Pick::Builtin => {}
        Pick::Only(id) => {
            return Ok(claim_only(conn, &tokens[0], lease, *id)
                .await?
                .into_iter()
                .collect());
        }
        Pick::Registered { tenant_id, types } => {
            let scope = Scope::Registered {
                tenant_id: *tenant_id,
                types,
            };
            return claim_oldest(conn, tokens, lease, scope).await;
        }
    }
    let mut rows = claim_oldest(conn, tokens, lease, Scope::FairestTenant).await?;
    // On PostgreSQL every queued run of that tenant may be locked by other claimers just now,
    // or it has fewer queued than wanted: the rest from any tenant.
    if rows.len() < tokens.len() {
        rows.extend(claim_oldest(conn, &tokens[rows.len()..], lease, Scope::AnyTenant).await?);
    }
    Ok(rows)
}

/// Only built-in operations: a registered type's key always has a dot (`acme.export`), a
/// built-in one never, so the built-in worker never takes a run only another service's worker
/// can do.
macro_rules! builtin_only {
    () => {
        " AND type NOT LIKE '%.%'"
    };
}

/// The tenant whose queued run is claimed next, as a scalar subquery of the claim (so choosing
/// it costs no round trip of its own): fewest running, then the oldest queue head (both among
/// built-in operations; see [`builtin_only`]).
///
/// The tenants with queued runs are found by skipping through the queue index from one
/// tenant to the next (a recursive query, one index probe per tenant), and each one's running
/// count and queue head are index probes too: the cost grows with the number of tenants
/// waiting, not with the number of runs queued (a backlog of 20,000 made the grouping query
/// this replaces take 3 to 8 ms per claim).
macro_rules! fairest_tenant_sql {
    () => {
        "WITH RECURSIVE waiting(tenant_id) AS ( \
                SELECT (SELECT tenant_id FROM operation_runs WHERE status = 'queued' \
                         AND type NOT LIKE '%.%' \
                         ORDER BY tenant_id LIMIT 1) \
                UNION ALL \
                SELECT (SELECT r.tenant_id FROM operation_runs r \
                         WHERE r.status = 'queued' AND r.type NOT LIKE '%.%' \
                           AND r.tenant_id > w.tenant_id \
                         ORDER BY r.tenant_id LIMIT 1) \
                FROM waiting w WHERE w.tenant_id IS NOT NULL) \
            SELECT w.tenant_id FROM waiting w WHERE w.tenant_id IS NOT NULL \
            ORDER BY (SELECT count(*) FROM operation_runs r \
                       WHERE r.tenant_id = w.tenant_id AND r.status = 'running'), \
                     (SELECT h.created_at FROM operation_runs h \
                       WHERE h.tenant_id = w.tenant_id AND h.status = 'queued' \
                         AND h.type NOT LIKE '%.%' \
                       ORDER BY h.created_at LIMIT 1), \
                     w.tenant_id \
            LIMIT 1"
    };
}

/// Claims run `$6` if it is queued, with lease token `$1`.
const CLAIM_ONE: &str = concat!(
    "UPDATE operation_runs \
     SET status = 'running', lease_token = $1, lease_expires_at = $2, \
         attempt = attempt + 1, version = version + 1, started_at = COALESCE(started_at, $3) \
     WHERE id = $6 AND status IN ($4, $5)",
    run_returning!()
);

async fn claim_only(
    conn: &mut Conn<'_>,
    token: &str,
    lease: Lease,
    id: RunId,
) -> Result<Option<RunRow>, RunError> {
    let [a, b] = sources(RunEvent::Claim, RunStatus::Running);
    Ok(on_conn!(conn, c => {
        sqlx::query_as(CLAIM_ONE)
            .bind(token)
            .bind(lease.expires_ms)
            .bind(lease.now_ms)
            .bind(a)
            .bind(b)
            .bind(id.to_string())
            .fetch_optional(&mut **c)
            .await
    })?)
}

/// Claims the oldest `$6` queued runs (of the fairest tenant, when the scope says so), giving
/// the n-th oldest the n-th token of the JSON array `$1`. The backends differ in how that array
/// becomes rows and in the locking clause only.
macro_rules! claim_oldest_sql {
    ($tokens:literal, $lock:literal, $scope:expr) => {
        concat!(
            "WITH picked AS ( \
                SELECT run_id, row_number() OVER (ORDER BY created_at, run_id) AS n \
                FROM (SELECT id AS run_id, created_at FROM operation_runs \
                      WHERE status = 'queued'",
            $scope,
            " ORDER BY created_at, id LIMIT $6",
            $lock,
            ") oldest), \
             tokens AS (",
            $tokens,
            ") \
             UPDATE operation_runs \
             SET status = 'running', lease_token = tokens.token, lease_expires_at = $2, \
                 attempt = attempt + 1, version = version + 1, \
                 started_at = COALESCE(started_at, $3) \
             FROM picked JOIN tokens ON tokens.n = picked.n \
             WHERE operation_runs.id = picked.run_id AND operation_runs.status IN ($4, $5)",
            run_returning!()
        )
    };
}
const CLAIM_ANY_SQLITE: &str = claim_oldest_sql!(
    "SELECT value AS token, key + 1 AS n FROM json_each($1)",
    "",
    builtin_only!()
);
const CLAIM_FAIREST_SQLITE: &str = claim_oldest_sql!(
    "SELECT value AS token, key + 1 AS n FROM json_each($1)",
    "",
    concat!(
        builtin_only!(),
        " AND tenant_id = (",
        fairest_tenant_sql!(),
        ")"
    )
);
const CLAIM_REGISTERED_SQLITE: &str = claim_oldest_sql!(
    "SELECT value AS token, key + 1 AS n FROM json_each($1)",
    "",
    " AND tenant_id = $7 AND type IN (SELECT value FROM json_each($8))"
);
const CLAIM_ANY_POSTGRES: &str = claim_oldest_sql!(
    "SELECT token, n FROM jsonb_array_elements_text(CAST($1 AS JSONB)) \
     WITH ORDINALITY AS t(token, n)",
    " FOR UPDATE SKIP LOCKED",
    builtin_only!()
);
const CLAIM_FAIREST_POSTGRES: &str = claim_oldest_sql!(
    "SELECT token, n FROM jsonb_array_elements_text(CAST($1 AS JSONB)) \
     WITH ORDINALITY AS t(token, n)",
    " FOR UPDATE SKIP LOCKED",
    concat!(
        builtin_only!(),
        " AND tenant_id = (",
        fairest_tenant_sql!(),
        ")"
    )
);
const CLAIM_REGISTERED_POSTGRES: &str = claim_oldest_sql!(
    "SELECT token, n FROM jsonb_array_elements_text(CAST($1 AS JSONB)) \
     WITH ORDINALITY AS t(token, n)",
    " FOR UPDATE SKIP LOCKED",
    " AND tenant_id = $7 AND type IN (SELECT jsonb_array_elements_text(CAST($8 AS JSONB)))"
);

/// Whose queued runs a claim takes.
#[derive(Debug, Clone, Copy)]
enum Scope<'a> {
    FairestTenant,
    AnyTenant,
    /// One tenant's runs of these registered types (a JSON array of keys).
    Registered {
        tenant_id: Uuid,
        types: &'a str,
    },
}

async fn claim_oldest(
    conn: &mut Conn<'_>,
    tokens: &[String],
    lease: Lease,
    scope: Scope<'_>,
) -> Result<Vec<RunRow>, RunError> {
    let [a, b] = sources(RunEvent::Claim, RunStatus::Running);
    let wanted = i64::try_from(tokens.len()).unwrap_or(i64::MAX);
    let tokens = serde_json::to_string(tokens).map_err(|e| RunError::Corrupt(e.to_string()))?;
    let sql = match scope {
        Scope::FairestTenant => conn.dialect(CLAIM_FAIREST_SQLITE, CLAIM_FAIREST_POSTGRES),
        Scope::AnyTenant => conn.dialect(CLAIM_ANY_SQLITE, CLAIM_ANY_POSTGRES),
        Scope::Registered { .. } => {
            conn.dialect(CLAIM_REGISTERED_SQLITE, CLAIM_REGISTERED_POSTGRES)
        }
    };
    let mut rows: Vec<RunRow> = on_conn!(conn, c => {
        let mut query = sqlx::query_as(sql)
            .bind(&tokens)
            .bind(lease.expires_ms)
            .bind(lease.now_ms)
            .bind(a)
            .bind(b)
            .bind(wanted);
        if let Scope::Registered { tenant_id, types } = scope {
            query = query.bind(tenant_id.to_string()).bind(types);
        }
        query.fetch_all(&mut **c).await
    })?;
    // `RETURNING` gives no order; the n-th token went to the n-th oldest.
    rows.sort_by_key(|row| row.created_at_and_id());
    Ok(rows)
}

/// Extends the lease of a running run held by `lease_token`. `false`: the lease is lost.
pub(super) async fn renew_lease(
    conn: &mut Conn<'_>,
    id: RunId,
    lease_token: &str,
    lease_expires_ms: i64,
) -> Result<bool, RunError> {
    const SQL: &str = "UPDATE operation_runs SET lease_expires_at = $1 \
                       WHERE id = $2 AND status = 'running' AND lease_token = $3";
    let affected = on_conn!(conn, c => {
        sqlx::query(SQL)
            .bind(lease_expires_ms)
            .bind(id.to_string())
            .bind(lease_token)
            .execute(&mut **c)
            .await?
            .rows_affected()
    });
    Ok(affected == 1)
}

/// Stores the latest counts of a running run; returns its cancel flag and new version, or
/// `None` if the lease is lost.
pub(super) async fn save_progress(
    conn: &mut Conn<'_>,
    id: RunId,
    lease_token: &str,
    counts: &SummaryCounts,
) -> Result<Option<(bool, i64)>, RunError> {
    const SQL: &str = "UPDATE operation_runs SET summary_counts = $1, version = version + 1 \
                       WHERE id = $2 AND status = 'running' AND lease_token = $3 \
                       RETURNING cancel_requested, version";
    let counts = serde_json::to_string(counts).map_err(|e| RunError::Corrupt(e.to_string()))?;
    Ok(on_conn!(conn, c => {
        sqlx::query_as(SQL)
            .bind(counts)
            .bind(id.to_string())
            .bind(lease_token)
            .fetch_optional(&mut **c)
            .await
    })?)
}

/// One run of [`save_progress_many`].
#[derive(Debug, serde::Serialize)]
pub(super) struct ProgressRow {
    pub run_id: String,
    pub lease: String,
    pub counts: String,
}

impl ProgressRow {
    pub(super) fn new(id: RunId, lease: &str, counts: &SummaryCounts) -> Result<Self, RunError> {
        Ok(Self {
            run_id: id.to_string(),
            lease: lease.to_owned(),
            counts: serde_json::to_string(counts).map_err(|e| RunError::Corrupt(e.to_string()))?,
        })
    }
}

/// [`save_progress`] for many runs in one statement (rows sorted by id): the runs whose lease
/// still holds, each with its cancel flag and new version.
macro_rules! save_progress_many_sql {
    ($rows:literal) => {
        concat!(
            "UPDATE operation_runs SET summary_counts = u.counts, version = version + 1 \
             FROM (",
            $rows,
            ") AS u \
             WHERE operation_runs.id = u.run_id AND operation_runs.status = 'running' \
               AND operation_runs.lease_token = u.lease \
             RETURNING operation_runs.id, operation_runs.cancel_requested, operation_runs.version"
        )
    };
}
const SAVE_PROGRESS_MANY_SQLITE: &str = save_progress_many_sql!(
    "SELECT value ->> 'run_id' AS run_id, value ->> 'lease' AS lease, \
            value ->> 'counts' AS counts \
     FROM json_each($1)"
);
const SAVE_PROGRESS_MANY_POSTGRES: &str = save_progress_many_sql!(
    "SELECT * FROM jsonb_to_recordset(CAST($1 AS JSONB)) \
     AS r(run_id TEXT, lease TEXT, counts TEXT)"
);

pub(super) async fn save_progress_many(
    conn: &mut Conn<'_>,
    rows: &mut [ProgressRow],
) -> Result<Vec<(String, bool, i64)>, RunError> {
    rows.sort_by(|a, b| a.run_id.cmp(&b.run_id));
    let json = serde_json::to_string(rows).map_err(|e| RunError::Corrupt(e.to_string()))?;
    let sql = conn.dialect(SAVE_PROGRESS_MANY_SQLITE, SAVE_PROGRESS_MANY_POSTGRES);
    Ok(on_conn!(conn, c => {
        sqlx::query_as(sql).bind(&json).fetch_all(&mut **c).await
    })?)
}

/// Marks a running run as asked to cancel; `None` if it is not running.
pub(super) async fn request_cancel(
    conn: &mut Conn<'_>,
    id: RunId,
) -> Result<Option<RunRecord>, RunError> {
    const SQL: &str = concat!(
        "UPDATE operation_runs SET cancel_requested = TRUE, version = version + 1 \
         WHERE id = $1 AND status IN ($2, $3)",
        run_returning!()
    );
    let [a, b] = sources(RunEvent::Cancel, RunStatus::Running);
    let row: Option<RunRow> = on_conn!(conn, c => {
        sqlx::query_as(SQL)
            .bind(id.to_string())
            .bind(a)
            .bind(b)
            .fetch_optional(&mut **c)
            .await
    })?;
    row.map(RunRecord::try_from).transpose()
}

/// Which lease a transition must match.
#[derive(Debug)]
pub(super) enum LeaseGuard {
    /// Queued runs hold no lease.
    None,
    /// The caller holds this lease.
    Held(String),
    /// The rescuer saw this lease expire before `now_ms`; it must still be the lease and still
    /// expired.
    Expired(String, i64),
}

/// Running → queued after a lost lease (R8); `None` if the lease is no longer the expired one.
pub(super) async fn requeue(
    conn: &mut Conn<'_>,
    id: RunId,
    lease_token: &str,
    now_ms: i64,
) -> Result<Option<RunRecord>, RunError> {
    const SQL: &str = concat!(
        "UPDATE operation_runs \
         SET status = 'queued', lease_token = NULL, lease_expires_at = NULL, version = version + 1 \
         WHERE id = $1 AND status IN ($2, $3) AND lease_token = $4 AND lease_expires_at < $5",
        run_returning!()
    );
    let [a, b] = sources(RunEvent::Requeue, RunStatus::Queued);
    let row: Option<RunRow> = on_conn!(conn, c => {
        sqlx::query_as(SQL)
            .bind(id.to_string())
            .bind(a)
            .bind(b)
            .bind(lease_token)
            .bind(now_ms)
            .fetch_optional(&mut **c)
            .await
    })?;
    row.map(RunRecord::try_from).transpose()
}

/// Gives a running run back to the queue from the worker holding its lease (a shutdown that
/// could not wait for the handler): queued again, and the attempt it was on not counted, so
/// stopping a worker never brings a run closer to `worker_lost`.
pub(super) async fn hand_back(
    conn: &mut Conn<'_>,
    id: RunId,
    lease_token: &str,
) -> Result<Option<RunRecord>, RunError> {
    const SQL: &str = concat!(
        "UPDATE operation_runs \
         SET status = 'queued', lease_token = NULL, lease_expires_at = NULL, \
             attempt = attempt - 1, version = version + 1 \
         WHERE id = $1 AND status IN ($2, $3) AND lease_token = $4",
        run_returning!()
    );
    let [a, b] = sources(RunEvent::Requeue, RunStatus::Queued);
    let row: Option<RunRow> = on_conn!(conn, c => {
        sqlx::query_as(SQL)
            .bind(id.to_string())
            .bind(a)
            .bind(b)
            .bind(lease_token)
            .fetch_optional(&mut **c)
            .await
    })?;
    row.map(RunRecord::try_from).transpose()
}

/// How a run ends.
#[derive(Debug)]
pub(super) struct Completion {
    pub event: RunEvent,
    pub reason: Option<ReasonCode>,
    pub message: Option<String>,
    /// `None` keeps the stored counts.
    pub counts: Option<SummaryCounts>,
    pub failures: Option<FailureSummary>,
    pub now_ms: i64,
}

/// Moves a run into `completed` with the outcome the state machine gives `event`. Returns the
/// completed run, or `None` when the guarded update matched nothing; the caller writes the
/// notification in the same transaction.
pub(super) async fn complete(
    conn: &mut Conn<'_>,
    id: RunId,
    from: RunState,
    guard: &LeaseGuard,
    done: &Completion,
) -> Result<Option<RunRecord>, RunError> {
    const SQL: &str = concat!(
        "UPDATE operation_runs \
         SET status = $1, outcome = $2, completed_at = $3, \
             summary_counts = COALESCE($4, summary_counts), \
             failure_summary = COALESCE($5, failure_summary), \
             reason_code = $6, message = $7, lease_token = NULL, lease_expires_at = NULL, \
             version = version + 1 \
         WHERE id = $8 AND status IN ($9, $10) \
           AND lease_token IS NOT DISTINCT FROM $11 \
           AND (CAST($12 AS BIGINT) IS NULL OR lease_expires_at < $12)",
        run_returning!()
    );
    let Some(row) = CompletionRow::new(id, from, guard, done)? else {
        return Ok(None);
    };
    let row: Option<RunRow> = on_conn!(conn, c => {
        sqlx::query_as(SQL)
            .bind(row.new_status)
            .bind(row.new_outcome)
            .bind(row.ended_at)
            .bind(row.counts.as_deref())
            .bind(row.failures.as_deref())
            .bind(row.reason)
            .bind(row.new_message.as_deref())
            .bind(&row.run_id)
            .bind(row.source_a)
            .bind(row.source_b)
            .bind(row.lease.as_deref())
            .bind(row.expired_before)
            .fetch_optional(&mut **c)
            .await
    })?;
    row.map(RunRecord::try_from).transpose()
}

/// Running runs whose lease expired before `now_ms`: `(id, lease token)`.
pub(super) async fn expired_leases(
    conn: &mut Conn<'_>,
    now_ms: i64,
) -> Result<Vec<(String, String)>, RunError> {
    const SQL: &str = "SELECT id, lease_token FROM operation_runs \
                       WHERE status = 'running' AND lease_expires_at < $1 \
                       ORDER BY lease_expires_at";
    Ok(on_conn!(conn, c => {
        sqlx::query_as(SQL).bind(now_ms).fetch_all(&mut **c).await
    })?)
}

/// One run of [`complete_many`]: what [`complete`] binds, as a row of the batch's JSON array.
#[derive(Debug, serde::Serialize)]
/// Its fields are named apart from `operation_runs`' columns, which `RETURNING` names alone.
pub(super) struct CompletionRow {
    run_id: String,
    new_status: &'static str,
    new_outcome: &'static str,
    ended_at: i64,
    counts: Option<String>,
    failures: Option<String>,
    reason: Option<&'static str>,
    new_message: Option<String>,
    source_a: &'static str,
    source_b: &'static str,
    lease: Option<String>,
    expired_before: Option<i64>,
}

impl CompletionRow {
    /// The row for ending run `id` as [`complete`] would; `None` when `from` and the event
    /// lead to no outcome (the transition is refused without touching the database).
    pub(super) fn new(
        id: RunId,
        from: RunState,
        guard: &LeaseGuard,
        done: &Completion,
    ) -> Result<Option<Self>, RunError> {
        let to = target(from, done.event);
        let Some(outcome) = to.outcome() else {
            return Ok(None);
        };
        let counts = done
            .counts
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| RunError::Corrupt(e.to_string()))?;
        let failures = done
            .failures
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| RunError::Corrupt(e.to_string()))?;
        let (lease, expired_before) = match guard {
            LeaseGuard::None => (None, None),
            LeaseGuard::Held(token) => (Some(token.clone()), None),
            LeaseGuard::Expired(token, now) => (Some(token.clone()), Some(*now)),
        };
        let [source_a, source_b] = sources(done.event, RunStatus::Completed);
        Ok(Some(Self {
            run_id: id.to_string(),
            new_status: to.status().as_str(),
            new_outcome: outcome.as_str(),
            ended_at: done.now_ms,
            counts,
            failures,
            reason: done.reason.map(|r| r.as_str()),
            new_message: done.message.clone(),
            source_a,
            source_b,
            lease,
            expired_before,
        }))
    }
}

/// [`complete`] for many runs in one statement: each row's run moves to `completed` under the
/// same guards, and the runs that did are returned (the others matched nothing). The rows
/// arrive sorted by id, so two writers' batches lock in the same order.
macro_rules! complete_many_sql {
    ($rows:literal) => {
        concat!(
            "UPDATE operation_runs \
             SET status = u.new_status, outcome = u.new_outcome, completed_at = u.ended_at, \
                 summary_counts = COALESCE(u.counts, summary_counts), \
                 failure_summary = COALESCE(u.failures, failure_summary), \
                 reason_code = u.reason, message = u.new_message, lease_token = NULL, \
                 lease_expires_at = NULL, version = version + 1 \
             FROM (",
            $rows,
            ") AS u \
             WHERE operation_runs.id = u.run_id AND operation_runs.status IN (u.source_a, u.source_b) \
               AND operation_runs.lease_token IS NOT DISTINCT FROM u.lease \
               AND (u.expired_before IS NULL OR operation_runs.lease_expires_at < u.expired_before)",
            run_returning!()
        )
    };
}
const COMPLETE_MANY_SQLITE: &str = complete_many_sql!(
    "SELECT value ->> 'run_id' AS run_id, value ->> 'new_status' AS new_status, \
            value ->> 'new_outcome' AS new_outcome, value ->> 'ended_at' AS ended_at, \
            value ->> 'counts' AS counts, value ->> 'failures' AS failures, \
            value ->> 'reason' AS reason, value ->> 'new_message' AS new_message, \
            value ->> 'source_a' AS source_a, value ->> 'source_b' AS source_b, \
            value ->> 'lease' AS lease, value ->> 'expired_before' AS expired_before \
     FROM json_each($1)"
);
const COMPLETE_MANY_POSTGRES: &str = complete_many_sql!(
    "SELECT * FROM jsonb_to_recordset(CAST($1 AS JSONB)) AS r( \
        run_id TEXT, new_status TEXT, new_outcome TEXT, ended_at BIGINT, counts TEXT, \
        failures TEXT, reason TEXT, new_message TEXT, source_a TEXT, source_b TEXT, lease TEXT, \
        expired_before BIGINT)"
);

pub(super) async fn complete_many(
    conn: &mut Conn<'_>,
    rows: &mut [CompletionRow],
) -> Result<Vec<RunRecord>, RunError> {
    rows.sort_by(|a, b| a.run_id.cmp(&b.run_id));
    let json = serde_json::to_string(rows).map_err(|e| RunError::Corrupt(e.to_string()))?;
    let sql = conn.dialect(COMPLETE_MANY_SQLITE, COMPLETE_MANY_POSTGRES);
    let rows: Vec<RunRow> = on_conn!(conn, c => {
        sqlx::query_as(sql).bind(&json).fetch_all(&mut **c).await
    })?;
    rows.into_iter().map(RunRecord::try_from).collect()
}

/// The terminal notifications of a batch's runs (R2), in one statement; returns the run ids
/// whose notification was written: only while the initiator is still a member of the run's
/// tenant, so someone removed since the start hears nothing more about its runs (R16). The
/// `UNIQUE (run_id, kind)` constraint makes a second one impossible even if a bug let a second
/// completion through.
macro_rules! notify_many_sql {
    ($rows:literal) => {
        concat!(
            "INSERT INTO notifications \
               (id, user_id, tenant_id, run_id, kind, outcome, title, body, action_url, created_at) \
             SELECT n.id, n.user_id, n.tenant_id, n.run_id, 'run_completed', n.outcome, n.title, \
                    n.body, n.action_url, n.created_at \
             FROM (",
            $rows,
            ") AS n \
             WHERE EXISTS (SELECT 1 FROM memberships m \
                           WHERE m.user_id = n.user_id AND m.tenant_id = n.tenant_id) \
             RETURNING run_id"
        )
    };
}
const NOTIFY_MANY_SQLITE: &str = notify_many_sql!(
    "SELECT value ->> 'id' AS id, value ->> 'user_id' AS user_id, \
            value ->> 'tenant_id' AS tenant_id, value ->> 'run_id' AS run_id, \
            value ->> 'outcome' AS outcome, value ->> 'title' AS title, \
            value ->> 'body' AS body, value ->> 'action_url' AS action_url, \
            value ->> 'created_at' AS created_at \
     FROM json_each($1)"
);
const NOTIFY_MANY_POSTGRES: &str = notify_many_sql!(
    "SELECT * FROM jsonb_to_recordset(CAST($1 AS JSONB)) AS r( \
        id TEXT, user_id TEXT, tenant_id TEXT, run_id TEXT, outcome TEXT, title TEXT, \
        body TEXT, action_url TEXT, created_at BIGINT)"
);

/// One row of [`notify_many`].
#[derive(Debug, serde::Serialize)]
pub(super) struct NotificationRow<'a> {
    pub id: String,
    pub user_id: String,
    pub tenant_id: String,
    pub run_id: String,
    pub outcome: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub action_url: &'a str,
    pub created_at: i64,
}

pub(super) async fn notify_many(
    conn: &mut Conn<'_>,
    rows: &mut [NotificationRow<'_>],
) -> Result<Vec<String>, RunError> {
    rows.sort_by(|a, b| a.run_id.cmp(&b.run_id));
    let json = serde_json::to_string(rows).map_err(|e| RunError::Corrupt(e.to_string()))?;
    let sql = conn.dialect(NOTIFY_MANY_SQLITE, NOTIFY_MANY_POSTGRES);
    let written: Vec<(String,)> = on_conn!(conn, c => {
        sqlx::query_as(sql).bind(&json).fetch_all(&mut **c).await
    })?;
    Ok(written.into_iter().map(|(id,)| id).collect())
}

/// The webhook deliveries the runs `run_ids` owe, written in their terminal transition's
/// transaction (the outbox): one per run and endpoint of its tenant whose filters it meets.
/// `UNIQUE (endpoint_id, run_id)` makes a second one impossible, as for the notification.
/// Paused endpoints are owed too: resuming one sends what it missed.
macro_rules! owe_deliveries_sql {
    ($new_id:literal, $runs:literal, $has_type:literal) => {
        concat!(
            "INSERT INTO webhook_deliveries \
               (id, endpoint_id, run_id, event, state, attempts, next_attempt_at, created_at) \
             SELECT ",
            $new_id,
            ", e.id, r.id, 'run.ended', 'pending', 0, r.completed_at, r.completed_at \
             FROM operation_runs r JOIN webhook_endpoints e ON e.tenant_id = r.tenant_id \
             WHERE r.id IN (",
            $runs,
            ") AND r.status = 'completed' \
               AND (NOT e.only_failed OR r.outcome IN ('failed', 'partially_succeeded')) \
               AND (NOT e.only_system OR r.initiator_user_id IS NULL) \
               AND (e.types IS NULL OR ",
            $has_type,
            ") \
             ON CONFLICT (endpoint_id, run_id) DO NOTHING"
        )
    };
}
const OWE_DELIVERIES_SQLITE: &str = owe_deliveries_sql!(
    "lower(hex(randomblob(16)))",
    "SELECT value FROM json_each($1)",
    "instr(e.types, ',' || r.type || ',') > 0"
);
const OWE_DELIVERIES_POSTGRES: &str = owe_deliveries_sql!(
    "replace(CAST(gen_random_uuid() AS TEXT), '-', '')",
    "SELECT jsonb_array_elements_text(CAST($1 AS JSONB))",
    "strpos(e.types, ',' || r.type || ',') > 0"
);

pub(super) async fn owe_deliveries(conn: &mut Conn<'_>, run_ids: &[RunId]) -> Result<(), RunError> {
    if run_ids.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<String> = run_ids.iter().map(RunId::to_string).collect();
    // In one order, so concurrent batches take their locks in the same order.
    ids.sort_unstable();
    let json = serde_json::to_string(&ids).map_err(|e| RunError::Corrupt(e.to_string()))?;
    let sql = conn.dialect(OWE_DELIVERIES_SQLITE, OWE_DELIVERIES_POSTGRES);
    on_conn!(conn, c => sqlx::query(sql).bind(&json).execute(&mut **c).await.map(|_| ()))?;
    Ok(())
}
