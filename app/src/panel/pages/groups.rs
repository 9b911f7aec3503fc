//! `/t/{tenant}/groups`: the directory groups `entra_group_sync` pulled, by name, a page at a
//! time to the list's end; `Sync groups` starts another sync.

use leptos::prelude::*;
use opsux_core::wire::GroupDto;
use opsux_core::{OperationParams, OperationType};

use crate::api::Api;
use crate::components::RelativeTime;
use crate::live::ticking_now;
use crate::panel::list::{ListFrame, Paged};
use crate::panel::shell::TenantScope;
use crate::panel::start::StartButton;
use crate::panel::title::set_title;

const PAGE_SIZE: &str = "50";

#[component]
pub(crate) fn GroupsPage() -> impl IntoView {
    let scope = TenantScope::expect();
    set_title(&format!("Groups · {}", scope.access.name));
    let tenant = scope.access.slug.clone();
    let now = ticking_now();
    let groups = Paged::new(
        |g: &GroupDto| g.id.clone(),
        move |cursor| {
            let tenant = tenant.clone();
            async move {
                let mut query = vec![("limit", PAGE_SIZE.to_owned())];
                query.extend(cursor.map(|c| ("cursor", c)));
                let page = Api::same_origin().groups(&tenant, &query).await?;
                Ok((page.items, page.next_cursor))
            }
        },
    );
    // A group sync that ends while the page is open: read the list again.
    scope
        .feed
        .on_ended(&[OperationType::EntraGroupSync], move || groups.reload());
    view! {
        <div class="page-head page-head-actions">
            <div>
                <h1>"Groups"</h1>
                <p class="muted">"The tenant's directory groups, for assignments and reports."</p>
            </div>
            <StartButton access=scope.access.clone() params=OperationParams::EntraGroupSync label="Sync groups" />
        </div>
        <ListFrame state=groups.state table="groups-table" empty_test="groups-empty" columns=3
            head=|| view! {
                <th scope="col">"Name"</th>
                <th scope="col">"Description"</th>
                <th scope="col">"Last synced"</th>
            }
            empty=|| view! { <p>"No groups here yet. A group sync pulls them from the tenant."</p> }>
            <For each=move || groups.rows.get() key=|g| g.id.clone() let(group)>
                <tr data-test="group-row">
                    <td>{group.name.clone()}</td>
                    <td class="muted">{group.description.clone().unwrap_or_default()}</td>
                    <td><RelativeTime at=group.last_synced_at now /></td>
                </tr>
            </For>
        </ListFrame>
    }
}
