// R14: one catalog of status and outcome badges.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use opsux_core::badge::{outcome_badge, run_badge, status_badge};
use opsux_core::{RunOutcome, RunStatus, Tone};

#[test]
fn every_status_and_outcome_has_its_badge() {
    let statuses = RunStatus::ALL.map(|s| (status_badge(s).label, status_badge(s).tone));
    assert_eq!(
        statuses,
        [
            ("Queued", Tone::Neutral),
            ("Running", Tone::Info),
            ("Completed", Tone::Neutral),
        ]
    );
    let outcomes = RunOutcome::ALL.map(|o| (outcome_badge(o).label, outcome_badge(o).tone));
    assert_eq!(
        outcomes,
        [
            ("Succeeded", Tone::Success),
            ("Partially succeeded", Tone::Warning),
            ("Failed", Tone::Danger),
            ("Cancelled", Tone::Neutral),
        ]
    );
}

#[test]
fn a_run_shows_its_outcome_once_completed() {
    assert_eq!(run_badge(RunStatus::Running, None).label, "Running");
    assert_eq!(
        run_badge(RunStatus::Completed, Some(RunOutcome::Failed)).label,
        "Failed"
    );
}

#[test]
fn tones_map_to_stylesheet_classes() {
    for (tone, class) in [
        (Tone::Neutral, "tone-neutral"),
        (Tone::Info, "tone-info"),
        (Tone::Success, "tone-success"),
        (Tone::Warning, "tone-warning"),
        (Tone::Danger, "tone-danger"),
    ] {
        assert_eq!(tone.css_class(), class);
    }
}

#[test]
fn record_badges_have_labels_and_calm_tones() {
    use opsux_core::badge::{ARCHIVED_RECORD, DISABLED_SCHEDULE, IGNORED_POLICY};
    assert_eq!(
        (IGNORED_POLICY.label, IGNORED_POLICY.tone),
        ("Ignored", Tone::Neutral)
    );
    assert_eq!(
        (ARCHIVED_RECORD.label, ARCHIVED_RECORD.tone),
        ("Archived", Tone::Neutral)
    );
    assert_eq!(
        (DISABLED_SCHEDULE.label, DISABLED_SCHEDULE.tone),
        ("Disabled", Tone::Warning)
    );
}

#[test]
fn webhook_badges_say_where_a_delivery_or_an_endpoint_stands() {
    use opsux_core::badge::{FAILING_WEBHOOK, PAUSED_WEBHOOK, delivery_badge};
    use opsux_core::wire::DeliveryState;
    let seen: Vec<(&str, Tone)> = [
        DeliveryState::Pending,
        DeliveryState::Delivered,
        DeliveryState::Failed,
    ]
    .into_iter()
    .map(|state| {
        let badge = delivery_badge(state);
        (badge.label, badge.tone)
    })
    .collect();
    assert_eq!(
        seen,
        [
            ("Pending", Tone::Neutral),
            ("Delivered", Tone::Success),
            ("Failed", Tone::Danger)
        ]
    );
    assert_eq!(
        (FAILING_WEBHOOK.label, FAILING_WEBHOOK.tone),
        ("Failing", Tone::Warning)
    );
    assert_eq!(
        (PAUSED_WEBHOOK.label, PAUSED_WEBHOOK.tone),
        ("Paused", Tone::Danger)
    );
}
