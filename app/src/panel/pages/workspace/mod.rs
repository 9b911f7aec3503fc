//! `/workspace` (the workspace's owners): its tenants — add, rename, connect to their provider
//! (the Entra app's credentials, checked before they are stored) and *Test connection* — who
//! owns the workspace, and its own audit entries. Anyone else sees the not-found page, as the
//! server answers them.

mod activity;
mod tenant_row;
mod tokens;

use leptos::prelude::*;
use opsux_core::wire::{ErrorCode, WorkspaceOverview};

use crate::api::Api;
use crate::panel::pages::NotFound;
use crate::panel::session::Session;
use crate::panel::title::set_title;
use activity::Activity;
use tenant_row::TenantRow;
use tokens::Tokens;

#[derive(Debug, Clone)]
enum Loaded {
    Loading,
    Ready(WorkspaceOverview),
    NotFound,
    Failed(String),
}

#[component]
pub(crate) fn WorkspacePage() -> impl IntoView {
    set_title("Workspace");
    // The panel puts it in the signed-in frame.
    view! { <Workspace /> }
}

#[component]
fn Workspace() -> impl IntoView {
    let loaded = RwSignal::new(Loaded::Loading);
    // Bumped by every change, so the activity re-reads.
    let changed = RwSignal::new(0_u32);
    leptos::task::spawn_local(async move {
        let state = match Api::same_origin().workspace().await {
            Ok(overview) => Loaded::Ready(overview),
            Err(err) if err.is(ErrorCode::NotFound) => Loaded::NotFound,
            Err(err) => Loaded::Failed(err.describe()),
        };
        loaded.try_set(state);
    });
    let overview = Signal::derive(move || match loaded.get() {
        Loaded::Ready(overview) => Some(overview),
        _ => None,
    });
    let update = Callback::new(move |next: WorkspaceOverview| {
        loaded.set(Loaded::Ready(next));
        changed.update(|n| *n += 1);
    });
    move || {
        match loaded.get() {
        Loaded::Loading => view! { <div class="page-loading" aria-busy="true"></div> }.into_any(),
        Loaded::NotFound => view! { <NotFound /> }.into_any(),
        Loaded::Failed(why) => view! { <p class="error" role="alert">{why}</p> }.into_any(),
        Loaded::Ready(first) => view! {
            <div class="page-head">
                <h1>"Workspace"</h1>
                <p class="muted">{format!("{}: its tenants, their connection to Microsoft Graph, and who owns the workspace.", first.name)}</p>
            </div>
            <h2 class="section-title">"Tenants"</h2>
            <div class="table-wrap card card-flush">
                <table class="table" data-test="workspace-tenants">
                    <thead>
                        <tr>
                            <th scope="col">"Tenant"</th>
                            <th scope="col">"Members"</th>
                            <th scope="col">"Provider"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || overview.get().map(|o| o.tenants).unwrap_or_default()
                            key=|t| (t.slug.clone(), t.name.clone(), t.connection.as_ref().map(|c| (c.directory_id.clone(), c.client_id.clone())))
                            let(tenant)>
                            <TenantRow tenant on_change=update />
                        </For>
                    </tbody>
                </table>
            </div>
            <AddTenant on_change=update />
            <Tokens overview on_change=update />
            <h2 class="section-title">"Owners"</h2>
            <div class="card">
                <ul class="plain-list" data-test="workspace-owners">
                    <For each=move || overview.get().map(|o| o.owners).unwrap_or_default() key=|o| o.email.clone() let(owner)>
                        <li>{owner.display_name}" "<span class="muted small">{owner.email}</span></li>
                    </For>
                </ul>
            </div>
            <Activity changed />
        }
        .into_any(),
    }
    }
}

/// Adds a tenant; the person (and every other owner of the workspace) owns it.
#[component]
fn AddTenant(on_change: Callback<WorkspaceOverview>) -> impl IntoView {
    let session = Session::expect();
    let slug = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        busy.set(true);
        error.set(None);
        let (new_slug, new_name) = (slug.get_untracked(), name.get_untracked());
        leptos::task::spawn_local(async move {
            match Api::same_origin().add_tenant(new_slug, new_name).await {
                Ok(overview) => {
                    on_change.run(overview);
                    slug.try_set(String::new());
                    name.try_set(String::new());
                    // The person owns it now: the tenant switcher should offer it.
                    if let Ok(me) = Api::same_origin().me().await {
                        session.signed_in(me);
                    }
                }
                Err(err) => {
                    error.try_set(Some(err.describe()));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <form class="card inline-form" on:submit=submit aria-label="Add a tenant" data-test="add-tenant">
            <label class="field">
                <span>"Slug"</span>
                <input type="text" required=true minlength="2" maxlength="40" pattern="[a-z0-9]([a-z0-9-]*[a-z0-9])?"
                    placeholder="contoso-emea" prop:value=move || slug.get() on:input=move |e| slug.set(event_target_value(&e)) />
            </label>
            <label class="field">
                <span>"Name"</span>
                <input type="text" required=true maxlength="200" placeholder="Contoso EMEA"
                    prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e)) />
            </label>
            <button type="submit" class="button button-primary" disabled=move || busy.get()>"Add tenant"</button>
            <p class="muted small">"The slug is part of its addresses: 2–40 lowercase letters, digits and hyphens."</p>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}
