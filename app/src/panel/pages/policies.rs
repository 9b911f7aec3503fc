//! `/t/{tenant}/policies`: the tenant's synced policies by name, filtered by the ignored flag
//! (kept in the URL), a page at a time. Rows can be picked — one by one or the whole page — for
//! the bulk operations `Export` (`policy_export`) and `Unignore` (`policy_unignore`), offered
//! only to roles that may start them (R16); a start answers with its toast only (R10).

use std::collections::BTreeSet;

use leptos::prelude::*;
use opsux_core::OperationType;
use opsux_core::badge::IGNORED_POLICY;
use opsux_core::presenter::policy_url;
use opsux_core::wire::PolicyDto;

use crate::api::Api;
use crate::components::toasts::Toasts;
use crate::components::{Badge, RelativeTime};
use crate::live::ticking_now;
use crate::panel::router::Router;
use crate::panel::shell::TenantScope;
use crate::panel::start::{StartButton, may_start, start};
use crate::panel::title::set_title;

const PAGE_SIZE: &str = "50";

/// Operations whose end changes the policies listed here.
const CHANGES_THE_LIST: [OperationType; 2] =
    [OperationType::InventorySync, OperationType::PolicyUnignore];

/// The bulk operations of this page, with their button labels.
const BULK: [(OperationType, &str); 2] = [
    (OperationType::PolicyExport, "Export"),
    (OperationType::PolicyUnignore, "Unignore"),
];

#[component]
pub(crate) fn PoliciesPage() -> impl IntoView {
    let scope = TenantScope::expect();
    set_title(&format!("Policies · {}", scope.access.name));
    let router = Router::expect();
    let ignored = Memo::new(move |_| {
        router
            .query("ignored")
            .filter(|v| v == "true" || v == "false")
    });
    let kind = Memo::new(move |_| router.query("kind").filter(|k| !k.is_empty()));
    let kinds = RwSignal::new(Vec::<String>::new());
    {
        let tenant = scope.access.slug.clone();
        leptos::task::spawn_local(async move {
            if let Ok(list) = Api::same_origin().policy_kinds(&tenant).await {
                kinds.try_set(list.items);
            }
        });
    }
    // Filters live in the URL, so a filtered list can be shared and reloaded.
    let apply = move |ignored: Option<String>, kind: Option<String>| {
        let mut query = Vec::new();
        if let Some(v) = ignored.filter(|v| !v.is_empty()) {
            query.push(format!("ignored={v}"));
        }
        if let Some(k) = kind.filter(|k| !k.is_empty()) {
            query.push(format!("kind={}", js_sys::encode_uri_component(&k)));
        }
        let path = router.path_untracked();
        router.replace(&if query.is_empty() {
            path
        } else {
            format!("{path}?{}", query.join("&"))
        });
    };
    let pick_ignored =
        move |e: leptos::ev::Event| apply(Some(event_target_value(&e)), kind.get_untracked());
    let pick_kind =
        move |e: leptos::ev::Event| apply(ignored.get_untracked(), Some(event_target_value(&e)));
    view! {
        <div class="page-head">
            <h1>"Policies"</h1>
            <p class="muted">"The device-management policies synced from the tenant. Pick some to export or unignore them."</p>
        </div>
        <form class="filters" aria-label="Filter policies" on:submit=|e| e.prevent_default()>
            <label class="field field-inline">
                <span>"Ignored"</span>
                <select data-test="filter-ignored" prop:value=move || ignored.get().unwrap_or_default() on:change=pick_ignored>
                    <option value="">"All policies"</option>
                    <option value="false">"Not ignored"</option>
                    <option value="true">"Only ignored"</option>
                </select>
            </label>
            <label class="field field-inline">
                <span>"Kind"</span>
                <select data-test="filter-kind" prop:value=move || kind.get().unwrap_or_default() on:change=pick_kind>
                    <option value="">"All kinds"</option>
                    {move || kinds.get().into_iter().map(|k| {
                        let selected = kind.get_untracked().as_deref() == Some(k.as_str());
                        view! { <option value=k.clone() selected=selected>{k.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
        </form>
        {move || {
            let (ignored, kind) = (ignored.get(), kind.get());
            view! { <PolicyTable ignored kind /> }
        }}
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Load {
    Loading,
    Ready,
    Failed(String),
}

#[component]
fn PolicyTable(ignored: Option<String>, kind: Option<String>) -> impl IntoView {
    let scope = TenantScope::expect();
    let access = scope.access.clone();
    let tenant = access.slug.clone();
    let now = ticking_now();
    let rows = RwSignal::new(Vec::<PolicyDto>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let load = RwSignal::new(Load::Loading);
    let picked = RwSignal::new(BTreeSet::<String>::new());
    let bulk: Vec<_> = BULK
        .into_iter()
        .filter(|(op, _)| may_start(&access, *op))
        .collect();
    let selectable = !bulk.is_empty();
    let filtered = ignored.is_some() || kind.is_some();

    let fetch_page = {
        let tenant = tenant.clone();
        move |cursor: Option<String>| {
            let tenant = tenant.clone();
            let (ignored, kind) = (ignored.clone(), kind.clone());
            leptos::task::spawn_local(async move {
                let mut query = vec![("limit", PAGE_SIZE.to_owned())];
                query.extend(ignored.map(|v| ("ignored", v)));
                query.extend(kind.map(|k| ("kind", k)));
                let first_page = cursor.is_none();
                query.extend(cursor.map(|c| ("cursor", c)));
                let answer = Api::same_origin().policies(&tenant, &query).await;
                // The person may have left the page meanwhile.
                if rows.is_disposed() {
                    return;
                }
                match answer {
                    Ok(page) => {
                        rows.update(|list| {
                            if first_page {
                                list.clear();
                            }
                            // A page read twice (a click racing a refresh) adds nothing twice.
                            for policy in page.items {
                                if !list.iter().any(|p| p.id == policy.id) {
                                    list.push(policy);
                                }
                            }
                        });
                        next_cursor.set(page.next_cursor);
                        load.set(Load::Ready);
                    }
                    Err(err) => load.set(Load::Failed(err.describe())),
                }
            });
        }
    };
    fetch_page(None);
    // A sync or unignore that ends while the page is open changes what it lists: read the
    // first page again.
    scope.feed.on_ended(&CHANGES_THE_LIST, {
        let fetch_page = fetch_page.clone();
        move || fetch_page(None)
    });
    let load_more = move |_| fetch_page(next_cursor.get_untracked());

    let all_on_page = move || {
        rows.with(|list| {
            !list.is_empty() && picked.with(|p| list.iter().all(|r| p.contains(&r.id)))
        })
    };
    let toggle_page = move |_| {
        let select = !all_on_page();
        rows.with_untracked(|list| {
            picked.update(|p| {
                for row in list {
                    if select {
                        p.insert(row.id.clone());
                    } else {
                        p.remove(&row.id);
                    }
                }
            });
        });
    };

    view! {
        {move || match load.get() {
            Load::Failed(message) => Some(view! { <p class="error" role="alert">{message}</p> }),
            _ => None,
        }}
        {selectable.then(|| view! { <BulkBar tenant=tenant.clone() actions=bulk.clone() picked /> })}
        <div class="table-wrap card card-flush">
            <table class="table" data-test="policies-table">
                <thead>
                    <tr>
                        {selectable.then(|| view! {
                            <th scope="col" class="pick">
                                <input type="checkbox" aria-label="Select all listed"
                                    data-test="pick-page" prop:checked=all_on_page on:change=toggle_page />
                            </th>
                        })}
                        <th scope="col">"Name"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col" class="numeric">"Version"</th>
                        <th scope="col">"Last synced"</th>
                    </tr>
                </thead>
                <tbody aria-busy=move || (load.get() == Load::Loading).to_string()>
                    <For each=move || rows.get() key=|p| (p.id.clone(), p.provider_version, p.ignored) let(policy)>
                        <PolicyRow policy selectable picked now />
                    </For>
                </tbody>
            </table>
            <Show when=move || load.get() == Load::Ready && rows.with(Vec::is_empty)>
                <div class="empty" data-test="policies-empty">
                    {if filtered {
                        view! { <p>"No policies match these filters."</p> }.into_any()
                    } else {
                        view! {
                            <p>"No policies here yet. An inventory sync pulls them from the tenant."</p>
                            <StartButton access=access.clone() operation=OperationType::InventorySync label="Sync inventory" />
                        }.into_any()
                    }}
                </div>
            </Show>
        </div>
        <Show when=move || next_cursor.with(Option::is_some)>
            <div class="load-more">
                <button type="button" class="button" on:click=load_more.clone() data-test="load-more">"Load more"</button>
            </div>
        </Show>
    }
}

#[component]
fn PolicyRow(
    policy: PolicyDto,
    selectable: bool,
    picked: RwSignal<BTreeSet<String>>,
    now: ReadSignal<time::OffsetDateTime>,
) -> impl IntoView {
    let scope = TenantScope::expect();
    let href = policy_url(&scope.access.slug, &policy.id);
    let id = policy.id.clone();
    let checked = {
        let id = id.clone();
        move || picked.with(|p| p.contains(&id))
    };
    let toggle = move |_| {
        let id = id.clone();
        picked.update(|p| {
            if !p.remove(&id) {
                p.insert(id);
            }
        });
    };
    let label = format!("Select {}", policy.name);
    view! {
        <tr data-test="policy-row" data-policy-id=policy.id.clone()>
            {selectable.then(|| view! {
                <td class="pick"><input type="checkbox" aria-label=label prop:checked=checked on:change=toggle /></td>
            })}
            <td>
                <a href=href class="row-link">{policy.name.clone()}</a>
                {policy.ignored.then(|| view! { <Badge label=IGNORED_POLICY.label tone=IGNORED_POLICY.tone /> })}
            </td>
            <td><code class="kind">{policy.kind.clone()}</code></td>
            <td class="numeric">{policy.provider_version}</td>
            <td><RelativeTime at=policy.last_synced_at now /></td>
        </tr>
    }
}

/// What to do with the picked policies: shown once some are picked.
#[component]
fn BulkBar(
    tenant: opsux_core::TenantSlug,
    actions: Vec<(OperationType, &'static str)>,
    picked: RwSignal<BTreeSet<String>>,
) -> impl IntoView {
    let toasts = Toasts::expect();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let count = move || picked.with(BTreeSet::len);
    let buttons = actions
        .into_iter()
        .map(|(operation, label)| {
            let tenant = tenant.clone();
            let run = move |_| {
                let ids: Vec<serde_json::Value> = picked
                    .get_untracked()
                    .into_iter()
                    .map(serde_json::Value::from)
                    .collect();
                let mut params = serde_json::Map::new();
                params.insert("policy_ids".to_owned(), ids.into());
                let tenant = tenant.clone();
                busy.set(true);
                error.set(None);
                leptos::task::spawn_local(async move {
                    match start(&tenant, operation, params).await {
                        Ok(toast) => {
                            toasts.show(toast);
                            picked.try_set(BTreeSet::new());
                        }
                        Err(message) => {
                            error.try_set(Some(message));
                        }
                    }
                    busy.try_set(false);
                });
            };
            view! {
                <button type="button" class="button" on:click=run disabled=move || busy.get()
                    data-test=format!("bulk-{}", operation.as_str())>
                    {label}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="bulk-bar" role="region" aria-label="Selected policies" data-test="bulk-bar"
            hidden=move || count() == 0>
            <span class="bulk-count" data-test="picked-count">{move || format!("{} selected", count())}</span>
            {buttons}
            <button type="button" class="button button-quiet" on:click=move |_| picked.set(BTreeSet::new())>
                "Clear"
            </button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </div>
    }
}
