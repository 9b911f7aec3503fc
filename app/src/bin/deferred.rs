//! The deferred pages' bundle (see `opsux_app::panel::deferred`): loaded by the panel the first
//! time one of them is shown; renders it into the element the panel gives.

use wasm_bindgen::prelude::wasm_bindgen;

/// Renders the current page into `host`, with the panel's session (JSON).
#[wasm_bindgen]
pub fn mount_deferred(host: web_sys::HtmlElement, session: &str) {
    opsux_app::panel::deferred::mount(host, session);
}

/// Takes the page down.
#[wasm_bindgen]
pub fn unmount_deferred() {
    opsux_app::panel::deferred::unmount();
}

fn main() {
    console_error_panic_hook::set_once();
}
