//! `/t/{tenant}`: the tenant's health at a glance — what runs now (from the live feed, without
//! progress: that is the widget's and Run Detail's, R11), how each operation type last ended,
//! the failures of the last 7 days with their reason codes, the next backups, and 30 days of
//! outcomes — plus the start surfaces that need no selection.

use leptos::prelude::*;
use opsux_core::badge::run_badge;
use opsux_core::presenter::{backups_url, operations_url};
use opsux_core::wire::{DayOutcomes, FAILURE_DAYS, OVERVIEW_DAYS, TenantOverview};
use opsux_core::{OperationParams, OperationType, RunOutcome, RunStatus};
use time::OffsetDateTime;

use crate::api::Api;
use crate::components::{RelativeTime, RunBadge};
use crate::live::{ActiveFeed, ticking_now};
use crate::panel::shell::TenantScope;
use crate::panel::start::StartButton;
use crate::panel::title::set_title;

#[derive(Debug, Clone)]
enum Loaded {
    Loading,
    Ready(TenantOverview),
    Failed(String),
}

#[component]
pub(crate) fn OverviewPage() -> impl IntoView {
    let TenantScope { access, feed } = TenantScope::expect();
    set_title(&access.name);
    let may_start = [OperationType::InventorySync, OperationType::EntraGroupSync]
        .into_iter()
        .any(|op| {
            op.start_capability()
                .is_some_and(|c| access.capabilities.contains(&c))
        });
    let loaded = RwSignal::new(Loaded::Loading);
    let load = {
        let tenant = access.slug.clone();
        move || {
            let tenant = tenant.clone();
            leptos::task::spawn_local(async move {
                let state = match Api::same_origin().overview(&tenant).await {
                    Ok(overview) => Loaded::Ready(overview),
                    Err(err) => Loaded::Failed(err.describe()),
                };
                loaded.try_set(state);
            });
        }
    };
    load();
    // Whatever ends changes the last runs, the failures and today's bar.
    feed.on_ended(&OperationType::ALL, load);
    let now = ticking_now();
    let operations = operations_url(&access.slug);
    let backups = backups_url(&access.slug);
    view! {
        <div class="page-head page-head-actions">
            <div>
                <h1>{access.name.clone()}</h1>
                <p class="muted">
                    "Start an operation; follow it in Active operations; you are notified when it ends."
                </p>
            </div>
            <div class="actions">
                <StartButton access=access.clone() params=OperationParams::InventorySync label="Sync inventory" primary=true />
                <StartButton access=access.clone() params=OperationParams::EntraGroupSync label="Sync groups" />
            </div>
        </div>
        {(!may_start).then(|| view! {
            <p class="notice" data-test="read-only-notice">
                {format!("Your role here is {}: you can follow operations but not start them.", access.role.as_str())}
            </p>
        })}
        <div class="overview-grid">
            <RunningNow feed />
            {move || match loaded.get() {
                Loaded::Loading => view! { <div class="page-loading" data-test="loading" aria-busy="true"></div> }.into_any(),
                Loaded::Failed(why) => view! { <p class="error" role="alert">{why}</p> }.into_any(),
                Loaded::Ready(overview) => view! {
                    <LastRuns overview=overview.clone() now />
                    <Failures overview=overview.clone() now />
                    <NextBackups overview=overview.clone() now backups=backups.clone() />
                    <OutcomeChart days=overview.days />
                }.into_any(),
            }}
        </div>
        <p class="page-foot"><a href=operations>"See all operations →"</a></p>
    }
}

/// The tenant's queued and running runs, by name and status; their progress is in the widget.
#[component]
fn RunningNow(feed: ActiveFeed) -> impl IntoView {
    let runs = Memo::new(move |_| feed.runs.with(|set| set.runs()));
    view! {
        <section class="card" aria-labelledby="overview-running" data-test="overview-running">
            <h2 id="overview-running">"Running now"</h2>
            {move || {
                let runs = runs.get();
                if runs.is_empty() {
                    view! { <p class="muted">"Nothing is running."</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list overview-list">
                            {runs.into_iter().map(|run| view! {
                                <li>
                                    <a href=run.view_run_url.clone()>{run.label.clone()}</a>
                                    <RunBadge status=run.status outcome=run.outcome />
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// "Inventory sync — Succeeded, 3 min ago", for each type that has ended.
#[component]
fn LastRuns(overview: TenantOverview, now: ReadSignal<OffsetDateTime>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="overview-last" data-test="overview-last-runs">
            <h2 id="overview-last">"Last runs"</h2>
            {if overview.last_runs.is_empty() {
                view! { <p class="muted">"No operation has ended yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list overview-list">
                        {overview.last_runs.into_iter().map(|run| {
                            let label = format!("Last {}", run.label.to_ascii_lowercase());
                            view! {
                                <li data-test="overview-last-run" data-type=run.operation.as_str().to_owned()>
                                    <a href=run.view_run_url.clone()>{label}</a>
                                    <RunBadge status=run.status outcome=run.outcome />
                                    {run.completed_at.map(|at| view! { <span class="muted"><RelativeTime at now /></span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// The failures of the last days, newest first, each with every reason code it ended with.
#[component]
fn Failures(overview: TenantOverview, now: ReadSignal<OffsetDateTime>) -> impl IntoView {
    let total = overview.failures_total;
    let listed = overview.recent_failures.len() as u64;
    let heading = format!("Failures, last {FAILURE_DAYS} days");
    view! {
        <section class="card" aria-labelledby="overview-failures" data-test="overview-failures">
            <h2 id="overview-failures">
                {heading}
                <span class="count-pill" data-test="overview-failures-total" aria-label=format!("{total} in all")>{total}</span>
            </h2>
            {if overview.recent_failures.is_empty() {
                view! { <p class="muted">"No run failed."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list overview-list">
                        {overview.recent_failures.into_iter().map(|failure| {
                            let run = failure.run;
                            let reasons = failure
                                .reason_codes
                                .iter()
                                .map(|code| code.label())
                                .collect::<Vec<_>>()
                                .join(", ");
                            view! {
                                <li data-test="overview-failure">
                                    <a href=run.view_run_url.clone()>{run.label.clone()}</a>
                                    <RunBadge status=run.status outcome=run.outcome />
                                    {run.completed_at.map(|at| view! { <span class="muted"><RelativeTime at now /></span> })}
                                    <span class="overview-reasons" data-test="overview-reasons">{reasons}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {(total > listed).then(|| view! {
                        <p class="muted">{format!("And {} more: see Operations.", total - listed)}</p>
                    })}
                }.into_any()
            }}
        </section>
    }
}

/// When the enabled backup schedules fire next.
#[component]
fn NextBackups(
    overview: TenantOverview,
    now: ReadSignal<OffsetDateTime>,
    backups: String,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="overview-backups" data-test="overview-next-backups">
            <h2 id="overview-backups">"Next backups"</h2>
            {if overview.next_backups.is_empty() {
                view! { <p class="muted">"No backup is scheduled."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list overview-list">
                        {overview.next_backups.into_iter().map(|next| {
                            // A schedule whose last run did not succeed is marked with that run.
                            let failed = next.last_run.filter(|run| matches!(
                                run.outcome,
                                Some(RunOutcome::Failed | RunOutcome::PartiallySucceeded)
                            ));
                            view! {
                                <li data-test="overview-next-backup">
                                    <span>{next.name}</span>
                                    {failed.map(|run| view! {
                                        <a href=run.view_run_url.clone() class="overview-last-failed" data-test="overview-backup-failed"
                                            aria-label=format!("Its last run: {}", run_badge(run.status, run.outcome).label)>
                                            <RunBadge status=run.status outcome=run.outcome />
                                        </a>
                                    })}
                                    <span class="muted"><RelativeTime at=next.at now /></span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <p class="page-foot"><a href=backups>"Backups →"</a></p>
        </section>
    }
}

/// Outcomes as the contract's badge catalog names and colours them, in stacking order.
const OUTCOMES: [RunOutcome; 4] = [
    RunOutcome::Succeeded,
    RunOutcome::PartiallySucceeded,
    RunOutcome::Failed,
    RunOutcome::Cancelled,
];

fn count_of(day: &DayOutcomes, outcome: RunOutcome) -> u64 {
    match outcome {
        RunOutcome::Succeeded => day.succeeded,
        RunOutcome::PartiallySucceeded => day.partially_succeeded,
        RunOutcome::Failed => day.failed,
        RunOutcome::Cancelled => day.cancelled,
    }
}

/// Height units of the chart's drawing (its `viewBox`); the bars are scaled to the busiest day.
const CHART_HEIGHT: u64 = 1000;
/// Width units per day: a bar and its gap.
const DAY_WIDTH: u64 = 10;

/// Runs ended per day for 30 days, stacked by outcome: an inline SVG with an accessible name
/// that says what it shows, and the same numbers as a table for anyone who cannot see it.
#[component]
fn OutcomeChart(days: Vec<DayOutcomes>) -> impl IntoView {
    let busiest = days
        .iter()
        .map(DayOutcomes::total)
        .max()
        .unwrap_or(0)
        .max(1);
    let total: u64 = days.iter().map(DayOutcomes::total).sum();
    let failed: u64 = days.iter().map(|d| d.failed + d.partially_succeeded).sum();
    let name = format!(
        "Runs ended per day, last {OVERVIEW_DAYS} days: {total} in all, {failed} failed or partly succeeded"
    );
    let width = DAY_WIDTH * days.len() as u64;
    let bars = days
        .iter()
        .enumerate()
        .map(|(index, day)| {
            let x = index as u64 * DAY_WIDTH + 1;
            let mut top = CHART_HEIGHT;
            let segments = OUTCOMES
                .into_iter()
                .filter(|outcome| count_of(day, *outcome) > 0)
                .map(|outcome| {
                    let height = (count_of(day, outcome) * CHART_HEIGHT / busiest).max(4);
                    top = top.saturating_sub(height);
                    let tone = run_badge(RunStatus::Completed, Some(outcome)).tone.as_str();
                    view! {
                        <rect x=x.to_string() y=top.to_string() width="8" height=height.to_string() data-tone=tone />
                    }
                })
                .collect_view();
            view! {
                <g>
                    <title>{describe(day)}</title>
                    {segments}
                </g>
            }
        })
        .collect_view();
    view! {
        <section class="card overview-chart" aria-labelledby="overview-chart" data-test="overview-chart">
            <h2 id="overview-chart">{format!("Last {OVERVIEW_DAYS} days")}</h2>
            <svg
                class="chart"
                role="img"
                aria-label=name
                viewBox=format!("0 0 {width} {CHART_HEIGHT}")
                preserveAspectRatio="none"
                data-test="overview-chart-svg"
            >
                {bars}
            </svg>
            <ul class="chart-legend">
                {OUTCOMES.into_iter().map(|outcome| {
                    let badge = run_badge(RunStatus::Completed, Some(outcome));
                    view! { <li><span class="chart-key" data-tone=badge.tone.as_str()></span>{badge.label}</li> }
                }).collect_view()}
            </ul>
            <details>
                <summary>"Show as a table"</summary>
                <table class="chart-table" data-test="overview-chart-table">
                    <thead>
                        <tr>
                            <th scope="col">"Day (UTC)"</th>
                            {OUTCOMES.into_iter().map(|outcome| view! {
                                <th scope="col" class="numeric">{run_badge(RunStatus::Completed, Some(outcome)).label}</th>
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {days.into_iter().rev().filter(|day| day.total() > 0).map(|day| view! {
                            <tr>
                                <th scope="row">{day.day.clone()}</th>
                                {OUTCOMES.into_iter().map(|outcome| view! {
                                    <td class="numeric">{count_of(&day, outcome)}</td>
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
}

/// `2026-12-07: 40 succeeded, 1 failed` (what a bar's tooltip says).
fn describe(day: &DayOutcomes) -> String {
    let parts: Vec<String> = OUTCOMES
        .into_iter()
        .filter(|outcome| count_of(day, *outcome) > 0)
        .map(|outcome| {
            format!(
                "{} {}",
                count_of(day, outcome),
                run_badge(RunStatus::Completed, Some(outcome))
                    .label
                    .to_ascii_lowercase()
            )
        })
        .collect();
    if parts.is_empty() {
        format!("{}: nothing ended", day.day)
    } else {
        format!("{}: {}", day.day, parts.join(", "))
    }
}
