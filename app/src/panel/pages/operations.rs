//! `/t/{tenant}/operations`: every run of the tenant, newest first, filtered by type, status
//! and outcome (kept in the URL), a page at a time ("Load more"). Rows change live from the
//! tenant's active-runs stream; the list itself reads only the database (R15).

use leptos::prelude::*;
use opsux_core::badge::{outcome_badge, status_badge};
use opsux_core::live::{RunFilter, apply_to_list};
use opsux_core::presenter::view_run_url;
use opsux_core::wire::RunSummary;
use opsux_core::{OperationType, RunId, RunOutcome, RunStatus};

use crate::api::Api;
use crate::components::{Duration, RelativeTime, RunBadge};
use crate::live::ticking_now;
use crate::panel::router::Router;
use crate::panel::shell::TenantScope;
use crate::panel::title::set_title;

const PAGE_SIZE: &str = "25";

#[component]
pub(crate) fn OperationsPage() -> impl IntoView {
    set_title(&format!(
        "Operations · {}",
        TenantScope::expect().access.name
    ));
    let router = Router::expect();
    let filter = Memo::new(move |_| RunFilter {
        operation: router.query("type").and_then(|t| t.parse().ok()),
        status: router.query("status").and_then(|s| RunStatus::parse(&s)),
        outcome: router.query("outcome").and_then(|o| RunOutcome::parse(&o)),
    });
    view! {
        <div class="page-head">
            <h1>"Operations"</h1>
            <p class="muted">"Every operation run in this tenant, newest first. Active ones update live."</p>
        </div>
        <Filters filter />
        {move || {
            let filter = filter.get();
            view! { <RunTable filter /> }
        }}
    }
}

fn filter_query(filter: &RunFilter) -> Vec<(&'static str, String)> {
    let mut query = Vec::new();
    if let Some(t) = filter.operation {
        query.push(("type", t.as_str().to_owned()));
    }
    if let Some(s) = filter.status {
        query.push(("status", s.as_str().to_owned()));
    }
    if let Some(o) = filter.outcome {
        query.push(("outcome", o.as_str().to_owned()));
    }
    query
}

#[component]
fn Filters(filter: Memo<RunFilter>) -> impl IntoView {
    let router = Router::expect();
    let apply = move |change: &dyn Fn(&mut RunFilter)| {
        let mut next = filter.get_untracked();
        change(&mut next);
        let query = filter_query(&next)
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let path = router.path_untracked();
        let target = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        router.replace(&target);
    };
    let types = OperationType::ALL.map(|t| (t.as_str(), t.label())).to_vec();
    let statuses = RunStatus::ALL
        .map(|st| (st.as_str(), status_badge(st).label))
        .to_vec();
    let outcomes = RunOutcome::ALL
        .map(|o| (o.as_str(), outcome_badge(o).label))
        .to_vec();
    view! {
        <form class="filters" aria-label="Filter operations" on:submit=|e| e.prevent_default()>
            <FilterSelect label="Type" any="All types" test="filter-type" options=types
                value=Signal::derive(move || filter.get().operation.map_or("", |t| t.as_str()))
                on_pick=move |v| apply(&|f| f.operation = v.parse().ok()) />
            <FilterSelect label="Status" any="Any status" test="filter-status" options=statuses
                value=Signal::derive(move || filter.get().status.map_or("", |st| st.as_str()))
                on_pick=move |v| apply(&|f| f.status = RunStatus::parse(&v)) />
            <FilterSelect label="Outcome" any="Any outcome" test="filter-outcome" options=outcomes
                value=Signal::derive(move || filter.get().outcome.map_or("", |o| o.as_str()))
                on_pick=move |v| apply(&|f| f.outcome = RunOutcome::parse(&v)) />
        </form>
    }
}

/// One labelled filter: "any" first, then the options as `(value, label)`. The drop-down follows
/// `value` (the URL), so moving elsewhere and back shows what is applied.
#[component]
fn FilterSelect(
    label: &'static str,
    any: &'static str,
    test: &'static str,
    options: Vec<(&'static str, &'static str)>,
    value: Signal<&'static str>,
    on_pick: impl Fn(String) + 'static,
) -> impl IntoView {
    let initial = value.get_untracked();
    view! {
        <label class="field field-inline">
            <span>{label}</span>
            <select data-test=test prop:value=value on:change=move |e| on_pick(event_target_value(&e))>
                <option value="">{any}</option>
                {options
                    .into_iter()
                    .map(|(v, text)| view! { <option value=v selected=v == initial>{text}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Load {
    Loading,
    Ready,
    Failed(String),
}

#[component]
fn RunTable(filter: RunFilter) -> impl IntoView {
    let scope = TenantScope::expect();
    let tenant = scope.access.slug.clone();
    let feed = scope.feed;
    let now = ticking_now();
    let rows = RwSignal::new(Vec::<RunSummary>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let load = RwSignal::new(Load::Loading);
    let loading_more = RwSignal::new(false);

    // Apply what the stream holds: active runs in their latest state, and runs that ended
    // while the page was open. Re-applying is harmless: only newer versions replace rows.
    // Runs that ended while the stream was away come back without their final state: those
    // still shown as active are read again, once each.
    let reread = StoredValue::new(Vec::<RunId>::new());
    let refresh_tenant = StoredValue::new(tenant.clone());
    // Also called when a page of the list arrives, which may be after the person left (another
    // tenant, another filter): then the feed and the rows are gone, and there is nothing to do.
    let apply_feed = move || {
        if rows.is_disposed() {
            return;
        }
        let mut stale = Vec::new();
        let _ = feed.runs.try_with(|set| {
            rows.update(|list| {
                for run in set.runs().into_iter().chain(set.recently_ended().cloned()) {
                    apply_to_list(list, run, &filter);
                }
                for id in set.vanished() {
                    let shown_active = list.iter().any(|r| r.id == id && r.status.is_active());
                    if shown_active && !reread.with_value(|done| done.contains(&id)) {
                        reread.update_value(|done| done.push(id));
                        stale.push(id);
                    }
                }
            });
        });
        for id in stale {
            let tenant = refresh_tenant.get_value();
            leptos::task::spawn_local(async move {
                if let Ok(detail) = Api::same_origin().run(&tenant, id).await {
                    let _ = rows.try_update(|list| apply_to_list(list, detail.run, &filter));
                }
            });
        }
    };
    Effect::new(move |_| {
        feed.runs.track();
        if load.get_untracked() == Load::Ready {
            apply_feed();
        }
    });

    let fetch_page = {
        let tenant = tenant.clone();
        move |cursor: Option<String>| {
            let tenant = tenant.clone();
            leptos::task::spawn_local(async move {
                let mut query = filter_query(&filter);
                query.push(("limit", PAGE_SIZE.to_owned()));
                let first_page = cursor.is_none();
                if let Some(cursor) = cursor {
                    query.push(("cursor", cursor));
                }
                match Api::same_origin().runs(&tenant, &query).await {
                    Ok(page) => {
                        rows.update(|list| {
                            if first_page {
                                list.clear();
                            }
                            for run in page.items {
                                if !list.iter().any(|r| r.id == run.id) {
                                    list.push(run);
                                }
                            }
                        });
                        next_cursor.set(page.next_cursor);
                        load.set(Load::Ready);
                        apply_feed();
                    }
                    Err(err) => load.set(Load::Failed(err.describe())),
                }
                loading_more.set(false);
            });
        }
    };
    fetch_page(None);
    let load_more = {
        let fetch_page = fetch_page.clone();
        move |_| {
            loading_more.set(true);
            fetch_page(next_cursor.get_untracked());
        }
    };
    let filtered = filter != RunFilter::default();

    view! {
        {move || match load.get() {
            Load::Failed(message) => Some(view! { <p class="error" role="alert">{message}</p> }),
            _ => None,
        }}
        <div class="table-wrap card card-flush">
            <table class="table runs" data-test="runs-table">
                <thead>
                    <tr>
                        <th scope="col">"Operation"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Started by"</th>
                        <th scope="col">"Started"</th>
                        <th scope="col" class="numeric">"Duration"</th>
                    </tr>
                </thead>
                <tbody aria-busy=move || (load.get() == Load::Loading).to_string()>
                    <Show when=move || load.get() == Load::Loading>
                        {(0..3).map(|_| view! {
                            <tr class="skeleton-row" aria-hidden="true">
                                <td><span class="skeleton"></span></td>
                                <td><span class="skeleton skeleton-short"></span></td>
                                <td><span class="skeleton"></span></td>
                                <td><span class="skeleton skeleton-short"></span></td>
                                <td><span class="skeleton skeleton-short"></span></td>
                            </tr>
                        }).collect_view()}
                    </Show>
                    <For each=move || rows.get() key=|run| (run.id, run.version) let(run)>
                        <RunRow run now />
                    </For>
                </tbody>
            </table>
            <Show when=move || load.get() == Load::Ready && rows.with(Vec::is_empty)>
                <div class="empty" data-test="runs-empty">
                    {if filtered {
                        view! { <p>"No operations match these filters."</p> }.into_any()
                    } else {
                        view! { <p>"No operations yet. Start one from the Overview; it shows up here at once."</p> }.into_any()
                    }}
                </div>
            </Show>
        </div>
        <Show when=move || next_cursor.with(Option::is_some)>
            <div class="load-more">
                <button type="button" class="button" on:click=load_more.clone() disabled=move || loading_more.get()
                    data-test="load-more">
                    {move || if loading_more.get() { "Loading…" } else { "Load more" }}
                </button>
            </div>
        </Show>
    }
}

#[component]
fn RunRow(run: RunSummary, now: ReadSignal<time::OffsetDateTime>) -> impl IntoView {
    let href = view_run_url(&run.tenant, run.id);
    let initiator = run
        .initiator
        .as_ref()
        .map_or_else(|| "System".to_owned(), |u| u.display_name.clone());
    view! {
        <tr data-test="run-row" data-run-id=run.id.to_string() class:active=run.status.is_active()>
            <td><a href=href class="row-link">{run.operation.label()}</a></td>
            <td><RunBadge status=run.status outcome=run.outcome /></td>
            <td>{initiator}</td>
            // Not started yet: when it was queued.
            <td><RelativeTime at=run.started_at.unwrap_or(run.created_at) now /></td>
            <td class="numeric">
                <Duration created_at=run.created_at started_at=run.started_at completed_at=run.completed_at now />
            </td>
        </tr>
    }
}
