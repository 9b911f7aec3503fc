//! A tenant's webhook endpoints and their deliveries, as its Webhooks page shows them and its
//! owners change them. A secret appears only in the answer that made it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// How many recent deliveries each endpoint carries in the list.
pub const DELIVERIES_LISTED: usize = 10;

/// One endpoint: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDto {
    pub name: String,
    pub url: String,
    /// Only runs that failed or partially succeeded.
    pub only_failed: bool,
    /// Only runs nobody started by hand.
    pub only_system: bool,
    /// Only runs of these operation types; every type when absent.
    pub types: Option<Vec<String>>,
    /// Who added it; `None` for the command line.
    pub created_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Since when every attempt has failed, while they do.
    #[serde(with = "time::serde::rfc3339::option")]
    pub failing_since: Option<OffsetDateTime>,
    /// Paused after a day of failures: nothing is sent until an owner resumes it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub paused_at: Option<OffsetDateTime>,
    /// The latest deliveries, newest first.
    pub deliveries: Vec<WebhookDeliveryDto>,
}

/// One delivery of an event to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDeliveryDto {
    /// Its `webhook-id` (`msg_…`), the same on every attempt.
    pub id: String,
    /// `run.ended` or `webhook.test`.
    pub event: String,
    /// The run it tells of; `None` for a test event.
    pub run_id: Option<String>,
    /// Run Detail of that run, from the presenter.
    pub view_run_url: Option<String>,
    pub state: DeliveryState,
    pub attempts: u32,
    /// The last answer's HTTP status.
    pub last_status: Option<u16>,
    /// Why there was no answer, or why it was not sent (`destination_not_allowed: …`).
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_attempt_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    /// A 2xx answer came.
    Delivered,
    /// Every attempt failed, or it could not be sent.
    Failed,
}

impl DeliveryState {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "delivered" => Some(Self::Delivered),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// `GET /api/t/{tenant}/webhooks`: by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookList {
    pub items: Vec<WebhookDto>,
}

/// `POST /api/t/{tenant}/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    pub name: String,
    /// An https URL on the public internet (unless the server allows private destinations).
    pub url: String,
    #[serde(default)]
    pub only_failed: bool,
    #[serde(default)]
    pub only_system: bool,
    #[serde(default)]
    pub types: Option<Vec<String>>,
}

/// The answer that made an endpoint or rotated its secret: the one time the secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookSecretShown {
    pub webhook: WebhookDto,
    /// `whsec_…`: the receiver verifies signatures with it.
    pub secret: String,
}
