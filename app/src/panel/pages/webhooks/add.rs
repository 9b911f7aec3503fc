//! Adding an endpoint: a name, an https URL and which runs it hears of. Its signing secret is
//! shown once, for the owner to copy into the receiving system.

use leptos::prelude::*;
use opsux_core::TenantSlug;
use opsux_core::wire::{NewWebhook, WebhookDto};

use crate::api::Api;

#[component]
pub(super) fn AddWebhook(tenant: TenantSlug, added: Callback<WebhookDto>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let only_failed = RwSignal::new(false);
    let only_system = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let secret = RwSignal::new(None::<(String, String)>);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let tenant = tenant.clone();
        let new = NewWebhook {
            name: name.get_untracked().trim().to_owned(),
            url: url.get_untracked().trim().to_owned(),
            only_failed: only_failed.get_untracked(),
            only_system: only_system.get_untracked(),
            types: None,
        };
        busy.set(true);
        error.set(None);
        secret.set(None);
        leptos::task::spawn_local(async move {
            match Api::same_origin().add_webhook(&tenant, &new).await {
                Ok(shown) => {
                    secret.try_set(Some((shown.webhook.name.clone(), shown.secret)));
                    added.run(shown.webhook);
                    name.try_set(String::new());
                    url.try_set(String::new());
                }
                Err(err) => {
                    error.try_set(Some(err.describe()));
                }
            }
            busy.try_set(false);
        });
    };
    let copy = move |_| {
        if let (Some((_, text)), Some(window)) = (secret.get_untracked(), web_sys::window()) {
            let _ = window.navigator().clipboard().write_text(&text);
        }
    };
    view! {
        <section aria-labelledby="add-webhook-title">
            <h2 id="add-webhook-title" class="section-title">"Add a webhook"</h2>
            <form class="card inline-form" on:submit=submit data-test="add-webhook">
                <label class="field">
                    <span>"Name"</span>
                    <input type="text" required=true maxlength="200" autocomplete="off" placeholder="tickets"
                        prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e)) />
                </label>
                <label class="field field-wide">
                    <span>"URL"</span>
                    <input type="url" required=true autocomplete="off" placeholder="https://hooks.example.com/opsux"
                        prop:value=move || url.get() on:input=move |e| url.set(event_target_value(&e)) />
                </label>
                <label class="pick-target">
                    <input type="checkbox" prop:checked=move || only_failed.get()
                        on:change=move |e| only_failed.set(event_target_checked(&e)) />
                    <span>"Only runs that failed or partially succeeded"</span>
                </label>
                <label class="pick-target">
                    <input type="checkbox" prop:checked=move || only_system.get()
                        on:change=move |e| only_system.set(event_target_checked(&e)) />
                    <span>"Only runs nobody started by hand"</span>
                </label>
                <button type="submit" class="button button-primary" disabled=move || busy.get()>"Add webhook"</button>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </form>
            {move || secret.get().map(|(endpoint, text)| view! {
                <div class="notice invite-link" role="status" data-test="webhook-secret">
                    <p>{format!("{endpoint} signs every delivery with this secret. Give it to the receiving system now: it is not shown again.")}</p>
                    <div class="copy-row">
                        <input type="text" readonly=true aria-label="Signing secret" prop:value=text.clone() data-test="webhook-secret-value" />
                        <button type="button" class="button" on:click=copy>"Copy"</button>
                    </div>
                </div>
            })}
        </section>
    }
}
