//! `/t/{tenant}/backup-sets/{id}`: a backup set's items. Picked items are removed
//! (`backup_set_remove_policies`); picked policies of the tenant that are not in it are added
//! (`backup_set_add_policies`, which snapshots them from the provider). Both are operations:
//! the page shows their toasts and reads the set again when they end.

use std::collections::BTreeSet;

use leptos::prelude::*;
use opsux_core::presenter::backups_url;
use opsux_core::wire::{BackupSetDetail, ErrorCode, PolicyDto};
use opsux_core::{OperationParams, OperationType, TenantSlug};

use crate::api::Api;
use crate::components::RelativeTime;
use crate::live::ticking_now;
use crate::panel::list::{BulkBar, BulkStart, Load, LoadMore, Paged, PickBox, Picks};
use crate::panel::pages::NotFound;
use crate::panel::shell::TenantScope;
use crate::panel::start::may_start;
use crate::panel::title::set_title;
use crate::panel::words::count;

/// Candidates read at a time: a tenant may hold hundreds of policies.
const PAGE_SIZE: &str = "50";

#[derive(Debug, Clone)]
enum SetLoad {
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
    let load = RwSignal::new(SetLoad::Loading);
    let reload = {
        let (tenant, id) = (tenant.clone(), id.clone());
        move || {
            let (tenant, id) = (tenant.clone(), id.clone());
            leptos::task::spawn_local(async move {
                let answer = match Api::same_origin().backup_set(&tenant, &id).await {
                    Ok(detail) => SetLoad::Ready(detail),
                    Err(err) if err.is(ErrorCode::NotFound) => SetLoad::NotFound,
                    Err(err) => SetLoad::Failed(err.describe()),
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
        SetLoad::Loading => {
            view! { <div class="page-loading" aria-busy="true" data-test="loading"></div> }
                .into_any()
        }
        SetLoad::NotFound => view! { <NotFound /> }.into_any(),
        SetLoad::Failed(message) => {
            view! { <p class="error" role="alert">{message}</p> }.into_any()
        }
        SetLoad::Ready(detail) => {
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
    let picks = Picks::new();
    let set = detail.set.id.clone();
    view! {
        {may_change.then(|| view! {
            <BulkBar picks region="Selected items">
                <BulkStart picks tenant=tenant.clone() label="Remove from set"
                    params=move |policy_ids| OperationParams::BackupSetRemovePolicies { backup_set_id: set.clone(), policy_ids } />
            </BulkBar>
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
                            {may_change.then(|| view! {
                                <td class="pick"><PickBox picks id=item.policy_id.clone() label=item.policy_name.clone() /></td>
                            })}
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

/// The tenant's policies that are not in the set yet (not ignored), a page at a time to the
/// last, to pick and add.
#[component]
fn AddPolicies(tenant: TenantSlug, set: String, in_set: BTreeSet<String>) -> impl IntoView {
    let candidates = Paged::new(|p: &PolicyDto| p.id.clone(), {
        let tenant = tenant.clone();
        move |cursor| {
            let (tenant, in_set) = (tenant.clone(), in_set.clone());
            async move {
                // A page made only of policies already in the set shows nothing: read on until
                // one has a candidate, or the list ends.
                let mut cursor = cursor;
                loop {
                    let mut query = vec![
                        ("limit", PAGE_SIZE.to_owned()),
                        ("ignored", "false".to_owned()),
                    ];
                    query.extend(cursor.map(|c| ("cursor", c)));
                    let page = Api::same_origin().policies(&tenant, &query).await?;
                    let outside: Vec<PolicyDto> = page
                        .items
                        .into_iter()
                        .filter(|p| !in_set.contains(&p.id))
                        .collect();
                    if !outside.is_empty() || page.next_cursor.is_none() {
                        return Ok((outside, page.next_cursor));
                    }
                    cursor = page.next_cursor;
                }
            }
        }
    });
    let picks = Picks::new();
    let state = candidates.state;
    view! {
        <section class="card" aria-labelledby="add-title">
            <h2 id="add-title">"Add policies"</h2>
            <BulkBar picks region="Policies to add">
                <BulkStart picks tenant label="Add to set"
                    params=move |policy_ids| OperationParams::BackupSetAddPolicies { backup_set_id: set.clone(), policy_ids } />
            </BulkBar>
            {move || match state.load() {
                Load::Failed(message) => Some(view! { <p class="error" role="alert">{message}</p> }),
                _ => None,
            }}
            <ul class="pick-list" data-test="add-candidates">
                <For each=move || candidates.rows.get() key=|p| p.id.clone() let(policy)>
                    <li><PickBox picks id=policy.id.clone() label=policy.name.clone() named=true /></li>
                </For>
            </ul>
            <Show when=move || state.is_empty() && !state.has_more()>
                <p class="muted">"Every policy not ignored is in this set."</p>
            </Show>
            <LoadMore state />
        </section>
    }
}
