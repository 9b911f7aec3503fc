//! Every page but the daily surfaces — the overview, Operations and Run Detail (where every
//! "View run" link leads), with sign-in and the tenant chooser — loads on demand as a second
//! WebAssembly bundle (`dist/deferred/`, its own Trunk target, `app/deferred.html`), so the
//! panel's first load carries only the pages most visits need.
//!
//! The panel renders a [`Deferred`] host element where such a page goes, loads the bundle the
//! first time one is shown, and asks it to render the current page there. The bundle has its
//! own Leptos runtime; [`bridge`] keeps the session, the location and the toasts the two share
//! in step. The pages themselves are the same code either way: only which bundle links them
//! differs.

mod bridge;
mod host;
mod root;

pub(crate) use bridge::{Side, receive_toasts, share_session};
pub(crate) use host::Deferred;
pub use root::{mount, unmount};
