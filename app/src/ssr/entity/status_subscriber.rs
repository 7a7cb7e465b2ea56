//! Someone who gets a status page's updates by e-mail: `pending` until they follow the link in
//! the confirmation mail (its token kept as a SHA-256 only), then `confirmed`. Through a group's
//! private link they also get that group's updates. Unsubscribing removes the row.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "status_subscriber")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub status_page_id: Uuid,
    pub email: String,
    pub customer_group_id: Option<Uuid>,
    pub state: String,
    pub confirm_hash: Option<String>,
    pub unsubscribe_token: String,
    /// When the last confirmation mail went out (a page asked again soon after sends none).
    pub mailed_at: DateTimeUtc,
    pub confirmed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
