//! Read-only queries for the monitoring pages (R15: they read the database, nothing else).

use opsux_core::wire::RunSummary;
use opsux_core::{OperationType, RunId, RunOutcome, RunStatus, UserId};
use uuid::Uuid;

use super::RunError;
use super::record::{DecodedSummary, RunRecord, RunRow, SummaryRow, run_columns, summary_columns};
use crate::store::{Store, on_pool};

/// Filters of the runs list; `None` matches everything.
#[derive(Debug, Default, Clone)]
pub struct RunFilter {
    pub operation: Option<OperationType>,
    pub status: Option<RunStatus>,
    pub outcome: Option<RunOutcome>,
    pub initiator: Option<UserId>,
}

/// Where a page of the newest-first list starts: strictly older than this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub created_at_ms: i64,
    pub id: RunId,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}_{}", self.created_at_ms, self.id)
    }

    pub fn decode(s: &str) -> Option<Self> {
        let (ms, id) = s.split_once('_')?;
        Some(Self {
            created_at_ms: ms.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

/// One page of a tenant's runs, newest first, and the cursor of the next page. Summaries
/// only: a list never loads parameters or failures it does not show. A row that cannot be
/// read is logged and left out, so one bad row costs one line, not the page.
pub async fn list(
    store: &Store,
    tenant_id: Uuid,
    filter: &RunFilter,
    after: Option<Cursor>,
    limit: u32,
) -> Result<(Vec<RunSummary>, Option<Cursor>), RunError> {
    // Two texts, not one with `($6 IS NULL OR …)`: SQLite only walks the index from the
    // cursor when the range condition stands alone (measured: a page 900,000 runs deep took
    // 110 ms the other way, `cargo xtask bench list`).
    macro_rules! list_sql {
        ($after:literal) => {
            concat!(
                summary_columns!(),
                " WHERE r.tenant_id = $1 \
                  AND ($2 IS NULL OR r.type = $2) \
                  AND ($3 IS NULL OR r.status = $3) \
                  AND ($4 IS NULL OR r.outcome = $4) \
                  AND ($5 IS NULL OR r.initiator_user_id = $5)",
                $after,
                " ORDER BY r.created_at DESC, r.id DESC LIMIT $6"
            )
        };
    }
    const FIRST: &str = list_sql!("");
    const AFTER: &str = list_sql!(" AND (r.created_at, r.id) < ($7, $8)");
    let sql = if after.is_some() { AFTER } else { FIRST };
    let mut rows: Vec<SummaryRow> = on_pool!(store, pool => {
        let query = sqlx::query_as(sql)
            .bind(tenant_id.to_string())
            .bind(filter.operation.as_ref().map(OperationType::as_str))
            .bind(filter.status.map(|s| s.as_str()))
            .bind(filter.outcome.map(|o| o.as_str()))
            .bind(filter.initiator.map(|u| u.to_string()))
            .bind(i64::from(limit) + 1);
        match after {
            Some(cursor) => {
                query
                    .bind(cursor.created_at_ms)
                    .bind(cursor.id.to_string())
                    .fetch_all(pool)
                    .await
            }
            None => query.fetch_all(pool).await,
        }
    })?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last()
            .and_then(SummaryRow::position)
            .map(|(created_at_ms, id)| Cursor { created_at_ms, id })
    } else {
        None
    };
    Ok((readable(rows), next))
}

/// The most active runs the widget is sent at once (the oldest first); as many as the default
/// tenant quota allows and more. Beyond, newer runs show once older ones end.
pub const ACTIVE_LIMIT: u32 = 200;

/// The queued and running runs of a tenant, oldest first, at most [`ACTIVE_LIMIT`] (the
/// widget).
pub async fn active(store: &Store, tenant_id: Uuid) -> Result<Vec<RunSummary>, RunError> {
    const SQL: &str = concat!(
        summary_columns!(),
        " WHERE r.tenant_id = $1 AND r.status IN ('queued', 'running') \
          ORDER BY r.created_at, r.id LIMIT $2"
    );
    let rows: Vec<SummaryRow> = on_pool!(store, pool => {
        sqlx::query_as(SQL)
            .bind(tenant_id.to_string())
            .bind(i64::from(ACTIVE_LIMIT))
            .fetch_all(pool)
            .await
    })?;
    Ok(readable(rows))
}

/// The summaries of the rows that decode; each that does not is logged and skipped.
fn readable(rows: Vec<SummaryRow>) -> Vec<RunSummary> {
    rows.into_iter()
        .filter_map(|row| {
            let id = row.raw_id().to_owned();
            DecodedSummary::try_from(row)
                .map_err(|err| {
                    tracing::error!(run = %id, error = %err, "a stored run cannot be read; left out");
                })
                .ok()
                .map(|decoded| decoded.summary)
        })
        .collect()
}

/// One run of a tenant; `None` when it does not exist or belongs to another tenant.
pub async fn get(store: &Store, tenant_id: Uuid, id: RunId) -> Result<Option<RunRecord>, RunError> {
    const SQL: &str = concat!(run_columns!(), " WHERE r.id = $1 AND r.tenant_id = $2");
    let row: Option<RunRow> = on_pool!(store, pool => {
        sqlx::query_as(SQL)
            .bind(id.to_string())
            .bind(tenant_id.to_string())
            .fetch_optional(pool)
            .await
    })?;
    row.map(RunRecord::try_from).transpose()
}

/// The stored version of each of `ids` that exists (any tenant's): for the relay's periodic
/// look at the runs it has seen active.
pub async fn versions(store: &Store, ids: &[RunId]) -> Result<Vec<(RunId, u64)>, RunError> {
    const SQLITE: &str =
        "SELECT id, version FROM operation_runs WHERE id IN (SELECT value FROM json_each($1))";
    const POSTGRES: &str = "SELECT id, version FROM operation_runs \
        WHERE id IN (SELECT jsonb_array_elements_text(CAST($1 AS JSONB)))";
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let ids = serde_json::to_string(&ids).map_err(|e| RunError::Corrupt(e.to_string()))?;
    let sql = store.dialect(SQLITE, POSTGRES);
    let rows: Vec<(String, i64)> = on_pool!(store, pool => {
        sqlx::query_as(sql).bind(&ids).fetch_all(pool).await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, version)| Some((id.parse().ok()?, u64::try_from(version).ok()?)))
        .collect())
}

/// For each operation type that has ended at least once in the tenant, its run that ended
/// last, in the catalog's order: one statement, one index lookup per type
/// (`operation_runs_tenant_type_ended`), each found by id — joined to its tenant, SQLite's
/// planner would sort every run of the type instead.
pub async fn last_ended_each_type(
    store: &Store,
    tenant_id: Uuid,
) -> Result<Vec<RunSummary>, RunError> {
    macro_rules! last_of {
        ($n:literal) => {
            concat!(
                "(SELECT id FROM operation_runs WHERE tenant_id = $1 AND type = $",
                $n,
                " AND status = 'completed' ORDER BY completed_at DESC LIMIT 1)"
            )
        };
    }
    // One lookup per type of the catalog, bound in its order ($2…$14).
    const _: () = assert!(OperationType::ALL.len() == 13);
    const SQL: &str = concat!(
        summary_columns!(),
        " WHERE r.id IN (",
        last_of!(2),
        ", ",
        last_of!(3),
        ", ",
        last_of!(4),
        ", ",
        last_of!(5),
        ", ",
        last_of!(6),
        ", ",
        last_of!(7),
        ", ",
        last_of!(8),
        ", ",
        last_of!(9),
        ", ",
        last_of!(10),
        ", ",
        last_of!(11),
        ", ",
        last_of!(12),
        ", ",
        last_of!(13),
        ", ",
        last_of!(14),
        ")"
    );
    let rows: Vec<SummaryRow> = on_pool!(store, pool => {
        let mut query = sqlx::query_as(SQL).bind(tenant_id.to_string());
        for operation in OperationType::ALL {
            query = query.bind(operation.builtin_id());
        }
        query.fetch_all(pool).await
    })?;
    let mut runs = readable(rows);
    runs.sort_by_key(|run| OperationType::ALL.iter().position(|o| *o == run.operation));
    Ok(runs)
}

/// The runs of the tenant that failed or partly succeeded since `since_ms`, newest first, at
/// most `limit`, read whole (their failed items' reason codes are wanted).
pub async fn recent_failures(
    store: &Store,
    tenant_id: Uuid,
    since_ms: i64,
    limit: u32,
) -> Result<Vec<RunRecord>, RunError> {
    const SQL: &str = concat!(
        run_columns!(),
        " WHERE r.tenant_id = $1 AND r.status = 'completed' \
          AND r.outcome IN ('failed', 'partially_succeeded') AND r.completed_at >= $2 \
          ORDER BY r.completed_at DESC LIMIT $3"
    );
    let rows: Vec<RunRow> = on_pool!(store, pool => {
        sqlx::query_as(SQL)
            .bind(tenant_id.to_string())
            .bind(since_ms)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            RunRecord::try_from(row)
                .map_err(
                    |err| tracing::error!(error = %err, "a stored run cannot be read; left out"),
                )
                .ok()
        })
        .collect())
}

/// How many runs of the tenant ended on each UTC day from `first_day` (days since 1970-01-01)
/// on, by outcome: `(day, outcome, runs)`, from the counts the transitions keep
/// (`run_outcomes_daily`), never from the runs themselves.
pub async fn ended_by_day(
    store: &Store,
    tenant_id: Uuid,
    first_day: i64,
) -> Result<Vec<(i64, RunOutcome, u64)>, RunError> {
    const SQL: &str = "SELECT day, outcome, CAST(SUM(runs) AS BIGINT) FROM run_outcomes_daily \
                       WHERE tenant_id = $1 AND day >= $2 GROUP BY day, outcome";
    let rows: Vec<(i64, String, i64)> = on_pool!(store, pool => {
        sqlx::query_as(SQL)
            .bind(tenant_id.to_string())
            .bind(first_day)
            .fetch_all(pool)
            .await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(day, outcome, runs)| {
            Some((day, RunOutcome::parse(&outcome)?, u64::try_from(runs).ok()?))
        })
        .collect())
}

/// How many of a schedule's runs its history shows.
pub const SCHEDULE_HISTORY: u32 = 10;

/// A backup schedule's latest runs (`ended_only`: those that ended), newest first, at most
/// `limit`: the runs of `backup_schedule_run` with its id, fired by the scheduler or started
/// by hand (*Run now*). Read through `operation_runs_schedule`.
pub async fn schedule_runs(
    store: &Store,
    tenant_id: Uuid,
    schedule_id: &str,
    ended_only: bool,
    limit: u32,
) -> Result<Vec<RunSummary>, RunError> {
    macro_rules! history_sql {
        ($schedule:expr) => {
            concat!(
                summary_columns!(),
                " WHERE r.tenant_id = $1 AND r.type = 'backup_schedule_run' AND ",
                $schedule,
                // By `created_at` alone: with `r.id` too, SQLite walks the tenant's every run.
                " = $2 AND ($3 = 0 OR r.status = 'completed') \
                  ORDER BY r.created_at DESC LIMIT $4"
            )
        };
    }
    let sql = store.dialect(
        history_sql!(crate::schedule_of_run!(sqlite)),
        history_sql!(crate::schedule_of_run!(postgres)),
    );
    let rows: Vec<SummaryRow> = on_pool!(store, pool => {
        sqlx::query_as(sql)
            .bind(tenant_id.to_string())
            .bind(schedule_id)
            .bind(i64::from(ended_only))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
    })?;
    Ok(readable(rows))
}

/// When a backup schedule's last successful run ended (Unix ms), if one did.
pub async fn schedule_last_success(
    store: &Store,
    tenant_id: Uuid,
    schedule_id: &str,
) -> Result<Option<i64>, RunError> {
    macro_rules! success_sql {
        ($schedule:expr) => {
            concat!(
                "SELECT MAX(r.completed_at) FROM operation_runs r \
                 WHERE r.tenant_id = $1 AND r.type = 'backup_schedule_run' AND ",
                $schedule,
                " = $2 AND r.outcome = 'succeeded'"
            )
        };
    }
    let sql = store.dialect(
        success_sql!(crate::schedule_of_run!(sqlite)),
        success_sql!(crate::schedule_of_run!(postgres)),
    );
    let at: Option<i64> = on_pool!(store, pool => {
        sqlx::query_scalar(sql)
            .bind(tenant_id.to_string())
            .bind(schedule_id)
            .fetch_one(pool)
            .await
    })?;
    Ok(at)
}
