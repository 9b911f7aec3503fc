use axum::Json;
use opsux_core::wire::Catalog;

/// `GET /api/catalog`: the contract's vocabulary — operation types, badges, summary keys,
/// reason codes — computed by the contract crate.
#[utoipa::path(get, path = "/api/catalog", tag = "contract", responses((status = 200, body = Catalog)))]
pub(super) async fn show() -> Json<Catalog> {
    Json(Catalog::current())
}
