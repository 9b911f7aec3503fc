//! `/t/{tenant}/backup-sets/{id}`: a backup set's items. Picked items are removed
//! (`backup_set_remove_policies`); picked policies of the tenant that are not in it are added
//! (`backup_set_add_policies`, which snapshots them from the provider). Both are operations:
//! the page shows their toasts and reads the set again when they end.

use std::collections::BTreeSet;

use leptos::prelude::*;
use opsux_core::presenter::backups_url;
use opsux_core::wire::{BackupSetDetail, ErrorCode, PolicyDto};
use opsux_core::{OperationType, TenantSlug};

use crate::api::Api;
use crate::components::RelativeTime;
use crate::components::toasts::Toasts;
use crate::live::ticking_now;
use crate::panel::pages::NotFound;
use crate::panel::shell::TenantScope;
use crate::panel::start::{may_start, start};
use crate::panel::title::set_title;
use crate::panel::words::count;

#[derive(Debug, Clone)]
enum Load {
    Loading,
    Ready(BackupSetDetail),
    NotFound,
    Failed(String),
}

#[component]
pub(crate) fn BackupSetPage(id: String) -> impl IntoView {
    let scope = TenantScope::expect();
    let tenant = scope.access.slug.clone();
    let may_change = may_start(&scope.access, OperationType::BackupSetAddPolicies);
    let load = RwSignal::new(Load::Loading);
    let reload = {
        let (tenant, id) = (tenant.clone(), id.clone());
        move || {
            let (tenant, id) = (tenant.clone(), id.clone());
            leptos::task::spawn_local(async move {
                let answer = match Api::same_origin().backup_set(&tenant, &id).await {
                    Ok(detail) => Load::Ready(detail),
                    Err(err) if err.is(ErrorCode::NotFound) => Load::NotFound,
                    Err(err) => Load::Failed(err.describe()),
                };
                load.try_set(answer);
            });
        }
    };
    reload();
    scope.feed.on_ended(
        &[
            OperationType::BackupSetAddPolicies,
            OperationType::BackupSetRemovePolicies,
        ],
        reload,
    );
    let back = backups_url(&tenant);
    move || match load.get() {
        Load::Loading => {
            view! { <div class="page-loading" aria-busy="true" data-test="loading"></div> }
                .into_any()
        }
        Load::NotFound => view! { <NotFound /> }.into_any(),
        Load::Failed(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
        Load::Ready(detail) => {
            set_title(&format!(
                "{} · Backups · {}",
                detail.set.name, scope.access.name
            ));
            let in_set: BTreeSet<String> =
                detail.items.iter().map(|i| i.policy_id.clone()).collect();
            view! {
                <div class="page-head" data-test="backup-set">
                    <p class="muted"><a href=back.clone()>"← Backups"</a></p>
                    <h1>{detail.set.name.clone()}</h1>
                    <p class="muted">{format!("{}, as they were when snapshotted.", count(detail.items.len() as u64, "policy", "policies"))}</p>
                </div>
                <Items tenant=tenant.clone() detail may_change />
                {may_change.then(|| view! { <AddPolicies tenant=tenant.clone() set=id.clone() in_set /> })}
            }
            .into_any()
        }
    }
}

#[component]
fn Items(tenant: TenantSlug, detail: BackupSetDetail, may_change: bool) -> impl IntoView {
    let now = ticking_now();
    let picked = RwSignal::new(BTreeSet::<String>::new());
    let set = detail.set.id.clone();
    view! {
        {may_change.then(|| view! {
            <PickedAction tenant=tenant.clone() set=set.clone() picked
                operation=OperationType::BackupSetRemovePolicies label="Remove from set" region="Selected items" />
        })}
        <div class="table-wrap card card-flush">
            <table class="table" data-test="backup-items">
                <thead>
                    <tr>
                        {may_change.then(|| view! { <th scope="col" class="pick"><span class="visually-hidden">"Pick"</span></th> })}
                        <th scope="col">"Policy"</th>
                        <th scope="col" class="numeric">"Version"</th>
                        <th scope="col">"Snapshotted"</th>
                    </tr>
                </thead>
                <tbody>
                    {detail.items.into_iter().map(|item| view! {
                        <tr data-test="backup-item">
                            {may_change.then(|| view! { <PickCell id=item.policy_id.clone() label=item.policy_name.clone() picked /> })}
                            <td>{item.policy_name.clone()}</td>
                            <td class="numeric">{item.provider_version}</td>
                            <td><RelativeTime at=item.captured_at now /></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The tenant's policies that are not in the set yet, to pick and add.
#[component]
fn AddPolicies(tenant: TenantSlug, set: String, in_set: BTreeSet<String>) -> impl IntoView {
    // `None` until the policies have been read: "every policy is in it" only when it is so.
    let candidates = RwSignal::new(None::<Vec<PolicyDto>>);
    let picked = RwSignal::new(BTreeSet::<String>::new());
    {
        let tenant = tenant.clone();
        leptos::task::spawn_local(async move {
            let query = [("limit", "200".to_owned()), ("ignored", "false".to_owned())];
            if let Ok(list) = Api::same_origin().policies(&tenant, &query).await {
                let outside = list
                    .items
                    .into_iter()
                    .filter(|p| !in_set.contains(&p.id))
                    .collect();
                candidates.try_set(Some(outside));
            }
        });
    }
    view! {
        <section class="card" aria-labelledby="add-title">
            <h2 id="add-title">"Add policies"</h2>
            <PickedAction tenant set picked operation=OperationType::BackupSetAddPolicies label="Add to set" region="Policies to add" />
            <ul class="pick-list" data-test="add-candidates">
                {move || candidates.get().unwrap_or_default().into_iter().map(|policy| view! {
                    <li><label><PickBox id=policy.id.clone() label=policy.name.clone() picked />" "{policy.name.clone()}</label></li>
                }).collect_view()}
            </ul>
            <Show when=move || candidates.with(|c| c.as_ref().is_some_and(Vec::is_empty))>
                <p class="muted">"Every policy not ignored is in this set."</p>
            </Show>
        </section>
    }
}

#[component]
fn PickCell(id: String, label: String, picked: RwSignal<BTreeSet<String>>) -> impl IntoView {
    view! { <td class="pick"><PickBox id label picked /></td> }
}

#[component]
fn PickBox(id: String, label: String, picked: RwSignal<BTreeSet<String>>) -> impl IntoView {
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
    view! { <input type="checkbox" aria-label=format!("Select {label}") prop:checked=checked on:change=toggle /> }
}

/// Starts `operation` on the set with the picked policy ids; shown once some are picked.
#[component]
fn PickedAction(
    tenant: TenantSlug,
    set: String,
    picked: RwSignal<BTreeSet<String>>,
    operation: OperationType,
    label: &'static str,
    region: &'static str,
) -> impl IntoView {
    let toasts = Toasts::expect();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let count = move || picked.with(BTreeSet::len);
    let run = move |_| {
        let ids: Vec<serde_json::Value> = picked
            .get_untracked()
            .into_iter()
            .map(serde_json::Value::from)
            .collect();
        let mut params = serde_json::Map::new();
        params.insert("backup_set_id".to_owned(), set.clone().into());
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
        <div class="bulk-bar" role="region" aria-label=region hidden=move || count() == 0>
            <span class="bulk-count">{move || format!("{} selected", count())}</span>
            <button type="button" class="button" on:click=run disabled=move || busy.get()>{label}</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </div>
    }
}
