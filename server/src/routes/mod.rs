//! The HTTP API, one file per resource.

mod auth;
mod catalog;
mod health;
mod notifications;
mod openapi;
mod runs;
mod streams;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use crate::auth::require_tenant_member;
use crate::error;
use crate::state::AppState;

/// Request bodies above this are refused with 413: no API call needs more.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Everything under `/api`; unknown paths and methods answer with the error envelope.
pub fn api(state: &AppState) -> Router<AppState> {
    // Every tenant-scoped route, stream included, passes the one membership guard (R16).
    let tenant = Router::new()
        .route("/operations", get(runs::list).post(runs::start))
        .route("/operations/active", get(runs::active))
        .route("/operations/stream", get(streams::active_runs))
        .route("/operations/{id}", get(runs::show))
        .route("/operations/{id}/cancel", post(runs::cancel))
        .route("/operations/{id}/stream", get(streams::run))
        .route_layer(from_fn_with_state(state.clone(), require_tenant_member));
    Router::new()
        .route("/catalog", get(catalog::show))
        .route("/openapi.json", get(openapi::show))
        .route("/login", post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/me/notifications", get(notifications::list))
        .route("/me/notifications/read-all", post(notifications::read_all))
        .route("/me/notifications/stream", get(streams::notifications))
        .route("/me/notifications/{id}/read", post(notifications::read_one))
        .nest("/t/{tenant}", tenant)
        .fallback(error::api_not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Liveness and metrics, outside `/api` where probes and scrapers expect them.
pub fn health() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::show))
        .route("/metrics", get(crate::metrics::show))
}
