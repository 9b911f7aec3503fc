//! Request extractors whose rejections use the API's error envelope.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use opsux_core::wire::ErrorCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `axum::Json`, but malformed, mistyped, oversize or non-JSON bodies are answered with the
/// error envelope and a message saying what is wrong — and so is text holding a NUL character
/// (`\u0000`), which PostgreSQL cannot store: refused at the door on every backend alike.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !json_content_type(req.headers()) {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "Expected request with `Content-Type: application/json`",
            ));
        }
        // The route's body limit applies here (`DefaultBodyLimit`, in the request).
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| ApiError::from(JsonRejection::from(rejection)))?;
        if escapes_nul(&bytes) {
            return Err(ApiError::new(
                ErrorCode::ValidationFailed,
                "text must not contain NUL characters (\\u0000)",
            ));
        }
        Json::<T>::from_bytes(&bytes)
            .map(|Json(value)| Self(value))
            .map_err(ApiError::from)
    }
}

/// `application/json`, or a `+json` type (what `axum::Json` accepts).
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Whether a JSON text holds the escape `\u0000` (a NUL can only appear in JSON escaped): a
/// `\u0000` preceded by an even run of backslashes, so `"\\u0000"` (a backslash and `u0000`)
/// is not one.
fn escapes_nul(json: &[u8]) -> bool {
    json.windows(6).enumerate().any(|(at, window)| {
        window == b"\\u0000"
            && json[..at].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 0
    })
}

/// `axum::extract::Query`, with malformed or unknown parameters answered as a 400 envelope.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        if query.to_ascii_lowercase().contains("%00") {
            return Err(ApiError::new(
                ErrorCode::BadRequest,
                "query parameters must not contain NUL characters (%00)",
            ));
        }
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|rejection| ApiError::new(ErrorCode::BadRequest, rejection.body_text()))
    }
}

/// `axum::extract::Path`, with undecodable segments answered as a 404 envelope: a path that
/// names nothing is not found.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> axum::extract::FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let not_found = || ApiError::new(ErrorCode::NotFound, "not found");
        // No record's id holds a NUL (and PostgreSQL could not even be asked).
        if parts.uri.path().to_ascii_lowercase().contains("%00") {
            return Err(not_found());
        }
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(|_| not_found())
    }
}

/// The client's IP address, when the server was started with it (`opsux serve` is; a router
/// driven in-process is not). A peer among the configured trusted proxies
/// (`--trusted-proxy`) is a reverse proxy: then the client is the right-most address of
/// `X-Forwarded-For` that is not itself a trusted proxy. From any other peer the header is
/// ignored, so a client cannot choose its own address.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl axum::extract::FromRequestParts<crate::state::AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::state::AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        let proxies = &state.config.trusted_proxies;
        Ok(Self(
            peer.map(|peer| client_behind(peer, &parts.headers, proxies)),
        ))
    }
}

/// The client a request from `peer` came from, reading `X-Forwarded-For` only when `peer` is
/// one of `proxies`.
fn client_behind(
    peer: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
    proxies: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let trusted = |ip: &std::net::IpAddr| proxies.iter().any(|net| net.contains(ip));
    if !trusted(&peer) {
        return peer;
    }
    let forwarded: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|hop| hop.trim().parse().ok())
        .collect::<Option<_>>()
        // A malformed hop makes the whole chain untrustworthy: the proxy is the client.
        .unwrap_or_default();
    forwarded
        .into_iter()
        .rev()
        .find(|hop| !trusted(hop))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::{client_behind, escapes_nul};

    #[test]
    fn an_escaped_nul_is_found_and_an_escaped_backslash_is_not_one() {
        assert!(escapes_nul(br#"{"name": "a\u0000b"}"#));
        assert!(
            escapes_nul(br#"{"name": "\\\u0000"}"#),
            "an escaped backslash, then NUL"
        );
        assert!(
            !escapes_nul(br#"{"name": "\\u0000"}"#),
            "a backslash and the text u0000"
        );
        assert!(!escapes_nul(br#"{"name": "u0000"}"#));
    }

    fn headers(values: &[&str]) -> axum::http::HeaderMap {
        let mut map = axum::http::HeaderMap::new();
        for value in values {
            map.append("x-forwarded-for", value.parse().unwrap());
        }
        map
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let proxies = ["10.0.0.0/8".parse().unwrap()];
        let proxy = "10.0.0.5".parse().unwrap();
        let stranger = "203.0.113.9".parse().unwrap();
        let client: std::net::IpAddr = "198.51.100.7".parse().unwrap();
        // From a stranger the header is whatever the stranger wanted: ignored.
        let spoofed = headers(&["198.51.100.7"]);
        assert_eq!(client_behind(stranger, &spoofed, &proxies), stranger);
        // Through the proxy: the right-most address that is not a proxy.
        let chain = headers(&["1.2.3.4, 198.51.100.7", "10.0.0.9"]);
        assert_eq!(client_behind(proxy, &chain, &proxies), client);
        // No header, or a malformed one: the proxy itself.
        assert_eq!(client_behind(proxy, &headers(&[]), &proxies), proxy);
        assert_eq!(
            client_behind(proxy, &headers(&["nonsense"]), &proxies),
            proxy
        );
    }
}
