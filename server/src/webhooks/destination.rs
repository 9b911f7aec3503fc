//! Where a webhook may be sent. An owner types the URL, so it must not become a way into the
//! server's own network: https only, no credentials in the URL, and never an address that is
//! loopback, private, link-local or otherwise not on the public internet — checked on the
//! typed URL and again on every address a name resolves to, at connection time, so a name
//! that resolves elsewhere later (DNS rebinding) gets nowhere either. An operator who runs
//! receivers on a private network starts the server with `--webhook-allow-private`, which also
//! allows plain http.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// The longest URL an endpoint may have.
pub const MAX_URL_LEN: usize = 2000;

/// The reason code of a delivery refused by these rules.
pub const NOT_ALLOWED: &str = "destination_not_allowed";

/// Why `url` may not receive webhooks, in words for the person who typed it; `None` when it
/// may (as far as can be told before resolving its name).
pub fn refusal(url: &str, allow_private: bool) -> Option<String> {
    if url.len() > MAX_URL_LEN {
        return Some(format!("give a URL of at most {MAX_URL_LEN} characters"));
    }
    let Ok(parsed) = Url::parse(url) else {
        return Some(format!("{url:?} is not a URL"));
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Some("the URL carries credentials; webhooks are signed instead".to_owned());
    }
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => return Some("webhooks are sent over https only; give an https URL".to_owned()),
        other => {
            return Some(format!(
                "{other}: URLs cannot receive webhooks; give an https URL"
            ));
        }
    }
    let address = match parsed.host() {
        None => return Some(format!("{url:?} names no host")),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if !allow_private && (name == "localhost" || name.ends_with(".localhost")) {
                return Some(not_public(&name));
            }
            return None;
        }
    };
    (!allow_private && !is_public(address)).then(|| not_public(&address.to_string()))
}

/// `url` as people who may not change the endpoint see it, and as the audit log keeps it: the
/// origin, and `…` for a path or query (chat services put their token there).
pub fn masked(url: &str) -> String {
    let Ok(parsed) = Url::parse(url) else {
        return "…".to_owned();
    };
    let origin = parsed.origin().ascii_serialization();
    let bare = parsed.path() == "/" && parsed.query().is_none() && parsed.fragment().is_none();
    if bare {
        format!("{origin}/")
    } else {
        format!("{origin}/…")
    }
}

fn not_public(host: &str) -> String {
    format!(
        "{host} is not a public internet address (loopback, private, link-local or reserved); \
         an operator may allow such destinations with `--webhook-allow-private`"
    )
}

/// Whether `ip` is an address of the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => is_public_v6(ip),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, 192.0.0.0/24.
        || (a == 192 && b == 0 && c == 0)
        // Benchmarking, 198.18.0.0/15.
        || (a == 198 && (b == 18 || b == 19))
        // The retired 6to4 relay anycast, 192.88.99.0/24.
        || (a == 192 && b == 88 && c == 99)
        // Reserved, 240.0.0.0/4.
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    let first = s[0];
    // 6to4 (2002::/16) carries an IPv4 address in its next 32 bits: judged by it.
    if first == 0x2002 {
        let [a, b] = s[1].to_be_bytes();
        let [c, d] = s[2].to_be_bytes();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // Unique local, fc00::/7.
        || (first & 0xfe00) == 0xfc00
        // Link-local, fe80::/10.
        || (first & 0xffc0) == 0xfe80
        // Site-local (deprecated), fec0::/10.
        || (first & 0xffc0) == 0xfec0
        // Documentation, 2001:db8::/32.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // NAT64, 64:ff9b::/96 and the local 64:ff9b:1::/48; IPv4-compatible ::/96 and
        // IPv4-translated ::ffff:0:0:0/96: each reaches IPv4 hosts by address.
        || (first == 0x0064 && s[1] == 0xff9b)
        || s[..6].iter().all(|s| *s == 0)
        || (s[..4].iter().all(|s| *s == 0) && s[4] == 0xffff && s[5] == 0)
        // Teredo, 2001::/32: the IPv4 address it tunnels to is hidden in it.
        || (first == 0x2001 && s[1] == 0))
}

/// A resolver that answers only with public addresses: a name resolving to nothing else is an
/// error the deliverer reports as `destination_not_allowed`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicOnly;

/// A name resolved only to addresses webhooks may not reach.
#[derive(Debug)]
pub struct NotPublic(pub String);

impl std::fmt::Display for NotPublic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", not_public(&self.0))
    }
}

impl std::error::Error for NotPublic {}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(NotPublic(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// Whether `err` (or what caused it) is a refusal by [`PublicOnly`].
pub fn is_not_public(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(err) = cause {
        if err.is::<NotPublic>() {
            return true;
        }
        cause = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_https_urls_pass() {
        for ok in [
            "https://hooks.example.com/opsux",
            "https://93.184.215.14/in",
            "https://[2606:4700::1111]/in",
            "https://[2002:5db8:d70e::1]/in",
        ] {
            assert_eq!(refusal(ok, false), None, "{ok}");
        }
    }

    #[test]
    fn private_plain_and_odd_urls_are_refused_with_the_rule_named() {
        for (bad, why) in [
            ("http://hooks.example.com/", "https only"),
            ("ftp://hooks.example.com/", "ftp: URLs"),
            ("https://user:pw@hooks.example.com/", "credentials"),
            ("https://127.0.0.1/", "not a public"),
            ("https://localhost:8443/", "not a public"),
            ("https://api.localhost/", "not a public"),
            ("https://10.1.2.3/", "not a public"),
            ("https://172.16.0.9/", "not a public"),
            ("https://192.168.1.1/", "not a public"),
            ("https://169.254.169.254/latest/meta-data", "not a public"),
            ("https://100.64.0.1/", "not a public"),
            ("https://0.0.0.0/", "not a public"),
            ("https://[::1]/", "not a public"),
            ("https://[fd00::1]/", "not a public"),
            ("https://[fe80::1]/", "not a public"),
            ("https://[::ffff:127.0.0.1]/", "not a public"),
            ("https://[64:ff9b::a00:1]/", "not a public"),
            ("https://[64:ff9b:1::a00:1]/", "not a public"),
            ("https://[::ffff:0:a00:1]/", "not a public"),
            ("https://[2002:7f00:1::1]/", "not a public"),
            ("https://[2001:0:4136:e378::1]/", "not a public"),
            ("https://192.88.99.1/", "not a public"),
            ("https://2130706433/", "not a public"),
            ("https://0x7f.1/", "not a public"),
            ("hooks", "not a URL"),
        ] {
            let refusal = refusal(bad, false).unwrap_or_default();
            assert!(refusal.contains(why), "{bad}: {refusal}");
        }
        assert!(refusal(&format!("https://a.example/{}", "x".repeat(2000)), false).is_some());
    }

    #[test]
    fn a_masked_url_keeps_only_its_origin() {
        assert_eq!(
            masked("https://hooks.slack.example/services/T00/B00/secret?x=1"),
            "https://hooks.slack.example/…"
        );
        assert_eq!(
            masked("https://hooks.example.com:8443/"),
            "https://hooks.example.com:8443/"
        );
        assert_eq!(masked("not a url"), "…");
    }

    #[test]
    fn the_operator_may_allow_private_destinations_and_plain_http() {
        assert_eq!(refusal("http://127.0.0.1:9000/in", true), None);
        assert_eq!(refusal("https://10.0.0.5/in", true), None);
        assert!(refusal("ftp://10.0.0.5/in", true).is_some());
    }

    #[tokio::test]
    async fn names_resolving_only_to_private_addresses_are_refused_when_connecting() {
        let name: Name = "localhost".parse().expect("a name");
        let Err(err) = PublicOnly.resolve(name).await else {
            panic!("localhost resolved to a public address");
        };
        assert!(is_not_public(&*err), "{err}");
    }
}
