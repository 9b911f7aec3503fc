//! `GET /api/catalog`: the vocabulary of the contract in one document, for the dashboard's
//! reference page and for integrators who render opsux data themselves.

use serde::{Deserialize, Serialize};

use crate::access::Capability;
use crate::badge::{Tone, outcome_badge, status_badge};
use crate::operation::OperationType;
use crate::reason::ReasonCode;
use crate::run::{RunOutcome, RunStatus};
use crate::summary::SummaryKey;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OperationTypeEntry {
    pub id: OperationType,
    pub label: String,
    pub bulk: bool,
    /// `None`: a system operation no person starts.
    pub start_capability: Option<Capability>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BadgeEntry {
    pub value: String,
    pub label: String,
    pub tone: Tone,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NamedEntry {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalog {
    pub operation_types: Vec<OperationTypeEntry>,
    pub statuses: Vec<BadgeEntry>,
    pub outcomes: Vec<BadgeEntry>,
    pub summary_keys: Vec<SummaryKey>,
    pub reason_codes: Vec<NamedEntry>,
}

impl Catalog {
    /// The catalog, built from the contract's own tables.
    pub fn current() -> Self {
        Self {
            operation_types: OperationType::ALL
                .into_iter()
                .map(|t| OperationTypeEntry {
                    id: t,
                    label: t.label().unwrap_or_default().to_owned(),
                    bulk: t.is_bulk(),
                    start_capability: t.start_capability(),
                })
                .collect(),
            statuses: RunStatus::ALL
                .into_iter()
                .map(|s| badge_entry(s.as_str(), status_badge(s)))
                .collect(),
            outcomes: RunOutcome::ALL
                .into_iter()
                .map(|o| badge_entry(o.as_str(), outcome_badge(o)))
                .collect(),
            summary_keys: SummaryKey::ALL.to_vec(),
            reason_codes: ReasonCode::ALL
                .into_iter()
                .map(|r| NamedEntry {
                    id: r.as_str().to_owned(),
                    label: r.label().to_owned(),
                })
                .collect(),
        }
    }
}

fn badge_entry(value: &str, badge: crate::badge::Badge) -> BadgeEntry {
    BadgeEntry {
        value: value.to_owned(),
        label: badge.label.to_owned(),
        tone: badge.tone,
    }
}
