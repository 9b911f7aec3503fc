//! What every response carries for the browser's protection, and the one place cross-origin
//! reads are granted.
//!
//! - A Content-Security-Policy for the panel: scripts only from this origin (plus the hashes
//!   of the inline start-up script Trunk writes into `index.html`, computed from the file at
//!   start-up), WebAssembly allowed, no plugins, and framing only by ourselves and the
//!   allow-listed embedding origins. Also `X-Content-Type-Options: nosniff` and a
//!   `Referrer-Policy` that never sends paths to other sites.
//! - CORS with credentials for the embeddable widget (SPEC §8), on exactly the routes it uses
//!   (its files under `/widget/`, the tenant's active runs and their stream) and their
//!   preflights, for exactly the allow-listed origins. Every other origin, and every other
//!   route, gets no grant, so a foreign page can read nothing.

use std::path::Path;

use axum::http::{HeaderName, HeaderValue, Method, header};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::Config;

/// The panel's policy. `index.html` is read once, here: a rebuilt dashboard needs a restart.
pub fn content_security_policy(config: &Config) -> HeaderValue {
    let index = std::fs::read_to_string(config.assets_dir.join("index.html")).unwrap_or_default();
    let hashes: String = inline_scripts(&index)
        .map(|script| format!(" 'sha256-{}'", sha256_base64(script)))
        .collect();
    let ancestors: String = config
        .allowed_origins
        .iter()
        .filter(|o| is_origin(o))
        .map(|o| format!(" {o}"))
        .collect();
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'self'{ancestors}"
    );
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'self'"))
}

/// The bodies of `<script>` elements without `src`, exactly as written (what a browser hashes).
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (tag, after) = rest.split_once('>')?;
        if tag.contains("src=") {
            return None;
        }
        let (body, _) = after.split_once("</script>")?;
        Some(body)
    })
}

fn sha256_base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
}

/// `scheme://host[:port]` with nothing a header could be split on.
pub fn is_origin(candidate: &str) -> bool {
    candidate.split_once("://").is_some_and(|(scheme, rest)| {
        matches!(scheme, "http" | "https")
            && !rest.is_empty()
            && !rest.contains('/')
            && rest
                .chars()
                .all(|c| c.is_ascii_graphic() && c != ';' && c != ',')
    })
}

type SetHeader = SetResponseHeaderLayer<HeaderValue>;
/// CSP, `nosniff`, `Referrer-Policy`, and HSTS when there is an https origin.
pub type HeaderLayers = (
    SetHeader,
    SetHeader,
    SetHeader,
    tower::util::Either<SetHeader, tower::layer::util::Identity>,
);

/// The headers set on every response that does not already carry them; behind an https
/// public origin also `Strict-Transport-Security`, so browsers never use plain http again.
pub fn header_layers(csp: HeaderValue, config: &Config) -> HeaderLayers {
    let https = config
        .public_origin
        .as_deref()
        .is_some_and(|o| o.starts_with("https://"));
    (
        SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, csp),
        SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
        tower::util::option_layer(https.then(|| {
            SetResponseHeaderLayer::if_not_present(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000"),
            )
        })),
    )
}

/// CORS for the widget's routes: credentials allowed, GET only, for the allow-listed origins.
pub fn widget_cors(config: &Config) -> CorsLayer {
    let origins: Vec<HeaderValue> = config
        .allowed_origins
        .iter()
        .filter(|o| is_origin(o))
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([Method::GET])
        .allow_headers([header::ACCEPT, HeaderName::from_static("last-event-id")])
        .max_age(std::time::Duration::from_secs(600))
}

/// The folder of the widget's build inside the assets folder.
pub fn widget_dir(assets_dir: &Path) -> std::path::PathBuf {
    assets_dir.join("widget")
}
