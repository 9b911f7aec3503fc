//! The audit log (R19): security-relevant actions, who took them, and what changed.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::wire::UserRef;

/// One audited action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntryDto {
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The person who acted; `None` for the console or the system.
    pub actor: Option<UserRef>,
    /// Who acted, as shown: the person's name, `cli (OS user)` or `system`.
    pub actor_label: String,
    /// What was done, e.g. `restore_run.force_delete`.
    pub action: String,
    /// The record before, as JSON; `None` when it did not exist.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    /// The record after; `None` when it is gone.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
    /// The run that made the change (a retention, a restore…); it may have been pruned since.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub run_id: Option<crate::RunId>,
}

/// `GET /api/t/{tenant}/audit-log`: newest first, paged with `next_cursor`; for owners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditLog {
    pub items: Vec<AuditEntryDto>,
    pub next_cursor: Option<String>,
}
