//! One reported backup result, as received; `event_key` is the sender's id (unique per client).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "backup_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub system_id: Uuid,
    pub event_key: String,
    pub kind: String,
    pub restore_point_at: Option<DateTimeUtc>,
    pub finished_at: DateTimeUtc,
    pub duration_seconds: Option<i64>,
    pub bytes: Option<i64>,
    pub message: String,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
