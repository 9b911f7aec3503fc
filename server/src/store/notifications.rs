//! Reading a person's notifications and marking them read. Creating them is the run service's
//! alone (R2, R3); nothing here inserts.

use opsux_core::presenter::{Link, VIEW_RUN_LABEL};
use opsux_core::wire::{NotificationDto, NotificationKind};
use opsux_core::{RunOutcome, TenantSlug, UserId};
use uuid::Uuid;

use super::{Store, on_pool};
use crate::clock::from_ms;

/// How many notifications the centre shows.
pub const PAGE: i64 = 50;

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    tenant_slug: String,
    run_id: String,
    outcome: String,
    title: String,
    body: String,
    action_url: String,
    created_at: i64,
    read_at: Option<i64>,
}

impl Row {
    fn into_dto(self) -> Option<NotificationDto> {
        Some(NotificationDto {
            id: Uuid::parse_str(&self.id).ok()?,
            kind: NotificationKind::RunCompleted,
            tenant: TenantSlug::parse(&self.tenant_slug).ok()?,
            run_id: self.run_id.parse().ok()?,
            outcome: RunOutcome::parse(&self.outcome)?,
            title: self.title,
            body: self.body,
            action: Link {
                label: VIEW_RUN_LABEL.to_owned(),
                url: self.action_url,
            },
            created_at: from_ms(self.created_at),
            read_at: self.read_at.map(from_ms),
        })
    }
}

/// The condition a notification `n` is shown, counted and marked under: its user is still a
/// member of its tenant. Leaving a tenant ends hearing about it (R16).
macro_rules! still_member {
    () => {
        " AND EXISTS (SELECT 1 FROM memberships m \
                      WHERE m.user_id = n.user_id AND m.tenant_id = n.tenant_id)"
    };
}

impl Store {
    /// The newest notifications of `user` (about tenants they are still a member of) and how
    /// many are unread.
    pub async fn notifications(
        &self,
        user: UserId,
    ) -> Result<(u64, Vec<NotificationDto>), sqlx::Error> {
        const SQL: &str = concat!(
            "SELECT n.id, t.slug AS tenant_slug, n.run_id, n.outcome, n.title, \
                    n.body, n.action_url, n.created_at, n.read_at \
             FROM notifications n JOIN tenants t ON t.id = n.tenant_id \
             WHERE n.user_id = $1",
            still_member!(),
            " ORDER BY n.created_at DESC, n.id DESC LIMIT $2"
        );
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(user.to_string()).bind(PAGE).fetch_all(pool).await
        })?;
        let unread = self.unread_count(user).await?;
        // A row the contract rejects is skipped rather than failing the whole centre.
        Ok((unread, rows.into_iter().filter_map(Row::into_dto).collect()))
    }

    /// One notification by id, as its owner's centre shows it.
    pub async fn notification(&self, id: Uuid) -> Result<Option<NotificationDto>, sqlx::Error> {
        const SQL: &str = "SELECT n.id, t.slug AS tenant_slug, n.run_id, n.outcome, n.title, \
                                  n.body, n.action_url, n.created_at, n.read_at \
                           FROM notifications n JOIN tenants t ON t.id = n.tenant_id \
                           WHERE n.id = $1";
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(id.to_string()).fetch_optional(pool).await
        })?;
        Ok(row.and_then(Row::into_dto))
    }

    pub async fn unread_count(&self, user: UserId) -> Result<u64, sqlx::Error> {
        const SQL: &str = concat!(
            "SELECT COUNT(*) FROM notifications n WHERE n.user_id = $1 AND n.read_at IS NULL",
            still_member!()
        );
        let n: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(SQL).bind(user.to_string()).fetch_one(pool).await
        })?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Marks one of `user`'s notifications read; `false` if `user` has no such notification.
    pub async fn mark_read(
        &self,
        user: UserId,
        id: Uuid,
        now_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        const SQL: &str = concat!(
            "UPDATE notifications AS n SET read_at = COALESCE(n.read_at, $1) \
             WHERE n.id = $2 AND n.user_id = $3",
            still_member!()
        );
        let affected = on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(now_ms)
                .bind(id.to_string())
                .bind(user.to_string())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    pub async fn mark_all_read(&self, user: UserId, now_ms: i64) -> Result<u64, sqlx::Error> {
        const SQL: &str = concat!(
            "UPDATE notifications AS n SET read_at = $1 \
             WHERE n.user_id = $2 AND n.read_at IS NULL",
            still_member!()
        );
        Ok(on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(now_ms)
                .bind(user.to_string())
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}
