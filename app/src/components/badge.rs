use leptos::prelude::*;
use opsux_core::badge::run_badge;
use opsux_core::{RunOutcome, RunStatus, Tone};

/// A status-like badge. Label and tone come from the contract's catalog (R14); this only draws
/// them. The label is always there: status is never colour alone.
#[component]
pub fn Badge(#[prop(into)] label: String, tone: Tone) -> impl IntoView {
    view! {
        <span class=format!("badge {}", tone.css_class()) data-tone=tone.as_str() data-test="badge">
            {label}
        </span>
    }
}

/// A run's one badge: its outcome once completed, else its status.
#[component]
pub fn RunBadge(status: RunStatus, outcome: Option<RunOutcome>) -> impl IntoView {
    let badge = run_badge(status, outcome);
    let live = status.is_active().then_some("badge-live");
    view! {
        <span class=format!("badge {} {}", badge.tone.css_class(), live.unwrap_or_default())
            data-tone=badge.tone.as_str() data-test="run-badge" data-status=status.as_str()>
            {badge.label}
        </span>
    }
}
