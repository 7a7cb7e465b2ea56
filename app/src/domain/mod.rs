//! Pure rules shared by the server and the browser; no I/O.
pub mod completeness;
pub mod customers;
pub mod diff;
pub mod exercise;
pub mod incident;
pub mod input;
pub mod offer;
pub mod password;
pub mod plan;
pub mod sla;
pub mod templates;
pub mod upsell;
