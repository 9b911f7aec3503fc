//! `/t/{tenant}`: the start surfaces that need no selection.

use leptos::prelude::*;
use opsux_core::OperationType;
use opsux_core::presenter::operations_url;

use crate::panel::shell::TenantScope;
use crate::panel::start::StartButton;
use crate::panel::title::set_title;

#[component]
pub(crate) fn OverviewPage() -> impl IntoView {
    let TenantScope { access, .. } = TenantScope::expect();
    set_title(&access.name);
    let may_start = [OperationType::InventorySync, OperationType::EntraGroupSync]
        .into_iter()
        .any(|op| {
            op.start_capability()
                .is_some_and(|c| access.capabilities.contains(&c))
        });
    let operations = operations_url(&access.slug);
    view! {
        <div class="page-head">
            <h1>{access.name.clone()}</h1>
            <p class="muted">
                "Start an operation; follow it in Active operations; you are notified when it ends."
            </p>
        </div>
        <div class="cards">
            <section class="card action-card">
                <h2>"Policy inventory"</h2>
                <p class="muted">"Pulls the tenant's device-management policies and updates the inventory."</p>
                <StartButton access=access.clone() operation=OperationType::InventorySync label="Sync inventory" primary=true />
            </section>
            <section class="card action-card">
                <h2>"Directory groups"</h2>
                <p class="muted">"Pulls the tenant's directory groups for assignments and reports."</p>
                <StartButton access=access.clone() operation=OperationType::EntraGroupSync label="Sync groups" />
            </section>
        </div>
        {(!may_start).then(|| view! {
            <p class="notice" data-test="read-only-notice">
                {format!("Your role here is {}: you can follow operations but not start them.", access.role.as_str())}
            </p>
        })}
        <p class="page-foot"><a href=operations>"See all operations →"</a></p>
    }
}
