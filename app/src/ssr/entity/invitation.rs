//! An invitation to join an MSP's client (or the MSP itself): who, as what, and until when. No
//! account exists for it until it is accepted; see migration 015.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Option<Uuid>,
    /// Lower-case, as `Email::parse` leaves it.
    pub email: String,
    pub name: String,
    pub role: String,
    /// SHA-256 of the token: the token itself exists only in the invitee's link.
    pub token_hash: String,
    pub created_by: Uuid,
    pub expires_at: DateTimeUtc,
    pub accepted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
