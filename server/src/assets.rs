//! The dashboard's static files.
//!
//! Files are served precompressed (`.br`, `.gz` written beside each by `cargo xtask`) when the
//! browser accepts it: smaller than compressing on the fly, and no CPU per request. Any path that
//! is not a file gets `index.html`, so deep links such as `/t/contoso/operations/…` load the app,
//! which routes on the client.

use std::path::Path;

use axum::http::{HeaderValue, header};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeader;

pub type AssetService = SetResponseHeader<ServeDir<ServeFile>, HeaderValue>;

pub fn service(dir: &Path) -> AssetService {
    let index = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    // Revalidate every time: `Last-Modified` makes that a cheap 304, and a new build is
    // picked up at once even though Trunk's hashed names would allow longer caching.
    SetResponseHeader::if_not_present(
        files,
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    )
}

/// The embeddable widget's files (`/widget/…`): stable names, so a host page's script tag never
/// changes; revalidated on every load like the panel's. No page fallback: a missing file is 404.
pub fn widget_service(dir: &Path) -> SetResponseHeader<ServeDir, HeaderValue> {
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    SetResponseHeader::if_not_present(
        files,
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    )
}
