//! The opsux browser code: the panel (router, pages, shell) over Leptos components, the API
//! client and the stream client. The embeddable widget (`bin/widget.rs`) is built from the
//! Leptos-free parts of this tree alone (`api/`, `live/plain.rs`, `ids.rs`, `widget/`), not
//! from this library. Copy about runs comes from `opsux-core`; this crate only renders it.
#![expect(
    unreachable_pub,
    reason = "Leptos' #[component] re-emits crate-private components with `pub` items"
)]

pub mod api;
pub mod components;
mod ids;
pub mod live;
pub mod panel;
