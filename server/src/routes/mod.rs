//! The HTTP API, one file per resource.

mod catalog;
mod health;

use axum::Router;
use axum::routing::get;

use crate::error;
use crate::state::AppState;

/// Everything under `/api`; unknown paths and methods answer with the error envelope.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/catalog", get(catalog::show))
        .fallback(error::api_not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
}

/// Liveness, outside `/api` so probes need no API knowledge.
pub fn health() -> Router<AppState> {
    Router::new().route("/healthz", get(health::show))
}
