//! Counts for `/metrics` and for tests that check what was stored.

use opsux_core::RunId;

use super::{Store, on_pool};

/// How many runs are in one `(type, status)` pair.
#[derive(Debug, sqlx::FromRow)]
pub struct RunCount {
    pub op_type: String,
    pub status: String,
    pub count: i64,
}

/// How a backup schedule's runs last ended, for `/metrics`.
#[derive(Debug, sqlx::FromRow)]
pub struct ScheduleHealth {
    pub tenant: String,
    pub schedule: String,
    /// Names may repeat within a tenant; the id never does.
    pub schedule_id: String,
    pub enabled: bool,
    /// The last ended run's outcome; `None` before the first ends.
    pub last_outcome: Option<String>,
    /// When the last successful run ended (Unix ms).
    pub last_success_at: Option<i64>,
}

/// The schedule id in a scheduled run's parameters, as `operation_runs_schedule` indexes it:
/// only this exact expression uses the index.
#[macro_export]
#[doc(hidden)]
macro_rules! schedule_of_run {
    (sqlite) => {
        "(r.context ->> '$.params.schedule_id')"
    };
    (postgres) => {
        "((CAST(r.context AS JSONB) -> 'params' ->> 'schedule_id'))"
    };
}

macro_rules! schedule_health_sql {
    ($schedule:expr) => {
        concat!(
            "SELECT t.slug AS tenant, s.name AS schedule, s.id AS schedule_id, s.enabled, \
                    (SELECT r.outcome FROM operation_runs r \
                     WHERE r.tenant_id = s.tenant_id AND r.type = 'backup_schedule_run' \
                       AND ",
            $schedule,
            " = s.id AND r.status = 'completed' \
                     ORDER BY r.created_at DESC LIMIT 1) AS last_outcome, \
                    (SELECT MAX(r.completed_at) FROM operation_runs r \
                     WHERE r.tenant_id = s.tenant_id AND r.type = 'backup_schedule_run' \
                       AND ",
            $schedule,
            " = s.id AND r.outcome = 'succeeded') AS last_success_at \
             FROM backup_schedules s JOIN tenants t ON t.id = s.tenant_id \
             ORDER BY t.slug, s.name"
        )
    };
}

impl Store {
    /// Every backup schedule's last outcome and last success, of every tenant.
    pub async fn schedule_health(&self) -> Result<Vec<ScheduleHealth>, sqlx::Error> {
        let sql = self.dialect(
            schedule_health_sql!(schedule_of_run!(sqlite)),
            schedule_health_sql!(schedule_of_run!(postgres)),
        );
        on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await)
    }

    /// Webhook deliveries waiting to be sent, of every tenant.
    pub async fn webhook_pending_count(&self) -> Result<i64, sqlx::Error> {
        const SQL: &str = "SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'";
        on_pool!(self, pool => sqlx::query_scalar(SQL).fetch_one(pool).await)
    }

    pub async fn runs_by_type_and_status(&self) -> Result<Vec<RunCount>, sqlx::Error> {
        const SQL: &str = "SELECT type AS op_type, status, COUNT(*) AS count \
                           FROM operation_runs GROUP BY type, status ORDER BY type, status";
        on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await)
    }

    /// All runs, of any tenant and status.
    pub async fn run_count(&self) -> Result<i64, sqlx::Error> {
        const SQL: &str = "SELECT COUNT(*) FROM operation_runs";
        on_pool!(self, pool => sqlx::query_scalar(SQL).fetch_one(pool).await)
    }

    /// All notifications, of anyone.
    pub async fn notification_count(&self) -> Result<i64, sqlx::Error> {
        const SQL: &str = "SELECT COUNT(*) FROM notifications";
        on_pool!(self, pool => sqlx::query_scalar(SQL).fetch_one(pool).await)
    }

    /// The notifications written for one run: never more than one (R2).
    pub async fn notifications_for_run(&self, run: RunId) -> Result<i64, sqlx::Error> {
        const SQL: &str = "SELECT COUNT(*) FROM notifications WHERE run_id = $1";
        on_pool!(self, pool => {
            sqlx::query_scalar(SQL).bind(run.to_string()).fetch_one(pool).await
        })
    }
}
