//! sea-orm entities, written by hand to match `migrations/`.
pub mod audit_log;
pub mod client;
pub mod customer_group;
pub mod invite;
pub mod membership;
pub mod msp;
pub mod person;
pub mod plan;
pub mod plan_template;
pub mod plan_version;
pub mod process;
pub mod process_system;
pub mod site;
pub mod system;
pub mod system_dependency;
pub mod user;
