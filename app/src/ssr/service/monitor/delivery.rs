//! Delivery of the outbox: e-mails, webhook calls and calls to MSPs' Stripe accounts go out in a
//! loop of their own, apart from the evaluator, many at once but at most `PER_DESTINATION` to
//! any one receiver (one at a time for a client's Stripe quantities), each with a short timeout. A receiver that answers slowly or not at all only delays its own messages:
//! one MSP's tarpit webhook once held another MSP's alert back for more than two minutes.
//!
//! Rows are claimed with a lease that counts from the moment of the claim, so another replica
//! leaves them alone while they are being sent, and takes them over if this one dies.
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, QueryOrder, QuerySelect, Set, Value};
use sha2::Sha256;
use std::collections::HashMap;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::ssr::entity::notification;
use crate::ssr::error::AppResult;
use crate::ssr::outbound;
use crate::ssr::scope::Scope;
use crate::ssr::state::AppState;

/// After this many failed attempts a notification is given up (and stays visible as failed).
pub const MAX_ATTEMPTS: i32 = 10;
/// Messages in flight at once to one destination (a webhook's host, the SMTP relay).
pub const PER_DESTINATION: usize = 2;
/// Messages in flight at once in all.
const IN_FLIGHT: usize = 64;
/// How long a claimed message is left alone by other replicas: well past the longest send.
pub const LEASE: Duration = Duration::seconds(60);

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`: the receiver recomputes it with the
/// shared secret and refuses old timestamps, so a captured call cannot be replayed later.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Where a message goes, as far as crowding is concerned: a webhook's host and port, or the
/// one SMTP relay every e-mail goes through.
pub fn destination(n: &notification::Model) -> String {
    match n.channel.as_str() {
        "webhook" | SEALED_WEBHOOK => reqwest::Url::parse(&n.target)
            .ok()
            .and_then(|u| {
                Some(format!(
                    "webhook:{}:{}",
                    u.host_str()?.to_ascii_lowercase(),
                    u.port_or_known_default()?
                ))
            })
            .unwrap_or_else(|| format!("webhook:{}", n.target)),
        // Every e-mail goes through the one relay.
        SEALED_EMAIL => "email".to_string(),
        // A status page's mails to its subscribers: one at a time per MSP, beside the relay's
        // share, so a publication to thousands never holds back a call tree or an alert.
        LIST_EMAIL => format!("{LIST_ONE_AT_A_TIME}{}", n.msp_id),
        // One call at a time per client: each sets the quantities as they are when it runs.
        STRIPE_QUANTITY => format!("{STRIPE_ONE_AT_A_TIME}{}", n.client_id),
        STRIPE_CANCEL => format!("stripe:{}", n.msp_id),
        other => other.to_string(),
    }
}

/// A message due now, to be inserted.
fn due_now(
    id: Uuid,
    msp_id: Uuid,
    client_id: Uuid,
    channel: &str,
    (target, subject, body): (&str, &str, String),
) -> notification::ActiveModel {
    let now = Utc::now();
    notification::ActiveModel {
        id: Set(id),
        msp_id: Set(msp_id),
        client_id: Set(client_id),
        channel: Set(channel.into()),
        target: Set(target.into()),
        subject: Set(subject.into()),
        body: Set(body),
        attempts: Set(0),
        next_attempt_at: Set(now),
        delivered_at: Set(None),
        last_error: Set(String::new()),
        created_at: Set(now),
    }
}

/// Queues an e-mail whose body only its addressee may read (a password reset link, a call tree's
/// confirm link): sealed at rest like tenants' secrets, opened at delivery. Account e-mails
/// belong to no client (`Uuid::nil()`).
pub async fn queue_sealed_email(
    db: &impl sea_orm::ConnectionTrait,
    state: &AppState,
    (msp_id, client_id): (Uuid, Uuid),
    to: &str,
    subject: &str,
    body: &str,
) -> AppResult<()> {
    let id = Uuid::new_v4();
    let body = state.secrets.seal(body, &sealed_context(id));
    due_now(id, msp_id, client_id, SEALED_EMAIL, (to, subject, body))
        .insert(db)
        .await?;
    Ok(())
}

/// A call to the MSP's Stripe account: set the client's subscription item quantities.
pub const STRIPE_QUANTITY: &str = "stripe_quantity";
/// A call to the MSP's Stripe account: cancel the subscription whose id is the target.
pub const STRIPE_CANCEL: &str = "stripe_cancel";
/// Destinations that take one call at a time.
const STRIPE_ONE_AT_A_TIME: &str = "stripe-client:";

/// How many of a destination's messages may be in flight at once.
fn share(destination: &str) -> usize {
    if destination.starts_with(STRIPE_ONE_AT_A_TIME) || destination.starts_with(LIST_ONE_AT_A_TIME)
    {
        1
    } else {
        PER_DESTINATION
    }
}

/// Queues a call to the MSP's Stripe account (`STRIPE_QUANTITY`, `STRIPE_CANCEL`), due now.
/// A quantity call already waiting for the client, and not begun, covers this one too.
pub async fn queue_task(
    db: &impl sea_orm::ConnectionTrait,
    msp_id: Uuid,
    client_id: Uuid,
    channel: &str,
    target: &str,
) -> AppResult<()> {
    use sea_orm::PaginatorTrait;
    if channel == STRIPE_QUANTITY {
        let waiting = Scope::machine_msp(msp_id)
            .select::<notification::Entity>()
            .filter(notification::Column::Channel.eq(channel))
            .filter(notification::Column::ClientId.eq(client_id))
            .filter(notification::Column::DeliveredAt.is_null())
            .filter(notification::Column::Attempts.eq(0))
            .count(db)
            .await?;
        if waiting > 0 {
            return Ok(());
        }
    }
    let subject = channel.replace('_', ".");
    due_now(
        Uuid::new_v4(),
        msp_id,
        client_id,
        channel,
        (target, &subject, String::new()),
    )
    .insert(db)
    .await?;
    Ok(())
}

/// Queues a webhook call whose body only the MSP's gateway may read (a call tree's message
/// with its confirm link): sealed at rest like a sealed e-mail, opened and signed at delivery.
pub async fn queue_sealed_webhook(
    db: &impl sea_orm::ConnectionTrait,
    state: &AppState,
    (msp_id, client_id): (Uuid, Uuid),
    url: &str,
    event: &str,
    json: &str,
) -> AppResult<()> {
    let id = Uuid::new_v4();
    let body = state.secrets.seal(json, &sealed_context(id));
    due_now(id, msp_id, client_id, SEALED_WEBHOOK, (url, event, body))
        .insert(db)
        .await?;
    Ok(())
}

/// Queues a plain e-mail about one of the MSP's clients (an offer sent to its admins), due now.
pub async fn queue_email(
    db: &impl sea_orm::ConnectionTrait,
    msp_id: Uuid,
    client_id: Uuid,
    to: &str,
    subject: &str,
    body: &str,
) -> AppResult<()> {
    let body = body.to_string();
    due_now(
        Uuid::new_v4(),
        msp_id,
        client_id,
        "email",
        (to, subject, body),
    )
    .insert(db)
    .await?;
    Ok(())
}

/// The channel of e-mails whose body is sealed.
pub const SEALED_EMAIL: &str = "email_sealed";
/// The channel of webhook calls whose body is sealed.
pub const SEALED_WEBHOOK: &str = "webhook_sealed";
/// The channel of a status page's mails to its subscribers: the body is JSON
/// `{"text", "unsubscribe"}` and the mail carries the one-click unsubscribe headers (RFC 8058).
pub const LIST_EMAIL: &str = "email_list";
const LIST_ONE_AT_A_TIME: &str = "email-list:";

/// Queues a status page's mail to one subscriber, with their unsubscribe link.
pub async fn queue_list_email(
    db: &impl sea_orm::ConnectionTrait,
    (msp_id, client_id): (Uuid, Uuid),
    to: &str,
    subject: &str,
    text: &str,
    unsubscribe: &str,
) -> AppResult<()> {
    let body = serde_json::json!({ "text": text, "unsubscribe": unsubscribe }).to_string();
    due_now(
        Uuid::new_v4(),
        msp_id,
        client_id,
        LIST_EMAIL,
        (to, subject, body),
    )
    .insert(db)
    .await?;
    Ok(())
}

fn sealed_context(id: Uuid) -> String {
    format!("notification.body:{id}")
}

async fn send(
    state: &AppState,
    http: &reqwest::Client,
    n: &notification::Model,
    secret: &Result<String, String>,
) -> anyhow::Result<()> {
    match n.channel.as_str() {
        "email" | SEALED_EMAIL => {
            let smtp = state
                .settings
                .smtp
                .as_ref()
                .ok_or_else(|| anyhow::anyhow!("no SMTP server configured"))?;
            let body = if n.channel == SEALED_EMAIL {
                state.secrets.open(&n.body, &sealed_context(n.id))?
            } else {
                n.body.clone()
            };
            crate::ssr::service::mail::send(smtp, &n.target, &n.subject, body).await
        }
        LIST_EMAIL => {
            let smtp = state
                .settings
                .smtp
                .as_ref()
                .ok_or_else(|| anyhow::anyhow!("no SMTP server configured"))?;
            let v: serde_json::Value = serde_json::from_str(&n.body)?;
            let text = v["text"].as_str().unwrap_or_default().to_string();
            let unsubscribe = v["unsubscribe"].as_str().unwrap_or_default();
            crate::ssr::service::mail::send_list(smtp, &n.target, &n.subject, text, unsubscribe)
                .await
        }
        "webhook" | SEALED_WEBHOOK => {
            let body = if n.channel == SEALED_WEBHOOK {
                state.secrets.open(&n.body, &sealed_context(n.id))?
            } else {
                n.body.clone()
            };
            let url = reqwest::Url::parse(&n.target)?;
            let allow_private = state.settings.webhooks_allow_private;
            anyhow::ensure!(
                !outbound::literal_address_refused(&url, allow_private),
                "the webhook points at an address that is not public"
            );
            let mut req = http
                .post(url)
                .header("content-type", "application/json")
                .header("x-lifeline-event", &n.subject)
                .header("x-lifeline-delivery", n.id.to_string())
                .body(body.clone());
            // Never unsigned when a secret was set but cannot be opened.
            let secret = secret
                .as_ref()
                .map_err(|why| anyhow::anyhow!("the signing secret cannot be opened: {why}"))?;
            if !secret.is_empty() {
                req = req.header(
                    "x-lifeline-signature",
                    signature(secret, Utc::now().timestamp(), &body),
                );
            }
            let res = req.send().await?;
            anyhow::ensure!(
                res.status().is_success(),
                "the receiver answered {}",
                res.status()
            );
            Ok(())
        }
        STRIPE_QUANTITY => {
            crate::ssr::service::payments::push_quantities(state, n.msp_id, n.client_id)
                .await
                .map_err(|e| anyhow::anyhow!("Stripe: {e}"))
        }
        STRIPE_CANCEL => {
            crate::ssr::service::payments::cancel_at_stripe(state, n.msp_id, &n.target)
                .await
                .map_err(|e| anyhow::anyhow!("Stripe: {e}"))
        }
        other => anyhow::bail!("unknown channel {other}"),
    }
}

/// What is in flight from this replica, by destination.
#[derive(Default)]
pub struct Deliverer {
    busy: HashMap<String, usize>,
    sends: JoinSet<String>,
    http: Option<reqwest::Client>,
}

impl Deliverer {
    /// Messages being sent right now.
    pub fn in_flight(&self) -> usize {
        self.sends.len()
    }

    /// Forgets the sends that have finished (each wrote its own outcome).
    fn reap(&mut self) {
        while let Some(done) = self.sends.try_join_next() {
            if let Ok(dest) = done {
                self.release(&dest);
            }
        }
    }

    fn release(&mut self, dest: &str) {
        if let Some(n) = self.busy.get_mut(dest) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.busy.remove(dest);
            }
        }
    }

    /// Claims due messages whose destinations have room and starts sending them; returns how
    /// many it started. It does not wait for them.
    pub async fn start_due(&mut self, state: &AppState) -> AppResult<usize> {
        self.reap();
        let room = IN_FLIGHT.saturating_sub(self.sends.len());
        if room == 0 {
            return Ok(0);
        }
        let now = Utc::now();
        let due = Scope::all_tenants("delivery: due messages of every tenant")
            .select::<notification::Entity>()
            .filter(notification::Column::DeliveredAt.is_null())
            .filter(notification::Column::NextAttemptAt.lte(now))
            .filter(notification::Column::Attempts.lt(MAX_ATTEMPTS))
            // Bulk mail last: thousands of subscribers' mails due at once must not keep a call
            // tree's messages, a password reset or any tenant's webhook out of this round.
            .order_by_asc(sea_orm::sea_query::Expr::cust(
                "CASE WHEN channel = 'email_list' THEN 1 ELSE 0 END",
            ))
            .order_by_asc(notification::Column::NextAttemptAt)
            .limit(500)
            .all(&state.db)
            .await?;
        // Oldest first, but no destination beyond its share: the rest wait for a later round.
        let mut picked = Vec::new();
        let mut taking: HashMap<String, usize> = HashMap::new();
        for n in due {
            if picked.len() >= room {
                break;
            }
            let dest = destination(&n);
            let used = self.busy.get(&dest).copied().unwrap_or(0)
                + taking.get(&dest).copied().unwrap_or(0);
            if used < share(&dest) {
                *taking.entry(dest).or_default() += 1;
                picked.push(n.id);
            }
        }
        if picked.is_empty() {
            return Ok(0);
        }
        let claimed = claim(state, &picked).await?;
        // Each MSP's signing secret, read once per round; one that cannot be opened fails
        // that MSP's calls only.
        let mut secrets: HashMap<Uuid, Result<String, String>> = HashMap::new();
        let http = self
            .http
            .get_or_insert_with(|| outbound::webhook_client(state.settings.webhooks_allow_private))
            .clone();
        let started = claimed.len();
        for n in claimed {
            let secret = if n.channel == "webhook" || n.channel == SEALED_WEBHOOK {
                if let std::collections::hash_map::Entry::Vacant(e) = secrets.entry(n.msp_id) {
                    let scope = Scope::machine_msp(n.msp_id);
                    e.insert(
                        super::alerts::webhook_secret(state, &scope)
                            .await
                            .unwrap_or_else(|e| Err(e.to_string())),
                    );
                }
                secrets[&n.msp_id].clone()
            } else {
                Ok(String::new())
            };
            let dest = destination(&n);
            *self.busy.entry(dest.clone()).or_default() += 1;
            let (state, http) = (state.clone(), http.clone());
            self.sends.spawn(async move {
                deliver_one(&state, &http, n, &secret).await;
                dest
            });
        }
        Ok(started)
    }

    /// Waits for every send in flight to finish (tests, and a graceful stop).
    pub async fn drain(&mut self) {
        while let Some(done) = self.sends.join_next().await {
            if let Ok(dest) = done {
                self.release(&dest);
            }
        }
    }
}

/// Takes `ids` for this replica, as far as nobody else took them since they were read: each
/// row's attempt is counted and it is leased until `LEASE` after this very moment. Returns the
/// rows taken.
async fn claim(state: &AppState, ids: &[Uuid]) -> AppResult<Vec<notification::Model>> {
    let backend = state.db.get_database_backend();
    let _turn = state.write_turn().await;
    // The lease counts from the claim, not from when the pass began: a pass that waited for
    // its turn to write must not hand out a lease that has already run out.
    let at = Utc::now();
    let p = |n| crate::ssr::sql::placeholder(backend, n);
    let list: Vec<String> = (0..ids.len()).map(|i| p(i + 4)).collect();
    let sql = format!(
        "UPDATE notification SET attempts = attempts + 1, next_attempt_at = {} \
         WHERE delivered_at IS NULL AND next_attempt_at <= {} AND attempts < {} AND id IN ({}) \
         RETURNING id, msp_id, client_id, channel, target, subject, body, attempts, \
         next_attempt_at, delivered_at, last_error, created_at",
        p(1),
        p(2),
        p(3),
        list.join(", ")
    );
    let mut values = vec![
        Value::from(at + LEASE),
        Value::from(at),
        Value::from(MAX_ATTEMPTS),
    ];
    values.extend(ids.iter().map(|id| Value::from(*id)));
    let all = Scope::all_tenants("delivery: lease the messages picked");
    Ok(all
        .select::<notification::Entity>()
        .from_raw_sql(all.statement(backend, sql, values))
        .all(&state.db)
        .await?)
}

/// Sends one claimed message and records how it went: delivered, or due again after a wait
/// that doubles with each attempt.
async fn deliver_one(
    state: &AppState,
    http: &reqwest::Client,
    n: notification::Model,
    secret: &Result<String, String>,
) {
    let result = send(state, http, &n, secret).await;
    let mut row: notification::ActiveModel = n.clone().into();
    match &result {
        Ok(()) => {
            row.delivered_at = Set(Some(Utc::now()));
            row.last_error = Set(String::new());
        }
        Err(e) => {
            let base = Duration::from_std(state.settings.alert_retry_base)
                .unwrap_or(Duration::seconds(30));
            let previous = (n.attempts - 1).clamp(0, 16) as u32;
            let wait = base * 2i32.saturating_pow(previous);
            row.next_attempt_at = Set(Utc::now() + wait.min(Duration::hours(6)));
            row.last_error = Set(format!("{e:#}").chars().take(500).collect());
            tracing::warn!(notification = %n.id, channel = %n.channel, error = %e, attempt = n.attempts, "delivery failed; will retry");
        }
    }
    let _turn = state.write_turn().await;
    if let Err(e) = row.update(&state.db).await {
        // The lease runs out and the message is sent again: twice rather than never.
        tracing::error!(notification = %n.id, error = ?e, "could not record a delivery");
    }
}

/// Delivers what is due and waits for it: one round of `Deliverer`, for tests and the bench.
pub async fn deliver(state: &AppState, _now: DateTime<Utc>) -> AppResult<usize> {
    let mut d = Deliverer::default();
    let started = d.start_due(state).await?;
    d.drain().await;
    Ok(started)
}

/// Runs delivery every `every` until the task is dropped.
pub async fn run(state: AppState, every: std::time::Duration) {
    let mut d = Deliverer::default();
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = d.start_due(&state).await {
            tracing::error!(error = ?e, "starting deliveries failed");
        }
    }
}
