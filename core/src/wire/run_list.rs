use serde::{Deserialize, Serialize};

use crate::wire::RunSummary;

/// `GET /api/t/{tenant}/operations`: newest first. Pass `next_cursor` back as `cursor` for the
/// next page; it is absent on the last page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunList {
    pub items: Vec<RunSummary>,
    pub next_cursor: Option<String>,
}

/// `GET /api/t/{tenant}/operations/active`: every queued or running run, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActiveRuns {
    pub items: Vec<RunSummary>,
}
