//! The page size and cursor rules every list of the API shares.

use opsux_core::wire::ErrorCode;

use crate::error::ApiError;

pub(super) const DEFAULT_PAGE: u32 = 50;
pub(super) const MAX_PAGE: u32 = 200;

pub(super) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::BadRequest, message)
}

/// `limit` as asked (1–200), else the default.
pub(super) fn limit(asked: Option<u32>) -> Result<u32, ApiError> {
    let limit = asked.unwrap_or(DEFAULT_PAGE);
    if (1..=MAX_PAGE).contains(&limit) {
        Ok(limit)
    } else {
        Err(bad_request(format!(
            "limit must be between 1 and {MAX_PAGE}"
        )))
    }
}

/// A `cursor` decoded by `decode`, or the 400 that says to pass `next_cursor` back unchanged.
pub(super) fn cursor<T>(
    text: Option<&str>,
    decode: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, ApiError> {
    text.map(|c| {
        decode(c).ok_or_else(|| bad_request("malformed cursor; pass back next_cursor unchanged"))
    })
    .transpose()
}
