//! An offer of a catalog tier to a client for some of its systems. `systems` is a JSON array of
//! system ids, `reasons` a JSON array of `domain::upsell::Reason` (both languages), money in minor
//! units. `state` is stored; the state in force also depends on the clock (`domain::offer`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offer")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub msp_id: Uuid,
    pub client_id: Uuid,
    pub tier_id: Uuid,
    /// The tier as offered: its name and its policy (JSON `domain::sla::Policy`).
    pub tier_name: String,
    pub tier_policy: String,
    pub state: String,
    pub systems: String,
    pub reasons: String,
    pub quantity: i32,
    pub unit_price_cents: i64,
    pub monthly_cents: i64,
    pub currency: String,
    pub note: String,
    pub valid_until: DateTimeUtc,
    pub created_by: Uuid,
    pub sent_at: Option<DateTimeUtc>,
    pub viewed_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<Uuid>,
    /// The Stripe Checkout Session its acceptance opened (billing through Stripe only).
    pub checkout_session_id: Option<String>,
    pub checkout_url: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
