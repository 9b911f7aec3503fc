//! `/t/{tenant}/webhooks`: where other systems hear how this tenant's runs ended. Every member
//! sees the endpoints and their latest deliveries; owners add one (its secret shown once), send
//! a test event, resume a paused one, send a delivery again and remove one. While a delivery
//! waits, the page reads the list again every few seconds, so a test event is seen arriving.

mod add;
mod endpoint;

use std::time::Duration;

use leptos::prelude::*;
use opsux_core::Role;
use opsux_core::wire::{DeliveryState, WebhookDto};

use crate::api::Api;
use crate::panel::shell::TenantScope;
use crate::panel::title::set_title;
use add::AddWebhook;
use endpoint::Endpoint;

/// How often the list is read again while a delivery is pending.
const REFRESH: Duration = Duration::from_secs(2);

/// What a row is redrawn for: any change of the endpoint's state or of a delivery's.
type Version = (
    String,
    Option<time::OffsetDateTime>,
    Option<time::OffsetDateTime>,
    Vec<(String, DeliveryState, u32)>,
);

fn version(endpoint: &WebhookDto) -> Version {
    (
        endpoint.name.clone(),
        endpoint.failing_since,
        endpoint.paused_at,
        endpoint
            .deliveries
            .iter()
            .map(|d| (d.id.clone(), d.state, d.attempts))
            .collect(),
    )
}

#[component]
pub(crate) fn WebhooksPage() -> impl IntoView {
    let scope = TenantScope::expect();
    set_title(&format!("Webhooks · {}", scope.access.name));
    let is_owner = scope.access.role == Role::Owner;
    let tenant = scope.access.slug.clone();
    let endpoints = RwSignal::new(Vec::<WebhookDto>::new());
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let reload = {
        let tenant = tenant.clone();
        move || {
            let tenant = tenant.clone();
            leptos::task::spawn_local(async move {
                match Api::same_origin().webhooks(&tenant).await {
                    Ok(list) => {
                        endpoints.try_set(list.items);
                        error.try_set(None);
                    }
                    Err(err) => {
                        error.try_set(Some(err.describe()));
                    }
                }
                loaded.try_set(true);
            });
        }
    };
    reload();
    {
        let reload = reload.clone();
        let waiting = move || {
            endpoints.with_untracked(|list| {
                list.iter().any(|e| {
                    e.paused_at.is_none()
                        && e.deliveries
                            .iter()
                            .any(|d| d.state == DeliveryState::Pending)
                })
            })
        };
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if waiting() {
                    reload();
                }
            },
            REFRESH,
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    let description = if is_owner {
        "Other systems — a ticketing tool, a chat bridge, your alerting — hear here how this tenant's runs ended: each endpoint gets one signed run.ended event per run that meets its filters."
    } else {
        "Other systems hear here how this tenant's runs ended: each endpoint gets one signed run.ended event per run that meets its filters. Its owners change them."
    };
    let replace = Callback::new(move |changed: WebhookDto| {
        endpoints.update(|list| {
            if let Some(slot) = list.iter_mut().find(|e| e.name == changed.name) {
                *slot = changed;
            } else {
                list.push(changed);
                list.sort_by(|a, b| a.name.cmp(&b.name));
            }
        });
    });
    let removed = Callback::new(move |name: String| {
        endpoints.update(|list| list.retain(|e| e.name != name));
    });
    let list_tenant = tenant.clone();
    view! {
        <div class="page-head">
            <h1>"Webhooks"</h1>
            <p class="muted">{description}</p>
        </div>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        <div aria-busy=move || (!loaded.get()).to_string() data-test="webhooks">
            <Show when=move || loaded.get() && endpoints.with(Vec::is_empty)>
                <p class="card muted" data-test="no-webhooks">
                    {if is_owner { "No webhook yet: add one below." } else { "No webhook yet." }}
                </p>
            </Show>
            <For each=move || endpoints.get() key=version let(endpoint)>
                <Endpoint endpoint tenant=list_tenant.clone() is_owner replace removed />
            </For>
        </div>
        {is_owner.then(|| view! { <AddWebhook tenant=tenant.clone() added=replace /> })}
    }
}
