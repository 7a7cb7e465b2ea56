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
