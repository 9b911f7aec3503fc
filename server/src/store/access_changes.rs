//! On SQLite, the changes of access that triggers left in `access_changes` (migration 0009):
//! how the server hears what another process (the console) changed.

use super::{Store, on_pool};

impl Store {
    /// The newest change's sequence number (0 when there is none).
    pub async fn last_access_change(&self) -> Result<i64, sqlx::Error> {
        const SQL: &str = "SELECT COALESCE(MAX(seq), 0) FROM access_changes";
        on_pool!(self, pool => sqlx::query_scalar(SQL).fetch_one(pool).await)
    }

    /// Changes after `seq`, oldest first: `(seq, user id)`.
    pub async fn access_changes_after(&self, seq: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
        const SQL: &str = "SELECT seq, user_id FROM access_changes WHERE seq > $1 \
                           ORDER BY seq LIMIT 1000";
        on_pool!(self, pool => sqlx::query_as(SQL).bind(seq).fetch_all(pool).await)
    }

    /// Forgets changes older than `before_ms`.
    pub async fn sweep_access_changes(&self, before_ms: i64) -> Result<u64, sqlx::Error> {
        const SQL: &str = "DELETE FROM access_changes WHERE at < $1";
        Ok(on_pool!(self, pool => {
            sqlx::query(SQL).bind(before_ms).execute(pool).await?.rows_affected()
        }))
    }
}
