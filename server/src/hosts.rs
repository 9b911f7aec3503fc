//! DNS rebinding: a page on `evil.example`, whose name its owner points at this server's
//! address, is same-origin with whatever answers there, so the browser lets it read our
//! answers. Such requests carry `Host: evil.example`; when the server does not know its own
//! public name, it answers only `localhost`, the host names it was told about, and IP
//! addresses — an address cannot be rebound: a page loaded from it is this server's own.

use std::net::IpAddr;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use opsux_core::wire::ErrorCode;

use crate::error::ApiError;
use crate::state::AppState;

/// The host names a server answers for without a public origin, besides IP addresses:
/// `localhost` and those given with `--allowed-host`.
pub fn default_allowed_hosts(extra: &[String]) -> Vec<String> {
    let mut hosts = vec!["localhost".to_owned()];
    // As `Host` is compared: without a port, lower-cased.
    hosts.extend(extra.iter().map(|h| host_name(h.trim())));
    hosts
}

/// Whether `host` (as [`host_name`] gives it) is allowed by `allowed`.
fn is_allowed(host: &str, allowed: &[String]) -> bool {
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    literal.parse::<IpAddr>().is_ok() || allowed.iter().any(|a| a == host)
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
    if host.is_some_and(|host| is_allowed(&host, allowed)) {
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
    fn addresses_localhost_and_given_names_are_allowed() {
        let allowed = default_allowed_hosts(&["Ops.Internal:8443".to_owned()]);
        for host in [
            "localhost",
            "ops.internal",
            "10.0.0.5",
            "127.0.0.1",
            "[::1]",
        ] {
            assert!(is_allowed(host, &allowed), "{host}");
        }
        for host in [
            "rebound.example",
            "localhost.evil.example",
            "ops.internal.evil",
        ] {
            assert!(!is_allowed(host, &allowed), "{host}");
        }
    }
}
