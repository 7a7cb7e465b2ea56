//! A site of the client: address and what keeps people safe there. Lists are JSON text.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "site")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub name: String,
    pub address: String,
    pub safety_plan_ref: String,
    pub emergency_numbers: String,
    pub evacuation_point: String,
    pub assembly_point: String,
    pub first_responders: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
