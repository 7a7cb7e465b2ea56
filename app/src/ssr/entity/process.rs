//! A business process with its impact over time and agreed targets.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "process")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub name: String,
    pub description: String,
    pub impact_hour: String,
    pub impact_day: String,
    pub impact_week: String,
    pub rto_minutes: Option<i32>,
    pub rpo_minutes: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
