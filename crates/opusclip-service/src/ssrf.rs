//! The address rules for URLs the service fetches (video URLs, webhooks): http or https only,
//! and every resolved address must be public — not private, loopback, link-local, multicast,
//! unspecified, shared (CGNAT), reserved, or a cloud metadata address. The rules are checked when
//! a request is accepted and again inside the HTTP client's resolver for every connection it
//! makes, redirects included; the client connects to exactly the addresses that were checked,
//! so a DNS answer that changes between check and fetch (rebinding) gains nothing.

use crate::error::ApiError;
use serde_json::json;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// What URL fetches may do.
#[derive(Debug, Clone)]
pub struct UrlPolicy {
    /// `host:port` pairs exempt from the address rules (trusted internal sources, tests).
    pub allowlist: Vec<String>,
    /// Largest body accepted, bytes.
    pub max_bytes: u64,
    /// Whole-request time limit.
    pub timeout: Duration,
    /// Redirects followed (each one checked).
    pub max_redirects: u32,
}

impl Default for UrlPolicy {
    fn default() -> Self {
        UrlPolicy { allowlist: Vec::new(), max_bytes: 4 << 30, timeout: Duration::from_secs(600), max_redirects: 5 }
    }
}

/// Why an address may not be fetched, or `None` when it is a public address. IPv6 addresses
/// that carry an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) obey the IPv4 rules for
/// it, so a private address cannot be reached through a translator or tunnel.
pub fn refusal_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => {
            if let Some(reason) = v6_reason(v6) {
                return Some(reason);
            }
            if is_local_nat64(v6) {
                return Some("local-use NAT64 (64:ff9b:1::/48), which may translate to private addresses");
            }
            embedded_v4(v6).into_iter().find_map(v4_reason)
        }
    }
}

/// The IPv4 addresses an IPv6 address stands for: IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible
/// `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::` and Teredo `2001:0:SERVER::`
/// with the client's address inverted in the last 32 bits (both checked).
fn embedded_v4(ip: Ipv6Addr) -> Vec<Ipv4Addr> {
    let segments = ip.segments();
    let v4 = |high: u16, low: u16| Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
    let last = v4(segments[6], segments[7]);
    match segments {
        [0, 0, 0, 0, 0, 0xffff, ..] | [0, 0, 0, 0, 0, 0, ..] | [0x64, 0xff9b, 0, 0, 0, 0, ..] => vec![last],
        [0x2002, high, low, ..] => vec![v4(high, low)],
        [0x2001, 0, high, low, ..] => vec![v4(high, low), Ipv4Addr::from(!u32::from(last))],
        _ => Vec::new(),
    }
}

/// `64:ff9b:1::/48` (RFC 8215): operators pick where the IPv4 address sits, so all of it is refused.
fn is_local_nat64(ip: Ipv6Addr) -> bool {
    ip.segments()[0..3] == [0x64, 0xff9b, 1]
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some(if ip == Ipv4Addr::new(169, 254, 169, 254) { "cloud metadata" } else { "link-local" })
    } else if ip.is_multicast() {
        Some("multicast")
    } else if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_broadcast() || a >= 240 {
        Some("reserved")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared address space (CGNAT, cloud metadata)")
    } else if a == 192 && b == 0 && c == 0 {
        Some("IETF protocol assignments")
    } else if a == 198 && (b == 18 || b == 19) {
        Some("benchmarking")
    } else if ip.is_documentation() {
        Some("documentation")
    } else {
        None
    }
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if first & 0xfe00 == 0xfc00 {
        Some("private (unique local, includes cloud metadata fd00:ec2::254)")
    } else if first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 {
        Some("link-local")
    } else if first == 0x2001 && ip.segments()[1] == 0x0db8 {
        Some("documentation")
    } else {
        None
    }
}

/// Parse a URL the service will fetch: http or https with a host, no credentials.
pub fn parse_fetch_url(text: &str, field: &str) -> Result<url::Url, ApiError> {
    let refused = |message: String| ApiError::url_refused(message, json!({ "field": field, "url": text }));
    let url = url::Url::parse(text.trim()).map_err(|e| refused(format!("{field} is not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refused(format!("{field} must be http or https, not {}:", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(refused(format!("{field} has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused(format!("{field} must not carry credentials")));
    }
    Ok(url)
}

/// Is `host:port` on the allowlist (by name or by resolved address)?
fn allowed(policy: &UrlPolicy, host: &str, address: &SocketAddr) -> bool {
    let by_name = format!("{}:{}", host.trim_matches(['[', ']']), address.port());
    let by_address = format!("{}:{}", address.ip(), address.port());
    policy.allowlist.iter().any(|entry| entry == &by_name || entry == &by_address)
}

/// Refuse when any resolved address breaks the rules (one bad answer is enough to refuse).
pub fn check_addresses(policy: &UrlPolicy, host: &str, addresses: &[SocketAddr]) -> Result<(), ApiError> {
    for address in addresses {
        if allowed(policy, host, address) {
            continue;
        }
        if let Some(reason) = refusal_reason(address.ip()) {
            return Err(ApiError::url_refused(
                format!("{host} resolves to {} ({reason}): only public addresses may be fetched", address.ip()),
                json!({ "host": host, "address": address.ip().to_string(), "reason": reason }),
            ));
        }
    }
    Ok(())
}

/// Check a URL before accepting a request: scheme, then the addresses its host resolves to now.
pub async fn check_url(text: &str, field: &str, policy: &UrlPolicy) -> Result<url::Url, ApiError> {
    let url = parse_fetch_url(text, field)?;
    let host = url.host_str().unwrap_or_default().to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let lookup = tokio::net::lookup_host((host.trim_matches(['[', ']']), port));
    let addresses: Vec<SocketAddr> = match tokio::time::timeout(Duration::from_secs(10), lookup).await {
        Ok(Ok(found)) => found.collect(),
        Ok(Err(error)) => {
            return Err(ApiError::url_refused(
                format!("{field}: the host {host} does not resolve: {error}"),
                json!({ "field": field, "host": host }),
            ))
        }
        Err(_) => {
            return Err(ApiError::url_refused(
                format!("{field}: resolving {host} timed out"),
                json!({ "field": field, "host": host }),
            ))
        }
    };
    check_addresses(policy, &host, &addresses).map_err(|mut refusal| {
        refusal.details["field"] = json!(field);
        refusal
    })?;
    Ok(url)
}

/// The error the resolver returns for a refused address (carried through the HTTP client).
#[derive(Debug)]
pub struct Refused(pub ApiError);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for Refused {}

/// ureq's resolver with the address rules applied to every answer it gives the connector.
#[derive(Debug)]
pub struct GuardedResolver {
    policy: Arc<UrlPolicy>,
    inner: DefaultResolver,
}

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addresses = self.inner.resolve(uri, config, timeout)?;
        let host = uri.host().unwrap_or_default();
        check_addresses(&self.policy, host, &addresses)
            .map_err(|refusal| ureq::Error::Other(Box::new(Refused(refusal))))?;
        Ok(addresses)
    }
}

/// An HTTP client whose every connection obeys `policy` (no proxy, so the check is on the
/// address actually connected to).
pub fn guarded_agent(policy: &UrlPolicy, max_redirects: u32) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .max_redirects(max_redirects)
        .max_redirects_will_error(true)
        .timeout_global(Some(policy.timeout))
        .timeout_connect(Some(Duration::from_secs(10)))
        .user_agent(concat!("opusclip/", env!("CARGO_PKG_VERSION")))
        .build();
    let resolver = GuardedResolver { policy: Arc::new(policy.clone()), inner: DefaultResolver::default() };
    ureq::Agent::with_parts(config, DefaultConnector::default(), resolver)
}

/// The refusal inside a client error, when that is what it was.
pub fn refusal_in(error: &ureq::Error) -> Option<ApiError> {
    match error {
        ureq::Error::Other(inner) => inner.downcast_ref::<Refused>().map(|refused| refused.0.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(text: &str) -> Option<&'static str> {
        refusal_reason(text.parse().unwrap())
    }

    #[test]
    fn private_and_special_addresses_are_refused() {
        for address in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.1.1",
            "100.100.100.200",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(reason(address).is_some(), "{address} should be refused");
        }
        assert_eq!(reason("169.254.169.254"), Some("cloud metadata"));
        for address in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert_eq!(reason(address), None, "{address} is public");
        }
    }

    /// Each IPv6 form that embeds an IPv4 address: private ones refused, public ones allowed.
    #[test]
    fn ipv6_addresses_embedding_ipv4_follow_the_ipv4_rules() {
        for (address, why) in [
            ("::127.0.0.1", "loopback"),
            ("::10.0.0.1", "private"),
            ("::169.254.169.254", "cloud metadata"),
            ("2002:7f00:1::", "loopback"),
            ("2002:a9fe:a9fe:1::1", "cloud metadata"),
            ("2002:c0a8:0101::", "private"),
            // Teredo: client 10.0.0.1 (stored inverted) behind the public server 65.54.227.120.
            ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "private"),
            // Teredo: client 127.0.0.1.
            ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"),
            // Teredo: a private server address.
            ("2001:0:a00:1:8000:63bf:f7f7:f7f7", "private"),
            ("64:ff9b::7f00:1", "loopback"),
            ("64:ff9b::a9fe:a9fe", "cloud metadata"),
        ] {
            assert_eq!(reason(address), Some(why), "{address}");
        }
        for address in ["64:ff9b:1::a00:1", "64:ff9b:1::808:808", "64:ff9b:1:ffff::1"] {
            assert!(reason(address).is_some_and(|r| r.contains("NAT64")), "{address}: {:?}", reason(address));
        }
        for address in ["::8.8.8.8", "2002:808:808::1", "2001:0:4136:e378:8000:63bf:f7f7:f7f7", "64:ff9b::808:808"] {
            assert_eq!(reason(address), None, "{address} embeds a public address");
        }
        assert_eq!(reason("::1"), Some("loopback"), "::1 is loopback, not the compatible 0.0.0.1");
        assert_eq!(reason("::"), Some("unspecified"));
    }

    #[test]
    fn only_http_and_https_without_credentials() {
        assert!(parse_fetch_url("https://example.com/a.mp4", "video_url").is_ok());
        for bad in
            ["file:///etc/passwd", "ftp://example.com/a", "gopher://x", "http://user:pw@example.com/", "nonsense"]
        {
            let error = parse_fetch_url(bad, "video_url").unwrap_err();
            assert_eq!((error.status.as_u16(), error.code), (422, "URL_NOT_ALLOWED"), "{bad}");
        }
    }

    #[test]
    fn the_allowlist_exempts_exact_host_and_port() {
        let policy = UrlPolicy { allowlist: vec!["127.0.0.1:8123".into()], ..UrlPolicy::default() };
        let allowed: SocketAddr = "127.0.0.1:8123".parse().unwrap();
        let other_port: SocketAddr = "127.0.0.1:8124".parse().unwrap();
        assert!(check_addresses(&policy, "127.0.0.1", &[allowed]).is_ok());
        assert!(check_addresses(&policy, "127.0.0.1", &[other_port]).is_err());
        let mixed = ["8.8.8.8:80".parse().unwrap(), "10.0.0.1:80".parse().unwrap()];
        assert!(check_addresses(&policy, "mixed.example", &mixed).is_err(), "one private answer refuses");
    }
}
