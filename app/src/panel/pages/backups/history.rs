//! A schedule's history on its card: its latest runs (fired by the scheduler or started with
//! *Run now*) with their outcome, when and how long, each linking its Run Detail; and when it
//! last succeeded. Served with the schedule: no request of its own.

use leptos::prelude::*;
use opsux_core::wire::RunSummary;
use opsux_core::{RunOutcome, RunStatus};
use time::OffsetDateTime;

use crate::components::{Duration, RelativeTime, RunBadge};

/// The schedule's last ended run, when it failed or partly succeeded: what its card and the
/// overview mark.
pub(super) fn failed_last(runs: &[RunSummary]) -> Option<&RunSummary> {
    runs.iter()
        .find(|run| run.status == RunStatus::Completed)
        .filter(|run| {
            matches!(
                run.outcome,
                Some(RunOutcome::Failed | RunOutcome::PartiallySucceeded)
            )
        })
}

#[component]
pub(super) fn ScheduleHistory(
    runs: Vec<RunSummary>,
    last_success_at: Option<OffsetDateTime>,
    #[prop(into)] now: Signal<OffsetDateTime>,
) -> impl IntoView {
    let success = match last_success_at {
        Some(at) => view! { <RelativeTime at now /> }.into_any(),
        None => view! { <span class="muted">"Never"</span> }.into_any(),
    };
    view! {
        <div class="schedule-history" data-test="schedule-history">
            <p class="small"><span class="muted">"Last success: "</span><span data-test="last-success">{success}</span></p>
            {if runs.is_empty() {
                view! { <p class="muted small">"It has not run yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="history-list" aria-label="Latest runs">
                        {runs.into_iter().map(|run| view! {
                            <li data-test="schedule-run" data-outcome=run.outcome.map_or("", RunOutcome::as_str)>
                                <RunBadge status=run.status outcome=run.outcome />
                                // Named for what it opens, not by a time alone.
                                <a href=run.view_run_url.clone()><span class="visually-hidden">"Run started "</span><RelativeTime at=run.created_at now /></a>
                                <span class="muted small"><Duration created_at=run.created_at started_at=run.started_at completed_at=run.completed_at now /></span>
                                {run.initiator.as_ref().map(|who| view! { <span class="muted small">{format!("by {}", who.display_name)}</span> })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </div>
    }
}
