//! A drill, restore test or tabletop exercise of a client: scheduled for a day, then done
//! (scored: `result` is JSON) or cancelled.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exercise")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub kind: String,
    pub scheduled_for: Date,
    pub state: String,
    pub done_at: Option<DateTimeUtc>,
    pub incident_id: Option<Uuid>,
    pub system_id: Option<Uuid>,
    pub result: String,
    pub notes: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
