//! Server-only code: entities, tenant-scoped repositories, sessions and use cases.
pub mod auth;
pub mod csv;
pub mod entity;
pub mod error;
pub mod health;
pub mod outbound;
pub mod repo;
pub mod scope;
pub mod secrets;
pub mod service;
pub mod session;
pub mod sql;
pub mod state;
pub mod stripe;
pub mod stripe_api;

use std::net::SocketAddr;

/// The caller's address. Behind a trusted load balancer it is the last X-Forwarded-For entry,
/// the one the balancer appended: entries before it are whatever the client sent and prove
/// nothing. Otherwise it is the peer.
pub fn client_ip(parts: &http::request::Parts, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        if let Some(last) = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty())
        {
            if let Ok(ip) = last.parse::<std::net::IpAddr>() {
                return ip.to_string();
            }
        }
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Text from outside as it may go into a log line: at most 80 characters, control characters
/// shown as `?`, so a request cannot fill the log or forge lines in it.
pub fn loggable(s: &str) -> String {
    const MAX: usize = 80;
    let mut out: String = s
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if s.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(xff: &[&str]) -> http::request::Parts {
        let mut req = http::Request::builder();
        for v in xff {
            req = req.header("x-forwarded-for", *v);
        }
        let (mut parts, _) = req.body(()).unwrap().into_parts();
        parts.extensions.insert(axum::extract::ConnectInfo(
            "10.0.0.9:4444".parse::<SocketAddr>().unwrap(),
        ));
        parts
    }

    #[test]
    fn the_balancer_appended_address_counts_not_what_the_client_sent() {
        // The client claims 1.2.3.4; the balancer appended the address it saw.
        let p = parts(&["1.2.3.4, 203.0.113.7"]);
        assert_eq!(client_ip(&p, true), "203.0.113.7");
        assert_eq!(
            client_ip(&parts(&["1.2.3.4", "198.51.100.2"]), true),
            "198.51.100.2"
        );
        assert_eq!(client_ip(&p, false), "10.0.0.9", "untrusted: the peer");
        assert_eq!(client_ip(&parts(&["garbage"]), true), "10.0.0.9");
    }

    #[test]
    fn log_lines_are_bounded() {
        let long = "a".repeat(10_000);
        assert_eq!(loggable(&long).chars().count(), 81);
        assert_eq!(loggable("ann\nFAKE LINE"), "ann?FAKE LINE");
        assert_eq!(loggable("ann\r\nx"), "ann??x");
    }
}
