//! The one catalog of status-like badges (R14). Any surface that shows a status or an outcome
//! asks here for its label and tone; adding a value means adding it here, with a test.

use serde::{Deserialize, Serialize};

use crate::run::{RunOutcome, RunStatus};

/// The colour family of a badge; the stylesheet maps each to colours (`.tone-…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Neutral,
    Info,
    Success,
    Warning,
    Danger,
}

impl Tone {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Neutral => "neutral",
            Self::Info => "info",
            Self::Success => "success",
            Self::Warning => "warning",
            Self::Danger => "danger",
        }
    }

    /// The stylesheet class for this tone.
    pub const fn css_class(self) -> &'static str {
        match self {
            Self::Neutral => "tone-neutral",
            Self::Info => "tone-info",
            Self::Success => "tone-success",
            Self::Warning => "tone-warning",
            Self::Danger => "tone-danger",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Badge {
    pub label: &'static str,
    pub tone: Tone,
}

pub const fn status_badge(status: RunStatus) -> Badge {
    match status {
        RunStatus::Queued => Badge {
            label: "Queued",
            tone: Tone::Neutral,
        },
        RunStatus::Running => Badge {
            label: "Running",
            tone: Tone::Info,
        },
        RunStatus::Completed => Badge {
            label: "Completed",
            tone: Tone::Neutral,
        },
    }
}

pub const fn outcome_badge(outcome: RunOutcome) -> Badge {
    match outcome {
        RunOutcome::Succeeded => Badge {
            label: "Succeeded",
            tone: Tone::Success,
        },
        RunOutcome::PartiallySucceeded => Badge {
            label: "Partially succeeded",
            tone: Tone::Warning,
        },
        RunOutcome::Failed => Badge {
            label: "Failed",
            tone: Tone::Danger,
        },
        RunOutcome::Cancelled => Badge {
            label: "Cancelled",
            tone: Tone::Neutral,
        },
    }
}

/// The single badge that sums up a run in lists: its outcome once completed, else its status.
pub const fn run_badge(status: RunStatus, outcome: Option<RunOutcome>) -> Badge {
    match (status, outcome) {
        (RunStatus::Completed, Some(outcome)) => outcome_badge(outcome),
        _ => status_badge(status),
    }
}

/// A policy left out of backups until it is unignored.
pub const IGNORED_POLICY: Badge = Badge {
    label: "Ignored",
    tone: Tone::Neutral,
};

/// A restore run put away; `restore_run_unarchive` brings it back, `restore_run_force_delete`
/// deletes it for good.
pub const ARCHIVED_RECORD: Badge = Badge {
    label: "Archived",
    tone: Tone::Neutral,
};

/// A backup schedule that does not fire.
pub const DISABLED_SCHEDULE: Badge = Badge {
    label: "Disabled",
    tone: Tone::Warning,
};

/// A webhook delivery: waiting for an attempt, answered with a 2xx, or given up on.
pub const fn delivery_badge(state: crate::wire::DeliveryState) -> Badge {
    use crate::wire::DeliveryState;
    match state {
        DeliveryState::Pending => Badge {
            label: "Pending",
            tone: Tone::Neutral,
        },
        DeliveryState::Delivered => Badge {
            label: "Delivered",
            tone: Tone::Success,
        },
        DeliveryState::Failed => Badge {
            label: "Failed",
            tone: Tone::Danger,
        },
    }
}

/// A webhook endpoint whose every attempt has failed lately; paused after a day of it.
pub const FAILING_WEBHOOK: Badge = Badge {
    label: "Failing",
    tone: Tone::Warning,
};

/// A webhook endpoint paused after a day of failures: nothing is sent until it is resumed.
pub const PAUSED_WEBHOOK: Badge = Badge {
    label: "Paused",
    tone: Tone::Danger,
};
