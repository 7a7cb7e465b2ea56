//! Where Lifeline may connect on an MSP's behalf. A webhook URL is typed in by a customer, so
//! without a rule it could aim the server at its own loopback, the private network behind it or
//! a cloud's metadata service (server-side request forgery). Only public addresses are allowed,
//! checked when the URL is saved and again for every address a name resolves to when
//! connecting (so a name that later resolves elsewhere, DNS rebinding, gains nothing).
//! `LIFELINE_WEBHOOKS_ALLOW_PRIVATE=true` lifts the rule for tests and on-premises installs.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Whether an address is on the public internet (not loopback, private, link-local, shared,
/// multicast, documentation or otherwise reserved).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, the cloud metadata services among them
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier NAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
        || first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
}

/// The IPv4 address inside an IPv4-mapped, IPv4-compatible or NAT64 IPv6 address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    let mapped = s[..5] == [0; 5] && s[5] == 0xffff;
    let compatible = s[..6] == [0; 6] && !ip.is_loopback() && !ip.is_unspecified();
    let nat64 = s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    (mapped || compatible || nat64).then_some(tail)
}

/// Why a webhook URL cannot be used, or `Ok` with the URL parsed. A name is looked up: when
/// it resolves, every address must be public; when it does not resolve (yet), it is accepted
/// here and checked again at each delivery.
pub async fn check_url(url: &str, allow_private: bool) -> Result<reqwest::Url, &'static str> {
    let parsed = reqwest::Url::parse(url).map_err(|_| "must be an http(s) URL")?;
    if !matches!(parsed.scheme(), "http" | "https") || !parsed.username().is_empty() {
        return Err("must be an http(s) URL without a user name");
    }
    if allow_private {
        return Ok(parsed);
    }
    let refused = "must point at a public address (not loopback, private, link-local or metadata)";
    match parsed.host() {
        None => Err("must be an http(s) URL"),
        Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => Err(refused),
        Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => Err(refused),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                return Err(refused);
            }
            let port = parsed.port_or_known_default().unwrap_or(443);
            let lookup = tokio::net::lookup_host(format!("{name}:{port}"));
            match tokio::time::timeout(Duration::from_secs(3), lookup).await {
                Ok(Ok(addrs)) => {
                    let addrs: Vec<SocketAddr> = addrs.collect();
                    if addrs.iter().any(|a| !is_public(a.ip())) {
                        Err(refused)
                    } else {
                        Ok(parsed)
                    }
                }
                _ => Ok(parsed),
            }
        }
        Some(_) => Ok(parsed),
    }
}

/// A resolver that hands the HTTP client public addresses only: a name that resolves to a
/// private address fails to connect instead.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// How long one webhook call may take, connection included: a receiver slower than this is
/// treated as failed and retried later, so it cannot hold deliveries up.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);

/// The HTTP client for webhooks: short timeouts, no redirects (a redirect could lead anywhere)
/// and, unless private destinations are allowed, public addresses only.
pub fn webhook_client(allow_private: bool) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .timeout(WEBHOOK_TIMEOUT)
        .connect_timeout(Duration::from_secs(3))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Lifeline-Webhooks/1");
    if !allow_private {
        builder = builder.dns_resolver(Arc::new(PublicOnly));
    }
    builder.build().unwrap_or_default()
}

/// Whether a URL about to be called names a literal address that is not allowed (names are
/// left to the resolver).
pub fn literal_address_refused(url: &reqwest::Url, allow_private: bool) -> bool {
    if allow_private {
        return false;
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(_)) => false,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2001:db8::1",
        ] {
            assert!(
                !is_public(ip.parse().unwrap()),
                "{ip} must not count as public"
            );
        }
        for ip in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip} is public");
        }
    }

    #[tokio::test]
    async fn urls_are_checked_before_they_are_kept() {
        for bad in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://api.localhost/hook",
            "http://[::1]/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://2130706433/hook", // 127.0.0.1 as one number
            "http://0x7f.1/hook",
            "http://10.0.0.5/hook",
        ] {
            assert!(
                check_url(bad, false).await.is_err(),
                "{bad} must be refused"
            );
            assert!(
                check_url(bad, true).await.is_ok(),
                "{bad} is allowed on-premises"
            );
        }
        for bad in [
            "ftp://example.com/x",
            "http://user:pw@example.com/",
            "not a url",
        ] {
            assert!(check_url(bad, true).await.is_err(), "{bad}");
        }
        assert!(check_url("https://93.184.216.34/hook", false).await.is_ok());
    }
}
