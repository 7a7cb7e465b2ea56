//! The evaluator's row of a system: its two states and the moments the clock moves them, apart
//! from the telemetry in `system_status` so that a pass of the evaluator rewrites narrow rows
//! only. Moments are Unix milliseconds, compared as integers in SQL. `version` makes every
//! change of a system's status (this row and its telemetry row) a compare-and-set, so of several
//! replicas only one records a state change.
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "system_clock")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub system_id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub rpo_state: String,
    pub rto_state: String,
    pub state_since: i64,
    /// When the evaluator must look again (`None`: only an event or a target change moves it).
    pub next_eval_at: Option<i64>,
    /// When the clock makes the RPO at risk and breached (`None`: no restore point or no target).
    pub rpo_risk_at: Option<i64>,
    pub rpo_breach_at: Option<i64>,
    /// When the last restore test stops proving the RTO (`None` unless it proves it now).
    pub rto_stale_at: Option<i64>,
    /// The targets changed since the moments above were worked out.
    pub targets_stale: bool,
    /// When an open breach was last repeated to the people who were told.
    pub reminded_at: Option<i64>,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A moment as stored here.
pub fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// A stored moment back as a time (the epoch for a value out of range, which only a hand-edited
/// row can hold).
pub fn moment(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

impl Model {
    pub fn state_since_at(&self) -> DateTime<Utc> {
        moment(self.state_since)
    }
}
