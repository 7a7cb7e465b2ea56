//! Someone in the staff directory; `caller_id` places them in the call tree.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub name: String,
    pub role_title: String,
    pub site_id: Option<Uuid>,
    pub email: String,
    pub landline: String,
    pub mobile: String,
    pub emergency_name: String,
    pub emergency_relation: String,
    pub emergency_phone: String,
    pub caller_id: Option<Uuid>,
    pub is_coordinator: bool,
    pub channels: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
