//! The API's one error type. Every failure leaves as the contract's [`ErrorEnvelope`] with the
//! status its [`ErrorCode`] names; server faults are logged in full and answered generically.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use opsux_core::wire::{ErrorCode, ErrorEnvelope};

/// Request bodies above this are refused with 413, whose message names it: no API call needs
/// more. (Here, not in `routes`, so that the error type depends on nothing above it.)
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
    /// Sent as `Retry-After` (whole seconds, at least one).
    retry_after: Option<std::time::Duration>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// A 429: `message` names the limit; the client may try again after `retry_after`.
    pub fn too_many(message: impl Into<String>, retry_after: std::time::Duration) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(ErrorCode::TooManyRequests, message)
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// A server fault: the cause is logged, the client gets a generic message.
    pub fn internal(cause: &(dyn std::error::Error + 'static)) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(ErrorCode::Internal, "internal server error")
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response =
            (status, Json(ErrorEnvelope::new(self.code, self.message))).into_response();
        if let Some(wait) = self.retry_after {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs(wait)),
            );
        }
        response
    }
}

/// `Retry-After` is in whole seconds: round up, so a client that waits exactly that long is
/// not refused again.
pub fn retry_after_secs(wait: std::time::Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if is_late_body(&rejection) {
            return Self::new(
                ErrorCode::RequestTimeout,
                "the request body did not arrive in time",
            );
        }
        let code = match &rejection {
            JsonRejection::JsonDataError(_) => ErrorCode::ValidationFailed,
            JsonRejection::MissingJsonContentType(_) => ErrorCode::UnsupportedMediaType,
            JsonRejection::BytesRejection(_)
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                ErrorCode::PayloadTooLarge
            }
            _ => ErrorCode::InvalidJson,
        };
        if code == ErrorCode::PayloadTooLarge {
            return Self::new(
                code,
                format!(
                    "request body is larger than the {} KiB limit",
                    MAX_BODY_BYTES / 1024
                ),
            );
        }
        // `body_text` says what is wrong and where ("… at line 1 column 9"), never a value
        // beyond what the client sent itself.
        Self::new(code, rejection.body_text())
    }
}

/// Whether reading the body failed because it came too slowly (`timeouts.rs`).
fn is_late_body(rejection: &JsonRejection) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(rejection);
    while let Some(err) = source {
        if err.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// `/api/…` paths that match no route.
pub async fn api_not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such API endpoint")
}

/// A known API path called with a method it does not support.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "method not allowed on this endpoint",
    )
}

impl From<crate::runs::RunError> for ApiError {
    fn from(err: crate::runs::RunError) -> Self {
        use crate::runs::RunError;
        match err {
            RunError::Conflict { .. } | RunError::LeaseLost(_) | RunError::OverQuota(_) => {
                Self::new(ErrorCode::Conflict, err.to_string())
            }
            RunError::NotFound(_) => Self::not_found("run"),
            RunError::Corrupt(_) | RunError::Database(_) => Self::internal(&err),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        Self::internal(&err)
    }
}

impl From<crate::org::OrgError> for ApiError {
    fn from(err: crate::org::OrgError) -> Self {
        use crate::org::OrgError;
        match err {
            OrgError::Invalid { .. } => Self::new(ErrorCode::ValidationFailed, err.to_string()),
            OrgError::Conflict(message) => Self::new(ErrorCode::Conflict, message),
            OrgError::NotFound(message) => Self::new(ErrorCode::NotFound, message),
            OrgError::Database(_) | OrgError::Internal(_) => Self::internal(&err),
        }
    }
}
