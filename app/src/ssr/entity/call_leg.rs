//! One person to reach when the call tree goes out: by whom (`caller_id`, a person), in which
//! wave, over which channel, and where it stands (`waiting`, `confirmed`, `escalated`,
//! `unreachable`). The confirm link's token is kept only as its SHA-256 (hex).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "call_leg")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub incident_id: Uuid,
    pub person_id: Uuid,
    pub person_name: String,
    pub caller_id: Option<Uuid>,
    pub wave: i32,
    pub state: String,
    pub channel: String,
    pub token_hash: Option<String>,
    /// When the leg escalates if nobody confirmed it.
    pub due_at: DateTimeUtc,
    pub confirmed_at: Option<DateTimeUtc>,
    pub escalated_to: Option<Uuid>,
    pub note: String,
    pub recorded_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
