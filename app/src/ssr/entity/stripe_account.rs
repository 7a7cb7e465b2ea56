//! An MSP's Stripe account as Lifeline uses it: the secret API key and the webhook signing
//! secret, both sealed (`SecretKeys`, context `stripe_context`); `key_hint` is what a person is
//! shown of the key (its kind and last four characters). MSP-level, owners only.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stripe_account")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub secret_key: String,
    pub webhook_secret: String,
    pub key_hint: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
