//! The tenants' API tokens (`opsux token create` makes them): what each may do and until when,
//! never its secret; an owner revokes one here, and requests with it are refused from then on.

use leptos::prelude::*;
use opsux_core::TenantSlug;
use opsux_core::wire::{ApiTokenDto, WorkspaceOverview};

use crate::api::Api;
use crate::components::RelativeTime;
use crate::live::ticking_now;
use crate::panel::confirm::{Action, Confirm, Opener, Question};

#[component]
pub(super) fn Tokens(
    overview: Signal<Option<WorkspaceOverview>>,
    on_change: Callback<WorkspaceOverview>,
) -> impl IntoView {
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
    view! {
        <h2 class="section-title">"API tokens"</h2>
        <p class="muted small">"Other services start and work runs with these; "<code>"opsux token create"</code>" makes one and shows it once."</p>
        <Show when=move || !rows().is_empty()
            fallback=|| view! { <p class="card muted" data-test="no-tokens">"No tenant has an API token."</p> }>
            // A narrow screen scrolls the table sideways: keyboard users reach it too.
            <div class="table-wrap card card-flush" tabindex="0" role="region" aria-label="API tokens">
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
                                    <RevokeToken slug=slug.clone() name=token.name.clone() on_change />
                                </div></td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

/// Revokes one token, after a confirm step: a service using it stops working at once.
#[component]
fn RevokeToken(
    slug: String,
    name: String,
    on_change: Callback<WorkspaceOverview>,
) -> impl IntoView {
    let question = format!("Revoke the token {name} of {slug}?");
    let opener = Opener {
        label: "Revoke",
        name: Some(format!("Revoke the token {name} of {slug}")),
        class: "button button-small button-danger-quiet",
        test: "revoke-token",
    };
    let act = move || -> Action {
        let (slug, name) = (slug.clone(), name.clone());
        Box::pin(async move {
            let slug = TenantSlug::parse(&slug).map_err(|err| err.to_string())?;
            let overview = Api::same_origin()
                .revoke_token(&slug, &name)
                .await
                .map_err(|err| err.describe())?;
            on_change.run(overview);
            Ok(())
        })
    };
    view! {
        <Confirm
            opener
            question=Question {
                title: Signal::stored(question),
                no: "Keep",
                yes: Signal::stored("Revoke".to_owned()),
                danger: true,
            }
            dialog_test="revoke-token-dialog"
            act
        >
            <p>"Requests with it are refused from now on; the service that uses it needs a new one."</p>
        </Confirm>
    }
}
