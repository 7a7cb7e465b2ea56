//! Server-only code: entities, tenant-scoped repositories, sessions and use cases.
pub mod auth;
pub mod entity;
pub mod error;
pub mod health;
pub mod outbound;
pub mod repo;
pub mod scope;
pub mod service;
pub mod session;
pub mod sql;
pub mod state;

use std::net::SocketAddr;

/// The caller's address: the first X-Forwarded-For hop behind a trusted load balancer, else the peer.
pub fn client_ip(parts: &http::request::Parts, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        if let Some(first) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
        {
            return first.trim().to_string();
        }
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}
