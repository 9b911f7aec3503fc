//! The embeddable widget's entry point: mounts the active-operations card into every element
//! of the host page that carries `data-opsux-active-ops`.
//!
//! Built from the Leptos-free modules of the app's tree, not from the `opsux_app` library:
//! linking the library would bring Leptos' dependencies along (their exported stream glue is
//! kept whether used or not), and a host should download only what the card needs.
//!
//! Without `console_error_panic_hook`: its formatting machinery is 1.2 KB of every host's
//! download, and the widget does not panic on any path a host can reach (a bad element or a
//! refused stream is said in the element).

#![expect(
    unreachable_pub,
    reason = "the modules are the library's too, where their items are public"
)]

#[path = "../api/mod.rs"]
#[expect(dead_code, reason = "the panel's calls; the widget makes two of them")]
mod api;
#[path = "../ids.rs"]
mod ids;
#[path = "../live/plain.rs"]
mod live;
#[path = "../widget/mod.rs"]
mod widget;

fn main() {
    widget::mount_all();
}
