//! `/t/{tenant}/operations/{id}`: Run Detail, the canonical link of every "View run" (R13).
//! While the run is active: live progress (R7) and `Cancel run` for those allowed. After its
//! end: the outcome, why it failed (first, in one line), counts in `SummaryKey` order, stored
//! failures, the timeline, who started it, its parameters — and `Run again`, for those who may
//! start it, through the one start path (its toast, "queued" or "already queued"). Everything is
//! rendered as text (R18).

use leptos::prelude::*;
use opsux_core::badge::{outcome_badge, status_badge};
use opsux_core::live::newer_detail;
use opsux_core::wire::{ErrorCode, ExportDto, RunDetail, RunStreamEvent, RunSummary};
use opsux_core::{Capability, OperationType, RunId, RunOutcome, RunStatus, TenantSlug};

use crate::api::Api;
use crate::components::{Duration, ProgressBar, RelativeTime, RunBadge, StreamNotice};
use crate::live::{StreamState, StreamTarget, keep_open, local_time, ticking_now};
use crate::panel::confirm::{Action, Confirm, Opener, Question};
use crate::panel::pages::NotFound;
use crate::panel::shell::TenantScope;
use crate::panel::start::{StartButton, StartParams};
use crate::panel::title::set_title;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Load {
    Loading,
    Ready,
    NotFound,
    Failed(String),
}

#[component]
pub(crate) fn RunDetailPage(id: RunId) -> impl IntoView {
    let scope = TenantScope::expect();
    let tenant = scope.access.slug.clone();
    let may_cancel = scope.access.capabilities.contains(&Capability::RunsCancel);
    let detail = RwSignal::new(None::<RunDetail>);
    let load = RwSignal::new(Load::Loading);
    let stream = RwSignal::new(StreamState::Connecting);
    // `try_`: an answer may arrive after the person has left the page.
    let take = move |incoming: RunDetail| {
        let newer = detail
            .try_with_untracked(|held| newer_detail(held.as_ref(), incoming))
            .flatten();
        if let Some(newer) = newer {
            detail.set(Some(newer));
        }
    };
    {
        let tenant = tenant.clone();
        leptos::task::spawn_local(async move {
            match Api::same_origin().run(&tenant, id).await {
                Ok(run) => {
                    take(run);
                    load.set(Load::Ready);
                }
                Err(err) if err.is(ErrorCode::NotFound) => load.set(Load::NotFound),
                Err(err) => load.set(Load::Failed(err.describe())),
            }
        });
    }
    // Live while active; the stream closes once the run has ended.
    let active =
        Memo::new(move |_| detail.with(|d| d.as_ref().is_some_and(|d| d.run.status.is_active())));
    let stream_tenant = tenant.clone();
    let live = move || {
        active.get().then(|| {
            let state = keep_open(
                StreamTarget {
                    api: Api::same_origin(),
                    stream_path: format!("/api/t/{stream_tenant}/operations/{id}/stream"),
                    probe_path: format!("/api/t/{stream_tenant}/operations/{id}"),
                },
                move |event: RunStreamEvent| match event {
                    RunStreamEvent::Snapshot { run } | RunStreamEvent::Changed { run } => take(run),
                },
            );
            // What the page says about the stream; a run that vanished (membership
            // revoked, run pruned) becomes the not-found page.
            Effect::new(move |_| {
                let state = state.get();
                if state == StreamState::NotFound {
                    load.set(Load::NotFound);
                }
                stream.set(state);
            });
        })
    };

    view! {
        {live}
        {move || match load.get() {
            Load::Loading => view! { <div class="page-loading" aria-busy="true" data-test="loading"></div> }.into_any(),
            Load::NotFound => view! { <NotFound /> }.into_any(),
            Load::Failed(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
            Load::Ready => {
                let tenant = tenant.clone();
                view! {
                    <Show when=move || active.get()>
                        <StreamNotice state=stream.read_only() />
                    </Show>
                    <RunView detail tenant may_cancel />
                }
                    .into_any()
            }
        }}
    }
}

#[component]
fn RunView(
    detail: RwSignal<Option<RunDetail>>,
    tenant: TenantSlug,
    may_cancel: bool,
) -> impl IntoView {
    let now = ticking_now();
    let run = Memo::new(move |held: Option<&RunSummary>| {
        detail
            .with(|d| d.as_ref().map(|d| d.run.clone()))
            .or_else(|| held.cloned())
            .expect("Run Detail renders only after the run has loaded")
    });
    let active = Memo::new(move |_| run.with(|r| r.status.is_active()));
    let first = run.get_untracked();
    set_title(&format!("{} · Run", first.label));
    let initiator = first
        .initiator
        .as_ref()
        .map_or_else(|| "System".to_owned(), |u| u.display_name.clone());
    // `Run again`: the same operation with the same parameters, through the one start path, so
    // the answer is its toast — queued, or already queued pointing at the active one.
    let run_again = {
        let access = TenantScope::expect().access;
        let operation = first.operation;
        // The run's own parameters, canonical as the server stored them, sent back unchanged.
        let params = detail.with_untracked(|d| {
            d.as_ref()
                .and_then(|d| d.context.get("params"))
                .and_then(|p| p.as_object())
                .cloned()
                .map(|stored| StartParams::stored(operation, stored))
        });
        move || {
            let params = params.clone()?;
            (!active.get()).then(|| {
                let access = access.clone();
                view! {
                    <div class="run-again">
                        <StartButton access params label="Run again" />
                    </div>
                }
            })
        }
    };
    let export_file = (first.operation == OperationType::PolicyExport).then(|| {
        let ended = Memo::new(move |_| !active.get());
        view! { <ExportFile run=first.id tenant=tenant.clone() ended /> }
    });
    view! {
        <div class="run-head" data-test="run-detail" data-run-id=first.id.to_string()>
            <div class="run-title">
                {move || run.with(|r| view! { <RunBadge status=r.status outcome=r.outcome /> })}
                <h1>{first.label.clone()}</h1>
                {run_again}
            </div>
            <p class="muted run-meta">
                <span data-test="initiator">{format!("Started by {initiator}")}</span>
                " · queued "
                <RelativeTime at=first.created_at now />
                " · "
                {move || run.with(|r| {
                    let (c, s, e) = (r.created_at, r.started_at, r.completed_at);
                    let verb = if r.status.is_active() { "running for " } else { "took " };
                    view! { {verb}<Duration created_at=c started_at=s completed_at=e now /> }
                })}
            </p>
        </div>
        {move || run.with(why_it_failed)}
        // Built once while the run is active (not on every progress event), so the cancel
        // dialog and its state survive the run's updates.
        <Show when=move || active.get()>
            <LiveProgress run now tenant=tenant.clone() may_cancel />
        </Show>
        <div class="detail-grid">
            <section class="card">
                <h2>"Counts"</h2>
                {move || run.with(counts)}
            </section>
            <section class="card">
                <h2>"Timeline"</h2>
                {move || run.with(timeline)}
            </section>
        </div>
        {move || detail.with(|d| d.as_ref().map(failures))}
        {export_file}
        <section class="card">
            <h2>"Details"</h2>
            {move || detail.with(|d| d.as_ref().map(details))}
        </section>
    }
}

/// A failed or partly failed run says why in one line, before anything else.
fn why_it_failed(run: &RunSummary) -> Option<impl IntoView + use<>> {
    let failed = matches!(
        run.outcome,
        Some(RunOutcome::Failed | RunOutcome::PartiallySucceeded)
    );
    let reason = run.reason_code?;
    failed.then(|| {
        let tone = if run.outcome == Some(RunOutcome::Failed) { "callout-danger" } else { "callout-warning" };
        view! {
            <div class=format!("callout {tone}") data-test="failure-reason">
                <p class="callout-title">{reason.label()}</p>
                {run.message.clone().map(|m| view! { <p class="callout-body" data-test="run-message">{m}</p> })}
            </div>
        }
    })
}

#[component]
fn LiveProgress(
    run: Memo<RunSummary>,
    now: ReadSignal<time::OffsetDateTime>,
    tenant: TenantSlug,
    may_cancel: bool,
) -> impl IntoView {
    let cancel_requested = move || run.with(|r| r.cancel_requested);
    view! {
        <section class="card live" data-test="live-progress">
            <div class="live-head">
                <h2>"Progress"</h2>
                {may_cancel.then(|| view! { <CancelRun run tenant /> })}
            </div>
            <ProgressBar run now />
            {move || cancel_requested().then(|| view! {
                <p class="muted" data-test="cancel-requested">"Cancel requested: the run stops at its next step."</p>
            })}
        </section>
    }
}

/// `Cancel run`, after a confirm step.
#[component]
fn CancelRun(run: Memo<RunSummary>, tenant: TenantSlug) -> impl IntoView {
    let act = move || -> Action {
        let tenant = tenant.clone();
        let id = run.with_untracked(|r| r.id);
        Box::pin(async move {
            Api::same_origin()
                .cancel(&tenant, id)
                .await
                .map(|_| ())
                .map_err(|err| err.describe())
        })
    };
    view! {
        <Confirm
            opener=Opener { label: "Cancel run", name: None, class: "button button-danger-quiet", test: "cancel-run" }
            question=Question {
                title: Signal::stored("Cancel this run?".to_owned()),
                no: "Keep running",
                yes: Signal::stored("Yes, cancel run".to_owned()),
                danger: true,
            }
            disabled=Signal::derive(move || run.with(|r| r.cancel_requested))
            dialog_test="cancel-dialog"
            act
        >
            <p>"If it has not started, it ends at once; if it is running, it stops at its next step. Work already done is kept, and you are notified when it ends."</p>
        </Confirm>
    }
}

fn counts(run: &RunSummary) -> impl IntoView + use<> {
    if run.summary_counts.is_empty() {
        return view! { <p class="muted" data-test="counts-empty">"No items reported yet."</p> }
            .into_any();
    }
    view! {
        <dl class="counts" data-test="counts">
            {run.summary_counts.iter().map(|(key, value)| view! {
                <div class="count" data-key=key.as_str()>
                    <dt>{key.label()}</dt>
                    <dd>{value.to_string()}</dd>
                </div>
            }).collect_view()}
        </dl>
    }
    .into_any()
}

fn timeline(run: &RunSummary) -> impl IntoView + use<> {
    // Step names are the catalog's own labels (R14): queued, started, then the outcome.
    let queued = status_badge(RunStatus::Queued).label;
    let ended = run
        .outcome
        .map_or(status_badge(RunStatus::Completed).label, |o| {
            outcome_badge(o).label
        });
    let steps = [
        (queued, Some(run.created_at)),
        ("Started", run.started_at),
        (ended, run.completed_at),
    ];
    view! {
        <ol class="timeline" data-test="timeline">
            {steps.into_iter().map(|(label, at)| {
                let done = at.is_some();
                view! {
                    <li class:done=done>
                        <span class="timeline-label">{label}</span>
                        <span class="timeline-time">
                            {at.map_or_else(|| "—".to_owned(), local_time)}
                        </span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

fn failures(detail: &RunDetail) -> Option<impl IntoView + use<>> {
    let summary = &detail.failure_summary;
    if summary.is_empty() {
        return None;
    }
    let omitted = summary.omitted();
    Some(view! {
        <section class="card" data-test="failures">
            <h2>"Failures"</h2>
            <ul class="failures">
                {summary.entries().iter().map(|f| view! {
                    <li>
                        <span class="failure-reason">{f.reason_code.label()}</span>
                        <span class="failure-message">{f.message.clone()}</span>
                    </li>
                }).collect_view()}
            </ul>
            {(omitted > 0).then(|| view! { <p class="muted">{format!("{omitted} more not stored.")}</p> })}
        </section>
    })
}

fn details(detail: &RunDetail) -> impl IntoView + use<> {
    let run = &detail.run;
    let initiator = run.initiator.as_ref().map_or_else(
        || "System (no person started it)".to_owned(),
        |u| u.display_name.clone(),
    );
    let params = detail
        .context
        .get("params")
        .map(|p| serde_json::to_string_pretty(p).unwrap_or_default())
        .unwrap_or_else(|| "{}".to_owned());
    let mut rest = detail.context.clone();
    rest.remove("params");
    let context =
        (!rest.is_empty()).then(|| serde_json::to_string_pretty(&rest).unwrap_or_default());
    view! {
        <dl class="facts">
            <dt>"Started by"</dt><dd>{initiator}</dd>
            <dt>"Run id"</dt><dd><code>{run.id.to_string()}</code></dd>
            <dt>"Attempt"</dt><dd>{run.attempt.to_string()}</dd>
        </dl>
        <h3>"Parameters"</h3>
        <pre class="code" data-test="run-params">{params}</pre>
        {context.map(|c| view! { <h3>"Context"</h3><pre class="code" data-test="run-context">{c}</pre> })}
    }
}

/// A policy export's file, once the run has ended with one: its name, size and download link.
#[component]
fn ExportFile(run: RunId, tenant: TenantSlug, ended: Memo<bool>) -> impl IntoView {
    let file = RwSignal::new(None::<ExportDto>);
    Effect::new(move |_| {
        if !ended.get() {
            return;
        }
        let tenant = tenant.clone();
        leptos::task::spawn_local(async move {
            // No file (nothing exported) is an answer too: then nothing is shown.
            if let Ok(export) = Api::same_origin().export_of(&tenant, run).await {
                file.try_set(Some(export));
            }
        });
    });
    move || {
        file.get().map(|export| {
            let size = crate::panel::words::count(export.bytes, "byte", "bytes");
            view! {
                <section class="card" data-test="export-file">
                    <h2>"Export file"</h2>
                    <p>
                        <a class="button" href=export.download_url download=export.file_name.clone()
                            data-test="download-export">
                            "Download "{export.file_name.clone()}
                        </a>
                        <span class="muted">" "{size}</span>
                    </p>
                </section>
            }
        })
    }
}
