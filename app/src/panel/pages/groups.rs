//! `/t/{tenant}/groups`: the directory groups `entra_group_sync` pulled, by name, a page at a
//! time; `Sync groups` starts another sync.

use leptos::prelude::*;
use opsux_core::OperationType;
use opsux_core::wire::GroupDto;

use crate::api::Api;
use crate::components::RelativeTime;
use crate::live::ticking_now;
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
    let rows = RwSignal::new(Vec::<GroupDto>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let fetch_page = move |cursor: Option<String>| {
        let tenant = tenant.clone();
        leptos::task::spawn_local(async move {
            let mut query = vec![("limit", PAGE_SIZE.to_owned())];
            let first_page = cursor.is_none();
            query.extend(cursor.map(|c| ("cursor", c)));
            let answer = Api::same_origin().groups(&tenant, &query).await;
            if rows.is_disposed() {
                return;
            }
            match answer {
                Ok(page) => {
                    error.set(None);
                    rows.update(|list| {
                        if first_page {
                            list.clear();
                        }
                        for group in page.items {
                            if !list.iter().any(|g| g.id == group.id) {
                                list.push(group);
                            }
                        }
                    });
                    next_cursor.set(page.next_cursor);
                    loaded.set(true);
                }
                Err(err) => {
                    error.set(Some(err.describe()));
                    loaded.set(true);
                }
            }
        });
    };
    fetch_page(None);
    // A group sync that ends while the page is open: read the first page again.
    scope.feed.on_ended(&[OperationType::EntraGroupSync], {
        let fetch_page = fetch_page.clone();
        move || fetch_page(None)
    });
    let load_more = {
        let fetch_page = fetch_page.clone();
        move |_| fetch_page(next_cursor.get_untracked())
    };
    view! {
        <div class="page-head page-head-actions">
            <div>
                <h1>"Groups"</h1>
                <p class="muted">"The tenant's directory groups, for assignments and reports."</p>
            </div>
            <StartButton access=scope.access.clone() operation=OperationType::EntraGroupSync label="Sync groups" />
        </div>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        <div class="table-wrap card card-flush">
            <table class="table" data-test="groups-table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Description"</th>
                        <th scope="col">"Last synced"</th>
                    </tr>
                </thead>
                <tbody aria-busy=move || (!loaded.get()).to_string()>
                    <For each=move || rows.get() key=|g| g.id.clone() let(group)>
                        <tr data-test="group-row">
                            <td>{group.name.clone()}</td>
                            <td class="muted">{group.description.clone().unwrap_or_default()}</td>
                            <td><RelativeTime at=group.last_synced_at now /></td>
                        </tr>
                    </For>
                </tbody>
            </table>
            <Show when=move || loaded.get() && rows.with(Vec::is_empty)>
                <div class="empty" data-test="groups-empty">
                    <p>"No groups here yet. A group sync pulls them from the tenant."</p>
                </div>
            </Show>
        </div>
        <Show when=move || next_cursor.with(Option::is_some)>
            <div class="load-more">
                <button type="button" class="button" on:click=load_more.clone() data-test="load-more">"Load more"</button>
            </div>
        </Show>
    }
}
