//! How every list looks while it is read, when it is empty, when reading failed, and where it
//! goes on: one table in a card, then `Load more` until the list's end.

use leptos::prelude::*;

use super::paged::{ListState, Load};

/// A list's table. `head` is the header row's cells; `children` the rows (a `<For>` over
/// [`Paged::rows`](super::Paged)); `empty` what an empty list says. While the first page is
/// read, `columns` placeholder cells stand in for three rows.
#[component]
pub(crate) fn ListFrame(
    state: ListState,
    /// `data-test` of the table.
    table: &'static str,
    /// `data-test` of the empty state.
    empty_test: &'static str,
    /// More classes of the table, beside `table`.
    #[prop(optional)]
    class: &'static str,
    columns: usize,
    #[prop(into)] head: ViewFnOnce,
    #[prop(into)] empty: ViewFn,
    children: Children,
) -> impl IntoView {
    let loading = move || state.load() == Load::Loading;
    view! {
        {move || match state.load() {
            Load::Failed(message) => Some(view! { <p class="error" role="alert">{message}</p> }),
            _ => None,
        }}
        <div class="table-wrap card card-flush">
            <table class=format!("table {class}") data-test=table>
                <thead><tr>{head.run()}</tr></thead>
                <tbody aria-busy=move || loading().to_string()>
                    <Show when=loading>
                        {(0..3).map(|_| view! {
                            <tr class="skeleton-row" aria-hidden="true">
                                {(0..columns).map(|_| view! { <td><span class="skeleton"></span></td> }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </Show>
                    {children()}
                </tbody>
            </table>
            <Show when=move || state.is_empty()>
                <div class="empty" data-test=empty_test>{empty.run()}</div>
            </Show>
        </div>
        <LoadMore state />
    }
}

/// `Load more` while the list has pages not shown; gone at its end. A next page that could
/// not be read says why; the button tries again.
#[component]
pub(crate) fn LoadMore(state: ListState) -> impl IntoView {
    view! {
        {move || state.more_failed().map(|message| view! { <p class="error" role="alert">{message}</p> })}
        <Show when=move || state.has_more()>
            <div class="load-more">
                <button type="button" class="button" data-test="load-more"
                    on:click=move |_| state.load_more() disabled=move || state.reading_more()>
                    {move || if state.reading_more() { "Loading…" } else { "Load more" }}
                </button>
            </div>
        </Show>
    }
}
