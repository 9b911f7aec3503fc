//! The opsux server. [`app`] builds the whole HTTP surface from an [`AppState`], so tests drive
//! exactly what `opsux serve` serves.

pub mod assets;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod cron;
pub mod demo;
pub mod error;
pub mod events;
pub mod extract;
pub mod flows;
pub mod hosts;
pub mod metrics;
pub mod org;
pub mod private_files;
pub mod provider;
pub mod relay;
pub mod routes;
pub mod runs;
pub mod scheduler;
pub mod secrets;
pub mod security;
pub mod serve;
pub mod simulator;
pub mod state;
pub mod store;
pub mod stream_slots;
pub mod telemetry;
pub mod timeouts;
pub mod webhooks;
pub mod worker;

pub use state::AppState;

use axum::Router;
use axum::middleware::from_fn_with_state;
use tower_http::trace::TraceLayer;

/// The complete router: the JSON API under `/api`, health, and the dashboard's static files
/// with the single-page-app fallback.
pub fn app(state: AppState) -> Router {
    let assets = assets::service(&state.config.assets_dir);
    let widget = Router::new()
        .nest_service(
            "/widget",
            assets::widget_service(&security::widget_dir(&state.config.assets_dir)),
        )
        .layer(security::widget_cors(&state.config));
    let csp = security::content_security_policy(&state.config);
    Router::new()
        .nest("/api", routes::api(&state))
        .merge(routes::health())
        .merge(widget)
        .fallback_service(assets)
        // R17: before any handler, so no state-changing route can forget it.
        .layer(from_fn_with_state(
            state.clone(),
            auth::require_trusted_origin,
        ))
        // Time limits on answering and on the body, around everything a request meets.
        .layer(from_fn_with_state(
            state.clone(),
            timeouts::limit_request_time,
        ))
        .layer(from_fn_with_state(
            state.clone(),
            hosts::require_allowed_host,
        ))
        // Outside the checks above, so their refusals carry the headers too.
        .layer(security::header_layers(csp, &state.config))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
