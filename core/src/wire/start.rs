use serde::{Deserialize, Serialize};

use crate::operation::OperationType;
use crate::presenter::Toast;
use crate::wire::RunSummary;

/// `POST /api/t/{tenant}/operations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StartRunRequest {
    #[serde(rename = "type")]
    pub operation: OperationType,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StartResult {
    /// A new run was created and queued.
    Queued,
    /// An identical run was already queued or running; this is that run (R4).
    AlreadyQueued,
}

/// The 202 answer to a start: the run, the toast to show and the link to follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartRunResponse {
    pub result: StartResult,
    pub run: RunSummary,
    pub toast: Toast,
    pub view_run_url: String,
}

/// `POST /api/v1/t/{tenant}/operations`: another service starts a run with the tenant's API
/// token, for a member (`initiator`) or, without one, as a system run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TokenStartRequest {
    #[serde(rename = "type")]
    pub operation: OperationType,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: serde_json::Map<String, serde_json::Value>,
    /// The member the run is started for: they get its terminal notification. Left out, the
    /// run is a system run and nobody is notified.
    #[serde(default)]
    pub initiator: Option<Initiator>,
}

/// The person a run is started for, by their e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Initiator {
    pub email: String,
}
