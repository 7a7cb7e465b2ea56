//! Schema migrations, identical on SQLite and PostgreSQL. Every tenant-owned table carries `msp_id`
//! and leads its indexes with it, so a tenant-sharded engine or row-level security can be added later.
pub use sea_orm_migration::prelude::*;

mod common;
mod m20261124_000001_tenancy;
mod m20261124_000002_plan;
mod m20261126_000003_customers_templates;
mod m20261126_000004_monitoring;
mod m20261126_000005_alerts;
mod m20261126_000006_job_window;
mod m20261126_000007_system_clock;
mod m20261126_000008_report_delivery;
mod m20261126_000009_restore_test_days;
mod m20261126_000010_state_change_log;
mod m20261126_000011_mail_language;
mod m20261130_000012_health_probe;
mod m20261130_000013_login_throttle;
mod m20261130_000014_versions_without_ping_keys;
mod m20261130_000015_invitations;
mod m20261130_000016_password_reset;
mod m20261130_000017_membership_disabled;
mod m20261130_000018_plan_completeness;
mod m20261130_000019_client_archive;
mod m20261203_000020_service_catalog;
mod m20261204_000021_offers;
mod m20261204_000022_subscription_amount;
mod m20261204_000023_stripe;
mod m20261204_000024_read_paths;
mod m20261207_000025_incidents;
mod m20261207_000026_customer_notices;
mod m20261207_000027_exercises;
mod m20261207_000028_roll_call;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_tenancy::Migration),
            Box::new(m20261124_000002_plan::Migration),
            Box::new(m20261126_000003_customers_templates::Migration),
            Box::new(m20261126_000004_monitoring::Migration),
            Box::new(m20261126_000005_alerts::Migration),
            Box::new(m20261126_000006_job_window::Migration),
            Box::new(m20261126_000007_system_clock::Migration),
            Box::new(m20261126_000008_report_delivery::Migration),
            Box::new(m20261126_000009_restore_test_days::Migration),
            Box::new(m20261126_000010_state_change_log::Migration),
            Box::new(m20261126_000011_mail_language::Migration),
            Box::new(m20261130_000012_health_probe::Migration),
            Box::new(m20261130_000013_login_throttle::Migration),
            Box::new(m20261130_000014_versions_without_ping_keys::Migration),
            Box::new(m20261130_000015_invitations::Migration),
            Box::new(m20261130_000016_password_reset::Migration),
            Box::new(m20261130_000017_membership_disabled::Migration),
            Box::new(m20261130_000018_plan_completeness::Migration),
            Box::new(m20261130_000019_client_archive::Migration),
            Box::new(m20261203_000020_service_catalog::Migration),
            Box::new(m20261204_000021_offers::Migration),
            Box::new(m20261204_000022_subscription_amount::Migration),
            Box::new(m20261204_000023_stripe::Migration),
            Box::new(m20261204_000024_read_paths::Migration),
            Box::new(m20261207_000025_incidents::Migration),
            Box::new(m20261207_000026_customer_notices::Migration),
            Box::new(m20261207_000027_exercises::Migration),
            Box::new(m20261207_000028_roll_call::Migration),
        ]
    }
}
