//! R20: where a tenant's provider may live. Its sign-in authority and its Graph API are https
//! hosts of a Microsoft cloud, or hosts the operator names (`--provider-host`); plain http only
//! on loopback (the simulator). Checked when a connection is stored and again before each run
//! signs in, so a row written before a rule tightened cannot be used either.

use reqwest::Url;

/// The sign-in and Graph hosts of Microsoft's clouds: global, US Government (L4 and DoD) and
/// the one operated by 21Vianet in China.
pub const MICROSOFT_HOSTS: [&str; 7] = [
    "login.microsoftonline.com",
    "graph.microsoft.com",
    "login.microsoftonline.us",
    "graph.microsoft.us",
    "dod-graph.microsoft.us",
    "login.chinacloudapi.cn",
    "microsoftgraph.chinacloudapi.cn",
];

/// The hosts a provider endpoint may name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderOrigins {
    /// Hosts the operator allowed beyond Microsoft's clouds (lower-case, no port).
    extra: Vec<String>,
}

impl ProviderOrigins {
    /// Microsoft's clouds and loopback, plus `hosts`.
    pub fn allowing(hosts: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        Self {
            extra: hosts
                .into_iter()
                .map(|h| h.as_ref().trim().trim_end_matches('.').to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        }
    }

    /// Why `url` may not be a provider endpoint, in words for the person who typed it; `None`
    /// when it may.
    pub fn refusal(&self, url: &str) -> Option<String> {
        let Ok(parsed) = Url::parse(url) else {
            return Some(format!("{url:?} is not a URL"));
        };
        let Some(host) = parsed.host_str() else {
            return Some(format!("{url:?} names no host"));
        };
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Some(format!("{url:?} carries credentials; give them as fields"));
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let loopback = is_loopback(&parsed);
        match parsed.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Some(format!("{url:?} is plain http; use https")),
            other => return Some(format!("{url:?} is a {other}: URL; use https")),
        }
        let allowed =
            loopback || MICROSOFT_HOSTS.contains(&host.as_str()) || self.extra.contains(&host);
        (!allowed).then(|| {
            format!(
                "{host} is not a Microsoft cloud host; an operator may allow it with \
                 `--provider-host {host}`"
            )
        })
    }
}

/// Whether `url` points at this machine: `localhost`, 127.0.0.0/8 or `::1`.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsoft_clouds_and_loopback_pass_and_nothing_else_does() {
        let origins = ProviderOrigins::default();
        for ok in [
            "https://login.microsoftonline.com",
            "https://graph.microsoft.com/v1.0",
            "https://GRAPH.microsoft.us/v1.0",
            "https://microsoftgraph.chinacloudapi.cn/v1.0",
            "http://127.0.0.1:4176/v1.0",
            "http://localhost:9/v1.0",
            "http://[::1]:9",
        ] {
            assert_eq!(origins.refusal(ok), None, "{ok}");
        }
        for (bad, why) in [
            ("http://graph.microsoft.com/v1.0", "plain http"),
            (
                "https://graph.microsoft.com.evil.example/v1.0",
                "not a Microsoft cloud",
            ),
            ("https://evil.example/v1.0", "--provider-host evil.example"),
            ("https://user:pw@graph.microsoft.com", "carries credentials"),
            ("ftp://graph.microsoft.com", "ftp: URL"),
            ("http://10.0.0.1/v1.0", "plain http"),
            ("graph", "not a URL"),
        ] {
            let refusal = origins.refusal(bad).unwrap_or_default();
            assert!(refusal.contains(why), "{bad}: {refusal}");
        }
    }

    #[test]
    fn the_operator_may_name_more_hosts() {
        let origins = ProviderOrigins::allowing(["Graph.Contoso.example."]);
        assert_eq!(origins.refusal("https://graph.contoso.example/v1.0"), None);
        assert!(
            origins
                .refusal("http://graph.contoso.example/v1.0")
                .is_some()
        );
    }
}
