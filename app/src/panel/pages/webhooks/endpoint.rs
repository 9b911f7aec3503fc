//! One endpoint: where it points, what it hears, whether it is healthy, and its latest
//! deliveries — with the owner's actions.

use leptos::prelude::*;
use opsux_core::TenantSlug;
use opsux_core::badge::{FAILING_WEBHOOK, PAUSED_WEBHOOK, delivery_badge};
use opsux_core::wire::{DeliveryState, WebhookDeliveryDto, WebhookDto};

use crate::api::Api;
use crate::components::{Badge, RelativeTime};
use crate::live::ticking_now;
use crate::panel::confirm::{Action, Confirm, Opener, Question};

/// Which runs an endpoint hears of, in words.
fn filters(endpoint: &WebhookDto) -> String {
    let runs = match (endpoint.only_failed, endpoint.only_system) {
        (false, false) => "Every run",
        (true, false) => "Runs that failed or partially succeeded",
        (false, true) => "Runs nobody started by hand",
        (true, true) => "Runs nobody started by hand that failed or partially succeeded",
    };
    match &endpoint.types {
        Some(types) => format!("{runs}, of {}", types.join(", ")),
        None => runs.to_owned(),
    }
}

#[expect(
    clippy::needless_pass_by_value,
    reason = "component props are owned values in Leptos"
)]
#[component]
pub(super) fn Endpoint(
    endpoint: WebhookDto,
    tenant: TenantSlug,
    is_owner: bool,
    replace: Callback<WebhookDto>,
    removed: Callback<String>,
) -> impl IntoView {
    let now = ticking_now();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let name = endpoint.name.clone();
    // Each action answers with the endpoint as it is afterwards.
    let act = {
        let (tenant, name) = (tenant.clone(), name.clone());
        move |action: String| {
            let (tenant, name) = (tenant.clone(), name.clone());
            busy.set(true);
            error.set(None);
            leptos::task::spawn_local(async move {
                match Api::same_origin()
                    .webhook_action(&tenant, &name, &action)
                    .await
                {
                    Ok(changed) => replace.run(changed),
                    Err(err) => {
                        error.try_set(Some(err.describe()));
                    }
                }
                busy.try_set(false);
            });
        }
    };
    let health = match (endpoint.paused_at, endpoint.failing_since) {
        (Some(at), _) => Some(
            view! {
                <Badge label=PAUSED_WEBHOOK.label tone=PAUSED_WEBHOOK.tone />
                <span class="muted small">" since "<RelativeTime at now /></span>
            }
            .into_any(),
        ),
        (None, Some(since)) => Some(
            view! {
                <Badge label=FAILING_WEBHOOK.label tone=FAILING_WEBHOOK.tone />
                <span class="muted small">" since "<RelativeTime at=since now /></span>
            }
            .into_any(),
        ),
        (None, None) => None,
    };
    let paused = endpoint.paused_at.is_some();
    let actions = is_owner.then(|| {
        let test = act.clone();
        let resume = act.clone();
        view! {
            <div class="row-actions">
                <button type="button" class="button button-small" data-test="webhook-test"
                    disabled=move || busy.get() on:click=move |_| test("test".to_owned())>
                    "Send test event"
                </button>
                {paused.then(|| view! {
                    <button type="button" class="button button-small button-primary" data-test="webhook-resume"
                        disabled=move || busy.get() on:click=move |_| resume("resume".to_owned())>
                        "Resume"
                    </button>
                })}
                <RemoveWebhook tenant=tenant.clone() name=name.clone() removed />
            </div>
        }
    });
    let deliveries = endpoint.deliveries.clone();
    let empty = deliveries.is_empty();
    let heading = format!("Latest deliveries to {}", endpoint.name);
    let region = heading.clone();
    view! {
        <section class="card webhook" data-test="webhook" data-name=endpoint.name.clone()>
            <div class="webhook-head">
                <div>
                    <h2 class="webhook-name">{endpoint.name.clone()} " " {health}</h2>
                    <div class="muted small webhook-url">{endpoint.url.clone()}</div>
                    <div class="small">{filters(&endpoint)}</div>
                </div>
                {actions}
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {paused.then(|| view! {
                <p class="callout callout-warning small" role="status">"Every attempt failed for a day, so nothing is sent. Deliveries wait; resuming sends them."</p>
            })}
            {if empty {
                view! { <p class="muted small" data-test="no-deliveries">"Nothing sent yet."</p> }.into_any()
            } else {
                // A narrow screen scrolls the table sideways: keyboard users reach it too.
                view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label=region>
                        <table class="table" data-test="webhook-deliveries">
                            <caption class="visually-hidden">{heading}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Event"</th>
                                    <th scope="col">"State"</th>
                                    <th scope="col">"Attempts"</th>
                                    <th scope="col">"Last answer"</th>
                                    <th scope="col">"When"</th>
                                    {is_owner.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                                </tr>
                            </thead>
                            <tbody>
                                {deliveries.into_iter().map(|delivery| view! {
                                    <DeliveryRow delivery is_owner act=act.clone() busy now />
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn DeliveryRow(
    delivery: WebhookDeliveryDto,
    is_owner: bool,
    act: impl Fn(String) + Clone + 'static,
    busy: RwSignal<bool>,
    now: ReadSignal<time::OffsetDateTime>,
) -> impl IntoView {
    let badge = delivery_badge(delivery.state);
    let event = match &delivery.view_run_url {
        // The presenter's link to the run (R13).
        Some(url) => view! { <a href=url.clone()>"Run ended"</a> }.into_any(),
        None => view! { <span>"Test event"</span> }.into_any(),
    };
    let answer = match (delivery.last_status, &delivery.last_error) {
        (Some(status), _) => status.to_string(),
        (None, Some(error)) => error.clone(),
        (None, None) => "—".to_owned(),
    };
    let next = (delivery.state == DeliveryState::Pending)
        .then_some(delivery.next_attempt_at)
        .flatten()
        .filter(|_| delivery.attempts > 0);
    let resend = (is_owner && delivery.state != DeliveryState::Pending).then(|| {
        let path = format!("deliveries/{}/resend", delivery.id);
        view! {
            <td><div class="row-actions">
                <button type="button" class="button button-small" data-test="webhook-resend"
                    disabled=move || busy.get() on:click=move |_| act(path.clone())>
                    "Resend"
                </button>
            </div></td>
        }
    });
    let placeholder =
        (is_owner && delivery.state == DeliveryState::Pending).then(|| view! { <td></td> });
    view! {
        <tr data-test="webhook-delivery" data-state=badge.label>
            <td>{event}<div class="muted small mono">{delivery.id.clone()}</div></td>
            <td><Badge label=badge.label tone=badge.tone /></td>
            <td>{delivery.attempts}</td>
            <td class="wrap">
                {answer}
                {next.map(|at| view! { <div class="muted small">"next "<RelativeTime at now /></div> })}
            </td>
            <td><RelativeTime at=delivery.created_at now /></td>
            {resend}
            {placeholder}
        </tr>
    }
}

/// Removes an endpoint after a confirm step: what it was still owed is dropped.
#[component]
fn RemoveWebhook(tenant: TenantSlug, name: String, removed: Callback<String>) -> impl IntoView {
    let question = format!("Remove the webhook {name}?");
    let opener = Opener {
        label: "Remove",
        name: Some(format!("Remove the webhook {name}")),
        class: "button button-small button-danger-quiet",
        test: "webhook-remove",
    };
    let act = move || -> Action {
        let (tenant, name) = (tenant.clone(), name.clone());
        Box::pin(async move {
            Api::same_origin()
                .remove_webhook(&tenant, &name)
                .await
                .map_err(|err| err.describe())?;
            removed.run(name);
            Ok(())
        })
    };
    view! {
        <Confirm
            opener
            question=Question {
                title: Signal::stored(question),
                no: "Keep",
                yes: Signal::stored("Remove".to_owned()),
                danger: true,
            }
            dialog_test="remove-webhook-dialog"
            act
        >
            <p>"Nothing more is sent to it, including deliveries still waiting."</p>
        </Confirm>
    }
}
