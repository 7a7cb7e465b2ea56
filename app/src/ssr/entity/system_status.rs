//! What the telemetry says about one system; `version` makes every update a compare-and-set, so
//! of several replicas only one records a state change.
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
    pub rpo_state: String,
    pub rto_state: String,
    pub state_since: DateTimeUtc,
    pub next_eval_at: Option<DateTimeUtc>,
    pub version: i64,
    /// When an open breach was last repeated to the people who were told.
    pub reminded_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    /// The newest successful jobs, oldest first: see `domain::sla::JobWindow`.
    pub recent_jobs: String,
    /// When the clock makes the RPO at risk and breached (`None`: no restore point or no target).
    pub rpo_risk_at: Option<DateTimeUtc>,
    pub rpo_breach_at: Option<DateTimeUtc>,
    /// When the last restore test stops proving the RTO (`None` unless it proves it now).
    pub rto_stale_at: Option<DateTimeUtc>,
    /// The targets changed since the moments above were worked out.
    pub targets_stale: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
