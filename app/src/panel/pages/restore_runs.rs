//! `/t/{tenant}/restore-runs`: restore runs — a backup set to push back to the tenant — newest
//! first. Live ones are created here from a backup set, executed (`restore_execute`, after a
//! confirm step) and archived; archived ones (`?archived=true`) are picked for the bulk
//! `Unarchive` (`restore_run_unarchive`) or `Force delete` (`restore_run_force_delete`, after a
//! confirm step that says how many records are deleted for good). Only roles that may restore
//! are offered any of it (R16).

use leptos::prelude::*;
use opsux_core::badge::ARCHIVED_RECORD;
use opsux_core::presenter::{backup_set_url, restore_runs_url};
use opsux_core::wire::{BackupSetDto, NewRestoreRun, RestoreRunDto};
use opsux_core::{Capability, OperationParams, OperationType, TenantSlug};

use crate::api::Api;
use crate::components::toasts::Toasts;
use crate::components::{Badge, RelativeTime};
use crate::live::ticking_now;
use crate::panel::confirm::{Action, Confirm, Opener, Question};
use crate::panel::list::{
    BulkBar, BulkStart, ListFrame, Paged, PickBox, Picks, bulk_busy, start_picked,
};
use crate::panel::router::Router;
use crate::panel::shell::TenantScope;
use crate::panel::start::start;
use crate::panel::title::set_title;
use crate::panel::words::count;

/// Restore runs read at a time.
const PAGE_SIZE: &str = "20";

#[component]
pub(crate) fn RestoreRunsPage() -> impl IntoView {
    let scope = TenantScope::expect();
    set_title(&format!("Restore runs · {}", scope.access.name));
    let router = Router::expect();
    let archived = Memo::new(move |_| router.query("archived").as_deref() == Some("true"));
    let may_restore = scope
        .access
        .capabilities
        .contains(&Capability::RestoreExecute);
    let base = restore_runs_url(&scope.access.slug);
    // Bumped when a restore run is created: the list reads itself again.
    let created = RwSignal::new(0_u32);
    let archived_href = format!("{base}?archived=true");
    view! {
        <div class="page-head">
            <h1>"Restore runs"</h1>
            <p class="muted">"A restore run pushes a backup set back to the tenant. Archived ones can be brought back or deleted for good."</p>
        </div>
        <nav class="tabs" aria-label="Restore runs">
            <a href=base.clone() aria-current=move || (!archived.get()).then_some("page")>"Live"</a>
            <a href=archived_href aria-current=move || archived.get().then_some("page")>"Archived"</a>
        </nav>
        {move || {
            let archived = archived.get();
            view! {
                {(may_restore && !archived).then(|| view! { <NewRestoreRunForm created /> })}
                <RestoreRunTable archived may_restore created />
            }
        }}
    }
}

/// Creates a restore run from one of the tenant's backup sets (a plain record, not an operation).
#[component]
fn NewRestoreRunForm(created: RwSignal<u32>) -> impl IntoView {
    let scope = TenantScope::expect();
    let tenant = scope.access.slug.clone();
    let sets = RwSignal::new(Vec::<BackupSetDto>::new());
    let set = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    {
        let tenant = tenant.clone();
        leptos::task::spawn_local(async move {
            // Every set to choose from, newest first: all its pages.
            let mut all = Vec::new();
            let mut cursor = None;
            loop {
                let mut query = vec![("limit", "200".to_owned())];
                query.extend(cursor.map(|c| ("cursor", c)));
                let Ok(page) = Api::same_origin().backup_sets(&tenant, &query).await else {
                    break;
                };
                all.extend(page.items);
                cursor = page.next_cursor;
                if cursor.is_none() {
                    break;
                }
            }
            if let Some(first) = all.first() {
                set.try_set(first.id.clone());
            }
            sets.try_set(all);
        });
    }
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let body = NewRestoreRun {
            backup_set_id: set.get_untracked(),
            name: name.get_untracked(),
        };
        let tenant = tenant.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match Api::same_origin().create_restore_run(&tenant, &body).await {
                Ok(_) => {
                    name.try_set(String::new());
                    created.try_update(|n| *n += 1);
                }
                Err(err) => {
                    error.try_set(Some(err.describe()));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <form class="card inline-form" on:submit=submit aria-label="New restore run" data-test="new-restore-run">
            <label class="field">
                <span>"Backup set"</span>
                <select prop:value=move || set.get() on:change=move |e| set.set(event_target_value(&e)) required=true>
                    {move || sets.get().into_iter().map(|s| {
                        let label = format!("{} ({})", s.name, count(s.item_count, "item", "items"));
                        view! { <option value=s.id>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>"Name"</span>
                <input type="text" required=true maxlength="100" placeholder="Roll back Tuesday's change"
                    prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e)) />
            </label>
            <button type="submit" class="button button-primary" disabled=move || busy.get() || sets.with(Vec::is_empty)>
                "Create restore run"
            </button>
            {move || sets.with(Vec::is_empty).then(|| view! {
                <p class="muted">"No backup sets yet: run a backup schedule first."</p>
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}

#[component]
fn RestoreRunTable(archived: bool, may_restore: bool, created: RwSignal<u32>) -> impl IntoView {
    let scope = TenantScope::expect();
    let tenant = scope.access.slug.clone();
    let now = ticking_now();
    let restores = Paged::new(|r: &RestoreRunDto| r.id.clone(), {
        let tenant = tenant.clone();
        move |cursor| {
            let tenant = tenant.clone();
            let mut query = vec![
                ("archived", archived.to_string()),
                ("limit", PAGE_SIZE.to_owned()),
            ];
            query.extend(cursor.map(|c| ("cursor", c)));
            async move {
                let page = Api::same_origin().restore_runs(&tenant, &query).await?;
                Ok((page.items, page.next_cursor))
            }
        }
    });
    Effect::new(move |first: Option<()>| {
        created.track();
        if first.is_some() {
            restores.reload();
        }
    });
    // Unarchive, force delete and execute change this list when they end.
    scope.feed.on_ended(
        &[
            OperationType::RestoreRunUnarchive,
            OperationType::RestoreRunForceDelete,
            OperationType::RestoreExecute,
        ],
        move || restores.reload(),
    );
    let pickable = may_restore && archived;
    let picks = Picks::new();
    let actions = may_restore && !archived;
    view! {
        {pickable.then(|| view! { <ArchivedBulkBar tenant=tenant.clone() picks /> })}
        <ListFrame state=restores.state table="restore-runs-table" empty_test="restore-runs-empty"
            columns=4 + usize::from(pickable) + usize::from(actions)
            head=move || view! {
                {pickable.then(|| view! { <th scope="col" class="pick"><span class="visually-hidden">"Pick"</span></th> })}
                <th scope="col">"Name"</th>
                <th scope="col">"Backup set"</th>
                <th scope="col">"Executed"</th>
                <th scope="col">"Created"</th>
                {actions.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
            }
            empty=move || if archived {
                view! { <p>"Nothing archived."</p> }.into_any()
            } else {
                view! { <p>{if may_restore { "No restore runs yet. Create one from a backup set above." } else { "No restore runs yet." }}</p> }.into_any()
            }>
            <For each=move || restores.rows.get() key=|r| (r.id.clone(), r.executed_at, r.archived) let(restore)>
                <RestoreRunRow restore tenant=tenant.clone() now pickable picks actions
                    on_archived=move || restores.reload() />
            </For>
        </ListFrame>
    }
}

#[component]
fn RestoreRunRow(
    restore: RestoreRunDto,
    tenant: TenantSlug,
    now: ReadSignal<time::OffsetDateTime>,
    pickable: bool,
    picks: Picks,
    actions: bool,
    on_archived: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let id = restore.id.clone();
    let set_link = restore.backup_set_id.clone().map(|set| {
        let href = backup_set_url(&tenant, &set);
        view! { <a href=href>"Backup set"</a> }
    });
    let pick = pickable.then(|| {
        view! { <td class="pick"><PickBox picks id=id.clone() label=restore.name.clone() /></td> }
    });
    let executed = restore.executed_at.map_or_else(
        || view! { <span class="muted">"Not yet"</span> }.into_any(),
        |at| view! { <RelativeTime at now /> }.into_any(),
    );
    let row_actions = actions.then(|| {
        view! {
            <td>
                <div class="row-actions">
                    // A restore run whose set was deleted has nothing to push.
                    {restore.backup_set_id.is_some().then(|| view! { <ExecuteRestore tenant=tenant.clone() restore=restore.clone() /> })}
                    <ArchiveRestore tenant=tenant.clone() id=id.clone() name=restore.name.clone() on_archived />
                </div>
            </td>
        }
    });
    view! {
        <tr data-test="restore-run-row" data-restore-id=id.clone()>
            {pick}
            <td>
                <strong>{restore.name.clone()}</strong>
                {restore.archived.then(|| view! { <Badge label=ARCHIVED_RECORD.label tone=ARCHIVED_RECORD.tone /> })}
            </td>
            <td>{set_link.map_or_else(|| view! { <span class="muted">"Deleted"</span> }.into_any(), IntoAny::into_any)}</td>
            <td>{executed}</td>
            <td><RelativeTime at=restore.created_at now /></td>
            {row_actions}
        </tr>
    }
}

/// `Execute`: pushes the restore run's backup set back to the tenant, after a confirm step.
#[component]
fn ExecuteRestore(tenant: TenantSlug, restore: RestoreRunDto) -> impl IntoView {
    let toasts = Toasts::expect();
    let id = restore.id.clone();
    let act = move || -> Action {
        let tenant = tenant.clone();
        let params = OperationParams::RestoreExecute {
            restore_run_id: id.clone(),
        };
        Box::pin(async move {
            let toast = start(&tenant, params).await?;
            toasts.show(toast);
            Ok(())
        })
    };
    view! {
        <Confirm
            opener=Opener {
                label: "Execute",
                name: Some(format!("Execute {}", restore.name)),
                class: "button button-small",
                test: "execute-restore",
            }
            question=Question {
                title: Signal::stored(format!("Execute “{}”?", restore.name)),
                no: "Not now",
                yes: Signal::stored("Yes, push it back".to_owned()),
                danger: true,
            }
            dialog_test="execute-dialog"
            act
        >
            <p>"Every policy in its backup set is pushed back to the tenant, replacing what is there now. You are notified when it is done."</p>
        </Confirm>
    }
}

/// `Archive`: puts a restore run away (a plain record change, no operation).
#[component]
fn ArchiveRestore(
    tenant: TenantSlug,
    id: String,
    name: String,
    on_archived: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let archive = move |_| {
        busy.set(true);
        error.set(None);
        let (tenant, id, on_archived) = (tenant.clone(), id.clone(), on_archived.clone());
        leptos::task::spawn_local(async move {
            match Api::same_origin().archive_restore_run(&tenant, &id).await {
                Ok(_) => on_archived(),
                Err(err) => {
                    error.try_set(Some(err.describe()));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <button type="button" class="button button-small button-quiet" on:click=archive disabled=move || busy.get()
            data-test="archive-restore" aria-label=format!("Archive {name}")>"Archive"</button>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
    }
}

/// The bulk actions on picked archived restore runs; `Force delete` asks first, naming how
/// many records go for good.
#[component]
fn ArchivedBulkBar(tenant: TenantSlug, picks: Picks) -> impl IntoView {
    let records = move || count_of(picks.count());
    view! {
        <BulkBar picks region="Selected restore runs">
            <BulkStart picks tenant=tenant.clone() label="Unarchive"
                params=|restore_run_ids| OperationParams::RestoreRunUnarchive { restore_run_ids } />
            <Confirm
                opener=Opener { label: "Force delete", name: None, class: "button button-danger-quiet", test: "force-delete" }
                question=Question {
                    title: Signal::derive(move || format!("Permanently delete {}?", records())),
                    no: "Keep them",
                    yes: Signal::derive(move || format!("Delete {}", records())),
                    danger: true,
                }
                disabled=bulk_busy()
                dialog_test="force-delete-dialog"
                act=move || start_picked(picks, tenant.clone(), OperationParams::RestoreRunForceDelete { restore_run_ids: picks.ids() })
            >
                <p>"They are deleted for good and cannot be brought back. Each deletion is written to the audit log."</p>
            </Confirm>
        </BulkBar>
    }
}

fn count_of(n: usize) -> String {
    count(n as u64, "restore run", "restore runs")
}
