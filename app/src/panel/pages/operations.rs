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
use crate::panel::list::{ListFrame, Paged, set_url_filters};
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

fn filter_query(filter: &RunFilter) -> [(&'static str, Option<String>); 3] {
    [
        ("type", filter.operation.map(|t| t.as_str().to_owned())),
        ("status", filter.status.map(|s| s.as_str().to_owned())),
        ("outcome", filter.outcome.map(|o| o.as_str().to_owned())),
    ]
}

#[component]
fn Filters(filter: Memo<RunFilter>) -> impl IntoView {
    let apply = move |change: &dyn Fn(&mut RunFilter)| {
        let mut next = filter.get_untracked();
        change(&mut next);
        set_url_filters(&filter_query(&next));
    };
    let types = OperationType::ALL
        .map(|t| {
            (
                t.builtin_id().unwrap_or_default(),
                t.label().unwrap_or_default(),
            )
        })
        .to_vec();
    let statuses = RunStatus::ALL
        .map(|st| (st.as_str(), status_badge(st).label))
        .to_vec();
    let outcomes = RunOutcome::ALL
        .map(|o| (o.as_str(), outcome_badge(o).label))
        .to_vec();
    view! {
        <form class="filters" aria-label="Filter operations" on:submit=|e| e.prevent_default()>
            <FilterSelect label="Type" any="All types" test="filter-type" options=types
                value=Signal::derive(move || filter.get().operation.and_then(OperationType::builtin_id).unwrap_or_default())
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

#[component]
fn RunTable(filter: RunFilter) -> impl IntoView {
    let scope = TenantScope::expect();
    let tenant = scope.access.slug.clone();
    let feed = scope.feed;
    let now = ticking_now();
    let runs = Paged::new(|run: &RunSummary| run.id, {
        let tenant = tenant.clone();
        move |cursor| {
            let tenant = tenant.clone();
            let mut query: Vec<(&str, String)> = filter_query(&filter)
                .into_iter()
                .filter_map(|(key, value)| value.map(|v| (key, v)))
                .collect();
            query.push(("limit", PAGE_SIZE.to_owned()));
            query.extend(cursor.map(|c| ("cursor", c)));
            async move {
                let page = Api::same_origin().runs(&tenant, &query).await?;
                Ok((page.items, page.next_cursor))
            }
        }
    });
    let rows = runs.rows;

    // Apply what the stream holds: active runs in their latest state, and runs that ended
    // while the page was open. Re-applying is harmless: only newer versions replace rows.
    // Runs that ended while the stream was away come back without their final state: those
    // still shown as active are read again, once each.
    let reread = StoredValue::new(Vec::<RunId>::new());
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
            let tenant = tenant.clone();
            leptos::task::spawn_local(async move {
                if let Ok(detail) = Api::same_origin().run(&tenant, id).await {
                    let _ = rows.try_update(|list| apply_to_list(list, detail.run, &filter));
                }
            });
        }
    };
    // Every page read is brought up to date with the stream, and so is every change it brings.
    let runs = runs.after_each_page(apply_feed.clone());
    Effect::new(move |_| {
        feed.runs.track();
        if runs.state.is_ready() {
            apply_feed();
        }
    });
    let filtered = filter != RunFilter::default();

    view! {
        <ListFrame state=runs.state table="runs-table" empty_test="runs-empty" class="runs" columns=5
            head=|| view! {
                <th scope="col">"Operation"</th>
                <th scope="col">"Status"</th>
                <th scope="col">"Started by"</th>
                <th scope="col">"Started"</th>
                <th scope="col" class="numeric">"Duration"</th>
            }
            empty=move || if filtered {
                view! { <p>"No operations match these filters."</p> }.into_any()
            } else {
                view! { <p>"No operations yet. Start one from the Overview; it shows up here at once."</p> }.into_any()
            }>
            <For each=move || rows.get() key=|run| (run.id, run.version) let(run)>
                <RunRow run now />
            </For>
        </ListFrame>
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
            <td><a href=href class="row-link">{run.label.clone()}</a></td>
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
