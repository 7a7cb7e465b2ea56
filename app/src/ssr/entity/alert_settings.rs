//! How an MSP wants to hear about state changes. MSP-level: client users never see it.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub msp_id: Uuid,
    /// JSON list of addresses; empty means every MSP staff member.
    pub emails: String,
    pub notify_client: bool,
    pub webhook_url: String,
    pub webhook_secret: String,
    pub reminder_minutes: i32,
    /// How many days a restore test proves a system's RTO.
    pub restore_test_days: i32,
    /// The language of alert and report e-mails: `en` or `nl`.
    pub mail_language: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
