//! Inviting someone: an e-mail address and a role make a single-use link, shown once for the
//! owner to copy and pass on.

use leptos::prelude::*;
use opsux_core::{Role, TenantSlug};

use super::{role_hint, role_label};
use crate::api::Api;

#[component]
pub(super) fn InviteForm(tenant: TenantSlug, invited: RwSignal<u32>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Reader);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let link = RwSignal::new(None::<(String, String)>);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let tenant = tenant.clone();
        let (address, picked) = (email.get_untracked(), role.get_untracked());
        busy.set(true);
        error.set(None);
        link.set(None);
        leptos::task::spawn_local(async move {
            match Api::same_origin()
                .invite(&tenant, address.clone(), picked)
                .await
            {
                Ok(created) => {
                    let origin = web_sys::window()
                        .and_then(|w| w.location().origin().ok())
                        .unwrap_or_default();
                    link.try_set(Some((address, format!("{origin}{}", created.path))));
                    email.try_set(String::new());
                    invited.try_update(|n| *n += 1);
                }
                Err(err) => {
                    error.try_set(Some(err.describe()));
                }
            }
            busy.try_set(false);
        });
    };
    let copy = move |_| {
        if let (Some((_, url)), Some(window)) = (link.get_untracked(), web_sys::window()) {
            let _ = window.navigator().clipboard().write_text(&url);
        }
    };
    view! {
        <section aria-labelledby="invite-title">
            <h2 id="invite-title" class="section-title">"Invite someone"</h2>
            <form class="card inline-form" on:submit=submit data-test="invite-form">
                <label class="field">
                    <span>"E-mail address"</span>
                    <input type="email" required=true autocomplete="off" placeholder="colleague@example.com"
                        prop:value=move || email.get() on:input=move |e| email.set(event_target_value(&e)) />
                </label>
                <label class="field">
                    <span>"Role"</span>
                    <select on:change=move |e| if let Some(r) = Role::parse(&event_target_value(&e)) { role.set(r) }>
                        {Role::ALL.into_iter().map(|r| view! {
                            <option value=r.as_str() selected=r == Role::Reader>{format!("{} — {}", role_label(r), role_hint(r))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="button button-primary" disabled=move || busy.get()>"Invite"</button>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </form>
            {move || link.get().map(|(address, url)| view! {
                <div class="notice invite-link" role="status" data-test="invite-link">
                    <p>{format!("Send this link to {address}. It works once, for 7 days; only you see it now.")}</p>
                    <div class="copy-row">
                        <input type="text" readonly=true aria-label="Invitation link" prop:value=url.clone() data-test="invite-url" />
                        <button type="button" class="button" on:click=copy>"Copy"</button>
                    </div>
                </div>
            })}
        </section>
    }
}
