//! The document title, so tabs, history and screen readers name the page.

/// Sets the title to `{page} · opsux`.
pub(crate) fn set_title(page: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{page} · opsux"));
    }
}
