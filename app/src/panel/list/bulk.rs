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
    // One action at a time: two starts on the same picks (Unarchive while Force delete asks)
    // would race each other.
    provide_context(BulkBusy(RwSignal::new(false)));
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
    let busy = bulk_busy();
    let error = RwSignal::new(None::<String>);
    let click = move |_| {
        error.set(None);
        let action = start_picked(picks, tenant.clone(), params.run(picks.ids()));
        leptos::task::spawn_local(async move {
            if let Err(message) = action.await {
                error.try_set(Some(message));
            }
        });
    };
    view! {
        <button type="button" class="button" on:click=click disabled=busy>{label}</button>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
    }
}

/// Whether one of the bar's actions is starting (its actions are disabled meanwhile); for an
/// action inside a [`BulkBar`], such as a confirm step's opener.
pub(crate) fn bulk_busy() -> Signal<bool> {
    use_context::<BulkBusy>().map_or_else(|| Signal::stored(false), |busy| busy.0.into())
}

#[derive(Clone, Copy)]
struct BulkBusy(RwSignal<bool>);

/// Starts `params` (made of the picked ids); on its answer shows the toast and clears the
/// picks. For an action behind a confirm step too. Nothing picked (the picks were cleared
/// meanwhile) starts nothing.
pub(crate) fn start_picked(picks: Picks, tenant: TenantSlug, params: OperationParams) -> Action {
    let toasts = Toasts::expect();
    let busy = use_context::<BulkBusy>().map(|b| b.0);
    let nothing_picked = picks.count_untracked() == 0;
    Box::pin(async move {
        if nothing_picked {
            return Err("Nothing is selected any more.".to_owned());
        }
        if let Some(busy) = busy {
            busy.set(true);
        }
        let answer = start(&tenant, params).await;
        if let Some(busy) = busy {
            busy.try_set(false);
        }
        toasts.show(answer?);
        if !picks.0.is_disposed() {
            picks.clear();
        }
        Ok(())
    })
}
