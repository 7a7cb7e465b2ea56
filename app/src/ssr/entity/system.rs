//! A protected system. `ping_key` is the unguessable heartbeat key.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "system")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub name: String,
    pub kind: String,
    pub owner_person_id: Option<Uuid>,
    pub criticality: String,
    pub rto_minutes: Option<i32>,
    pub rpo_minutes: Option<i32>,
    pub procedure: String,
    pub ping_key: String,
    /// JSON `domain::sla::Policy`, when one is set.
    pub policy: Option<String>,
    /// The catalog tier the system is on, once an accepted offer put it there.
    pub tier_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
