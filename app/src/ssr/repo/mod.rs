//! Tenant-scoped repositories. Functions that read or change tenant data take the caller's `Scope`
//! and build their queries with `Scope::select`; the few lookups that precede a scope (sign-in,
//! invite acceptance, session resolution) are named for what they are.
pub mod audit;
pub mod clients;
pub mod owned;
pub mod throttle;
pub mod users;
