//! The opsux browser code: the panel (router, pages, shell) and the embeddable widget are two
//! entry points over the same components, API client and stream client. Copy about runs comes
//! from `opsux-core`; this crate only renders it.
#![expect(
    unreachable_pub,
    reason = "Leptos' #[component] re-emits crate-private components with `pub` items"
)]

pub mod api;
pub mod components;
pub mod live;
pub mod panel;
pub mod widget;
