//! `/t/{tenant}/audit-log` (owners): who did what, when, with the record before and after
//! (R19), newest first, a page at a time to the first entry. Others are told the page is for owners; the server
//! refuses them too.

use leptos::prelude::*;
use opsux_core::Role;
use opsux_core::wire::AuditEntryDto;

use crate::api::Api;
use crate::components::RelativeTime;
use crate::live::ticking_now;
use crate::panel::list::{ListFrame, Paged};
use crate::panel::shell::TenantScope;
use crate::panel::title::set_title;

/// Entries read at a time.
const PAGE_SIZE: &str = "50";

#[component]
pub(crate) fn AuditLogPage() -> impl IntoView {
    let scope = TenantScope::expect();
    set_title(&format!("Audit log · {}", scope.access.name));
    if scope.access.role != Role::Owner {
        return view! {
            <div class="page-head"><h1>"Audit log"</h1></div>
            <p class="notice" data-test="owners-only">"The audit log is for the tenant's owners."</p>
        }
        .into_any();
    }
    let tenant = scope.access.slug.clone();
    let run_link = {
        let tenant = tenant.clone();
        move |run| opsux_core::presenter::view_run_url(&tenant, run)
    };
    let now = ticking_now();
    let entries = Paged::new(
        |e: &AuditEntryDto| e.id.clone(),
        move |cursor| {
            let tenant = tenant.clone();
            let mut query = vec![("limit", PAGE_SIZE.to_owned())];
            query.extend(cursor.map(|c| ("cursor", c)));
            async move {
                let page = Api::same_origin().audit_log(&tenant, &query).await?;
                Ok((page.items, page.next_cursor))
            }
        },
    );
    view! {
        <div class="page-head">
            <h1>"Audit log"</h1>
            <p class="muted">"Changes to the tenant's records: who made them, when, and what the record was before."</p>
        </div>
        <ListFrame state=entries.state table="audit-table" empty_test="audit-empty" class="audit" columns=5
            head=|| view! {
                <th scope="col">"When"</th>
                <th scope="col">"Who"</th>
                <th scope="col">"What"</th>
                <th scope="col">"Before"</th>
                <th scope="col">"After"</th>
            }
            empty=|| view! { <p>"Nothing recorded yet."</p> }>
            <For each=move || entries.rows.get() key=|e| e.id.clone() let(entry)>
                <tr data-test="audit-entry">
                    <td><RelativeTime at=entry.at now /></td>
                    <td>{entry.actor_label.clone()}</td>
                    <td>
                        <code>{entry.action.clone()}</code>
                        {entry.run_id.map(|run| view! {
                            " "<a href=run_link(run) data-test="audit-run">"by its run"</a>
                        })}
                    </td>
                    <td>{record(entry.before.as_ref(), "Record")}</td>
                    <td>{record(entry.after.as_ref(), "Record")}{entry.after.is_none().then(|| view! { <span class="muted">"Gone"</span> })}</td>
                </tr>
            </For>
        </ListFrame>
    }
    .into_any()
}

/// A record of the log, folded: JSON under a summary.
fn record(value: Option<&serde_json::Value>, label: &'static str) -> Option<impl IntoView + use<>> {
    value.map(|value| {
        let text = serde_json::to_string_pretty(value).unwrap_or_default();
        view! { <details><summary>{label}</summary><pre class="code">{text}</pre></details> }
    })
}
