//! What the telemetry says about one system. Its states live in `system_clock`, whose version
//! guards this row too: whoever changes a status wins the compare-and-set there first.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "system_status")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub system_id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub last_good_at: Option<DateTimeUtc>,
    pub last_offsite_at: Option<DateTimeUtc>,
    pub last_event_at: Option<DateTimeUtc>,
    pub failures_in_row: i32,
    pub last_test_at: Option<DateTimeUtc>,
    pub last_test_passed: Option<bool>,
    pub last_test_seconds: Option<i64>,
    pub suspicious: String,
    pub updated_at: DateTimeUtc,
    /// The newest successful jobs, oldest first: see `domain::sla::JobWindow`.
    pub recent_jobs: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
