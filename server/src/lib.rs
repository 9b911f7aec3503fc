//! The opsux server. [`app`] builds the whole HTTP surface from an [`AppState`], so tests drive
//! exactly what `opsux serve` serves.

pub mod assets;
pub mod cli;
pub mod error;
pub mod routes;
pub mod state;
pub mod telemetry;

pub use state::AppState;

use axum::Router;
use tower_http::trace::TraceLayer;

/// The complete router: the JSON API under `/api`, health, and the dashboard's static files
/// with the single-page-app fallback.
pub fn app(state: AppState) -> Router {
    let assets = assets::service(&state.config.assets_dir);
    Router::new()
        .nest("/api", routes::api())
        .merge(routes::health())
        .fallback_service(assets)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
