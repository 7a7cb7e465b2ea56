//! Billing through the MSP's own Stripe account: connecting it (the keys sealed at rest, shown
//! only as "set") and the webhook through which Stripe keeps the subscriptions' state.
//!
//! Stripe delivers each event at least once and in no set order. An event id already applied
//! for the MSP has no second effect (`stripe_event`, written in the same transaction as the
//! effect), and an event older than the newest one applied to a subscription does not overwrite
//! it (`subscription.stripe_changed_at` holds that event's `created`).
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, PaginatorTrait,
    QueryFilter, QueryOrder, Set, Value,
};
use serde::Deserialize;
use serde_json::Value as Json;
use uuid::Uuid;

use crate::i18n::Lang;
use crate::model::billing::StripeStatus;
use crate::model::Role;
use crate::ssr::entity::{client, stripe_account, subscription};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::audit;
use crate::ssr::scope::Scope;
use crate::ssr::service::monitor::delivery;
use crate::ssr::service::offers::subscription_of;
use crate::ssr::sql::placeholder as p;
use crate::ssr::state::AppState;

/// The events Lifeline acts on; the billing settings page lists them for Stripe's dashboard.
pub const EVENTS: [&str; 7] = [
    "checkout.session.completed",
    "checkout.session.expired",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
];

/// The associated data a Stripe key of an MSP is sealed under (`which`: the column).
pub fn sealed_context(msp_id: Uuid, which: &str) -> String {
    format!("stripe_account.{which}:{msp_id}")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StripeKeys {
    pub secret_key: String,
    pub webhook_secret: String,
}

/// A secret key as Stripe issues them: `sk_` (secret) or `rk_` (restricted), test or live.
fn check_key(key: &str) -> Result<bool, &'static str> {
    let live = ["sk_live_", "rk_live_"].iter().any(|p| key.starts_with(p));
    let test = ["sk_test_", "rk_test_"].iter().any(|p| key.starts_with(p));
    if !(live || test) {
        return Err("must be a Stripe secret key (sk_test_…, sk_live_…, or a restricted rk_ key)");
    }
    if key.len() < 16
        || key.len() > 255
        || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err("is not a Stripe key: letters, digits and _ only, 16 to 255 characters");
    }
    Ok(live)
}

fn check_webhook_secret(secret: &str) -> Result<(), &'static str> {
    if !secret.starts_with("whsec_")
        || secret.len() < 14
        || secret.len() > 255
        || !secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err("must be the endpoint's signing secret from Stripe (whsec_…)");
    }
    Ok(())
}

/// The last four characters of a key: all of it a person is shown again.
pub fn last_four(key: &str) -> String {
    let from = key.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
    key[from..].to_string()
}

fn hint(key: &str) -> String {
    let kind: String = key.chars().take(8).collect();
    format!("{kind}…{}", last_four(key))
}

fn require_owner(scope: &Scope) -> AppResult<()> {
    if scope.role() == Role::MspOwner {
        Ok(())
    } else {
        tracing::warn!(user = %scope.user_id(), role = scope.role().as_str(), "refused: needs the owner");
        Err(AppError::Forbidden(
            "only the MSP's owners connect or disconnect Stripe".into(),
        ))
    }
}

fn require_runs_the_msp(scope: &Scope) -> AppResult<()> {
    if scope.role().runs_the_msp() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the MSP's owners and admins see the billing settings".into(),
        ))
    }
}

pub fn webhook_url(base: &str, msp_id: Uuid) -> String {
    format!(
        "{}/api/v1/billing/stripe/{msp_id}/webhook",
        base.trim_end_matches('/')
    )
}

async fn account(
    db: &impl ConnectionTrait,
    scope: &Scope,
) -> AppResult<Option<stripe_account::Model>> {
    Ok(scope.select::<stripe_account::Entity>().one(db).await?)
}

pub async fn status(state: &AppState, scope: &Scope, base: &str) -> AppResult<StripeStatus> {
    require_runs_the_msp(scope)?;
    let row = account(&state.db, scope).await?;
    Ok(StripeStatus {
        connected: row.is_some(),
        live: row.as_ref().is_some_and(|r| {
            r.key_hint.starts_with("sk_live") || r.key_hint.starts_with("rk_live")
        }),
        key_hint: row.as_ref().map(|r| r.key_hint.clone()),
        webhook_url: webhook_url(base, scope.msp_id()),
        events: EVENTS.iter().map(|e| e.to_string()).collect(),
    })
}

/// Connects (or re-keys) the MSP's Stripe account. Owners only; the keys are sealed before
/// they are stored and never shown again.
pub async fn connect(
    state: &AppState,
    scope: &Scope,
    keys: StripeKeys,
    base: &str,
) -> AppResult<StripeStatus> {
    require_owner(scope)?;
    let secret_key = keys.secret_key.trim().to_string();
    let webhook_secret = keys.webhook_secret.trim().to_string();
    let mut errors = std::collections::BTreeMap::new();
    if let Err(e) = check_key(&secret_key) {
        errors.insert("secret_key".to_string(), e.to_string());
    }
    if let Err(e) = check_webhook_secret(&webhook_secret) {
        errors.insert("webhook_secret".to_string(), e.to_string());
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let msp_id = scope.msp_id();
    let sealed_key = state
        .secrets
        .seal(&secret_key, &sealed_context(msp_id, "secret_key"));
    let sealed_secret = state
        .secrets
        .seal(&webhook_secret, &sealed_context(msp_id, "webhook_secret"));
    let now = Utc::now();
    let txn = state.begin_write().await?;
    match account(&txn, scope).await? {
        Some(row) => {
            let mut row: stripe_account::ActiveModel = row.into();
            row.secret_key = Set(sealed_key);
            row.webhook_secret = Set(sealed_secret);
            row.key_hint = Set(hint(&secret_key));
            row.updated_at = Set(now);
            row.update(&txn).await?;
        }
        None => {
            stripe_account::ActiveModel {
                id: Set(Uuid::new_v4()),
                msp_id: Set(msp_id),
                secret_key: Set(sealed_key),
                webhook_secret: Set(sealed_secret),
                key_hint: Set(hint(&secret_key)),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
        }
    }
    audit::record(
        &txn,
        audit::Entry::by(scope, "billing.stripe.connect", hint(&secret_key)),
    )
    .await?;
    txn.commit().await?;
    status(state, scope, base).await
}

/// Forgets the keys: acceptance records manual billing again. Subscriptions already in Stripe
/// stay there (the MSP ends them in Stripe's dashboard).
pub async fn disconnect(state: &AppState, scope: &Scope) -> AppResult<()> {
    require_owner(scope)?;
    let txn = state.begin_write().await?;
    let gone = scope.delete::<stripe_account::Entity>().exec(&txn).await?;
    if gone.rows_affected > 0 {
        audit::record(
            &txn,
            audit::Entry::by(scope, "billing.stripe.disconnect", "Stripe"),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The MSP's Stripe secret key, opened (None: not connected).
pub async fn secret_key(state: &AppState, scope: &Scope) -> AppResult<Option<String>> {
    let Some(row) = account(&state.db, scope).await? else {
        return Ok(None);
    };
    state
        .secrets
        .open(&row.secret_key, &sealed_context(row.msp_id, "secret_key"))
        .map(Some)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the Stripe key cannot be opened: {e}")))
}

/// What a delivered event came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    /// Its effect is made (or it was of a kind Lifeline does not act on).
    Done,
    /// The same event id was applied before: nothing happened this time.
    Duplicate,
    /// Older than what the subscription already shows: recorded, not applied.
    Stale,
    /// About nothing Lifeline knows (another system's subscription): recorded, ignored.
    Unmatched,
}

/// Takes one event Stripe delivered for `msp_id`: the signature is its authentication (checked
/// against the MSP's webhook signing secret over the raw body, at `now`).
pub async fn webhook(
    state: &AppState,
    msp_id: Uuid,
    signature: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> AppResult<Applied> {
    let scope = Scope::machine_msp(msp_id);
    let Some(row) = account(&state.db, &scope).await? else {
        return Err(AppError::BadRequest(
            "Stripe is not connected for this account".into(),
        ));
    };
    let secret = state
        .secrets
        .open(
            &row.webhook_secret,
            &sealed_context(msp_id, "webhook_secret"),
        )
        .map_err(|e| {
            AppError::Internal(anyhow::anyhow!("the webhook secret cannot be opened: {e}"))
        })?;
    crate::ssr::stripe::verify(
        &secret,
        signature.unwrap_or_default(),
        body,
        now.timestamp(),
    )
    .map_err(|e| {
        tracing::warn!(msp = %msp_id, why = e.message(), "refused: Stripe webhook signature");
        AppError::BadRequest(e.message().into())
    })?;
    let event: Json = serde_json::from_slice(body)
        .map_err(|_| AppError::BadRequest("the event is not JSON".into()))?;
    let (Some(id), Some(kind), Some(created), Some(object)) = (
        event["id"].as_str(),
        event["type"].as_str(),
        event["created"].as_i64(),
        event["data"]["object"].as_object(),
    ) else {
        return Err(AppError::BadRequest(
            "the event lacks id, type, created or data.object".into(),
        ));
    };
    if id.len() > 255 || kind.len() > 255 {
        return Err(AppError::BadRequest(
            "the event id or type is too long".into(),
        ));
    }
    let object = Json::Object(object.clone());
    let txn = state.begin_write().await?;
    if !first_delivery(&txn, &scope, id, kind, now).await? {
        txn.rollback().await?;
        return Ok(Applied::Duplicate);
    }
    let (applied, protected) = apply(&txn, &scope, kind, created, &object, now).await?;
    // A paid checkout put systems on a tier: Stripe's quantities follow (another subscription
    // may have lost systems to this one).
    if let Some(client) = protected {
        queue_quantity_sync(&txn, msp_id, client).await?;
    }
    txn.commit().await?;
    tracing::info!(msp = %msp_id, event = id, kind, outcome = ?applied, "Stripe event");
    // Their targets and states follow.
    if let Some(client) = protected {
        let machine = Scope::machine(msp_id, client);
        if let Err(e) = crate::ssr::service::monitor::targets_changed(
            state,
            &machine,
            crate::ids::ClientId::from(client),
        )
        .await
        {
            tracing::error!(error = %e, client = %client, "states not judged afresh after payment");
        }
    }
    Ok(applied)
}

/// Records the event id; false when it was there already (a redelivery, or the same event
/// delivered twice at once: the second waits for the first's commit and then finds it).
async fn first_delivery(
    txn: &DatabaseTransaction,
    scope: &Scope,
    id: &str,
    kind: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let backend = txn.get_database_backend();
    // The tenant is the MSP the signature was checked for: a column of the row itself.
    let done = txn
        .execute_raw(scope.raw(
            backend,
            format!(
                "INSERT INTO stripe_event (msp_id, event_id, kind, received_at) VALUES ({}, {}, {}, {}) \
                 ON CONFLICT DO NOTHING",
                p(backend, 1),
                p(backend, 2),
                p(backend, 3),
                p(backend, 4)
            ),
            [
                Value::from(scope.msp_id()),
                Value::from(id),
                Value::from(kind),
                Value::from(now),
            ],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

fn text<'a>(v: &'a Json, path: &[&str]) -> Option<&'a str> {
    let mut at = v;
    for key in path {
        at = at.get(key)?;
    }
    at.as_str().filter(|s| !s.is_empty())
}

/// An object's reference to another: Stripe sends an id, or the object itself when expanded.
fn reference<'a>(v: &'a Json, key: &str) -> Option<&'a str> {
    match v.get(key)? {
        Json::String(s) if !s.is_empty() => Some(s),
        Json::Object(o) => o.get("id")?.as_str(),
        _ => None,
    }
}

/// Applies one event; also names the client whose systems went onto a tier (a paid checkout).
async fn apply(
    txn: &DatabaseTransaction,
    scope: &Scope,
    kind: &str,
    created: i64,
    object: &Json,
    now: DateTime<Utc>,
) -> AppResult<(Applied, Option<Uuid>)> {
    if kind == "checkout.session.completed" {
        return checkout_completed(txn, scope, created, object, now).await;
    }
    apply_other(txn, scope, kind, created, object, now)
        .await
        .map(|a| (a, None))
}

/// The offer a Checkout Session was opened for.
fn offer_of(session: &Json) -> Option<Uuid> {
    text(session, &["client_reference_id"])
        .or_else(|| text(session, &["metadata", "lifeline_offer_id"]))
        .and_then(|s| Uuid::parse_str(s).ok())
}

async fn apply_other(
    txn: &DatabaseTransaction,
    scope: &Scope,
    kind: &str,
    created: i64,
    object: &Json,
    now: DateTime<Utc>,
) -> AppResult<Applied> {
    match kind {
        "checkout.session.expired" => {
            // Never paid: the subscription that waited for it ends; the systems never moved,
            // so the recommendation stands and the MSP can offer again.
            let found = match offer_of(object) {
                Some(offer) => subscription_of(txn, scope, offer).await?,
                None => None,
            };
            let Some(sub) = found else {
                return Ok(Applied::Unmatched);
            };
            if sub.status != "incomplete" {
                return Ok(Applied::Stale);
            }
            let mut row: subscription::ActiveModel = sub.into();
            row.status = Set("incomplete_expired".into());
            row.ended_at = Set(Some(now));
            row.stripe_changed_at = Set(Some(created));
            row.updated_at = Set(now);
            let row = row.update(txn).await?;
            note(txn, &row, kind, "incomplete_expired").await?;
            Ok(Applied::Done)
        }
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted" => {
            let Some(stripe_id) = text(object, &["id"]) else {
                return Ok(Applied::Unmatched);
            };
            let mut rows = by_stripe_id(txn, scope, stripe_id).await?;
            if rows.is_empty() {
                // Its checkout's completion may not have arrived yet: the offer is in the
                // subscription's metadata.
                let offer = text(object, &["metadata", "lifeline_offer_id"])
                    .and_then(|s| Uuid::parse_str(s).ok());
                if let Some(offer) = offer {
                    rows.extend(subscription_of(txn, scope, offer).await?);
                }
            }
            if rows.is_empty() {
                return Ok(Applied::Unmatched);
            }
            let status = if kind.ends_with(".deleted") {
                "canceled"
            } else {
                known_status(text(object, &["status"]).unwrap_or("incomplete"))
            };
            let item = object["items"]["data"]
                .get(0)
                .and_then(|i| i["id"].as_str())
                .map(str::to_string);
            let ended = (status == "canceled").then(|| {
                object["ended_at"]
                    .as_i64()
                    .and_then(|t| Utc.timestamp_opt(t, 0).single())
                    .unwrap_or(now)
            });
            let mut applied = Applied::Stale;
            for sub in rows {
                if sub.stripe_changed_at.is_some_and(|t| created < t) {
                    continue;
                }
                let mut row: subscription::ActiveModel = sub.into();
                row.billing = Set("stripe".into());
                row.stripe_subscription_id = Set(Some(stripe_id.to_string()));
                if let Some(c) = reference(object, "customer") {
                    row.stripe_customer_id = Set(Some(c.to_string()));
                }
                if item.is_some() {
                    row.stripe_item_id = Set(item.clone());
                }
                row.status = Set(status.to_string());
                if ended.is_some() {
                    row.ended_at = Set(ended);
                }
                row.stripe_changed_at = Set(Some(created));
                row.updated_at = Set(now);
                let row = row.update(txn).await?;
                note(txn, &row, kind, status).await?;
                applied = Applied::Done;
            }
            Ok(applied)
        }
        "invoice.paid" | "invoice.payment_failed" => {
            // Older API versions name the subscription on the invoice, newer ones under `parent`.
            let stripe_id = reference(object, "subscription")
                .or_else(|| text(object, &["parent", "subscription_details", "subscription"]));
            let rows = match stripe_id {
                Some(s) => by_stripe_id(txn, scope, s).await?,
                None => Vec::new(),
            };
            if rows.is_empty() {
                return Ok(Applied::Unmatched);
            }
            let failed = kind == "invoice.payment_failed";
            let mut applied = Applied::Stale;
            let mut told = false;
            for sub in rows {
                if sub.stripe_changed_at.is_some_and(|t| created < t) {
                    continue;
                }
                let status = match (failed, sub.status.as_str()) {
                    (_, "canceled") => "canceled",
                    (true, _) => "past_due",
                    (false, _) => "active",
                };
                let was_past_due = sub.status == "past_due";
                let mut row: subscription::ActiveModel = sub.into();
                row.status = Set(status.to_string());
                row.stripe_changed_at = Set(Some(created));
                row.updated_at = Set(now);
                let row = row.update(txn).await?;
                note(txn, &row, kind, status).await?;
                // One invoice, one message, however many offers the subscription grew from.
                if failed && status == "past_due" && !was_past_due && !told {
                    tell_msp_payment_failed(txn, scope, &row, object).await?;
                    told = true;
                }
                applied = Applied::Done;
            }
            Ok(applied)
        }
        _ => Ok(Applied::Done),
    }
}

/// A Checkout Session completed: its subscription learns its Stripe ids and, once paid, turns
/// active, and the offer's systems go onto the tier (named back for what follows the commit).
async fn checkout_completed(
    txn: &DatabaseTransaction,
    scope: &Scope,
    created: i64,
    object: &Json,
    now: DateTime<Utc>,
) -> AppResult<(Applied, Option<Uuid>)> {
    let found = match offer_of(object) {
        Some(offer) => subscription_of(txn, scope, offer).await?,
        None => None,
    };
    let Some(sub) = found else {
        return Ok((Applied::Unmatched, None));
    };
    let paid = matches!(
        text(object, &["payment_status"]),
        Some("paid" | "no_payment_required")
    );
    let stale = sub.stripe_changed_at.is_some_and(|t| created < t);
    // Paid, still running, and its systems not moved yet (a subscription event may have said
    // "active" before this one came).
    let protect = paid && sub.ended_at.is_none() && systems_waiting(txn, scope, &sub).await?;
    let mut row: subscription::ActiveModel = sub.clone().into();
    row.billing = Set("stripe".into());
    if let Some(c) = reference(object, "customer") {
        row.stripe_customer_id = Set(Some(c.to_string()));
    }
    if let Some(s) = reference(object, "subscription") {
        row.stripe_subscription_id = Set(Some(s.to_string()));
    }
    if !stale {
        if paid && sub.status == "incomplete" {
            row.status = Set("active".into());
        }
        row.stripe_changed_at = Set(Some(created));
    }
    row.updated_at = Set(now);
    let row = row.update(txn).await?;
    note(txn, &row, "checkout.session.completed", "").await?;
    if protect {
        let machine = Scope::machine(row.msp_id, row.client_id);
        crate::ssr::service::offers::paid(txn, &machine, row.offer_id, now).await?;
    }
    let applied = if stale { Applied::Stale } else { Applied::Done };
    Ok((applied, protect.then_some(row.client_id)))
}

/// Whether some of the offer's systems are not on its tier yet (they move once it is paid).
async fn systems_waiting(
    txn: &DatabaseTransaction,
    scope: &Scope,
    sub: &subscription::Model,
) -> AppResult<bool> {
    use crate::ssr::entity::{offer, system};
    let Some(o) = scope
        .select::<offer::Entity>()
        .filter(offer::Column::Id.eq(sub.offer_id))
        .one(txn)
        .await?
    else {
        return Ok(false);
    };
    let ids: Vec<Uuid> = serde_json::from_str(&o.systems).unwrap_or_default();
    Ok(scope
        .select::<system::Entity>()
        .filter(system::Column::Id.is_in(ids))
        .all(txn)
        .await?
        .iter()
        .any(|s| s.tier_id != Some(sub.tier_id)))
}

/// Stripe's subscription statuses, kept as Stripe names them; anything else reads as what
/// Stripe would call it when in doubt (`incomplete`).
fn known_status(s: &str) -> &str {
    match s {
        "active" | "past_due" | "canceled" | "incomplete" | "incomplete_expired" | "trialing"
        | "unpaid" | "paused" => s,
        _ => "incomplete",
    }
}

async fn by_stripe_id(
    txn: &DatabaseTransaction,
    scope: &Scope,
    stripe_id: &str,
) -> AppResult<Vec<subscription::Model>> {
    Ok(scope
        .select::<subscription::Entity>()
        .filter(subscription::Column::StripeSubscriptionId.eq(stripe_id))
        .all(txn)
        .await?)
}

/// The audit trail shows what Stripe changed, by no person.
async fn note(
    txn: &DatabaseTransaction,
    row: &subscription::Model,
    kind: &str,
    status: &str,
) -> AppResult<()> {
    audit::record(
        txn,
        audit::Entry {
            msp_id: Some(row.msp_id),
            client_id: Some(row.client_id),
            actor: None,
            action: "billing.stripe.event",
            subject: format!("{kind} {status}").trim().to_string(),
            detail: serde_json::json!({
                "subscription": row.id,
                "stripe_subscription": row.stripe_subscription_id,
            }),
            ip: String::new(),
            outcome: "ok",
        },
    )
    .await
}

/// A failed payment is the MSP's to chase: its alert recipients are e-mailed (outbox), once
/// per turn into `past_due`.
async fn tell_msp_payment_failed(
    txn: &DatabaseTransaction,
    scope: &Scope,
    sub: &subscription::Model,
    invoice: &Json,
) -> AppResult<()> {
    use crate::ssr::service::monitor::{alerts, delivery};
    // The MSP's own people, not the client's: it is the MSP's money to chase.
    let mut settings = alerts::settings_of(txn, scope).await?;
    settings.notify_client = false;
    let lang = alerts::mail_lang(&settings);
    let to = alerts::recipients(txn, &settings, sub.client_id).await?;
    let client = scope
        .select::<client::Entity>()
        .filter(client::Column::Id.eq(sub.client_id))
        .one(txn)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let due = invoice["amount_due"].as_i64().unwrap_or(sub.monthly_cents);
    let currency = invoice["currency"]
        .as_str()
        .map(|c| c.to_ascii_uppercase())
        .unwrap_or_else(|| sub.currency.clone());
    let amount = crate::domain::upsell::money(lang, due, &currency);
    let attempt = invoice["attempt_count"].as_i64().unwrap_or(1);
    let (subject, body) = match lang {
        Lang::Nl => (
            format!("Betaling mislukt: {client}"),
            format!(
                "De betaling van {amount} door {client} is mislukt (poging {attempt}). \
                 Het abonnement staat nu op 'achterstallig'; Stripe probeert het opnieuw volgens \
                 de instellingen van je account.\n\nStripe-abonnement: {}\n",
                sub.stripe_subscription_id.as_deref().unwrap_or("-")
            ),
        ),
        Lang::En => (
            format!("Payment failed: {client}"),
            format!(
                "The payment of {amount} by {client} failed (attempt {attempt}). The \
                 subscription is now past due; Stripe retries as your account's settings say.\n\n\
                 Stripe subscription: {}\n",
                sub.stripe_subscription_id.as_deref().unwrap_or("-")
            ),
        ),
    };
    for address in &to {
        delivery::queue_email(txn, sub.msp_id, sub.client_id, address, &subject, &body).await?;
    }
    Ok(())
}

/// How an offer being accepted will be paid for.
pub enum Billing {
    /// No Stripe account connected: the MSP invoices (invoice-lines export).
    Manual,
    /// The client admin pays through this Checkout Session; the subscription waits for it.
    Checkout(crate::ssr::stripe_api::Checkout),
    /// The client already pays for this tier through Stripe: the systems join that
    /// subscription, whose quantity grows.
    Joined(Box<subscription::Model>),
}

/// Decides, before anything is written, how an accepted offer is billed; makes the Stripe
/// price and Checkout Session when it needs them. A Stripe failure stops the acceptance with
/// nothing changed (`AppError::Upstream`).
pub async fn billing_for(
    state: &AppState,
    o: &crate::ssr::entity::offer::Model,
    payer_email: Option<&str>,
    base: &str,
) -> AppResult<Billing> {
    use crate::ssr::entity::service_tier;
    let msp = Scope::machine_msp(o.msp_id);
    let Some(key) = secret_key(state, &msp).await? else {
        return Ok(Billing::Manual);
    };
    let paying = msp
        .select::<subscription::Entity>()
        .filter(subscription::Column::ClientId.eq(o.client_id))
        .filter(subscription::Column::TierId.eq(o.tier_id))
        .filter(subscription::Column::Billing.eq("stripe"))
        .filter(subscription::Column::EndedAt.is_null())
        .filter(subscription::Column::Status.is_in(["active", "past_due", "trialing"]))
        .filter(subscription::Column::StripeItemId.is_not_null())
        .filter(subscription::Column::UnitPriceCents.eq(o.unit_price_cents))
        .one(&state.db)
        .await?;
    // What the offer adds per TB on top of the price per system.
    let storage_cents = o
        .monthly_cents
        .saturating_sub(o.unit_price_cents.saturating_mul(i64::from(o.quantity)));
    // Joining grows the per-system item only: an offer with a share per TB gets a checkout of
    // its own, so that the share is billed too.
    if let Some(sub) = paying.filter(|_| storage_cents <= 0) {
        return Ok(Billing::Joined(Box::new(sub)));
    }
    let stripe = crate::ssr::stripe_api::Stripe::new(&state.settings.stripe_api_base, &key)?;
    // Prices are fixed in Stripe: one per amount and currency a tier was offered at.
    let wanted = format!("{} {}", o.unit_price_cents, o.currency);
    let tier = msp
        .select::<service_tier::Entity>()
        .filter(service_tier::Column::Id.eq(o.tier_id))
        .one(&state.db)
        .await?;
    let known = tier.as_ref().and_then(|t| {
        let made_for = t.stripe_price_for.as_deref() == Some(wanted.as_str());
        Some((
            t.stripe_product_id.clone()?,
            t.stripe_price_id.clone().filter(|_| made_for)?,
        ))
    });
    let (product, price) = match known {
        Some(both) => both,
        None => {
            let product = match tier.as_ref().and_then(|t| t.stripe_product_id.clone()) {
                Some(p) => p,
                None => stripe.product(&o.tier_name, o.tier_id).await?,
            };
            let price = stripe
                .monthly_price(&product, o.unit_price_cents, &o.currency)
                .await?;
            if let Some(t) = tier {
                let mut row: service_tier::ActiveModel = t.into();
                row.stripe_product_id = Set(Some(product.clone()));
                row.stripe_price_id = Set(Some(price.clone()));
                row.stripe_price_for = Set(Some(wanted));
                msp.update::<service_tier::Entity>()
                    .set(row)
                    .filter(service_tier::Column::Id.eq(o.tier_id))
                    .exec(&state.db)
                    .await?;
            }
            (product, price)
        }
    };
    let home = format!("{}/home", base.trim_end_matches('/'));
    let checkout = stripe
        .checkout(crate::ssr::stripe_api::CheckoutFor {
            offer_id: o.id,
            price_id: &price,
            quantity: o.quantity.max(1) as u64,
            storage: (storage_cents > 0).then_some((product.as_str(), storage_cents)),
            currency: &o.currency,
            customer_email: payer_email,
            success_url: format!("{home}?checkout=done"),
            cancel_url: home,
        })
        .await?;
    Ok(Billing::Checkout(checkout))
}

/// Queues bringing the quantity of each of the client's Stripe subscription items to the
/// systems its subscriptions cover, in the transaction that changed them (an acceptance, a
/// payment, a system's removal): the outbox's delivery makes the call, so a slow Stripe holds
/// up no answer (nor Stripe's own webhook delivery), a failing one is tried again with a
/// growing wait, and a crash after the commit loses nothing. One call at a time per client,
/// each reading the quantities as they are when it runs, so the last word is the newest.
pub async fn queue_quantity_sync(
    db: &impl ConnectionTrait,
    msp_id: Uuid,
    client_id: Uuid,
) -> AppResult<()> {
    let msp = Scope::machine_msp(msp_id);
    let billed = msp
        .select::<subscription::Entity>()
        .filter(subscription::Column::ClientId.eq(client_id))
        .filter(subscription::Column::StripeItemId.is_not_null())
        .count(db)
        .await?;
    if billed == 0 {
        return Ok(());
    }
    delivery::queue_task(db, msp_id, client_id, delivery::STRIPE_QUANTITY, "").await
}

/// Queues ending the client's Stripe subscriptions (it was archived or deleted), through the
/// outbox like quantities; Lifeline's own records end at once.
async fn queue_cancellations(
    db: &impl ConnectionTrait,
    msp_id: Uuid,
    subscriptions: &[subscription::Model],
) -> AppResult<()> {
    for s in subscriptions {
        if let Some(stripe_id) = &s.stripe_subscription_id {
            delivery::queue_task(db, msp_id, s.client_id, delivery::STRIPE_CANCEL, stripe_id)
                .await?;
        }
    }
    Ok(())
}

/// The client is leaving (archived or deleted): its open subscriptions end now, Stripe's are
/// canceled through the outbox. Returns how many ended.
pub async fn end_subscriptions(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<usize> {
    let open = scope
        .select::<subscription::Entity>()
        .filter(subscription::Column::ClientId.eq(client_id))
        .filter(subscription::Column::EndedAt.is_null())
        .all(db)
        .await?;
    if open.is_empty() {
        return Ok(0);
    }
    scope
        .update::<subscription::Entity>()
        .col_expr(subscription::Column::Status, Expr::value("canceled"))
        .col_expr(subscription::Column::EndedAt, Expr::value(Some(now)))
        .col_expr(subscription::Column::UpdatedAt, Expr::value(now))
        .filter(subscription::Column::ClientId.eq(client_id))
        .filter(subscription::Column::EndedAt.is_null())
        .exec(db)
        .await?;
    queue_cancellations(db, scope.msp_id(), &open).await?;
    Ok(open.len())
}

/// Cancels one subscription at Stripe (the outbox's call). Without a connected account there is
/// nobody to tell: done.
pub async fn cancel_at_stripe(
    state: &AppState,
    msp_id: Uuid,
    subscription_id: &str,
) -> AppResult<()> {
    let msp = Scope::machine_msp(msp_id);
    let Some(key) = secret_key(state, &msp).await? else {
        return Ok(());
    };
    crate::ssr::stripe_api::Stripe::new(&state.settings.stripe_api_base, &key)?
        .cancel(subscription_id)
        .await
}

/// Sets Stripe's item quantities to what the client's subscriptions cover now (the outbox's
/// call).
pub async fn push_quantities(state: &AppState, msp_id: Uuid, client_id: Uuid) -> AppResult<()> {
    let msp = Scope::machine_msp(msp_id);
    let Some(key) = secret_key(state, &msp).await? else {
        return Ok(());
    };
    let rows = msp
        .select::<subscription::Entity>()
        .filter(subscription::Column::ClientId.eq(client_id))
        .filter(subscription::Column::StripeItemId.is_not_null())
        .all(&state.db)
        .await?;
    let mut items: Vec<(String, u64)> = Vec::new();
    for r in &rows {
        let Some(item) = r.stripe_item_id.clone() else {
            continue;
        };
        let n = if r.ended_at.is_none() {
            r.quantity.max(0) as u64
        } else {
            0
        };
        match items.iter_mut().find(|(i, _)| *i == item) {
            Some((_, q)) => *q += n,
            None => items.push((item, n)),
        }
    }
    if items.is_empty() {
        return Ok(());
    }
    let stripe = crate::ssr::stripe_api::Stripe::new(&state.settings.stripe_api_base, &key)?;
    for (item, quantity) in items {
        stripe.set_quantity(&item, quantity).await?;
    }
    Ok(())
}

/// A link into Stripe's customer portal for the client's Stripe customer (payment details,
/// invoices), for its admins and the MSP's staff; `Conflict` when the client pays by hand.
pub async fn portal(
    state: &AppState,
    scope: &Scope,
    client_id: crate::ids::ClientId,
    base: &str,
) -> AppResult<String> {
    let client = crate::ssr::repo::clients::get(&state.db, scope, client_id).await?;
    if !(scope.is_msp_staff() || scope.role() == Role::ClientAdmin) {
        return Err(AppError::Forbidden(
            "only the client's admins manage its payment details".into(),
        ));
    }
    let customer = scope
        .select::<subscription::Entity>()
        .filter(subscription::Column::ClientId.eq(client.id))
        .filter(subscription::Column::StripeCustomerId.is_not_null())
        .order_by_desc(subscription::Column::StartedAt)
        .one(&state.db)
        .await?
        .and_then(|s| s.stripe_customer_id);
    let msp = Scope::machine_msp(scope.msp_id());
    let (Some(customer), Some(key)) = (customer, secret_key(state, &msp).await?) else {
        return Err(AppError::Conflict(NO_STRIPE_CUSTOMER.into()));
    };
    let stripe = crate::ssr::stripe_api::Stripe::new(&state.settings.stripe_api_base, &key)?;
    let back = if scope.is_msp_staff() {
        format!("{}/clients/{}", base.trim_end_matches('/'), client.id)
    } else {
        format!("{}/home", base.trim_end_matches('/'))
    };
    stripe.portal(&customer, &back).await
}

pub const NO_STRIPE_CUSTOMER: &str =
    "this client pays by hand: there is no Stripe customer to manage";

/// Seals each MSP's Stripe keys afresh with the current secrets key where an older one sealed
/// them (part of `lifeline rotate-secrets` and of every start); returns how many values.
pub async fn reseal_keys(state: &AppState) -> AppResult<usize> {
    use sea_orm::sea_query::Expr;
    let all = Scope::all_tenants("key rotation: every MSP's sealed Stripe keys");
    let mut done = 0;
    for row in all
        .select::<stripe_account::Entity>()
        .all(&state.db)
        .await?
    {
        for (column, stored, which) in [
            (
                stripe_account::Column::SecretKey,
                &row.secret_key,
                "secret_key",
            ),
            (
                stripe_account::Column::WebhookSecret,
                &row.webhook_secret,
                "webhook_secret",
            ),
        ] {
            if !state.secrets.needs_resealing(stored) {
                continue;
            }
            let context = sealed_context(row.msp_id, which);
            let plain = match state.secrets.open(stored, &context) {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(msp = %row.msp_id, error = %e, which, "a Stripe key cannot be opened; left as it is");
                    continue;
                }
            };
            // Only if nobody changed it meanwhile.
            done += all
                .update::<stripe_account::Entity>()
                .col_expr(column, Expr::value(state.secrets.seal(&plain, &context)))
                .filter(stripe_account::Column::Id.eq(row.id))
                .filter(column.eq(stored.clone()))
                .exec(&state.db)
                .await?
                .rows_affected as usize;
        }
    }
    Ok(done)
}
