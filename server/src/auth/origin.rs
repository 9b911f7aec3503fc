//! R17: a state-changing request must come from our own pages or an allow-listed embedding
//! origin. Browsers always send `Origin` on such requests; its absence or a foreign value is 403.
//! "Our own" is the configured public origin, or, when none is configured, the origin whose
//! host is the request's `Host`. `/api/v1/` (API tokens, no cookies) is outside this rule.

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use opsux_core::wire::ErrorCode;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn require_trusted_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return Ok(next.run(request).await);
    }
    // The API for other services authenticates by `Authorization: Bearer` only, never by a
    // cookie a browser would attach on its own, so a forged cross-site request carries no
    // credential there; and its callers are servers, which send no `Origin`.
    if request.uri().path().starts_with("/api/v1/") {
        return Ok(next.run(request).await);
    }
    let headers = request.headers();
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "state-changing requests must carry an Origin header",
        ));
    };
    let same_origin = match &state.config.public_origin {
        Some(public) => origin == public.trim_end_matches('/'),
        None => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            origin.split_once("://").is_some_and(|(scheme, authority)| {
                matches!(scheme, "http" | "https") && Some(authority) == host
            })
        }
    };
    let allow_listed = state.config.allowed_origins.iter().any(|o| o == origin);
    if same_origin || allow_listed {
        Ok(next.run(request).await)
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "requests from this origin may not change anything here",
        ))
    }
}
