//! The workspace's own audit entries (R19): people added, disabled, enabled, passwords set,
//! owners, sign-in failures counted per account.

use leptos::prelude::*;
use opsux_core::wire::AuditEntryDto;

use crate::api::Api;
use crate::components::RelativeTime;
use crate::live::ticking_now;

#[component]
pub(super) fn Activity(changed: RwSignal<u32>) -> impl IntoView {
    let rows = RwSignal::new(Vec::<AuditEntryDto>::new());
    let now = ticking_now();
    Effect::new(move |_| {
        changed.track();
        leptos::task::spawn_local(async move {
            if let Ok(log) = Api::same_origin().workspace_audit_log().await {
                rows.try_set(log.items);
            }
        });
    });
    view! {
        <h2 class="section-title">"Activity"</h2>
        <div class="table-wrap card card-flush">
            <table class="table audit" data-test="workspace-audit">
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"What"</th>
                        <th scope="col">"Details"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|e| e.id.clone() let(entry)>
                        <tr data-test="workspace-audit-entry">
                            <td><RelativeTime at=entry.at now /></td>
                            <td>{entry.actor_label.clone()}</td>
                            <td><code>{entry.action.clone()}</code></td>
                            <td class="small">{entry.after.as_ref().or(entry.before.as_ref()).map(|v| v.to_string()).unwrap_or_default()}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
    }
}
