//! `/catalog`: the contract's vocabulary as the server computes it, the reference page for
//! integrators who render opsux data themselves. Open to everyone, like `GET /api/catalog`.

use leptos::prelude::*;
use opsux_core::wire::{BadgeEntry, Catalog};

use crate::api::Api;
use crate::components::Badge;
use crate::panel::title::set_title;

#[component]
pub(crate) fn CatalogPage() -> impl IntoView {
    set_title("Operations catalog");
    // A plain signal filled by one spawned fetch: the page loads once and never refetches.
    let (catalog, set_catalog) = signal(None::<Result<Catalog, String>>);
    leptos::task::spawn_local(async move {
        let result = Api::same_origin().catalog().await.map_err(|e| e.describe());
        set_catalog.set(Some(result));
    });
    view! {
        <main class="page page-bare" id="main">
            <div class="page-head">
                <h1>"Operations catalog"</h1>
                <p class="muted">"The run states, operation types, counts and failure reasons opsux speaks of."</p>
            </div>
            {move || match catalog.get() {
                None => view! { <p class="muted" data-test="loading">"Loading…"</p> }.into_any(),
                Some(Ok(catalog)) => view! { <CatalogView catalog /> }.into_any(),
                Some(Err(message)) => {
                    view! { <p class="error" role="alert" data-test="load-error">{message}</p> }.into_any()
                }
            }}
        </main>
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
            <div class="table-wrap">
                <table class="table" data-test="operation-types">
                    <thead>
                        <tr>
                            <th scope="col">"Operation"</th>
                            <th scope="col">"Id"</th>
                            <th scope="col">"Kind"</th>
                            <th scope="col">"Started by"</th>
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
                                        <td><code>{t.id.as_str().to_owned()}</code></td>
                                        <td>{if t.bulk { "Bulk" } else { "Single" }}</td>
                                        <td>{started_by}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
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
