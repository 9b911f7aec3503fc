//! Time limits on a request: its body must arrive within `request_timeout` (408), and its
//! handler must answer within it (503). A stream or a download answers at once and then
//! sends its body for as long as it likes; only answering is limited.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use opsux_core::wire::ErrorCode;
use tower_http::timeout::DeadlineBody;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn limit_request_time(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let limit = state.config.request_timeout;
    let within = match limit.as_secs() {
        0 => format!("{} ms", limit.as_millis()),
        secs => format!("{secs} s"),
    };
    // A slow body fails the extractor that reads it, with an error `ApiJson` answers as 408.
    let (parts, body) = request.into_parts();
    let body = DeadlineBody::new(limit, body);
    let request = Request::from_parts(parts, axum::body::Body::new(body));
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => Ok(response),
        Err(_) => Err(ApiError::new(
            ErrorCode::Unavailable,
            format!("the server did not answer within {within}; try again"),
        )),
    }
}
