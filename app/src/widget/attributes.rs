//! The host element's attributes, parsed once ("parse, don't validate").

use opsux_core::TenantSlug;
use web_sys::Element;

pub(super) struct WidgetConfig {
    pub(super) tenant: TenantSlug,
    /// The opsux server's origin, without a trailing slash.
    pub(super) server: String,
}

impl WidgetConfig {
    pub(super) fn read(host: &Element) -> Result<Self, String> {
        let tenant = host
            .get_attribute("data-tenant")
            .filter(|t| !t.trim().is_empty())
            .ok_or(
                "the element needs data-tenant=\"<tenant slug>\", e.g. data-tenant=\"contoso\"",
            )?;
        let tenant = TenantSlug::parse(tenant.trim())
            .map_err(|err| format!("data-tenant is not a tenant slug: {err}"))?;
        let server = host
            .get_attribute("data-server")
            .filter(|s| !s.trim().is_empty())
            .ok_or("the element needs data-server=\"<opsux origin>\", e.g. data-server=\"https://ops.example.com\"")?;
        let server = parse_origin(server.trim())?;
        Ok(Self { tenant, server })
    }
}

/// `https://ops.example.com` or `http://127.0.0.1:8080`: a scheme, a host, an optional port,
/// nothing else.
fn parse_origin(raw: &str) -> Result<String, String> {
    let invalid = || {
        format!(
            "data-server must be an origin such as https://ops.example.com (got {:?})",
            raw.chars().take(80).collect::<String>()
        )
    };
    let trimmed = raw.trim_end_matches('/');
    let (scheme, authority) = trimmed.split_once("://").ok_or_else(invalid)?;
    let valid_authority = !authority.is_empty()
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if matches!(scheme, "http" | "https") && valid_authority {
        Ok(trimmed.to_owned())
    } else {
        Err(invalid())
    }
}
