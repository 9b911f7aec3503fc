//! The bar over a list once rows are picked: how many, what can be done with them, `Clear`.
//! Each action starts one operation on the picked ids through the one start path (R15), shows
//! its toast (R10) and clears the picks.

use leptos::prelude::*;
use opsux_core::{OperationParams, TenantSlug};

use super::Picks;
use crate::components::toasts::Toasts;
use crate::panel::confirm::Action;
use crate::panel::start::start;

/// Hidden while nothing is picked. `region` names it for assistive technology ("Selected
/// policies"); `children` are its actions ([`BulkStart`], or a confirm step around
/// [`start_picked`]).
#[component]
pub(crate) fn BulkBar(picks: Picks, region: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="bulk-bar" role="region" aria-label=region data-test="bulk-bar"
            hidden=move || picks.count() == 0>
            <span class="bulk-count" data-test="picked-count">
                {move || format!("{} selected", picks.count())}
            </span>
            {children()}
            <button type="button" class="button button-quiet" on:click=move |_| picks.clear()>"Clear"</button>
        </div>
    }
}

/// A bulk action: starts the operation `params` makes of the picked ids.
#[component]
pub(crate) fn BulkStart(
    picks: Picks,
    tenant: TenantSlug,
    label: &'static str,
    /// The operation's parameters for the picked ids.
    #[prop(into)]
    params: Callback<Vec<String>, OperationParams>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let click = move |_| {
        busy.set(true);
        error.set(None);
        let action = start_picked(picks, tenant.clone(), params.run(picks.ids()));
        leptos::task::spawn_local(async move {
            if let Err(message) = action.await {
                error.try_set(Some(message));
            }
            busy.try_set(false);
        });
    };
    view! {
        <button type="button" class="button" on:click=click disabled=move || busy.get()>{label}</button>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
    }
}

/// Starts `params` (made of the picked ids); on its answer shows the toast and clears the
/// picks. For an action behind a confirm step.
pub(crate) fn start_picked(picks: Picks, tenant: TenantSlug, params: OperationParams) -> Action {
    let toasts = Toasts::expect();
    Box::pin(async move {
        let toast = start(&tenant, params).await?;
        toasts.show(toast);
        if !picks.0.is_disposed() {
            picks.clear();
        }
        Ok(())
    })
}
