//! One tenant of the workspace: rename it, connect it to its provider, test the connection.

use leptos::prelude::*;
use opsux_core::TenantSlug;
use opsux_core::wire::{ConnectTenant, ConnectionCheck, WorkspaceOverview, WorkspaceTenantDto};

use crate::api::Api;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Editing {
    Nothing,
    Name,
    Connection,
}

#[expect(
    clippy::needless_pass_by_value,
    reason = "component props are owned values in Leptos"
)]
#[component]
pub(super) fn TenantRow(
    tenant: WorkspaceTenantDto,
    on_change: Callback<WorkspaceOverview>,
) -> impl IntoView {
    let editing = RwSignal::new(Editing::Nothing);
    let checked = RwSignal::new(None::<ConnectionCheck>);
    let testing = RwSignal::new(false);
    let Ok(slug) = TenantSlug::parse(&tenant.slug) else {
        return ().into_any();
    };
    let slug = StoredValue::new(slug);
    let provider = tenant.connection.as_ref().map_or_else(
        || view! { <span class="muted">"Not connected"</span> }.into_any(),
        |c| view! { <span title=format!("client {}", c.client_id)>{format!("Connected · directory {}", c.directory_id)}</span> }.into_any(),
    );
    let connected = tenant.connection.is_some();
    // Its visible label begins its accessible name, which also names the tenant.
    let connect = if connected { "Reconnect" } else { "Connect" };
    let test = move |_| {
        testing.set(true);
        checked.set(None);
        leptos::task::spawn_local(async move {
            let answer = match Api::same_origin().test_connection(&slug.get_value()).await {
                Ok(check) => check,
                Err(err) => ConnectionCheck {
                    ok: false,
                    message: err.describe(),
                },
            };
            checked.try_set(Some(answer));
            testing.try_set(false);
        });
    };
    let label = tenant.name.clone();
    let toggle = move |what: Editing| {
        editing.update(|e| *e = if *e == what { Editing::Nothing } else { what });
    };
    view! {
        <tr data-test="workspace-tenant">
            <td><div class="member-name">{tenant.name.clone()}</div><div class="muted small">{tenant.slug.clone()}</div></td>
            <td>{tenant.members}</td>
            <td>
                {provider}
                {move || checked.get().map(|c| view! {
                    <p class=if c.ok { "check check-ok" } else { "check check-failed" } role="status" data-test="connection-check">
                        {if c.ok { "Works: " } else { "Does not work: " }}{c.message}
                    </p>
                })}
            </td>
            <td><div class="row-actions">
                <button type="button" class="button button-small" aria-label=format!("Rename {label}")
                    on:click=move |_| toggle(Editing::Name)>"Rename"</button>
                <button type="button" class="button button-small" aria-label=format!("{connect} {}", tenant.name)
                    on:click=move |_| toggle(Editing::Connection)>{connect}</button>
                {connected.then(|| view! {
                    <button type="button" class="button button-small" aria-label=format!("Test connection of {}", tenant.name)
                        disabled=move || testing.get() on:click=test data-test="test-connection">"Test connection"</button>
                })}
            </div></td>
        </tr>
        {move || match editing.get() {
            Editing::Nothing => ().into_any(),
            Editing::Name => view! { <tr><td colspan="4"><RenameForm slug=slug.get_value() editing on_change /></td></tr> }.into_any(),
            Editing::Connection => view! { <tr><td colspan="4"><ConnectForm slug=slug.get_value() editing on_change /></td></tr> }.into_any(),
        }}
    }
    .into_any()
}

#[component]
fn RenameForm(
    slug: TenantSlug,
    editing: RwSignal<Editing>,
    on_change: Callback<WorkspaceOverview>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let slug = slug.clone();
        leptos::task::spawn_local(async move {
            match Api::same_origin()
                .rename_tenant(&slug, name.get_untracked())
                .await
            {
                Ok(overview) => {
                    editing.try_set(Editing::Nothing);
                    on_change.run(overview);
                }
                Err(err) => {
                    error.try_set(Some(err.describe()));
                }
            }
        });
    };
    view! {
        <form class="inline-form" on:submit=submit aria-label="Rename the tenant" data-test="rename-tenant">
            <label class="field">
                <span>"New name"</span>
                <input type="text" required=true maxlength="200" prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e)) />
            </label>
            <button type="submit" class="button button-primary">"Save"</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}

/// The Entra app registration's credentials: checked with the provider before they are stored.
#[component]
fn ConnectForm(
    slug: TenantSlug,
    editing: RwSignal<Editing>,
    on_change: Callback<WorkspaceOverview>,
) -> impl IntoView {
    let directory = RwSignal::new(String::new());
    let client = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let login_url = RwSignal::new(String::new());
    let graph_url = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let slug = slug.clone();
        let optional = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let body = ConnectTenant {
            directory_id: directory.get_untracked(),
            client_id: client.get_untracked(),
            client_secret: secret.get_untracked(),
            login_url: optional(login_url.get_untracked()),
            graph_url: optional(graph_url.get_untracked()),
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match Api::same_origin().connect_tenant(&slug, &body).await {
                Ok(overview) => {
                    editing.try_set(Editing::Nothing);
                    on_change.run(overview);
                }
                Err(err) => {
                    error.try_set(Some(err.describe()));
                }
            }
            busy.try_set(false);
        });
    };
    let field = |label: &'static str,
                 value: RwSignal<String>,
                 kind: &'static str,
                 required: bool| {
        view! {
            <label class="field">
                <span>{label}</span>
                <input type=kind required=required autocomplete="off"
                    prop:value=move || value.get() on:input=move |e| value.set(event_target_value(&e)) />
            </label>
        }
    };
    view! {
        <form class="connect-form" on:submit=submit aria-label="Connect the tenant" data-test="connect-tenant">
            {field("Directory (tenant) id", directory, "text", true)}
            {field("Client (application) id", client, "text", true)}
            {field("Client secret", secret, "password", true)}
            <details>
                <summary>"Another cloud"</summary>
                {field("Sign-in URL", login_url, "url", false)}
                {field("Graph URL", graph_url, "url", false)}
            </details>
            <p class="muted small">"opsux signs in and lists policies before it stores anything; the secret is stored encrypted and never shown again."</p>
            <button type="submit" class="button button-primary" disabled=move || busy.get()>"Check and connect"</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}
