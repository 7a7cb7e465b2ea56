//! What a client pays for a tier since it accepted an offer: billed by hand (`manual`, the MSP
//! invoices from the invoice-lines export) or through the MSP's Stripe account (`stripe`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscription")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub tier_id: Uuid,
    pub offer_id: Uuid,
    pub billing: String,
    pub status: String,
    pub quantity: i32,
    pub unit_price_cents: i64,
    /// What it costs per month as accepted (per system plus each system's share per TB).
    pub monthly_cents: i64,
    pub currency: String,
    pub started_at: DateTimeUtc,
    pub ended_at: Option<DateTimeUtc>,
    pub stripe_customer_id: Option<String>,
    pub stripe_subscription_id: Option<String>,
    /// The subscription item whose quantity is the client's systems on the tier.
    pub stripe_item_id: Option<String>,
    /// The `created` time of the newest Stripe event applied: an older one arriving late is
    /// not applied over it.
    pub stripe_changed_at: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
