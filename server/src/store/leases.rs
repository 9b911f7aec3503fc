//! Named leases: one holder per name at a time, across every process on the database — how
//! the scheduler makes sure only one instance fires schedules (SPEC §5). A holder renews its
//! lease before it expires; when it stops (or dies), another takes the name after expiry.

use std::time::Duration;

use super::{Store, on_pool};

impl Store {
    /// Takes or renews the lease `name` for `holder` until `now_ms + ttl`; `false` while
    /// another holder's lease is unexpired. One statement, so two takers never both win.
    pub async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        now_ms: i64,
        ttl: Duration,
    ) -> Result<bool, sqlx::Error> {
        const SQL: &str = "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
                           ON CONFLICT (name) DO UPDATE \
                           SET holder = excluded.holder, expires_at = excluded.expires_at \
                           WHERE leases.holder = excluded.holder OR leases.expires_at <= $4 \
                           RETURNING holder";
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        let taken: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar(SQL)
                .bind(name)
                .bind(holder)
                .bind(now_ms.saturating_add(ttl_ms))
                .bind(now_ms)
                .fetch_optional(pool)
                .await
        })?;
        Ok(taken.is_some())
    }

    /// Gives the lease up early, if `holder` holds it, so another can take it at once.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<bool, sqlx::Error> {
        const SQL: &str = "DELETE FROM leases WHERE name = $1 AND holder = $2";
        let released = on_pool!(self, pool => {
            sqlx::query(SQL).bind(name).bind(holder).execute(pool).await?.rows_affected()
        });
        Ok(released == 1)
    }

    /// Gives back `slot` of job `name` (its run could not be started), so the next tick takes it
    /// again.
    pub async fn give_back_slot(&self, name: &str, slot: i64) -> Result<(), sqlx::Error> {
        const SQL: &str =
            "UPDATE scheduler_slots SET last_slot = $2 - 1 WHERE name = $1 AND last_slot = $2";
        on_pool!(self, pool => {
            sqlx::query(SQL).bind(name).bind(slot).execute(pool).await.map(|_| ())
        })
    }

    /// Takes `slot` for the scheduler's job `name` if no later or equal slot was taken:
    /// `true` for exactly one of any number of concurrent takers.
    pub async fn take_slot(&self, name: &str, slot: i64) -> Result<bool, sqlx::Error> {
        const SQL: &str = "INSERT INTO scheduler_slots (name, last_slot) VALUES ($1, $2) \
                           ON CONFLICT (name) DO UPDATE SET last_slot = excluded.last_slot \
                           WHERE scheduler_slots.last_slot < excluded.last_slot \
                           RETURNING name";
        let taken: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar(SQL).bind(name).bind(slot).fetch_optional(pool).await
        })?;
        Ok(taken.is_some())
    }
}
