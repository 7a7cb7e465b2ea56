//! sea-orm entities, written by hand to match `migrations/`.
pub mod audit_log;
pub mod client;
pub mod invite;
pub mod membership;
pub mod msp;
pub mod user;
