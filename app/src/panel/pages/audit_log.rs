//! `/t/{tenant}/audit-log` (owners): who did what, when, with the record before and after
//! (R19), newest first, a page at a time. Others are told the page is for owners; the server
//! refuses them too.

use leptos::prelude::*;
use opsux_core::Role;
use opsux_core::wire::AuditEntryDto;

use crate::api::Api;
use crate::components::RelativeTime;
use crate::live::ticking_now;
use crate::panel::shell::TenantScope;
use crate::panel::title::set_title;

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
    let rows = RwSignal::new(Vec::<AuditEntryDto>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let fetch_page = move |cursor: Option<String>| {
        let tenant = tenant.clone();
        leptos::task::spawn_local(async move {
            let mut query = vec![("limit", "50".to_owned())];
            query.extend(cursor.map(|c| ("cursor", c)));
            let answer = Api::same_origin().audit_log(&tenant, &query).await;
            if rows.is_disposed() {
                return;
            }
            match answer {
                Ok(page) => {
                    rows.update(|list| {
                        for entry in page.items {
                            if !list.iter().any(|e| e.id == entry.id) {
                                list.push(entry);
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
    let load_more = move |_| fetch_page(next_cursor.get_untracked());
    view! {
        <div class="page-head">
            <h1>"Audit log"</h1>
            <p class="muted">"Changes to the tenant's records: who made them, when, and what the record was before."</p>
        </div>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        <div class="table-wrap card card-flush">
            <table class="table audit" data-test="audit-table">
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"What"</th>
                        <th scope="col">"Before"</th>
                        <th scope="col">"After"</th>
                    </tr>
                </thead>
                <tbody aria-busy=move || (!loaded.get()).to_string()>
                    <For each=move || rows.get() key=|e| e.id.clone() let(entry)>
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
                </tbody>
            </table>
            <Show when=move || loaded.get() && rows.with(Vec::is_empty)>
                <div class="empty" data-test="audit-empty"><p>"Nothing recorded yet."</p></div>
            </Show>
        </div>
        <Show when=move || next_cursor.with(Option::is_some)>
            <div class="load-more">
                <button type="button" class="button" on:click=load_more.clone() data-test="load-more">"Load more"</button>
            </div>
        </Show>
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
