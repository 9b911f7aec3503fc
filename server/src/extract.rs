//! Request extractors whose rejections use the API's error envelope.

use axum::Json;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `axum::Json`, but malformed, mistyped, oversize or non-JSON bodies are answered with the
/// error envelope and a message saying what is wrong.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(value)| Self(value))
            .map_err(ApiError::from)
    }
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
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|rejection| {
                ApiError::new(
                    opsux_core::wire::ErrorCode::BadRequest,
                    rejection.body_text(),
                )
            })
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
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(|_| ApiError::new(opsux_core::wire::ErrorCode::NotFound, "not found"))
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
    use super::client_behind;

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
