//! The simulator's own admin API: a tenant's faults and its request log.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{Faults, Simulator};

fn unknown_tenant() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": "no such tenant in the simulator"})),
    )
        .into_response()
}

pub(super) async fn faults(
    State(sim): State<Simulator>,
    Path(directory): Path<String>,
) -> Response {
    match sim.tenant(&directory) {
        Some(tenant) => Json(tenant.faults.clone()).into_response(),
        None => unknown_tenant(),
    }
}

/// Replaces the tenant's faults (`{}` heals it).
pub(super) async fn set_faults(
    State(sim): State<Simulator>,
    Path(directory): Path<String>,
    Json(faults): Json<Faults>,
) -> Response {
    if !(0.0..=1.0).contains(&faults.failure_rate) {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": "failure_rate must be between 0 and 1"})),
        )
            .into_response();
    }
    match sim.tenant(&directory) {
        Some(mut tenant) => {
            tenant.faults = faults.clone();
            Json(faults).into_response()
        }
        None => unknown_tenant(),
    }
}

/// The tenant's counts and its latest requests, oldest first.
pub(super) async fn requests(
    State(sim): State<Simulator>,
    Path(directory): Path<String>,
) -> Response {
    match sim.tenant(&directory) {
        Some(tenant) => {
            Json(json!({"stats": tenant.stats, "requests": tenant.log})).into_response()
        }
        None => unknown_tenant(),
    }
}
