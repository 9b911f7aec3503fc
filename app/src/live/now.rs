//! The browser's clock, for the contract's functions that take `now`.

use time::OffsetDateTime;

/// Now, from the browser (`time`'s own clock is not available in wasm32).
pub fn now() -> OffsetDateTime {
    let nanos = (js_sys::Date::now() * 1_000_000.0) as i128;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
