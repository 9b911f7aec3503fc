use axum::Json;
use serde_json::{Value, json};

/// `GET /healthz`: the process is up and serving.
pub(super) async fn show() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}
