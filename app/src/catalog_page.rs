//! The contract's vocabulary, as the server computes it: the reference page integrators use to
//! render opsux data themselves.

use leptos::prelude::*;
use opsux_core::wire::{BadgeEntry, Catalog};

use crate::api;
use crate::badge::Badge;

#[component]
pub(crate) fn CatalogPage() -> impl IntoView {
    // A plain signal filled by one spawned fetch: the page loads once and never refetches, so
    // Suspense's async machinery would only add bundle weight.
    let (catalog, set_catalog) = signal(None::<Result<Catalog, String>>);
    leptos::task::spawn_local(async move { set_catalog.set(Some(api::fetch_catalog().await)) });
    view! {
        <h1>"Operations catalog"</h1>
        {move || match catalog.get() {
            None => view! { <p class="muted" data-test="loading">"Loading…"</p> }.into_any(),
            Some(Ok(catalog)) => view! { <CatalogView catalog /> }.into_any(),
            Some(Err(message)) => {
                view! { <p class="error" role="alert" data-test="load-error">{message}</p> }
                    .into_any()
            }
        }}
    }
}

#[component]
fn CatalogView(catalog: Catalog) -> impl IntoView {
    let Catalog {
        operation_types,
        statuses,
        outcomes,
        summary_keys,
        reason_codes,
    } = catalog;
    view! {
        <section class="card">
            <h2>"Run states"</h2>
            <BadgeRow title="Status" test="status-badges" entries=statuses />
            <BadgeRow title="Outcome" test="outcome-badges" entries=outcomes />
        </section>
        <section class="card">
            <h2>"Operation types"</h2>
            <table class="table" data-test="operation-types">
                <thead>
                    <tr>
                        <th>"Operation"</th>
                        <th>"Id"</th>
                        <th>"Kind"</th>
                        <th>"Started by"</th>
                    </tr>
                </thead>
                <tbody>
                    {operation_types
                        .into_iter()
                        .map(|t| {
                            let started_by = t
                                .start_capability
                                .map_or_else(|| "System only".to_owned(), |c| c.as_str().to_owned());
                            view! {
                                <tr data-test="operation-type">
                                    <td>{t.label}</td>
                                    <td><code>{t.id.as_str()}</code></td>
                                    <td>{if t.bulk { "Bulk" } else { "Single" }}</td>
                                    <td>{started_by}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card columns">
            <div>
                <h2>"Summary counts"</h2>
                <ul class="chips" data-test="summary-keys">
                    {summary_keys
                        .into_iter()
                        .map(|k| view! { <li><code>{k.as_str()}</code></li> })
                        .collect_view()}
                </ul>
            </div>
            <div>
                <h2>"Failure reasons"</h2>
                <dl class="reasons" data-test="reason-codes">
                    {reason_codes
                        .into_iter()
                        .map(|r| view! { <dt><code>{r.id}</code></dt><dd>{r.label}</dd> })
                        .collect_view()}
                </dl>
            </div>
        </section>
    }
}

#[component]
fn BadgeRow(title: &'static str, test: &'static str, entries: Vec<BadgeEntry>) -> impl IntoView {
    view! {
        <div class="badge-row">
            <span class="badge-row-title">{title}</span>
            <span data-test=test>
                {entries
                    .into_iter()
                    .map(|e| view! { <Badge label=e.label tone=e.tone /> })
                    .collect_view()}
            </span>
        </div>
    }
}
