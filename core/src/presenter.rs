//! The presenter: the only source of operation toast copy, notification copy and "View run"
//! links (R10, R12, R13). The server calls it to build API answers and notifications; the
//! browser renders what it returns. Nothing else writes this copy.

use serde::{Deserialize, Serialize};

use crate::ids::{RunId, TenantSlug};
use crate::operation::OperationType;
use crate::reason::ReasonCode;
use crate::run::RunOutcome;
use crate::summary::SummaryCounts;

/// How long the "queued" toast stays up.
pub const QUEUED_TOAST_MS: u32 = 5_000;
/// The "already queued" toast asks the reader to look at an existing run; it stays longer.
pub const ALREADY_QUEUED_TOAST_MS: u32 = 8_000;
/// The label of every action that opens Run Detail.
pub const VIEW_RUN_LABEL: &str = "View run";

/// A link with its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ToastKind {
    Queued,
    AlreadyQueued,
}

/// A toast reports intent only: a start was accepted or deduplicated. Never completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Toast {
    pub kind: ToastKind,
    pub title: String,
    pub body: String,
    pub duration_ms: u32,
    pub action: Link,
}

/// The copy of the one terminal notification of a run (R2, R12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationContent {
    pub title: String,
    pub body: String,
    pub action: Link,
}

/// Run Detail of one run: `/t/{tenant}/operations/{run}`. Every "View run" link comes from here.
pub fn view_run_url(tenant: &TenantSlug, run_id: RunId) -> String {
    format!("{}/{run_id}", operations_url(tenant))
}

/// The operations list of a tenant: `/t/{tenant}/operations`.
pub fn operations_url(tenant: &TenantSlug) -> String {
    format!("{}/operations", overview_url(tenant))
}

/// A tenant's overview, its start page: `/t/{tenant}`.
pub fn overview_url(tenant: &TenantSlug) -> String {
    format!("/t/{tenant}")
}

/// The policies of a tenant: `/t/{tenant}/policies`.
pub fn policies_url(tenant: &TenantSlug) -> String {
    format!("{}/policies", overview_url(tenant))
}

/// One policy, with its versions: `/t/{tenant}/policies/{id}`.
pub fn policy_url(tenant: &TenantSlug, policy_id: &str) -> String {
    format!("{}/{policy_id}", policies_url(tenant))
}

/// The directory groups of a tenant: `/t/{tenant}/groups`.
pub fn groups_url(tenant: &TenantSlug) -> String {
    format!("{}/groups", overview_url(tenant))
}

/// A tenant's backup schedules and sets: `/t/{tenant}/backups`.
pub fn backups_url(tenant: &TenantSlug) -> String {
    format!("{}/backups", overview_url(tenant))
}

/// One backup set, with its items: `/t/{tenant}/backup-sets/{id}`.
pub fn backup_set_url(tenant: &TenantSlug, set_id: &str) -> String {
    format!("{}/backup-sets/{set_id}", overview_url(tenant))
}

/// A tenant's restore runs: `/t/{tenant}/restore-runs`.
pub fn restore_runs_url(tenant: &TenantSlug) -> String {
    format!("{}/restore-runs", overview_url(tenant))
}

/// A tenant's audit log: `/t/{tenant}/audit-log`.
pub fn audit_log_url(tenant: &TenantSlug) -> String {
    format!("{}/audit-log", overview_url(tenant))
}

/// A tenant's members and invitations: `/t/{tenant}/members`.
pub fn members_url(tenant: &TenantSlug) -> String {
    format!("{}/members", overview_url(tenant))
}

/// The webhooks a tenant's ended runs are sent to: `/t/{tenant}/webhooks`.
pub fn webhooks_url(tenant: &TenantSlug) -> String {
    format!("{}/webhooks", overview_url(tenant))
}

/// Where to go after signing in, from a `next` parameter: a path of the panel. Anything that
/// could lead off the site (`//host`, a backslash, which browsers read as a slash, control
/// characters or spaces, which they drop), into the API, or back to sign-in is refused.
pub fn safe_next(next: &str) -> Option<String> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/api/")
        && !next.starts_with("/login")
        && !next
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    ok.then(|| next.to_owned())
}

/// A page of a tenant in the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantPage {
    Overview,
    Operations,
    Run(RunId),
    Policies,
    /// A policy, by the id the API gives it.
    Policy(String),
    Groups,
    Backups,
    /// A backup set, by the id the API gives it.
    BackupSet(String),
    RestoreRuns,
    AuditLog,
    Members,
    Webhooks,
}

/// An id as the API hands out for domain records: 1–64 letters, digits, `-` or `_`.
fn is_record_id(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Where a dashboard path leads, when it is a tenant's page: the inverse of
/// [`overview_url`], [`operations_url`], [`view_run_url`], [`policies_url`], [`policy_url`],
/// [`groups_url`], [`backups_url`], [`backup_set_url`], [`restore_runs_url`],
/// [`audit_log_url`], [`members_url`] and [`webhooks_url`], so the app's routes and the links
/// it follows come from one place (R13). `None` for any other path, or for a tenant or run id
/// that cannot be one; `/t/{tenant}/operations/not-a-uuid` is `None`, not the list.
pub fn tenant_page(path: &str) -> Option<(TenantSlug, TenantPage)> {
    let rest = path.strip_prefix("/t/")?;
    let mut parts = rest.trim_end_matches('/').split('/');
    let tenant = TenantSlug::parse(parts.next()?).ok()?;
    let page = match (parts.next(), parts.next(), parts.next()) {
        (None, _, _) => TenantPage::Overview,
        (Some("operations"), None, _) => TenantPage::Operations,
        (Some("operations"), Some(id), None) => TenantPage::Run(id.parse().ok()?),
        (Some("policies"), None, _) => TenantPage::Policies,
        (Some("policies"), Some(id), None) if is_record_id(id) => TenantPage::Policy(id.to_owned()),
        (Some("groups"), None, _) => TenantPage::Groups,
        (Some("backups"), None, _) => TenantPage::Backups,
        (Some("backup-sets"), Some(id), None) if is_record_id(id) => {
            TenantPage::BackupSet(id.to_owned())
        }
        (Some("restore-runs"), None, _) => TenantPage::RestoreRuns,
        (Some("audit-log"), None, _) => TenantPage::AuditLog,
        (Some("members"), None, _) => TenantPage::Members,
        (Some("webhooks"), None, _) => TenantPage::Webhooks,
        _ => return None,
    };
    Some((tenant, page))
}

fn view_run_link(tenant: &TenantSlug, run_id: RunId) -> Link {
    Link {
        label: VIEW_RUN_LABEL.to_owned(),
        url: view_run_url(tenant, run_id),
    }
}

/// An active-run cap a person's start met (see the server's start quotas).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActiveRunCap {
    /// The tenant has this many queued or running runs.
    Tenant(u32),
    /// The person has this many.
    Person(u32),
    /// The tenant has this many scheduled (system) runs queued or running: their share of
    /// the tenant's cap, kept so schedules never lock people out.
    Scheduled(u32),
}

/// Why a start was refused at an active-run cap: which cap, how large, what to do.
pub fn active_run_cap_message(cap: ActiveRunCap, tenant: &TenantSlug) -> String {
    let operations = |n: u32| match n {
        1 => "1 queued or running operation".to_owned(),
        n => format!("{n} queued or running operations"),
    };
    match cap {
        ActiveRunCap::Tenant(n) => format!(
            "{tenant} already has {}, the most allowed per tenant; start this one when some \
             have ended",
            operations(n)
        ),
        ActiveRunCap::Person(n) => format!(
            "you already have {}, the most allowed per person; start this one when some have \
             ended",
            operations(n)
        ),
        ActiveRunCap::Scheduled(n) => format!(
            "{tenant} already has {} started by the scheduler, the share of the \
             tenant's operations schedules may hold",
            operations(n)
        ),
    }
}

/// What a run of `operation` is called: a built-in operation's name, else the label its type
/// was registered with, else (a registered type whose label is lost) its key.
pub fn run_label(operation: OperationType, registered: Option<&str>) -> String {
    operation
        .label()
        .or(registered)
        .unwrap_or(operation.as_str())
        .to_owned()
}

/// The toast for a start that created a new run; `label` as [`run_label`] gives it.
pub fn queued_toast(label: &str, tenant: &TenantSlug, run_id: RunId) -> Toast {
    Toast {
        kind: ToastKind::Queued,
        title: format!("{label} queued"),
        body: "Follow its progress in Active operations; you will be notified when it ends."
            .to_owned(),
        duration_ms: QUEUED_TOAST_MS,
        action: view_run_link(tenant, run_id),
    }
}

/// The toast for a start that found an identical run already queued or running (R4).
pub fn already_queued_toast(label: &str, tenant: &TenantSlug, run_id: RunId) -> Toast {
    Toast {
        kind: ToastKind::AlreadyQueued,
        title: format!("{label} already queued"),
        body: "An identical operation is already queued or running; no second one was started."
            .to_owned(),
        duration_ms: ALREADY_QUEUED_TOAST_MS,
        action: view_run_link(tenant, run_id),
    }
}

/// The title says the outcome; the body gives the counts (and the reason of a failure).
pub fn run_completed_notification(
    label: &str,
    outcome: RunOutcome,
    counts: &SummaryCounts,
    reason: Option<ReasonCode>,
    tenant: &TenantSlug,
    run_id: RunId,
) -> NotificationContent {
    let title = match outcome {
        RunOutcome::Succeeded => format!("{label} completed"),
        RunOutcome::PartiallySucceeded => format!("{label} completed with failures"),
        RunOutcome::Failed => format!("{label} failed"),
        RunOutcome::Cancelled => format!("{label} cancelled"),
    };
    let mut body = counts_sentence(counts);
    if let (RunOutcome::Failed | RunOutcome::PartiallySucceeded, Some(reason)) = (outcome, reason) {
        body.push(' ');
        body.push_str(reason.label());
        body.push('.');
    }
    NotificationContent {
        title,
        body,
        action: view_run_link(tenant, run_id),
    }
}

/// `40 total, 38 succeeded, 2 failed.` in [`crate::SummaryKey::ALL`] order.
pub fn counts_sentence(counts: &SummaryCounts) -> String {
    if counts.is_empty() {
        return "No items were reported.".to_owned();
    }
    let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    format!("{}.", parts.join(", "))
}
