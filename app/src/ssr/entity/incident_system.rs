//! A system an incident affects: its name and effective targets as they stood at the declaration,
//! and its recovery (started, recovered, the restore point it was brought back to).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incident_system")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub incident_id: Uuid,
    pub system_id: Uuid,
    pub name: String,
    /// Place in the recovery order (dependencies first).
    pub position: i32,
    pub rpo_minutes: Option<i32>,
    pub rto_minutes: Option<i32>,
    pub recovery_started_at: Option<DateTimeUtc>,
    pub recovered_at: Option<DateTimeUtc>,
    pub restore_point_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
