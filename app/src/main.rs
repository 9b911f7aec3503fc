//! The opsux dashboard, rendered in the browser.
#![expect(
    unreachable_pub,
    reason = "Leptos' #[component] re-emits crate-private components with `pub` items"
)]

mod api;
mod badge;
mod catalog_page;

use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    view! {
        <header class="topbar">
            <span class="brand">"opsux"</span>
        </header>
        <main class="page">
            <catalog_page::CatalogPage />
        </main>
    }
}
