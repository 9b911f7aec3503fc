//! `/t/{tenant}/policies`: the tenant's synced policies by name, filtered by the ignored flag
//! and kind (kept in the URL), a page at a time to the list's end. Rows can be picked — one by
//! one or every row shown, across pages — for the bulk operations `Export` (`policy_export`)
//! and `Unignore` (`policy_unignore`), offered only to roles that may start them (R16); a
//! start answers with its toast only (R10).

use leptos::prelude::*;
use opsux_core::badge::IGNORED_POLICY;
use opsux_core::presenter::policy_url;
use opsux_core::wire::PolicyDto;
use opsux_core::{OperationParams, OperationType};

use crate::api::Api;
use crate::components::{Badge, RelativeTime};
use crate::live::ticking_now;
use crate::panel::list::{
    BulkBar, BulkStart, ListFrame, Paged, PickAll, PickBox, Picks, UrlFilter, set_url_filters,
};
use crate::panel::shell::TenantScope;
use crate::panel::start::{StartButton, may_start};
use crate::panel::title::set_title;

const PAGE_SIZE: &str = "50";

/// Operations whose end changes the policies listed here.
const CHANGES_THE_LIST: [OperationType; 2] =
    [OperationType::InventorySync, OperationType::PolicyUnignore];

#[component]
pub(crate) fn PoliciesPage() -> impl IntoView {
    let scope = TenantScope::expect();
    set_title(&format!("Policies · {}", scope.access.name));
    let ignored = UrlFilter::one_of("ignored", &["true", "false"]);
    let kind = UrlFilter::new("kind");
    let kinds = RwSignal::new(Vec::<String>::new());
    {
        let tenant = scope.access.slug.clone();
        leptos::task::spawn_local(async move {
            if let Ok(list) = Api::same_origin().policy_kinds(&tenant).await {
                kinds.try_set(list.items);
            }
        });
    }
    let pick_ignored = move |e: leptos::ev::Event| {
        set_url_filters(&[
            ("ignored", Some(event_target_value(&e))),
            ("kind", kind.get_untracked()),
        ]);
    };
    let pick_kind = move |e: leptos::ev::Event| {
        set_url_filters(&[
            ("ignored", ignored.get_untracked()),
            ("kind", Some(event_target_value(&e))),
        ]);
    };
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
            let ignored = ignored.get();
            let kind = kind.get();
            view! { <PolicyTable ignored kind /> }
        }}
    }
}

#[component]
fn PolicyTable(ignored: Option<String>, kind: Option<String>) -> impl IntoView {
    let scope = TenantScope::expect();
    let access = scope.access.clone();
    let tenant = access.slug.clone();
    let now = ticking_now();
    let filtered = ignored.is_some() || kind.is_some();
    let policies = Paged::new(|p: &PolicyDto| p.id.clone(), {
        let tenant = tenant.clone();
        move |cursor| {
            let tenant = tenant.clone();
            let mut query = vec![("limit", PAGE_SIZE.to_owned())];
            query.extend(ignored.clone().map(|v| ("ignored", v)));
            query.extend(kind.clone().map(|k| ("kind", k)));
            query.extend(cursor.map(|c| ("cursor", c)));
            async move {
                let page = Api::same_origin().policies(&tenant, &query).await?;
                Ok((page.items, page.next_cursor))
            }
        }
    });
    // A sync or unignore that ends while the page is open changes what it lists.
    scope
        .feed
        .on_ended(&CHANGES_THE_LIST, move || policies.reload());
    let may_export = may_start(&access, OperationType::PolicyExport);
    let may_unignore = may_start(&access, OperationType::PolicyUnignore);
    let selectable = may_export || may_unignore;
    let picks = Picks::new();
    let shown = Signal::derive(move || {
        policies
            .rows
            .with(|rows| rows.iter().map(|p| p.id.clone()).collect())
    });
    view! {
        {selectable.then(|| view! {
            <BulkBar picks region="Selected policies">
                {may_export.then(|| view! {
                    <BulkStart picks tenant=tenant.clone() label="Export"
                        params=|policy_ids| OperationParams::PolicyExport { policy_ids } />
                })}
                {may_unignore.then(|| view! {
                    <BulkStart picks tenant=tenant.clone() label="Unignore"
                        params=|policy_ids| OperationParams::PolicyUnignore { policy_ids } />
                })}
            </BulkBar>
        })}
        <ListFrame state=policies.state table="policies-table" empty_test="policies-empty"
            columns=if selectable { 5 } else { 4 }
            head=move || view! {
                {selectable.then(|| view! {
                    <th scope="col" class="pick"><PickAll picks shown /></th>
                })}
                <th scope="col">"Name"</th>
                <th scope="col">"Kind"</th>
                <th scope="col" class="numeric">"Version"</th>
                <th scope="col">"Last synced"</th>
            }
            empty=move || if filtered {
                view! { <p>"No policies match these filters."</p> }.into_any()
            } else {
                view! {
                    <p>"No policies here yet. An inventory sync pulls them from the tenant."</p>
                    <StartButton access=access.clone() params=OperationParams::InventorySync label="Sync inventory" />
                }.into_any()
            }>
            <For each=move || policies.rows.get() key=|p| (p.id.clone(), p.provider_version, p.ignored) let(policy)>
                <PolicyRow policy selectable picks now />
            </For>
        </ListFrame>
    }
}

#[component]
fn PolicyRow(
    policy: PolicyDto,
    selectable: bool,
    picks: Picks,
    now: ReadSignal<time::OffsetDateTime>,
) -> impl IntoView {
    let scope = TenantScope::expect();
    let href = policy_url(&scope.access.slug, &policy.id);
    view! {
        <tr data-test="policy-row" data-policy-id=policy.id.clone()>
            {selectable.then(|| view! {
                <td class="pick"><PickBox picks id=policy.id.clone() label=policy.name.clone() /></td>
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
