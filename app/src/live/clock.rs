//! The browser's clock, for the contract's functions that take `now`.

use std::time::Duration;

use leptos::prelude::*;
use time::OffsetDateTime;

use super::now::now;

/// A signal holding now, moved on every second while the current view lives: elapsed times
/// and "3 min ago" stay true without a reload.
pub fn ticking_now() -> ReadSignal<OffsetDateTime> {
    let (now_signal, set_now) = signal(now());
    if let Ok(handle) = set_interval_with_handle(move || set_now.set(now()), Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }
    now_signal
}

/// The absolute time in the reader's locale, for tooltips.
pub fn local_time(at: OffsetDateTime) -> String {
    let millis = (at.unix_timestamp_nanos() / 1_000_000) as f64;
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis))
        .to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)
        .into()
}
