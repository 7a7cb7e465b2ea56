//! A message to the client's customers about an incident: drafted, then published by a person
//! who approves it. `audience` is `public` or a JSON list of customer group ids.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incident_update")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub incident_id: Uuid,
    pub body: String,
    pub audience: String,
    /// `draft` or `published`.
    pub state: String,
    pub drafted_by: String,
    pub approved_by: Option<Uuid>,
    pub approved_by_name: String,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
