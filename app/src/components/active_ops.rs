//! The active-operations widget (R11): the queued and running runs of one tenant, live, each
//! with its progress and a link to Run Detail; a run leaves when it completes. The panel shows
//! it from its header ([`ActiveOpsMenu`]) with [`ActiveOpsList`]; the embeddable widget
//! (`crate::widget`) draws the same markup straight with web-sys, so it carries no Leptos.

use leptos::ev;
use leptos::prelude::*;
use opsux_core::presenter::view_run_url;
use opsux_core::wire::RunSummary;

use super::{ProgressBar, RunBadge};
use crate::ids::unique_id;
use crate::live::{ActiveFeed, StreamState, empty_text, notice_text, ticking_now};

/// The list itself, as a region named `Active operations`. `link_base` is prefixed to Run
/// Detail links: empty in the panel, the server's origin in an embedding page.
#[component]
pub fn ActiveOpsList(feed: ActiveFeed, #[prop(into)] link_base: String) -> impl IntoView {
    let now = ticking_now();
    let runs = Memo::new(move |_| feed.runs.with(|set| set.runs()));
    let count = move || runs.with(Vec::len);
    let heading_id = format!("opsux-active-{}", unique_id());
    let labelled_by = heading_id.clone();
    let link_base = StoredValue::new(link_base);
    view! {
        <section class="opsux-ops" role="region" aria-labelledby=labelled_by data-test="active-ops">
            <header class="opsux-ops-head">
                <h2 id=heading_id class="opsux-ops-title">"Active operations"</h2>
                <span class="opsux-ops-count" data-test="active-ops-count" aria-label=move || format!("{} active", count())>
                    {count}
                </span>
            </header>
            <StreamNotice state=feed.state />
            <Show
                when=move || { count() > 0 }
                fallback=move || {
                    move || feed.state.with(empty_text)
                        .map(|text| view! { <p class="opsux-ops-empty" data-test="active-ops-empty">{text}</p> })
                }
            >
                <ul class="opsux-ops-list">
                    // Keyed by id, so a run's row updates in place as its progress moves.
                    <For each=move || runs.get() key=|run| run.id let(run)>
                        <ActiveRunItem
                            run=Memo::new(move |held: Option<&RunSummary>| {
                                runs.with(|all| all.iter().find(|r| r.id == run.id).cloned())
                                    .or_else(|| held.cloned())
                                    .unwrap_or_else(|| run.clone())
                            })
                            now=now
                            link_base=link_base.get_value()
                        />
                    </For>
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn ActiveRunItem(
    run: Memo<RunSummary>,
    now: ReadSignal<time::OffsetDateTime>,
    link_base: String,
) -> impl IntoView {
    let first = run.get_untracked();
    let href = format!("{link_base}{}", view_run_url(&first.tenant, first.id));
    view! {
        <li class="opsux-ops-item" data-test="active-run" data-run-id=first.id.to_string()>
            <div class="opsux-ops-row">
                <a class="opsux-ops-link" href=href>{first.label.clone()}</a>
                {move || run.with(|r| view! { <RunBadge status=r.status outcome=r.outcome /> })}
            </div>
            <ProgressBar run=run now=now />
            {move || run.with(|r| r.cancel_requested).then(|| view! { <p class="opsux-ops-note">"Cancel requested"</p> })}
        </li>
    }
}

/// One line about the stream when it is not simply live.
#[component]
pub fn StreamNotice(state: ReadSignal<StreamState>) -> impl IntoView {
    move || {
        state.with(notice_text).map(|text| {
            view! { <p class="opsux-ops-notice" role="status" data-test="active-ops-notice">{text}</p> }
        })
    }
}

/// The panel's header entry: a button with the count that opens the list.
#[component]
pub fn ActiveOpsMenu(feed: ActiveFeed) -> impl IntoView {
    let open = RwSignal::new(false);
    let count = move || feed.runs.with(|set| set.len());
    let wrapper = NodeRef::<leptos::html::Div>::new();
    // Outside clicks and Escape close it, as people expect of a popover. The listeners go
    // with the component: a page-wide listener outliving its signals would fail on every click.
    let on_click = window_event_listener(ev::click, move |event| {
        let inside = wrapper.try_get_untracked().flatten().is_some_and(|w| {
            event
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok())
                .is_some_and(|t| w.contains(Some(&t)))
        });
        if !inside && open.try_get_untracked() == Some(true) {
            open.set(false);
        }
    });
    let on_key = window_event_listener(ev::keydown, move |event| {
        if event.key() == "Escape" && open.try_get_untracked() == Some(true) {
            open.set(false);
        }
    });
    on_cleanup(move || {
        on_click.remove();
        on_key.remove();
    });
    view! {
        <div class="menu" node_ref=wrapper>
            <button
                type="button"
                class="header-button"
                class:has-active=move || { count() > 0 }
                aria-expanded=move || open.get().to_string()
                aria-controls="active-ops-popover"
                data-test="active-ops-button"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="pulse" aria-hidden="true"></span>
                <span class="header-button-count" data-test="active-ops-button-count">{count}</span>
                <span class="header-button-text">"Active operations"</span>
            </button>
            <div id="active-ops-popover" class="popover" hidden=move || !open.get()
                on:click=move |event| {
                    // Following a link closes the popover.
                    let on_link = event
                        .target()
                        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                        .and_then(|t| t.closest("a").ok().flatten())
                        .is_some();
                    if on_link {
                        open.set(false);
                    }
                }
            >
                <ActiveOpsList feed link_base="" />
            </div>
        </div>
    }
}
