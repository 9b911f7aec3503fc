//! The workspace's own audit entries (R19): people added, disabled, enabled, passwords set,
//! owners, sign-in failures counted per account — newest first, a page at a time to the first.

use leptos::prelude::*;
use opsux_core::wire::AuditEntryDto;

use crate::api::Api;
use crate::components::RelativeTime;
use crate::live::ticking_now;
use crate::panel::list::{ListFrame, Paged};

/// Entries read at a time.
const PAGE_SIZE: &str = "50";

#[component]
pub(super) fn Activity(changed: RwSignal<u32>) -> impl IntoView {
    let now = ticking_now();
    let entries = Paged::new(
        |e: &AuditEntryDto| e.id.clone(),
        |cursor| {
            let mut query = vec![("limit", PAGE_SIZE.to_owned())];
            query.extend(cursor.map(|c| ("cursor", c)));
            async move {
                let page = Api::same_origin().workspace_audit_log(&query).await?;
                Ok((page.items, page.next_cursor))
            }
        },
    );
    // Every change made on the page is an entry: read the newest again.
    Effect::new(move |first: Option<()>| {
        changed.track();
        if first.is_some() {
            entries.reload();
        }
    });
    view! {
        <h2 class="section-title">"Activity"</h2>
        <ListFrame state=entries.state table="workspace-audit" empty_test="workspace-audit-empty" class="audit" columns=4
            head=|| view! {
                <th scope="col">"When"</th>
                <th scope="col">"Who"</th>
                <th scope="col">"What"</th>
                <th scope="col">"Details"</th>
            }
            empty=|| view! { <p>"Nothing recorded yet."</p> }>
            <For each=move || entries.rows.get() key=|e| e.id.clone() let(entry)>
                <tr data-test="workspace-audit-entry">
                    <td><RelativeTime at=entry.at now /></td>
                    <td>{entry.actor_label.clone()}</td>
                    <td><code>{entry.action.clone()}</code></td>
                    <td class="small">{entry.after.as_ref().or(entry.before.as_ref()).map(|v| v.to_string()).unwrap_or_default()}</td>
                </tr>
            </For>
        </ListFrame>
    }
}
