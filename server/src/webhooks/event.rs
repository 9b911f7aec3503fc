//! What a webhook says: the `run.ended` event (and the `webhook.test` one the page sends),
//! built from the ended run when it is sent. A terminal run no longer changes, so every
//! attempt of one delivery sends the same event under the same `webhook-id` — the same bytes
//! unless the tenant was renamed or the initiator's address changed in between.

use opsux_core::{FailureSummary, ReasonCode, RunOutcome, RunStatus, SummaryCounts, presenter};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::runs::RunRecord;

/// `run.ended`: a run became terminal.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunEndedEvent {
    /// Always `run.ended`.
    #[serde(rename = "type")]
    #[schema(example = "run.ended")]
    pub kind: &'static str,
    /// When the run ended.
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
    pub data: RunEndedData,
}

/// The ended run.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunEndedData {
    /// The run's id.
    pub id: String,
    /// The tenant's slug.
    pub tenant: String,
    /// The operation type's key: a built-in one (`backup_schedule_run`) or a registered one
    /// (`acme.invoice_export`).
    #[serde(rename = "type")]
    pub operation: String,
    /// What the panel calls it.
    pub label: String,
    /// Always `completed`.
    pub status: RunStatus,
    pub outcome: RunOutcome,
    /// The run's counts (`total`, `processed`, `succeeded`, `failed`, …).
    pub summary_counts: SummaryCounts,
    /// Why it did not succeed, when it did not: a stable reason code.
    pub reason_code: Option<ReasonCode>,
    /// That reason in a sentence, sanitized (no secrets, no personal data).
    pub message: Option<String>,
    /// The recorded failures, at most ten, each a reason code with its sanitized message.
    pub failures: Vec<Failure>,
    /// Failures beyond those listed.
    pub failures_omitted: u64,
    pub initiator: WebhookInitiator,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub ended_at: OffsetDateTime,
    /// The run's page: absolute when the server knows its public origin (`--public-origin`),
    /// else the path.
    pub url: String,
}

/// One recorded failure.
#[derive(Debug, Serialize, ToSchema)]
pub struct Failure {
    pub reason_code: ReasonCode,
    pub message: String,
}

/// Who started the run.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WebhookInitiator {
    /// A person, by the email they sign in with (absent if their account is gone).
    Person { email: Option<String> },
    /// A schedule, the system or another service without a person.
    System,
}

/// `webhook.test`: sent by *Send test event*, to check that the endpoint receives and
/// verifies.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestEvent {
    /// Always `webhook.test`.
    #[serde(rename = "type")]
    #[schema(example = "webhook.test")]
    pub kind: &'static str,
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
    pub data: TestData,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestData {
    pub tenant: String,
    /// The endpoint's name.
    pub endpoint: String,
}

/// The `run.ended` body of `run`, its link made absolute with `public_origin` when known;
/// `None` if the run has not ended.
pub fn run_ended(
    run: &RunRecord,
    initiator_email: Option<String>,
    public_origin: Option<&str>,
) -> Option<RunEndedEvent> {
    let summary = run.summary();
    let outcome = summary.outcome?;
    let ended_at = summary.completed_at?;
    let path = presenter::view_run_url(&summary.tenant, summary.id);
    let failures: &FailureSummary = run.failure_summary();
    Some(RunEndedEvent {
        kind: "run.ended",
        timestamp: ended_at,
        data: RunEndedData {
            id: summary.id.to_string(),
            tenant: summary.tenant.to_string(),
            operation: summary.operation.as_str().to_owned(),
            label: summary.label.clone(),
            status: summary.status,
            outcome,
            summary_counts: summary.summary_counts.clone(),
            reason_code: summary.reason_code,
            message: summary.message.clone(),
            failures: failures
                .entries()
                .iter()
                .map(|f| Failure {
                    reason_code: f.reason_code,
                    message: f.message.clone(),
                })
                .collect(),
            failures_omitted: failures.omitted(),
            initiator: match summary.initiator {
                Some(_) => WebhookInitiator::Person {
                    email: initiator_email,
                },
                None => WebhookInitiator::System,
            },
            created_at: summary.created_at,
            started_at: summary.started_at,
            ended_at,
            url: match public_origin {
                Some(origin) => format!("{}{path}", origin.trim_end_matches('/')),
                None => path,
            },
        },
    })
}

/// The `webhook.test` body for the endpoint `endpoint` of `tenant`.
pub fn test(tenant: &str, endpoint: &str, at: OffsetDateTime) -> TestEvent {
    TestEvent {
        kind: "webhook.test",
        timestamp: at,
        data: TestData {
            tenant: tenant.to_owned(),
            endpoint: endpoint.to_owned(),
        },
    }
}
