//! `/t/{tenant}/webhooks`: where other systems hear how this tenant's runs ended. Every member
//! sees the endpoints and their latest deliveries; owners add one (its secret shown once), send
//! a test event, resume a paused one, send a delivery again and remove one. While a delivery
//! is about to be tried, the page reads the list again every few seconds, so a test event is seen
//! arriving.

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

/// Whether a delivery of `endpoint` is about to be attempted: not yet tried, or its next try
/// within a minute. One that waits hours for its next try is not read again for.
fn attempt_near(endpoint: &WebhookDto, now: time::OffsetDateTime) -> bool {
    endpoint.paused_at.is_none()
        && endpoint.deliveries.iter().any(|d| {
            d.state == DeliveryState::Pending
                && (d.attempts == 0
                    || d.next_attempt_at
                        .is_some_and(|at| at <= now + time::Duration::minutes(1)))
        })
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
            let now = crate::live::now();
            endpoints.with_untracked(|list| list.iter().any(|e| attempt_near(e, now)))
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
    let added = Callback::new(move |new: WebhookDto| {
        endpoints.update(|list| {
            list.retain(|e| e.name != new.name);
            list.push(new);
            list.sort_by(|a, b| a.name.cmp(&b.name));
        });
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
            // Keyed by name: a card stays while its endpoint changes, and follows it in place.
            <For each=move || endpoints.with(|list| list.iter().map(|e| e.name.clone()).collect::<Vec<_>>())
                key=|name| name.clone() let(name)>
                <Endpoint name tenant=list_tenant.clone() is_owner endpoints />
            </For>
        </div>
        {is_owner.then(|| view! { <AddWebhook tenant=tenant.clone() added /> })}
    }
}
