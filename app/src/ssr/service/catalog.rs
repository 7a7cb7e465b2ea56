//! The MSP's service catalog (the protection tiers it sells) and, per client, the tier changes
//! that would keep every system's agreed targets. Owners and admins change the catalog;
//! technicians read it; client users see only what an offer shows them.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, Set};
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::sla::{achievable, plausible, Policy};
use crate::domain::upsell::{recommend, starter_catalog, Protected, Tier};
use crate::i18n::Lang;
use crate::ids::ClientId;
use crate::model::billing::{
    Catalog, RecommendationView, Recommendations, RecommendedSystem, TierView,
};
use crate::ssr::entity::service_tier;
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::audit;
use crate::ssr::scope::Scope;
use crate::ssr::service::plan::input;
use crate::ssr::service::Fields;
use crate::ssr::state::AppState;

/// Highest price per system or per TB: ten million in major units.
const MAX_PRICE_CENTS: i64 = 1_000_000_000;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub rpo_minutes: Option<i64>,
    pub rto_minutes: Option<i64>,
    pub survives_site_loss: Option<bool>,
    pub policy: Option<Policy>,
    pub price_per_system_cents: Option<i64>,
    /// `null` removes the price per TB.
    #[serde(default, deserialize_with = "input::nullable")]
    pub price_per_tb_cents: Option<Option<i64>>,
    pub currency: Option<String>,
}

pub(crate) fn tier(t: &service_tier::Model) -> Tier {
    Tier {
        id: t.id,
        name: t.name.clone(),
        rpo_minutes: t.rpo_minutes.max(0) as u32,
        rto_minutes: t.rto_minutes.max(0) as u32,
        survives_site_loss: t.survives_site_loss,
        policy: serde_json::from_str(&t.policy)
            .unwrap_or_else(|_| starter_catalog(Lang::En)[0].policy.clone()),
        price_per_system_cents: t.price_per_system_cents,
        price_per_tb_cents: t.price_per_tb_cents,
        currency: t.currency.clone(),
    }
}

fn view(t: &service_tier::Model) -> TierView {
    let d = tier(t);
    TierView {
        id: d.id,
        name: d.name,
        description: t.description.clone(),
        rpo_minutes: d.rpo_minutes,
        rto_minutes: d.rto_minutes,
        survives_site_loss: d.survives_site_loss,
        achievable: achievable(&d.policy),
        policy: d.policy,
        price_per_system_cents: d.price_per_system_cents,
        price_per_tb_cents: d.price_per_tb_cents,
        currency: d.currency,
    }
}

/// The MSP's tiers in catalog order. A catalog never started gets the starter tiers first, once:
/// `start_catalog` claims the MSP row in the same transaction, so two first readers make them only
/// once, and an MSP that removed every tier is not given them back.
async fn tiers(state: &AppState, scope: &Scope) -> AppResult<Vec<service_tier::Model>> {
    let read = || {
        scope
            .select::<service_tier::Entity>()
            .order_by_asc(service_tier::Column::Position)
            .order_by_asc(service_tier::Column::CreatedAt)
            .all(&state.db)
    };
    let rows = read().await?;
    if !rows.is_empty() {
        return Ok(rows);
    }
    start_catalog(state, scope).await?;
    Ok(read().await?)
}

async fn start_catalog(state: &AppState, scope: &Scope) -> AppResult<()> {
    let backend = state.db.get_database_backend();
    let p = |n| crate::ssr::sql::placeholder(backend, n);
    let now = Utc::now();
    let txn = state.begin_write().await?;
    let claimed = txn
        .execute_raw(scope.raw(
            backend,
            format!(
                "UPDATE msp SET catalog_started_at = {} WHERE id = {} AND catalog_started_at IS NULL",
                p(1),
                p(2)
            ),
            [now.into(), scope.msp_id().into()],
        ))
        .await?
        .rows_affected();
    if claimed == 1 {
        for (i, t) in starter_catalog(crate::ssr::error::request_lang())
            .into_iter()
            .enumerate()
        {
            let t = Tier {
                id: Uuid::new_v4(),
                ..t
            };
            insert(&txn, scope, &t, "", i as i32, now).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

async fn insert(
    db: &impl ConnectionTrait,
    scope: &Scope,
    t: &Tier,
    description: &str,
    position: i32,
    now: chrono::DateTime<Utc>,
) -> AppResult<service_tier::Model> {
    Ok(service_tier::ActiveModel {
        id: Set(t.id),
        msp_id: Set(scope.msp_id()),
        name: Set(t.name.clone()),
        description: Set(description.to_string()),
        rpo_minutes: Set(t.rpo_minutes as i32),
        rto_minutes: Set(t.rto_minutes as i32),
        survives_site_loss: Set(t.survives_site_loss),
        policy: Set(serde_json::to_string(&t.policy).unwrap_or_default()),
        price_per_system_cents: Set(t.price_per_system_cents),
        price_per_tb_cents: Set(t.price_per_tb_cents),
        currency: Set(t.currency.clone()),
        position: Set(position),
        stripe_product_id: Set(None),
        stripe_price_id: Set(None),
        stripe_price_for: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

pub async fn catalog(state: &AppState, scope: &Scope) -> AppResult<Catalog> {
    scope.require_msp_staff()?;
    Ok(Catalog {
        tiers: tiers(state, scope).await?.iter().map(view).collect(),
    })
}

fn require_owner_or_admin(scope: &Scope) -> AppResult<()> {
    if scope.role().runs_the_msp() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the MSP's owners and admins change the catalog".into(),
        ))
    }
}

fn price(f: &mut Fields, field: &str, v: i64) -> Option<i64> {
    f.take(
        field,
        if (0..=MAX_PRICE_CENTS).contains(&v) {
            Ok(v)
        } else {
            Err("must be a whole number of cents from 0 to 1000000000")
        },
    )
}

/// Applies the input to `t`, refusing what no tier can be; every field is checked before any
/// is refused, so the answer names all that is wrong.
fn apply(t: &mut Tier, description: &mut String, input: TierInput) -> AppResult<()> {
    let mut f = Fields::default();
    if let Some(v) = input
        .name
        .as_deref()
        .and_then(|n| input::name(&mut f, "name", n))
    {
        t.name = v;
    }
    if let Some(v) = input
        .description
        .and_then(|v| input::long_text(&mut f, "description", v))
    {
        *description = v;
    }
    if let Some(v) = input::target(&mut f, "rpo_minutes", input.rpo_minutes) {
        t.rpo_minutes = v as u32;
    }
    if let Some(v) = input::target(&mut f, "rto_minutes", input.rto_minutes) {
        t.rto_minutes = v as u32;
    }
    if let Some(v) = input.survives_site_loss {
        t.survives_site_loss = v;
    }
    if let Some(p) = input.policy {
        if plausible(&p) {
            t.policy = Policy { data_gb: 0, ..p };
        } else {
            f.take::<()>(
                "policy",
                Err("interval and off-site interval 1 minute to 1 year, job at most a week, throughput at least 1 MB/s"),
            );
        }
    }
    if let Some(v) = input
        .price_per_system_cents
        .and_then(|v| price(&mut f, "price_per_system_cents", v))
    {
        t.price_per_system_cents = v;
    }
    match input.price_per_tb_cents {
        Some(Some(v)) => {
            t.price_per_tb_cents = price(&mut f, "price_per_tb_cents", v).or(t.price_per_tb_cents)
        }
        Some(None) => t.price_per_tb_cents = None,
        None => {}
    }
    if let Some(c) = input.currency {
        let c = c.trim().to_ascii_uppercase();
        match c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) {
            true => t.currency = c,
            false => {
                f.take::<()>(
                    "currency",
                    Err("must be a three-letter ISO 4217 code such as EUR"),
                );
            }
        }
    }
    // Selling site-loss protection takes a copy that leaves the site.
    if t.survives_site_loss && achievable(&t.policy).site_loss_rpo_minutes.is_none() {
        f.take::<()>(
            "survives_site_loss",
            Err("needs a policy whose copies leave the site (an off-site interval or replication)"),
        );
    }
    f.finish()
}

pub async fn create(state: &AppState, scope: &Scope, input: TierInput) -> AppResult<TierView> {
    scope.require_msp_staff()?;
    require_owner_or_admin(scope)?;
    let existing = tiers(state, scope).await?;
    if input.name.is_none() {
        return Err(AppError::field("name", "is required"));
    }
    let mut t = Tier {
        id: Uuid::new_v4(),
        currency: existing
            .first()
            .map_or_else(|| "EUR".into(), |e| e.currency.clone()),
        ..starter_catalog(Lang::En)[0].clone()
    };
    let mut description = String::new();
    apply(&mut t, &mut description, input)?;
    let position = existing.iter().map(|e| e.position).max().unwrap_or(-1) + 1;
    let txn = state.begin_write().await?;
    let row = insert(&txn, scope, &t, &description, position, Utc::now()).await?;
    audit::record(
        &txn,
        audit::Entry::by(scope, "catalog.tier.create", row.name.clone()),
    )
    .await?;
    txn.commit().await?;
    Ok(view(&row))
}

pub(crate) async fn own(
    state: &AppState,
    scope: &Scope,
    id: Uuid,
) -> AppResult<service_tier::Model> {
    scope
        .select::<service_tier::Entity>()
        .filter(service_tier::Column::Id.eq(id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn update(
    state: &AppState,
    scope: &Scope,
    id: Uuid,
    input: TierInput,
) -> AppResult<TierView> {
    scope.require_msp_staff()?;
    let row = own(state, scope, id).await?;
    require_owner_or_admin(scope)?;
    let mut t = tier(&row);
    let mut description = row.description.clone();
    apply(&mut t, &mut description, input)?;
    let mut active: service_tier::ActiveModel = row.into();
    active.name = Set(t.name.clone());
    active.description = Set(description);
    active.rpo_minutes = Set(t.rpo_minutes as i32);
    active.rto_minutes = Set(t.rto_minutes as i32);
    active.survives_site_loss = Set(t.survives_site_loss);
    active.policy = Set(serde_json::to_string(&t.policy).unwrap_or_default());
    active.price_per_system_cents = Set(t.price_per_system_cents);
    active.price_per_tb_cents = Set(t.price_per_tb_cents);
    active.currency = Set(t.currency.clone());
    active.updated_at = Set(Utc::now());
    let txn = state.begin_write().await?;
    let saved = active.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry::by(scope, "catalog.tier.update", saved.name.clone()),
    )
    .await?;
    txn.commit().await?;
    Ok(view(&saved))
}

pub async fn delete(state: &AppState, scope: &Scope, id: Uuid) -> AppResult<()> {
    scope.require_msp_staff()?;
    let row = own(state, scope, id).await?;
    require_owner_or_admin(scope)?;
    let txn = state.begin_write().await?;
    scope
        .delete::<service_tier::Entity>()
        .filter(service_tier::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        audit::Entry::by(scope, "catalog.tier.delete", row.name),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Words in a scenario's name that mean the site itself is lost.
const SITE_LOSS_WORDS: [&str; 6] = [
    "fire",
    "flood",
    "brand",
    "overstroming",
    "water",
    "site loss",
];

/// The tier changes that would keep every system of the client at its agreed targets, with the
/// reasons in the reader's language.
pub async fn recommendations(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<Recommendations> {
    scope.require_msp_staff()?;
    let (found, site_loss) = recommended(state, scope, client_id).await?;
    let nl = crate::ssr::error::request_lang() == Lang::Nl;
    let items = found
        .into_iter()
        .map(|r| RecommendationView {
            tier_id: r.tier_id,
            tier_name: r.tier_name,
            systems: r
                .systems
                .into_iter()
                .map(|s| RecommendedSystem {
                    id: s.id,
                    name: s.name,
                    reason: if nl { s.reason_nl } else { s.reason },
                    monthly_price_cents: s.monthly_price_cents,
                })
                .collect(),
            monthly_price_cents: r.monthly_price_cents,
            monthly_difference_cents: r.monthly_difference_cents,
            currency: r.currency,
        })
        .collect();
    Ok(Recommendations {
        items,
        site_loss_scenario: site_loss,
    })
}

/// The client's recommended tier changes with their reasons in both languages, and whether the
/// plan names a site-loss scenario. The client must be in scope.
pub(crate) async fn recommended(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<(Vec<crate::domain::upsell::Recommendation>, bool)> {
    crate::ssr::repo::clients::get(&state.db, scope, client_id).await?;
    let plan = crate::ssr::service::plan::overview::content(&state.db, scope, client_id).await?;
    let site_loss = plan.scenarios.iter().any(|s| {
        let name = s.name.to_lowercase();
        SITE_LOSS_WORDS.iter().any(|w| name.contains(w))
    });
    // The tier each system is on now: a move is priced as the difference.
    let on_tier: std::collections::HashMap<Uuid, Option<Uuid>> =
        crate::ssr::repo::owned::of_client::<crate::ssr::entity::system::Entity>(
            &state.db, scope, client_id,
        )
        .await?
        .into_iter()
        .map(|s| (s.id, s.tier_id))
        .collect();
    let systems: Vec<Protected> = plan
        .systems
        .iter()
        .map(|s| Protected {
            id: s.id,
            name: s.name.clone(),
            criticality: s.criticality,
            rpo_minutes: s.effective.rpo_minutes,
            rto_minutes: s.effective.rto_minutes,
            policy: s.policy.clone(),
            tier_id: on_tier.get(&s.id).copied().flatten(),
        })
        .collect();
    let catalog: Vec<Tier> = tiers(state, scope).await?.iter().map(tier).collect();
    Ok((recommend(&systems, site_loss, &catalog), site_loss))
}
