//! One endpoint: where it points, what it hears, whether it is healthy, and its latest
//! deliveries — with the owner's actions. The card stays while its endpoint changes: its
//! health, its notice and its deliveries follow the list in place, so a button pressed keeps
//! the focus and an error stays said.

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

/// Runs an owner's action on the endpoint (`test`, `resume`, `deliveries/{id}/resend`) and
/// puts the endpoint it answers with in the list.
#[derive(Clone)]
struct Act {
    tenant: TenantSlug,
    name: String,
    endpoints: RwSignal<Vec<WebhookDto>>,
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
}

impl Act {
    fn run(&self, action: String) {
        let Self {
            tenant,
            name,
            endpoints,
            busy,
            error,
        } = self.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match Api::same_origin()
                .webhook_action(&tenant, &name, &action)
                .await
            {
                Ok(changed) => {
                    endpoints.try_update(|list| {
                        if let Some(slot) = list.iter_mut().find(|e| e.name == changed.name) {
                            *slot = changed;
                        }
                    });
                }
                Err(err) => {
                    error.try_set(Some(err.describe()));
                }
            }
            busy.try_set(false);
        });
    }
}

#[expect(
    clippy::needless_pass_by_value,
    reason = "component props are owned values in Leptos"
)]
#[component]
pub(super) fn Endpoint(
    name: String,
    tenant: TenantSlug,
    is_owner: bool,
    endpoints: RwSignal<Vec<WebhookDto>>,
) -> impl IntoView {
    let now = ticking_now();
    let this = {
        let name = name.clone();
        Memo::new(move |_| endpoints.with(|list| list.iter().find(|e| e.name == name).cloned()))
    };
    // What never changes once added: read once.
    let Some(first) = this.get_untracked() else {
        return ().into_any();
    };
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let act = Act {
        tenant: tenant.clone(),
        name: name.clone(),
        endpoints,
        busy,
        error,
    };
    let paused = move || this.with(|e| e.as_ref().is_some_and(|e| e.paused_at.is_some()));
    let health = move || {
        let (paused_at, failing_since) = this.with(|e| {
            e.as_ref()
                .map_or((None, None), |e| (e.paused_at, e.failing_since))
        });
        Some(match (paused_at, failing_since) {
            (Some(at), _) => view! {
                <Badge label=PAUSED_WEBHOOK.label tone=PAUSED_WEBHOOK.tone />
                <span class="muted small">" since "<RelativeTime at now /></span>
            }
            .into_any(),
            (None, Some(since)) => view! {
                <Badge label=FAILING_WEBHOOK.label tone=FAILING_WEBHOOK.tone />
                <span class="muted small">" since "<RelativeTime at=since now /></span>
            }
            .into_any(),
            (None, None) => return None,
        })
    };
    let actions = is_owner.then(|| {
        let (test, resume) = (act.clone(), act.clone());
        let name = name.clone();
        let resume_label = format!("Resume {name}");
        view! {
            <div class="row-actions">
                <button type="button" class="button button-small" data-test="webhook-test"
                    aria-label=format!("Send test event to {name}")
                    disabled=move || busy.get() on:click=move |_| test.run("test".to_owned())>
                    "Send test event"
                </button>
                <Show when=paused>
                    <button type="button" class="button button-small button-primary" data-test="webhook-resume"
                        aria-label=resume_label.clone()
                        disabled=move || busy.get() on:click={
                            let resume = resume.clone();
                            move |_| resume.run("resume".to_owned())
                        }>
                        "Resume"
                    </button>
                </Show>
                <RemoveWebhook tenant=tenant.clone() name=name.clone() endpoints />
            </div>
        }
    });
    let act = StoredValue::new(act);
    let heading = format!("Latest deliveries to {}", first.name);
    let region = heading.clone();
    let deliveries =
        move || this.with(|e| e.as_ref().map(|e| e.deliveries.clone()).unwrap_or_default());
    view! {
        <section class="card webhook" data-test="webhook" data-name=first.name.clone()>
            <div class="webhook-head">
                <div>
                    <h2 class="webhook-name">{first.name.clone()} " " {health}</h2>
                    <div class="muted small webhook-url">{first.url.clone()}</div>
                    <div class="small">{filters(&first)}</div>
                </div>
                {actions}
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Show when=paused>
                <p class="callout callout-warning small" role="status">"Every attempt failed for a day, so nothing is sent. Deliveries wait; resuming sends them."</p>
            </Show>
            <Show when=move || !deliveries().is_empty()
                fallback=|| view! { <p class="muted small" data-test="no-deliveries">"Nothing sent yet."</p> }>
                // A narrow screen scrolls the table sideways: keyboard users reach it too.
                <div class="table-wrap" tabindex="0" role="region" aria-label=region.clone()>
                    <table class="table" data-test="webhook-deliveries">
                        <caption class="visually-hidden">{heading.clone()}</caption>
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
                            <For each=deliveries key=|d| (d.id.clone(), d.state, d.attempts) let(delivery)>
                                <DeliveryRow delivery is_owner act=act.get_value() busy now />
                            </For>
                        </tbody>
                    </table>
                </div>
            </Show>
        </section>
    }
    .into_any()
}

#[component]
fn DeliveryRow(
    delivery: WebhookDeliveryDto,
    is_owner: bool,
    act: Act,
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
                    aria-label=format!("Resend {}", delivery.id)
                    disabled=move || busy.get() on:click=move |_| act.run(path.clone())>
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
fn RemoveWebhook(
    tenant: TenantSlug,
    name: String,
    endpoints: RwSignal<Vec<WebhookDto>>,
) -> impl IntoView {
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
            endpoints.try_update(|list| list.retain(|e| e.name != name));
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
