use leptos::prelude::*;
use opsux_core::Tone;

/// A status-like badge. Label and tone come from the contract's catalog (R14); this only
/// draws them.
#[component]
pub(crate) fn Badge(label: String, tone: Tone) -> impl IntoView {
    view! { <span class=format!("badge {}", tone.css_class()) data-tone=tone.as_str()>{label}</span> }
}
