//! DNS rebinding: a page on `evil.example`, whose name its owner points at this server's
//! address, is same-origin with whatever answers there, so the browser lets it read our
//! answers. Such requests carry `Host: evil.example`; when the server does not know its own
//! public name, it answers only the host names it was told about and its own addresses.

use std::net::SocketAddr;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use opsux_core::wire::ErrorCode;

use crate::error::ApiError;
use crate::state::AppState;

/// The host names a server listening on `listen` answers for without a public origin: the
/// loopback names, the address it listens on, and those given with `--allowed-host`.
pub fn default_allowed_hosts(listen: SocketAddr, extra: &[String]) -> Vec<String> {
    let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    if !listen.ip().is_unspecified() {
        hosts.push(match listen {
            SocketAddr::V4(v4) => v4.ip().to_string(),
            SocketAddr::V6(v6) => format!("[{}]", v6.ip()),
        });
    }
    hosts.extend(extra.iter().map(|h| h.trim().to_ascii_lowercase()));
    hosts
}

/// `Host: name[:port]` → `name`, lower-cased; IPv6 literals keep their brackets.
fn host_name(host: &str) -> String {
    let name = if host.starts_with('[') {
        host.split_once(']')
            .map_or(host, |(literal, _)| &host[..=literal.len()])
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    name.to_ascii_lowercase()
}

/// Refuses requests for a host not on the allow-list (when there is one) with a 400 that
/// names the flag to change. `/healthz` is exempt: probes address pods by IP, and it says
/// nothing a rebinding page could use.
pub async fn require_allowed_host(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let Some(allowed) = &state.config.allowed_hosts else {
        return Ok(next.run(request).await);
    };
    if request.uri().path() == "/healthz" {
        return Ok(next.run(request).await);
    }
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()))
        .map(host_name);
    if host.is_some_and(|host| allowed.contains(&host)) {
        Ok(next.run(request).await)
    } else {
        Err(ApiError::new(
            ErrorCode::BadRequest,
            "this server does not answer for that host name; its operator can allow it with \
             --allowed-host or set --public-origin",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_lose_their_port_and_case() {
        assert_eq!(host_name("LocalHost:8080"), "localhost");
        assert_eq!(host_name("ops.example.com"), "ops.example.com");
        assert_eq!(host_name("[::1]:8080"), "[::1]");
        assert_eq!(host_name("[::1]"), "[::1]");
    }

    #[test]
    fn the_listen_address_is_allowed_unless_it_is_every_address() {
        let listen: SocketAddr = "10.0.0.5:8080".parse().unwrap();
        let hosts = default_allowed_hosts(listen, &["Ops.Internal".to_owned()]);
        assert!(hosts.contains(&"10.0.0.5".to_owned()));
        assert!(hosts.contains(&"ops.internal".to_owned()));
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(!default_allowed_hosts(any, &[]).contains(&"0.0.0.0".to_owned()));
    }
}
