//! What the upsell and billing views exchange with the server: the catalog's tiers and the
//! recommendations for a client.
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::sla::{Achievable, Policy};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierView {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub rpo_minutes: u32,
    pub rto_minutes: u32,
    pub survives_site_loss: bool,
    pub policy: Policy,
    /// What the policy achieves for a system with no data to speak of (RTO grows with data).
    pub achievable: Achievable,
    pub price_per_system_cents: i64,
    pub price_per_tb_cents: Option<i64>,
    pub currency: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub tiers: Vec<TierView>,
}

/// A system a recommendation fixes, with the reason in the reader's language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecommendedSystem {
    pub id: Uuid,
    pub name: String,
    pub reason: String,
    pub monthly_price_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecommendationView {
    pub tier_id: Uuid,
    pub tier_name: String,
    pub systems: Vec<RecommendedSystem>,
    pub monthly_price_cents: i64,
    pub monthly_difference_cents: i64,
    pub currency: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recommendations {
    pub items: Vec<RecommendationView>,
    /// The plan names a fire or flood: every system must survive losing its site.
    pub site_loss_scenario: bool,
}

/// A system an offer covers, with why it needs the tier (in the reader's language).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfferedSystem {
    pub id: Uuid,
    pub name: String,
    pub reason: String,
    pub monthly_price_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfferView {
    pub id: Uuid,
    pub client_id: Uuid,
    pub client_name: String,
    pub tier_id: Uuid,
    pub tier_name: String,
    /// The state in force now: an open offer past `valid_until` reads `expired`.
    pub state: crate::domain::offer::OfferState,
    pub systems: Vec<OfferedSystem>,
    pub quantity: u32,
    pub unit_price_cents: i64,
    pub monthly_price_cents: i64,
    pub currency: String,
    pub note: String,
    pub valid_until: chrono::DateTime<chrono::Utc>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
    pub viewed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    /// After acceptance: the subscription it became.
    pub subscription_id: Option<Uuid>,
    /// Accepted with the MSP's Stripe account connected: where the client admin pays (Stripe
    /// Checkout); `None` when billed by hand or added to a subscription already paid for.
    #[serde(default)]
    pub checkout_url: Option<String>,
    /// After acceptance: `manual` or `stripe`, and the subscription's status (Stripe's words).
    #[serde(default)]
    pub billing: Option<String>,
    #[serde(default)]
    pub subscription_status: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionView {
    pub id: Uuid,
    pub client_id: Uuid,
    pub tier_id: Uuid,
    pub tier_name: String,
    pub offer_id: Uuid,
    /// `manual` (the MSP invoices) or `stripe`.
    pub billing: String,
    /// `active`, `past_due`, `canceled`, `incomplete`.
    pub status: String,
    pub quantity: u32,
    pub unit_price_cents: i64,
    pub monthly_price_cents: i64,
    pub currency: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub ended_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What sending an offer did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sent {
    pub offer: OfferView,
    /// The client admins it was e-mailed to.
    pub emailed: u32,
}

/// The MSP's monthly recurring revenue at the end of a month (the current month: now).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MrrPoint {
    /// `YYYY-MM`.
    pub month: String,
    pub cents: i64,
}

/// The upsell's pipeline: offers by state and the revenue won, month by month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pipeline {
    /// The last twelve months, oldest first.
    pub mrr: Vec<MrrPoint>,
    pub currency: String,
    pub drafts: u32,
    /// Sent or viewed and not expired: waiting for the client.
    pub open: u32,
    pub open_cents: i64,
    pub accepted: u32,
    pub declined: u32,
    pub expired: u32,
}

/// Whether the MSP bills through its own Stripe account, as its owners and admins see it: the
/// keys themselves are never shown again once set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StripeStatus {
    pub connected: bool,
    /// What is shown of the secret key: its kind and last four characters (`sk_test_…4242`).
    pub key_hint: Option<String>,
    /// A live key (`sk_live_`, `rk_live_`): real money moves.
    pub live: bool,
    /// The endpoint to paste into Stripe's dashboard (Developers → Webhooks).
    pub webhook_url: String,
    /// The events to select for it there.
    pub events: Vec<String>,
}
