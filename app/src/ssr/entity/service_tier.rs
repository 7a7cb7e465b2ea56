//! A tier of an MSP's service catalog; `policy` is a JSON `domain::sla::Policy`. MSP-level:
//! client users never read it directly.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_tier")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub name: String,
    pub description: String,
    pub rpo_minutes: i32,
    pub rto_minutes: i32,
    pub survives_site_loss: bool,
    pub policy: String,
    pub price_per_system_cents: i64,
    pub price_per_tb_cents: Option<i64>,
    pub currency: String,
    pub position: i32,
    /// The Stripe product and price this tier is sold under, and the `cents currency` that
    /// price was made for (a price cannot change in Stripe: another amount needs a new one).
    pub stripe_product_id: Option<String>,
    pub stripe_price_id: Option<String>,
    pub stripe_price_for: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
