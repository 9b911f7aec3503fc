use axum::Json;
use opsux_core::wire::Catalog;

/// `GET /api/catalog`: the contract's vocabulary — operation types, badges, summary keys,
/// reason codes — computed by the contract crate.
pub(super) async fn show() -> Json<Catalog> {
    Json(Catalog::current())
}
