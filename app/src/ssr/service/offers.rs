//! Offers: MSP staff turn a recommendation into an offer and send it; the client's admins get an
//! e-mail, read it in the self-service view (it then reads "viewed") and accept or decline it. An
//! accepted offer becomes a subscription (billed by hand until Stripe is connected) and puts its
//! systems on the tier: their backup policy becomes the tier's, so what they achieve and their gaps
//! follow. Every step is audited; an open offer expires by the clock (`domain::offer`).
use chrono::{DateTime, Datelike, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

use crate::domain::offer::{in_force, next, OfferState, Step};
use crate::domain::upsell::Reason;
use crate::i18n::Lang;
use crate::ids::ClientId;
use crate::model::billing::{MrrPoint, OfferView, OfferedSystem, Pipeline, Sent, SubscriptionView};
use crate::model::Role;
use crate::ssr::entity::{alert_settings, client, membership, offer, subscription, system};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::audit;
use crate::ssr::scope::Scope;
use crate::ssr::service::catalog;
use crate::ssr::service::payments::{self, Billing};
use crate::ssr::service::Fields;
use crate::ssr::state::AppState;

/// How long an offer stays open unless the MSP says otherwise, and at most.
const DEFAULT_VALID_DAYS: i64 = 30;
const MAX_VALID_DAYS: i64 = 365;
const MAX_NOTE: usize = 2_000;
pub const OPEN_OFFER: &str = "an offer of this tier to this client is still open";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferInput {
    pub tier_id: Option<Uuid>,
    /// Default: the systems the recommendation moves to this tier.
    pub system_ids: Option<Vec<Uuid>>,
    pub valid_days: Option<i64>,
    pub note: Option<String>,
}

fn state_of(o: &offer::Model, now: DateTime<Utc>) -> OfferState {
    in_force(
        OfferState::parse(&o.state).unwrap_or(OfferState::Draft),
        o.valid_until,
        now,
    )
}

fn view(
    o: &offer::Model,
    client_name: &str,
    sub: Option<&subscription::Model>,
    lang: Lang,
) -> OfferView {
    let reasons: Vec<Reason> = serde_json::from_str(&o.reasons).unwrap_or_default();
    OfferView {
        id: o.id,
        client_id: o.client_id,
        client_name: client_name.to_string(),
        tier_id: o.tier_id,
        tier_name: o.tier_name.clone(),
        state: state_of(o, Utc::now()),
        systems: reasons
            .into_iter()
            .map(|r| OfferedSystem {
                id: r.id,
                name: r.name,
                reason: if lang == Lang::Nl {
                    r.reason_nl
                } else {
                    r.reason
                },
                monthly_price_cents: r.monthly_price_cents,
            })
            .collect(),
        quantity: o.quantity.max(0) as u32,
        unit_price_cents: o.unit_price_cents,
        monthly_price_cents: o.monthly_cents,
        currency: o.currency.clone(),
        note: o.note.clone(),
        valid_until: o.valid_until,
        created_at: o.created_at,
        sent_at: o.sent_at,
        viewed_at: o.viewed_at,
        decided_at: o.decided_at,
        subscription_id: sub.map(|s| s.id),
        billing: sub.map(|s| s.billing.clone()),
        subscription_status: sub.map(|s| s.status.clone()),
        // Shown until Stripe says the subscription is paid for.
        checkout_url: o
            .checkout_url
            .clone()
            .filter(|_| sub.is_some_and(|s| s.status == "incomplete")),
    }
}

/// The name of the offer's client (the tier's is kept on the offer).
async fn client_name(
    db: &impl ConnectionTrait,
    scope: &Scope,
    o: &offer::Model,
) -> AppResult<String> {
    Ok(
        crate::ssr::repo::clients::get(db, scope, ClientId::from(o.client_id))
            .await?
            .name,
    )
}

pub(crate) async fn subscription_of(
    db: &impl ConnectionTrait,
    scope: &Scope,
    offer_id: Uuid,
) -> AppResult<Option<subscription::Model>> {
    Ok(scope
        .select::<subscription::Entity>()
        .filter(subscription::Column::OfferId.eq(offer_id))
        .one(db)
        .await?)
}

async fn shown(state: &AppState, scope: &Scope, o: &offer::Model) -> AppResult<OfferView> {
    let client = client_name(&state.db, scope, o).await?;
    let sub = subscription_of(&state.db, scope, o.id).await?;
    Ok(view(
        o,
        &client,
        sub.as_ref(),
        crate::ssr::error::request_lang(),
    ))
}

/// The offer if the scope may see it: MSP staff see every offer of their MSP, client users only
/// their own client's, and never a draft.
async fn find(state: &AppState, scope: &Scope, id: Uuid) -> AppResult<offer::Model> {
    let o = scope
        .select::<offer::Entity>()
        .filter(offer::Column::Id.eq(id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if !scope.is_msp_staff() && o.state == OfferState::Draft.as_str() {
        return Err(AppError::NotFound);
    }
    Ok(o)
}

/// Drafts an offer of `tier_id` for the client's systems, priced as the catalog prices them now
/// and with the reasons the recommendation gives (a system the tier would not improve is refused).
pub async fn create(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    input: OfferInput,
) -> AppResult<OfferView> {
    scope.require_msp_staff()?;
    let client = crate::ssr::repo::clients::get(&state.db, scope, client_id).await?;
    let mut f = Fields::default();
    let tier_id = f.take("tier_id", input.tier_id.ok_or("is required"));
    let valid_days = f.take(
        "valid_days",
        match input.valid_days.unwrap_or(DEFAULT_VALID_DAYS) {
            d if (1..=MAX_VALID_DAYS).contains(&d) => Ok(d),
            _ => Err("must be between 1 and 365 days"),
        },
    );
    let note = f.take(
        "note",
        match input.note.unwrap_or_default().trim() {
            n if n.chars().count() > MAX_NOTE => Err("must be at most 2000 characters"),
            n => Ok(n.to_string()),
        },
    );
    f.finish()?;
    let (tier_id, valid_days, note) = (tier_id.unwrap(), valid_days.unwrap(), note.unwrap());
    let tier_row = catalog::own(state, scope, tier_id)
        .await
        .map_err(|_| AppError::field("tier_id", "is not a tier of your catalog"))?;
    let tier = catalog::tier(&tier_row);
    let (found, _) = catalog::recommended(state, scope, client_id).await?;
    let for_tier: Vec<Reason> = found
        .into_iter()
        .filter(|r| r.tier_id == tier_id)
        .flat_map(|r| r.systems)
        .collect();
    let reasons: Vec<Reason> = match input.system_ids {
        None => for_tier,
        Some(ids) => {
            let mut picked = Vec::new();
            for id in ids {
                if picked.iter().any(|r: &Reason| r.id == id) {
                    continue;
                }
                match for_tier.iter().find(|r| r.id == id) {
                    Some(r) => picked.push(r.clone()),
                    None => {
                        return Err(AppError::field(
                            "system_ids",
                            "names a system this tier is not recommended for",
                        ))
                    }
                }
            }
            picked
        }
    };
    if reasons.is_empty() {
        return Err(AppError::field(
            "system_ids",
            "no system of this client needs this tier",
        ));
    }
    let now = Utc::now();
    // One open offer per client and tier: a second click (or a colleague) makes no second one
    // that could be accepted and billed beside it.
    let open = scope
        .select::<offer::Entity>()
        .filter(offer::Column::ClientId.eq(client.id))
        .filter(offer::Column::TierId.eq(tier_id))
        .filter(offer::Column::State.is_in([
            OfferState::Draft.as_str(),
            OfferState::Sent.as_str(),
            OfferState::Viewed.as_str(),
        ]))
        .all(&state.db)
        .await?;
    if open.iter().any(|o| state_of(o, now) != OfferState::Expired) {
        return Err(AppError::Conflict(OPEN_OFFER.into()));
    }
    let monthly: i64 = reasons
        .iter()
        .map(|r| r.monthly_price_cents)
        .fold(0i64, i64::saturating_add);
    let row = offer::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(scope.msp_id()),
        client_id: Set(client.id),
        tier_id: Set(tier_id),
        tier_name: Set(tier.name.clone()),
        tier_policy: Set(serde_json::to_string(&tier.policy).unwrap_or_default()),
        state: Set(OfferState::Draft.as_str().into()),
        systems: Set(
            serde_json::to_string(&reasons.iter().map(|r| r.id).collect::<Vec<_>>())
                .unwrap_or_default(),
        ),
        reasons: Set(serde_json::to_string(&reasons).unwrap_or_default()),
        quantity: Set(reasons.len() as i32),
        unit_price_cents: Set(tier.price_per_system_cents),
        monthly_cents: Set(monthly),
        currency: Set(tier.currency.clone()),
        note: Set(note),
        valid_until: Set(now + Duration::days(valid_days)),
        created_by: Set(scope.user_id()),
        sent_at: Set(None),
        viewed_at: Set(None),
        decided_at: Set(None),
        decided_by: Set(None),
        checkout_session_id: Set(None),
        checkout_url: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let txn = state.begin_write().await?;
    let saved = row.insert(&txn).await?;
    audit::record(
        &txn,
        audit::Entry::by(scope, "offer.create", format!("{} → {}", client.name, tier.name))
            .client(client.id)
            .detail(serde_json::json!({ "offer": saved.id, "systems": saved.quantity, "monthly_cents": saved.monthly_cents })),
    )
    .await?;
    txn.commit().await?;
    Ok(view(
        &saved,
        &client.name,
        None,
        crate::ssr::error::request_lang(),
    ))
}

/// The client's offers, newest first; client users do not see drafts.
pub async fn list(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<Vec<OfferView>> {
    let client = crate::ssr::repo::clients::get(&state.db, scope, client_id).await?;
    let mut q = scope
        .select::<offer::Entity>()
        .filter(offer::Column::ClientId.eq(client.id))
        .order_by_desc(offer::Column::CreatedAt);
    if !scope.is_msp_staff() {
        q = q.filter(offer::Column::State.ne(OfferState::Draft.as_str()));
    }
    let rows = q.all(&state.db).await?;
    let subs = scope
        .select::<subscription::Entity>()
        .filter(subscription::Column::ClientId.eq(client.id))
        .all(&state.db)
        .await?;
    let lang = crate::ssr::error::request_lang();
    let mut out = Vec::with_capacity(rows.len());
    for o in rows {
        // A client user reading the list reads the offers: a sent one is now viewed.
        let o = if scope.is_msp_staff() {
            o
        } else {
            mark_viewed(state, scope, o).await?
        };
        let sub = subs.iter().find(|s| s.offer_id == o.id);
        out.push(view(&o, &client.name, sub, lang));
    }
    Ok(out)
}

pub async fn get(state: &AppState, scope: &Scope, id: Uuid) -> AppResult<OfferView> {
    let o = find(state, scope, id).await?;
    let o = if scope.is_msp_staff() {
        o
    } else {
        mark_viewed(state, scope, o).await?
    };
    shown(state, scope, &o).await
}

/// Moves the offer to `to`, stamping `stamp` (and, for an answer, who gave it), only while it
/// is still in one of `from` and still valid: another request may have moved it, or the clock
/// expired it, meanwhile. True when this call moved it.
async fn transition(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
    from: &[OfferState],
    to: OfferState,
    stamp: offer::Column,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    use sea_orm::sea_query::Expr;
    let mut update = scope
        .update::<offer::Entity>()
        .col_expr(offer::Column::State, Expr::value(to.as_str()))
        .col_expr(stamp, Expr::value(now))
        .col_expr(offer::Column::UpdatedAt, Expr::value(now));
    if matches!(to, OfferState::Accepted | OfferState::Declined) {
        update = update.col_expr(offer::Column::DecidedBy, Expr::value(scope.user_id()));
    }
    let moved = update
        .filter(offer::Column::Id.eq(id))
        .filter(offer::Column::State.is_in(from.iter().map(|f| f.as_str())))
        .filter(offer::Column::ValidUntil.gt(now))
        .exec(db)
        .await?
        .rows_affected;
    Ok(moved == 1)
}

async fn mark_viewed(state: &AppState, scope: &Scope, o: offer::Model) -> AppResult<offer::Model> {
    let now = Utc::now();
    if state_of(&o, now) != OfferState::Sent {
        return Ok(o);
    }
    let txn = state.begin_write().await?;
    if transition(
        &txn,
        scope,
        o.id,
        &[OfferState::Sent],
        OfferState::Viewed,
        offer::Column::ViewedAt,
        now,
    )
    .await?
    {
        audit::record(
            &txn,
            audit::Entry::by(scope, "offer.view", o.id.to_string()).client(o.client_id),
        )
        .await?;
    }
    txn.commit().await?;
    find(state, scope, o.id).await
}

/// Sends a draft: its client's admins are e-mailed (through the outbox, in the MSP's language).
pub async fn send(state: &AppState, scope: &Scope, id: Uuid, base: &str) -> AppResult<Sent> {
    scope.require_msp_staff()?;
    let o = find(state, scope, id).await?;
    let now = Utc::now();
    let stored = OfferState::parse(&o.state).unwrap_or(OfferState::Draft);
    next(stored, Step::Send, o.valid_until, now).map_err(|e| AppError::Conflict(e.into()))?;
    let client = client_name(&state.db, scope, &o).await?;
    let tier = o.tier_name.clone();
    let admins = admins_of(&state.db, scope, o.client_id).await?;
    let lang = mail_lang(&state.db, scope).await?;
    let txn = state.begin_write().await?;
    if !transition(
        &txn,
        scope,
        o.id,
        &[OfferState::Draft],
        OfferState::Sent,
        offer::Column::SentAt,
        now,
    )
    .await?
    {
        return Err(AppError::Conflict(
            crate::domain::offer::ALREADY_SENT.into(),
        ));
    }
    let mailed = view(&o, &client, None, lang);
    let (subject, body) = mail(lang, &mailed, base);
    for to in &admins {
        crate::ssr::service::monitor::delivery::queue_email(
            &txn,
            scope.msp_id(),
            o.client_id,
            to,
            &subject,
            &body,
        )
        .await?;
    }
    audit::record(
        &txn,
        audit::Entry::by(scope, "offer.send", format!("{client} → {tier}"))
            .client(o.client_id)
            .detail(serde_json::json!({ "offer": o.id, "emailed": admins.len() })),
    )
    .await?;
    txn.commit().await?;
    let o = find(state, scope, id).await?;
    Ok(Sent {
        offer: shown(state, scope, &o).await?,
        emailed: admins.len() as u32,
    })
}

/// The e-mail addresses of the client's admins whose access is not disabled.
async fn admins_of(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client_id: Uuid,
) -> AppResult<Vec<String>> {
    let members = scope
        .select::<membership::Entity>()
        .filter(membership::Column::ClientId.eq(client_id))
        .filter(membership::Column::Role.eq(Role::ClientAdmin.as_str()))
        .all(db)
        .await?;
    let active: Vec<Uuid> = members
        .iter()
        .filter(|m| m.disabled_at.is_none())
        .map(|m| m.user_id)
        .collect();
    Ok(crate::ssr::repo::users::accounts(db, active)
        .await?
        .into_iter()
        .map(|u| u.email)
        .collect())
}

/// The MSP writes to its clients in the language of its alert e-mails (English when unset).
async fn mail_lang(db: &impl ConnectionTrait, scope: &Scope) -> AppResult<Lang> {
    Ok(scope
        .select::<alert_settings::Entity>()
        .one(db)
        .await?
        .and_then(|s| Lang::parse(&s.mail_language))
        .unwrap_or_else(crate::ssr::error::request_lang))
}

fn mail(lang: Lang, o: &OfferView, base: &str) -> (String, String) {
    let price = crate::domain::upsell::money(lang, o.monthly_price_cents, &o.currency);
    let link = format!("{}/home", base.trim_end_matches('/'));
    let why: String = o
        .systems
        .iter()
        .map(|s| format!("- {}\n", s.reason))
        .collect();
    let until = o.valid_until.format("%Y-%m-%d");
    match lang {
        Lang::Nl => (
            format!("Voorstel: {} voor {}", o.tier_name, o.client_name),
            format!(
                "Beste klantbeheerder van {},\n\nUw IT-partner stelt {} voor voor {} systemen, {} per maand.\n\nWaarom:\n{why}\n{}Bekijken en aanvaarden of afwijzen: {link}\nDit voorstel geldt tot {until}.\n",
                o.client_name, o.tier_name, o.quantity, price,
                if o.note.is_empty() { String::new() } else { format!("{}\n\n", o.note) }
            ),
        ),
        Lang::En => (
            format!("Proposal: {} for {}", o.tier_name, o.client_name),
            format!(
                "Dear admin of {},\n\nYour IT partner proposes {} for {} systems, {} per month.\n\nWhy:\n{why}\n{}Read it and accept or decline: {link}\nThis offer is valid until {until}.\n",
                o.client_name, o.tier_name, o.quantity, price,
                if o.note.is_empty() { String::new() } else { format!("{}\n\n", o.note) }
            ),
        ),
    }
}

/// A client admin of the offer's client accepts or declines it. Accepted: the systems go onto
/// the tier with its backup policy, and a subscription is recorded: billed by hand, or, with the
/// MSP's Stripe account connected, waiting for the Stripe Checkout the answer links to (or
/// joining the client's Stripe subscription for the tier, whose quantity grows).
pub async fn decide(
    state: &AppState,
    scope: &Scope,
    id: Uuid,
    accept: bool,
    base: &str,
) -> AppResult<OfferView> {
    let o = find(state, scope, id).await?;
    if scope.role() != Role::ClientAdmin {
        tracing::warn!(user = %scope.user_id(), role = scope.role().as_str(), "refused: offers are answered by the client's admin");
        return Err(AppError::Forbidden(
            "only an admin of the client answers an offer".into(),
        ));
    }
    let now = Utc::now();
    let stored = OfferState::parse(&o.state).unwrap_or(OfferState::Draft);
    let step = if accept { Step::Accept } else { Step::Decline };
    let to = next(stored, step, o.valid_until, now).map_err(|e| AppError::Conflict(e.into()))?;
    // Stripe first, so that its failure leaves the offer as it was.
    let billing = if accept {
        let payer = crate::ssr::entity::user::Entity::find_by_id(scope.user_id())
            .one(&state.db)
            .await?
            .map(|u| u.email);
        payments::billing_for(state, &o, payer.as_deref(), base).await?
    } else {
        Billing::Manual
    };
    let txn = state.begin_write().await?;
    let open = [OfferState::Sent, OfferState::Viewed];
    let moved = transition(&txn, scope, o.id, &open, to, offer::Column::DecidedAt, now).await?;
    if !moved {
        return Err(AppError::Conflict(crate::domain::offer::DECIDED.into()));
    }
    if accept {
        put_on_tier(&txn, scope, &o, &billing, now).await?;
        // Subscriptions the systems left shrink, one they joined grows: Stripe follows.
        if !matches!(billing, Billing::Checkout(_)) {
            payments::queue_quantity_sync(&txn, o.msp_id, o.client_id).await?;
        }
    }
    audit::record(
        &txn,
        audit::Entry::by(
            scope,
            if accept {
                "offer.accept"
            } else {
                "offer.decline"
            },
            o.id.to_string(),
        )
        .client(o.client_id)
        .detail(serde_json::json!({ "monthly_cents": o.monthly_cents, "currency": o.currency })),
    )
    .await?;
    txn.commit().await?;
    // A checkout still to be paid moved nothing yet (the payment's webhook does what follows).
    if accept && !matches!(billing, Billing::Checkout(_)) {
        // The systems' protection changed: what they achieve and their states follow. The answer
        // is given either way (it is committed); the evaluator's next pass catches up.
        if let Err(e) =
            crate::ssr::service::monitor::targets_changed(state, scope, ClientId::from(o.client_id))
                .await
        {
            tracing::error!(error = %e, offer = %o.id, "states not judged afresh after acceptance");
        }
    }
    let o = find(state, scope, id).await?;
    shown(state, scope, &o).await
}

/// Records the subscription an accepted offer became and, unless it waits for a Stripe Checkout
/// to be paid, puts its systems on the tier.
async fn put_on_tier(
    txn: &impl ConnectionTrait,
    scope: &Scope,
    o: &offer::Model,
    billing: &Billing,
    now: DateTime<Utc>,
) -> AppResult<()> {
    // Paid first, protected then: the systems move when Stripe says the checkout is paid.
    let moved = match billing {
        Billing::Checkout(_) => serde_json::from_str::<Vec<Uuid>>(&o.systems).unwrap_or_default(),
        _ => move_systems(txn, scope, o, now).await?,
    };
    let mut row = subscription::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(o.msp_id),
        client_id: Set(o.client_id),
        tier_id: Set(o.tier_id),
        offer_id: Set(o.id),
        billing: Set("manual".into()),
        status: Set("active".into()),
        quantity: Set(moved.len() as i32),
        unit_price_cents: Set(o.unit_price_cents),
        monthly_cents: Set(amount(o, &moved)),
        currency: Set(o.currency.clone()),
        started_at: Set(now),
        ended_at: Set(None),
        stripe_customer_id: Set(None),
        stripe_subscription_id: Set(None),
        stripe_item_id: Set(None),
        stripe_changed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match billing {
        Billing::Manual => {}
        Billing::Checkout(c) => {
            row.billing = Set("stripe".into());
            row.status = Set("incomplete".into());
            let mut offer_row: offer::ActiveModel = o.clone().into();
            offer_row.checkout_session_id = Set(Some(c.id.clone()));
            offer_row.checkout_url = Set(Some(c.url.clone()));
            scope
                .update::<offer::Entity>()
                .set(offer_row)
                .filter(offer::Column::Id.eq(o.id))
                .exec(txn)
                .await?;
            row.insert(txn).await?;
            return Ok(());
        }
        Billing::Joined(paying) => {
            row.billing = Set("stripe".into());
            row.status = Set(paying.status.clone());
            row.stripe_customer_id = Set(paying.stripe_customer_id.clone());
            row.stripe_subscription_id = Set(paying.stripe_subscription_id.clone());
            row.stripe_item_id = Set(paying.stripe_item_id.clone());
            row.stripe_changed_at = Set(paying.stripe_changed_at);
        }
    }
    row.insert(txn).await?;
    reconcile(txn, scope, o.client_id, now).await
}

/// Stripe says an accepted offer's checkout is paid: its systems go onto the tier now, and the
/// client's subscriptions bill for what each covers. `scope` acts for the offer's client.
pub(crate) async fn paid(
    txn: &impl ConnectionTrait,
    scope: &Scope,
    offer_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(o) = scope
        .select::<offer::Entity>()
        .filter(offer::Column::Id.eq(offer_id))
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    move_systems(txn, scope, &o, now).await?;
    reconcile(txn, scope, o.client_id, now).await
}

/// Puts the offer's systems on its tier with the offered backup policy (each keeping its own
/// amount of data); the ids of those that still exist.
async fn move_systems(
    txn: &impl ConnectionTrait,
    scope: &Scope,
    o: &offer::Model,
    now: DateTime<Utc>,
) -> AppResult<Vec<Uuid>> {
    let offered: crate::domain::sla::Policy = serde_json::from_str(&o.tier_policy)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("offer {} holds no policy: {e}", o.id)))?;
    let ids: Vec<Uuid> = serde_json::from_str(&o.systems).unwrap_or_default();
    let systems = scope
        .select::<system::Entity>()
        .filter(system::Column::ClientId.eq(o.client_id))
        .filter(system::Column::Id.is_in(ids))
        .all(txn)
        .await?;
    for s in &systems {
        let data_gb = s
            .policy
            .as_deref()
            .and_then(|p| serde_json::from_str::<crate::domain::sla::Policy>(p).ok())
            .map_or(0, |p| p.data_gb);
        let mut row: system::ActiveModel = s.clone().into();
        row.tier_id = Set(Some(o.tier_id));
        let policy = crate::domain::sla::Policy {
            data_gb,
            ..offered.clone()
        };
        row.policy = Set(Some(serde_json::to_string(&policy).unwrap_or_default()));
        row.updated_at = Set(now);
        // Written through the scope as well as read through it.
        scope
            .update::<system::Entity>()
            .set(row)
            .filter(system::Column::Id.eq(s.id))
            .exec(txn)
            .await?;
    }
    Ok(systems.iter().map(|s| s.id).collect())
}

/// What the named systems of an offer cost per month, as offered (per system and per TB).
fn amount(o: &offer::Model, systems: &[Uuid]) -> i64 {
    let reasons: Vec<Reason> = serde_json::from_str(&o.reasons).unwrap_or_default();
    reasons
        .iter()
        .filter(|r| systems.contains(&r.id))
        .map(|r| r.monthly_price_cents)
        .fold(0i64, i64::saturating_add)
}

/// Each open subscription of the client bills for the systems of its offer that still exist,
/// are still on its tier, and are not covered by a newer subscription (systems moved onto a new
/// one leave the older ones); one left covering nothing ends now.
async fn reconcile(
    txn: &impl ConnectionTrait,
    scope: &Scope,
    client_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let open = scope
        .select::<subscription::Entity>()
        .filter(subscription::Column::ClientId.eq(client_id))
        .filter(subscription::Column::EndedAt.is_null())
        .order_by_desc(subscription::Column::StartedAt)
        .order_by_desc(subscription::Column::CreatedAt)
        .all(txn)
        .await?;
    if open.is_empty() {
        return Ok(());
    }
    let offers = offers_of(txn, scope, &open).await?;
    let tiers: HashMap<Uuid, Option<Uuid>> = scope
        .select::<system::Entity>()
        .filter(system::Column::ClientId.eq(client_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.tier_id))
        .collect();
    let mut claimed: HashSet<Uuid> = HashSet::new();
    // One still waiting for its checkout covers nothing yet, and is not ended for it.
    for sub in open.into_iter().filter(|s| s.status != "incomplete") {
        let Some(o) = offers.iter().find(|o| o.id == sub.offer_id) else {
            continue;
        };
        let covered: Vec<Uuid> = serde_json::from_str::<Vec<Uuid>>(&o.systems)
            .unwrap_or_default()
            .into_iter()
            .filter(|id| tiers.get(id) == Some(&Some(sub.tier_id)) && !claimed.contains(id))
            .collect();
        claimed.extend(covered.iter().copied());
        let monthly = amount(o, &covered);
        if covered.len() as i32 == sub.quantity && monthly == sub.monthly_cents {
            continue;
        }
        let mut row: subscription::ActiveModel = sub.clone().into();
        row.quantity = Set(covered.len() as i32);
        row.monthly_cents = Set(monthly);
        if covered.is_empty() {
            row.status = Set("canceled".into());
            row.ended_at = Set(Some(now));
        }
        row.updated_at = Set(now);
        scope
            .update::<subscription::Entity>()
            .set(row)
            .filter(subscription::Column::Id.eq(sub.id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// The client's systems changed (one removed): its subscriptions bill for what they still
/// cover, and Stripe follows.
pub async fn systems_changed(state: &AppState, scope: &Scope, client_id: Uuid) -> AppResult<()> {
    let txn = state.begin_write().await?;
    reconcile(&txn, scope, client_id, Utc::now()).await?;
    payments::queue_quantity_sync(&txn, scope.msp_id(), client_id).await?;
    txn.commit().await?;
    Ok(())
}

/// The client's subscriptions, newest first.
pub async fn subscriptions(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<Vec<SubscriptionView>> {
    let client: client::Model = crate::ssr::repo::clients::get(&state.db, scope, client_id).await?;
    let rows = scope
        .select::<subscription::Entity>()
        .filter(subscription::Column::ClientId.eq(client.id))
        .order_by_desc(subscription::Column::StartedAt)
        .all(&state.db)
        .await?;
    let offers = offers_of(&state.db, scope, &rows).await?;
    Ok(rows.iter().map(|s| subscription_view(s, &offers)).collect())
}

/// The offers the subscriptions came from (they hold the tier's name as offered).
async fn offers_of(
    db: &impl ConnectionTrait,
    scope: &Scope,
    subs: &[subscription::Model],
) -> AppResult<Vec<offer::Model>> {
    Ok(scope
        .select::<offer::Entity>()
        .filter(offer::Column::Id.is_in(subs.iter().map(|s| s.offer_id).collect::<Vec<_>>()))
        .all(db)
        .await?)
}

fn subscription_view(s: &subscription::Model, offers: &[offer::Model]) -> SubscriptionView {
    SubscriptionView {
        id: s.id,
        client_id: s.client_id,
        tier_id: s.tier_id,
        tier_name: offers
            .iter()
            .find(|o| o.id == s.offer_id)
            .map(|o| o.tier_name.clone())
            .unwrap_or_default(),
        offer_id: s.offer_id,
        billing: s.billing.clone(),
        status: s.status.clone(),
        quantity: s.quantity.max(0) as u32,
        unit_price_cents: s.unit_price_cents,
        monthly_price_cents: s.monthly_cents,
        currency: s.currency.clone(),
        started_at: s.started_at,
        ended_at: s.ended_at,
    }
}

/// The pipeline: offers by state, and the MRR won at the end of each of the last twelve months
/// (the current one: now). MSP staff.
pub async fn pipeline(state: &AppState, scope: &Scope) -> AppResult<Pipeline> {
    use crate::domain::offer::{mrr_at, Revenue};
    scope.require_msp_staff()?;
    let now = Utc::now();
    let subs = scope
        .select::<subscription::Entity>()
        .all(&state.db)
        .await?;
    let offers = scope.select::<offer::Entity>().all(&state.db).await?;
    let first_of = |d: chrono::NaiveDate| d.with_day(1).unwrap_or(d);
    let this_month = first_of(now.date_naive());
    let months: Vec<chrono::NaiveDate> = (0..12u32)
        .rev()
        .filter_map(|back| this_month.checked_sub_months(chrono::Months::new(back)))
        .collect();
    let moments: Vec<DateTime<Utc>> = months
        .iter()
        .map(|m| match m.checked_add_months(chrono::Months::new(1)) {
            Some(next) if *m != this_month => {
                next.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::seconds(1)
            }
            _ => now,
        })
        .collect();
    // Won is paid for: a subscription still waiting for its checkout (or never paid) is not.
    let revenue: Vec<Revenue> = subs
        .iter()
        .filter(|s| !matches!(s.status.as_str(), "incomplete" | "incomplete_expired"))
        .map(|s| Revenue {
            started_at: s.started_at,
            ended_at: s.ended_at,
            monthly_cents: s.monthly_cents,
        })
        .collect();
    let mrr = mrr_at(&revenue, &moments)
        .into_iter()
        .zip(&months)
        .map(|(cents, m)| MrrPoint {
            month: m.format("%Y-%m").to_string(),
            cents,
        })
        .collect();
    let mut p = Pipeline {
        mrr,
        currency: subs
            .first()
            .map(|s| s.currency.clone())
            .or_else(|| offers.first().map(|o| o.currency.clone()))
            .unwrap_or_else(|| "EUR".into()),
        drafts: 0,
        open: 0,
        open_cents: 0,
        accepted: 0,
        declined: 0,
        expired: 0,
    };
    for o in &offers {
        match state_of(o, now) {
            OfferState::Draft => p.drafts += 1,
            OfferState::Sent | OfferState::Viewed => {
                p.open += 1;
                p.open_cents = p.open_cents.saturating_add(o.monthly_cents);
            }
            OfferState::Accepted => p.accepted += 1,
            OfferState::Declined => p.declined += 1,
            OfferState::Expired => p.expired += 1,
        }
    }
    Ok(p)
}

/// The month's invoice lines for the MSP's PSA, as CSV: every subscription billed by hand that
/// ran during the month, one line each. Text cells cannot start a spreadsheet formula.
pub async fn invoice_lines(state: &AppState, scope: &Scope, month: &str) -> AppResult<String> {
    scope.require_msp_staff()?;
    if !matches!(scope.role(), Role::MspOwner | Role::MspAdmin) {
        return Err(AppError::Forbidden(
            "only the MSP's owners and admins see its billing".into(),
        ));
    }
    let strict = month.len() == 7
        && month.bytes().enumerate().all(|(i, b)| {
            if i == 4 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let start = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| strict)
        .ok_or_else(|| AppError::field("month", "must be a month such as 2026-12"))?;
    let end = start
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(|| AppError::field("month", "must be a month such as 2026-12"))?;
    let (from, to) = (
        start.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
        end.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
    );
    let subs = scope
        .select::<subscription::Entity>()
        .filter(subscription::Column::Billing.eq("manual"))
        .filter(subscription::Column::StartedAt.lt(to))
        .order_by_asc(subscription::Column::StartedAt)
        .all(&state.db)
        .await?;
    let clients = crate::ssr::repo::clients::list(&state.db, scope).await?;
    let offers = offers_of(&state.db, scope, &subs).await?;
    let cell = crate::ssr::csv::cell;
    let mut out =
        String::from("client,tier,quantity,unit_price,amount,currency,period_start,period_end\r\n");
    for s in subs.iter().filter(|s| s.ended_at.is_none_or(|e| e > from)) {
        let v = subscription_view(s, &offers);
        let client = clients
            .iter()
            .find(|c| c.id == s.client_id)
            .map(|c| c.name.as_str())
            .unwrap_or("");
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\r\n",
            cell(client),
            cell(&v.tier_name),
            v.quantity,
            decimal(v.unit_price_cents),
            decimal(v.monthly_price_cents),
            cell(&v.currency),
            start,
            end.pred_opt().unwrap_or(end),
        ));
    }
    Ok(out)
}

/// Minor units as a plain decimal number (`1234` → `12.34`), as a PSA imports it.
fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}
