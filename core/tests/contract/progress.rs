// R7: determinate only with total > 0 and processed; percent clamped; elapsed otherwise.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::time::Duration;

use opsux_core::progress::format_elapsed;
use opsux_core::wire::RunSummary;
use opsux_core::{OperationType, Progress, RunOutcome, RunStatus, SummaryCounts, SummaryKey};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::{contoso, run_id};

const CREATED: OffsetDateTime = datetime!(2026-11-27 10:00:00 UTC);
const STARTED: OffsetDateTime = datetime!(2026-11-27 10:00:30 UTC);

type Counts = &'static [(SummaryKey, u64)];

fn run(status: RunStatus, counts: &[(SummaryKey, u64)], started: bool) -> RunSummary {
    let mut summary_counts = SummaryCounts::new();
    for (k, v) in counts {
        summary_counts.set(*k, *v).expect("counts in range");
    }
    RunSummary {
        id: run_id(),
        label: "Inventory sync".to_owned(),
        tenant: contoso(),
        operation: OperationType::InventorySync,
        status,
        outcome: (status == RunStatus::Completed).then_some(RunOutcome::Succeeded),
        initiator: None,
        created_at: CREATED,
        started_at: started.then_some(STARTED),
        completed_at: None,
        summary_counts,
        cancel_requested: false,
        attempt: 1,
        version: 1,
        reason_code: None,
        message: None,
        view_run_url: String::new(),
    }
}

#[test]
fn determinate_when_total_and_processed_are_reported() {
    use SummaryKey::{Processed, Total};
    let now = datetime!(2026-11-27 10:05:00 UTC);
    let cases: &[(Counts, u8, &str)] = &[
        (&[(Total, 40), (Processed, 10)], 25, "10/40"),
        (&[(Total, 3), (Processed, 2)], 66, "2/3"),
        (&[(Total, 40), (Processed, 0)], 0, "0/40"),
        (&[(Total, 40), (Processed, 40)], 100, "40/40"),
        // A handler that over-reports is clamped, not shown beyond the bar.
        (&[(Total, 40), (Processed, 90)], 100, "90/40"),
        (
            &[
                (Total, SummaryCounts::MAX_COUNT),
                (Processed, SummaryCounts::MAX_COUNT),
            ],
            100,
            "9007199254740991/9007199254740991",
        ),
    ];
    for (counts, percent, label) in cases {
        let progress = Progress::of(&run(RunStatus::Running, counts, true), now).unwrap();
        match progress {
            Progress::Determinate { percent: p, .. } => assert_eq!(p, *percent, "{counts:?}"),
            Progress::Indeterminate { .. } => panic!("{counts:?}: expected determinate"),
        }
        assert_eq!(progress.label(), *label);
        assert!(!progress.label().contains('%'), "no percentage text (R7)");
    }
}

#[test]
fn indeterminate_without_a_usable_total() {
    use SummaryKey::{Processed, Succeeded, Total};
    let now = datetime!(2026-11-27 10:02:35 UTC);
    let cases: &[(RunStatus, Counts, bool, u64, &str)] = &[
        (RunStatus::Running, &[], true, 125, "Running · 2m 05s"),
        (
            RunStatus::Running,
            &[(Total, 0), (Processed, 0)],
            true,
            125,
            "Running · 2m 05s",
        ),
        (
            RunStatus::Running,
            &[(Total, 10)],
            true,
            125,
            "Running · 2m 05s",
        ),
        (
            RunStatus::Running,
            &[(Processed, 4), (Succeeded, 4)],
            true,
            125,
            "Running · 2m 05s",
        ),
        // Running without a recorded start counts from creation.
        (RunStatus::Running, &[], false, 155, "Running · 2m 35s"),
        (RunStatus::Queued, &[], false, 155, "Queued · 2m 35s"),
    ];
    for (status, counts, started, secs, label) in cases {
        let progress = Progress::of(&run(*status, counts, *started), now).unwrap();
        assert_eq!(
            progress,
            Progress::Indeterminate {
                phase: *status,
                elapsed: Duration::from_secs(*secs)
            },
            "{status} {counts:?}"
        );
        assert_eq!(progress.label(), *label);
    }
}

#[test]
fn completed_runs_have_no_progress() {
    let counts = [(SummaryKey::Total, 4), (SummaryKey::Processed, 4)];
    let now = datetime!(2026-11-27 11:00:00 UTC);
    assert_eq!(
        Progress::of(&run(RunStatus::Completed, &counts, true), now),
        None
    );
}

#[test]
fn clock_skew_never_yields_negative_time() {
    let before_creation = datetime!(2026-11-27 09:59:00 UTC);
    let progress = Progress::of(&run(RunStatus::Queued, &[], false), before_creation).unwrap();
    assert_eq!(progress.label(), "Queued · 0s");
}

#[test]
fn elapsed_formatting() {
    let cases = [
        (0, "0s"),
        (4, "4s"),
        (59, "59s"),
        (60, "1m 00s"),
        (125, "2m 05s"),
        (3599, "59m 59s"),
        (3600, "1h 00m"),
        (3780, "1h 03m"),
        (90_000, "25h 00m"),
    ];
    for (secs, text) in cases {
        assert_eq!(format_elapsed(Duration::from_secs(secs)), text);
    }
}
