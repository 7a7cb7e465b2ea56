//! Settings of a client's plan (one row per client).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub review_due: Option<Date>,
    pub minutes_per_call: i32,
    pub max_calls_per_person: i32,
    /// Minutes a call-tree wave has before an unconfirmed leg escalates.
    pub wave_minutes: i32,
    /// How often each kind of exercise is due, in months.
    pub drill_every_months: i32,
    pub restore_test_every_months: i32,
    pub tabletop_every_months: i32,
    pub email_down_rule: String,
    /// JSON: scenarios, customer message templates, service desk, talking points.
    pub sections: String,
    pub scenarios: String,
    pub messages: String,
    pub service_desk: String,
    pub talking_points: String,
    /// The plan's completeness as last worked out, and on which day; `None` after a change.
    pub completeness: Option<i32>,
    pub completeness_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
