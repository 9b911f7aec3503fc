//! The tenants' API tokens (`opsux token create` makes them): what each may do and until when,
//! never its secret; an owner revokes one here, and requests with it are refused from then on.

use leptos::prelude::*;
use opsux_core::TenantSlug;
use opsux_core::wire::{ApiTokenDto, WorkspaceOverview};

use crate::api::Api;
use crate::components::RelativeTime;
use crate::live::ticking_now;

#[component]
pub(super) fn Tokens(
    overview: Signal<Option<WorkspaceOverview>>,
    on_change: Callback<WorkspaceOverview>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let now = ticking_now();
    let rows = move || {
        overview
            .get()
            .map(|o| {
                o.tenants
                    .into_iter()
                    .flat_map(|t| {
                        let slug = t.slug;
                        t.tokens.into_iter().map(move |token| (slug.clone(), token))
                    })
                    .collect::<Vec<(String, ApiTokenDto)>>()
            })
            .unwrap_or_default()
    };
    let revoke = move |slug: String, name: String| {
        error.set(None);
        let Ok(slug) = TenantSlug::parse(&slug) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match Api::same_origin().revoke_token(&slug, &name).await {
                Ok(overview) => on_change.run(overview),
                Err(err) => {
                    error.try_set(Some(err.describe()));
                }
            }
        });
    };
    view! {
        <h2 class="section-title">"API tokens"</h2>
        <p class="muted small">"Other services start and work runs with these; "<code>"opsux token create"</code>" makes one and shows it once."</p>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        <Show when=move || !rows().is_empty()
            fallback=|| view! { <p class="card muted" data-test="no-tokens">"No tenant has an API token."</p> }>
            <div class="table-wrap card card-flush">
                <table class="table" data-test="workspace-tokens">
                    <thead>
                        <tr>
                            <th scope="col">"Tenant"</th>
                            <th scope="col">"Name"</th>
                            <th scope="col">"May"</th>
                            <th scope="col">"Expires"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=rows key=|(slug, t)| (slug.clone(), t.name.clone()) let((slug, token))>
                            <tr data-test="workspace-token">
                                <td>{slug.clone()}</td>
                                <td>
                                    <div class="member-name">{token.name.clone()}</div>
                                    <div class="muted small">{token.created_by.clone().unwrap_or_else(|| "The command line".to_owned())}</div>
                                </td>
                                <td>
                                    {token.scopes.join(", ")}
                                    <div class="muted small">{token.types.as_ref().map_or_else(|| "every type".to_owned(), |t| t.join(", "))}</div>
                                </td>
                                <td>
                                    {match token.expires_at {
                                        Some(at) => view! { <RelativeTime at now /> }.into_any(),
                                        None => view! { <span class="muted">"Never"</span> }.into_any(),
                                    }}
                                </td>
                                <td><div class="row-actions">
                                    <button type="button" class="button button-small button-danger-quiet"
                                        aria-label=format!("Revoke the token {} of {slug}", token.name)
                                        on:click={
                                            let (slug, name) = (slug.clone(), token.name.clone());
                                            move |_| revoke(slug.clone(), name.clone())
                                        }
                                        data-test="revoke-token">
                                        "Revoke"
                                    </button>
                                </div></td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
        </Show>
    }
}
