//! Invitations not yet accepted: who, which role, who invited them, until when; revocable.

use leptos::prelude::*;
use opsux_core::TenantSlug;
use opsux_core::wire::InvitationDto;

use super::role_label;
use crate::api::Api;
use crate::components::RelativeTime;
use crate::live::ticking_now;

#[component]
pub(super) fn Invitations(tenant: TenantSlug, invited: RwSignal<u32>) -> impl IntoView {
    let tenant = StoredValue::new(tenant);
    let rows = RwSignal::new(Vec::<InvitationDto>::new());
    let error = RwSignal::new(None::<String>);
    let now = ticking_now();
    {
        Effect::new(move |_| {
            invited.track();
            let tenant = tenant.get_value();
            leptos::task::spawn_local(async move {
                match Api::same_origin().invitations(&tenant).await {
                    Ok(list) => {
                        rows.try_set(list.items);
                    }
                    Err(err) => {
                        error.try_set(Some(err.describe()));
                    }
                }
            });
        });
    }
    let revoke = move |id: String| {
        let tenant = tenant.get_value();
        error.set(None);
        leptos::task::spawn_local(async move {
            match Api::same_origin().revoke_invitation(&tenant, &id).await {
                Ok(()) => {
                    rows.try_update(|list| list.retain(|i| i.id != id));
                }
                Err(err) => {
                    error.try_set(Some(err.describe()));
                }
            }
        });
    };
    view! {
        <Show when=move || !rows.with(Vec::is_empty)>
            <section aria-labelledby="invitations-title">
                <h2 id="invitations-title" class="section-title">"Invitations"</h2>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <div class="table-wrap card card-flush">
                    <table class="table" data-test="invitations-table">
                        <thead>
                            <tr>
                                <th scope="col">"E-mail address"</th>
                                <th scope="col">"Role"</th>
                                <th scope="col">"Invited by"</th>
                                <th scope="col">"Expires"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || rows.get() key=|i| i.id.clone() let(invitation)>
                                <tr data-test="invitation">
                                    <td>{invitation.email.clone()}</td>
                                    <td>{role_label(invitation.role)}</td>
                                    <td>{invitation.invited_by.clone().unwrap_or_else(|| "The command line".to_owned())}</td>
                                    <td>
                                        {if invitation.expired {
                                            view! { <span class="muted">"Expired"</span> }.into_any()
                                        } else {
                                            view! { <RelativeTime at=invitation.expires_at now /> }.into_any()
                                        }}
                                    </td>
                                    <td><div class="row-actions">
                                        <button type="button" class="button button-small button-danger-quiet"
                                            aria-label=format!("Revoke the invitation of {}", invitation.email)
                                            on:click={
                                                let id = invitation.id.clone();
                                                move |_| revoke(id.clone())
                                            }
                                            data-test="revoke-invitation">
                                            "Revoke"
                                        </button>
                                    </div></td>
                                </tr>
                            </For>
                        </tbody>
                    </table>
                </div>
            </section>
        </Show>
    }
}
