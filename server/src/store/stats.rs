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

impl Store {
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
