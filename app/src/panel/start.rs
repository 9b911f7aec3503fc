//! A start surface (R15): ask the server to start an operation and show the presenter's toast
//! from its answer (R10). The page never reports the run's end; the notification does.

use leptos::prelude::*;
use opsux_core::wire::{StartRunRequest, TenantAccessDto};
use opsux_core::{OperationParams, OperationType, TenantSlug};

use crate::api::Api;
use crate::components::toasts::Toasts;

/// A button that starts the operation of `params`; offered only when the role grants its
/// capability (R16).
#[expect(
    clippy::needless_pass_by_value,
    reason = "component props are owned values in Leptos"
)]
#[component]
pub(crate) fn StartButton(
    access: TenantAccessDto,
    #[prop(into)] params: StartParams,
    #[prop(into)] label: String,
    #[prop(optional, into)] primary: bool,
) -> impl IntoView {
    let operation = params.0.operation;
    may_start(&access, operation).then(|| {
        let tenant = access.slug.clone();
        let busy = RwSignal::new(false);
        let error = RwSignal::new(None::<String>);
        let toasts = Toasts::expect();
        let on_click = move |_| {
            busy.set(true);
            error.set(None);
            let (tenant, params) = (tenant.clone(), params.clone());
            leptos::task::spawn_local(async move {
                match start(&tenant, params).await {
                    Ok(toast) => toasts.show(toast),
                    Err(message) => error.set(Some(message)),
                }
                busy.set(false);
            });
        };
        view! {
            <div class="start">
                <button
                    type="button"
                    class=if primary { "button button-primary" } else { "button" }
                    on:click=on_click
                    disabled=move || busy.get()
                    data-test=format!("start-{}", operation.as_str())
                >
                    {label}
                </button>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </div>
        }
    })
}

/// Whether the person's role in the tenant may start `operation` (R16): what is not allowed
/// is not offered.
pub(crate) fn may_start(access: &TenantAccessDto, operation: OperationType) -> bool {
    operation
        .start_capability()
        .is_some_and(|c| access.capabilities.contains(&c))
}

/// What a start sends: an operation and its parameters in their canonical form, made from the
/// contract's typed [`OperationParams`] — or, for `Run again`, a run's own parameters as the
/// server stored them (canonical already), sent back unchanged and checked again like any
/// start. Never a map a page puts together.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StartParams(StartRunRequest);

impl From<OperationParams> for StartParams {
    fn from(params: OperationParams) -> Self {
        Self(StartRunRequest {
            operation: params.operation(),
            params: params.canonical(),
        })
    }
}

impl StartParams {
    /// The parameters stored with a run of `operation`, to start it again.
    pub(crate) fn stored(
        operation: OperationType,
        params: serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        Self(StartRunRequest { operation, params })
    }
}

/// Starts the operation of `params`; the toast of the answer (queued or already queued), or
/// what went wrong, said for a person.
pub(crate) async fn start(
    tenant: &TenantSlug,
    params: impl Into<StartParams>,
) -> Result<opsux_core::presenter::Toast, String> {
    Api::same_origin()
        .start(tenant, &params.into().0)
        .await
        .map(|answer| answer.toast)
        .map_err(|err| err.describe())
}
