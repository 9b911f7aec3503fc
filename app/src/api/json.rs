//! JSON read by the browser's own parser (`JSON.parse`), then into the app's types.
//!
//! `serde_json`'s parser compiled to wasm is one of the largest things a bundle would carry;
//! the browser already has a faster one. Writing JSON (request bodies) stays with `serde_json`,
//! whose serializer is small.

use opsux_core::wire::Payload;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

/// `text` as a `T`; the error says what did not fit.
pub(crate) fn decode<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = js_sys::JSON::parse(text).map_err(|_| "not JSON".to_owned())?;
    from_value(value)
}

fn from_value<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|err| err.to_string())
}

/// An event's `data:` as the browser parsed it.
pub(crate) struct Parsed(pub(crate) JsValue);

impl Parsed {
    /// `None` when `text` is not JSON.
    pub(crate) fn of(text: &str) -> Option<Self> {
        js_sys::JSON::parse(text).ok().map(Self)
    }
}

impl Payload for Parsed {
    fn read<T: DeserializeOwned>(self) -> Option<T> {
        from_value(self.0).ok()
    }
}
