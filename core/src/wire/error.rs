//! The one error envelope of the API: `{"error": {"code": "…", "message": "…"}}`.

use serde::{Deserialize, Serialize};

/// What went wrong, as a stable code clients can match on. The HTTP status follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not valid JSON, or not of the expected shape.
    InvalidJson,
    /// The body is well-formed but a value is not acceptable.
    ValidationFailed,
    /// A path or query parameter is malformed.
    BadRequest,
    Unauthenticated,
    /// Authenticated member lacking a capability, or a state change from a foreign origin.
    Forbidden,
    /// Not there, or not yours to know about (R16).
    NotFound,
    MethodNotAllowed,
    /// The request lost a race, or asks for a transition the run's state does not allow.
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    /// Too many requests of this kind from this client, session or tenant; the answer says
    /// which limit and, with `Retry-After`, when to try again.
    TooManyRequests,
    /// The request's body came too slowly (408), or the answer took too long (503).
    RequestTimeout,
    Unavailable,
    /// Something failed on the server; the detail is logged, never sent.
    Internal,
}

impl ErrorCode {
    pub const fn http_status(self) -> u16 {
        match self {
            Self::InvalidJson | Self::BadRequest => 400,
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::ValidationFailed => 422,
            Self::TooManyRequests => 429,
            Self::RequestTimeout => 408,
            Self::Unavailable => 503,
            Self::Internal => 500,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorEnvelope {
    pub error: ApiErrorBody,
}

impl ErrorEnvelope {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ApiErrorBody {
                code,
                message: message.into(),
            },
        }
    }
}
