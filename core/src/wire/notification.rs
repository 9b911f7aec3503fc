use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::ids::{RunId, TenantSlug};
use crate::presenter::Link;
use crate::run::RunOutcome;

/// The only kind of operation notification there is (R3): a run reached its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    RunCompleted,
}

/// One entry of a person's notification centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationDto {
    pub id: Uuid,
    pub kind: NotificationKind,
    pub tenant: TenantSlug,
    pub run_id: RunId,
    pub outcome: RunOutcome,
    pub title: String,
    pub body: String,
    pub action: Link,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
}

/// `GET /api/me/notifications`: newest first, with the unread count for the bell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationList {
    pub unread: u64,
    pub items: Vec<NotificationDto>,
}
