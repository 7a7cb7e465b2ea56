//! An approved version: an immutable snapshot of the whole plan.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_version")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub number: i32,
    pub snapshot: String,
    pub approved_by: Uuid,
    pub approved_by_name: String,
    pub approved_at: DateTimeUtc,
    pub note: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
