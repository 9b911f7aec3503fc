//! Reading a person's notifications and marking them read. Creating them is the run service's
//! alone (R2, R3); nothing here inserts.

use opsux_core::presenter::{Link, VIEW_RUN_LABEL};
use opsux_core::wire::{NotificationDto, NotificationKind};
use opsux_core::{RunOutcome, TenantSlug, UserId};
use uuid::Uuid;

use crate::clock::from_ms;
use crate::db::Pool;

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

/// The newest notifications of `user` and how many are unread.
pub async fn list(pool: &Pool, user: UserId) -> Result<(u64, Vec<NotificationDto>), sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT n.id, t.slug AS tenant_slug, n.run_id, n.outcome, n.title, n.body, n.action_url, \
                n.created_at, n.read_at \
         FROM notifications n JOIN tenants t ON t.id = n.tenant_id \
         WHERE n.user_id = ? ORDER BY n.created_at DESC, n.id DESC LIMIT ?",
    )
    .bind(user.to_string())
    .bind(PAGE)
    .fetch_all(pool)
    .await?;
    let unread = unread_count(pool, user).await?;
    // A row the contract rejects is skipped rather than failing the whole centre.
    Ok((unread, rows.into_iter().filter_map(Row::into_dto).collect()))
}

pub async fn unread_count(pool: &Pool, user: UserId) -> Result<u64, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL",
    )
    .bind(user.to_string())
    .fetch_one(pool)
    .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Marks one of `user`'s notifications read; `false` if `user` has no such notification.
pub async fn mark_read(
    pool: &Pool,
    user: UserId,
    id: Uuid,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ? AND user_id = ?",
    )
    .bind(now_ms)
    .bind(id.to_string())
    .bind(user.to_string())
    .execute(pool)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn mark_all_read(pool: &Pool, user: UserId, now_ms: i64) -> Result<u64, sqlx::Error> {
    let result =
        sqlx::query("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL")
            .bind(now_ms)
            .bind(user.to_string())
            .execute(pool)
            .await?;
    Ok(result.rows_affected())
}
