//! Alerts: each recorded state change becomes notifications in an outbox (e-mail to the MSP's
//! people and, if the MSP wants, the client's admins; a signed webhook), a breach that stays open
//! is repeated on a schedule, and delivery retries with backoff. Claims are compare-and-sets, so
//! with several replicas every message still goes out once.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

use crate::domain::sla::State;
use crate::i18n::Lang;
use crate::model::Role;
use crate::ssr::entity::system_clock::{millis, moment};
use crate::ssr::entity::{
    alert_settings, client, membership, notification, state_change, system, system_clock, user,
};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::audit;
use crate::ssr::scope::Scope;
use crate::ssr::secrets;
use crate::ssr::service::Fields;
use crate::ssr::state::AppState;

pub use super::delivery::{signature, MAX_ATTEMPTS};

pub use crate::model::monitor::AlertSettingsView;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSettingsInput {
    pub emails: Option<Vec<String>>,
    pub notify_client: Option<bool>,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    pub reminder_minutes: Option<i64>,
    pub restore_test_days: Option<i64>,
    pub mail_language: Option<String>,
}

fn view(a: &alert_settings::Model) -> AlertSettingsView {
    AlertSettingsView {
        emails: serde_json::from_str(&a.emails).unwrap_or_default(),
        notify_client: a.notify_client,
        webhook_url: a.webhook_url.clone(),
        webhook_signed: !a.webhook_secret.is_empty(),
        reminder_minutes: a.reminder_minutes.max(0) as u32,
        restore_test_days: a.restore_test_days.max(1) as u32,
        mail_language: mail_lang(a).code().to_string(),
    }
}

fn defaults(msp_id: Uuid) -> alert_settings::Model {
    alert_settings::Model {
        msp_id,
        emails: "[]".into(),
        notify_client: false,
        webhook_url: String::new(),
        webhook_secret: String::new(),
        reminder_minutes: 240,
        restore_test_days: super::RESTORE_TEST_STALE_DAYS as i32,
        mail_language: Lang::En.code().to_string(),
        updated_at: Utc::now(),
    }
}

/// The language an MSP's e-mails are written in.
pub(crate) fn mail_lang(settings: &alert_settings::Model) -> Lang {
    Lang::parse(&settings.mail_language).unwrap_or(Lang::En)
}

pub(crate) async fn settings_of(
    db: &impl ConnectionTrait,
    scope: &Scope,
) -> AppResult<alert_settings::Model> {
    Ok(scope
        .select::<alert_settings::Entity>()
        .one(db)
        .await?
        .unwrap_or_else(|| defaults(scope.msp_id())))
}

/// The secret an MSP's webhook calls are signed with (empty: unsigned), opened from its sealed
/// form. `Err` says why it cannot be opened (a key missing after a rotation, a damaged value).
pub(super) async fn webhook_secret(
    state: &AppState,
    scope: &Scope,
) -> AppResult<Result<String, String>> {
    let row = settings_of(&state.db, scope).await?;
    Ok(state
        .secrets
        .open(&row.webhook_secret, &secrets::webhook_context(row.msp_id))
        .map_err(|e| e.to_string()))
}

/// Seals every stored webhook secret that is plain text or sealed with an older key, with the
/// current key; returns how many. A pass over every MSP's row, done at start and by
/// `lifeline rotate-secrets`; a value no key opens is left alone and reported.
pub async fn reseal_secrets(state: &AppState) -> AppResult<usize> {
    let mut done = 0;
    let all = Scope::all_tenants("key rotation: every MSP's sealed webhook secret");
    for row in all
        .select::<alert_settings::Entity>()
        .all(&state.db)
        .await?
    {
        if !state.secrets.needs_resealing(&row.webhook_secret) {
            continue;
        }
        let context = secrets::webhook_context(row.msp_id);
        let plain = match state.secrets.open(&row.webhook_secret, &context) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(msp = %row.msp_id, error = %e, "a webhook secret cannot be opened; left as it is");
                continue;
            }
        };
        let sealed = state.secrets.seal(&plain, &context);
        // Only if nobody changed it meanwhile.
        let n = all
            .update::<alert_settings::Entity>()
            .col_expr(alert_settings::Column::WebhookSecret, Expr::value(sealed))
            .filter(alert_settings::Column::MspId.eq(row.msp_id))
            .filter(alert_settings::Column::WebhookSecret.eq(row.webhook_secret.clone()))
            .exec(&state.db)
            .await?
            .rows_affected;
        done += n as usize;
    }
    Ok(done + crate::ssr::service::payments::reseal_keys(state).await?)
}

pub async fn get_settings(state: &AppState, scope: &Scope) -> AppResult<AlertSettingsView> {
    scope.require_msp_staff()?;
    Ok(view(&settings_of(&state.db, scope).await?))
}

pub async fn put_settings(
    state: &AppState,
    scope: &Scope,
    input: AlertSettingsInput,
) -> AppResult<AlertSettingsView> {
    scope.require_msp_staff()?;
    scope.require_admin()?;
    let mut row = settings_of(&state.db, scope).await?;
    let mut f = Fields::default();
    if let Some(list) = input.emails {
        let mut clean = Vec::new();
        for e in list {
            if let Some(e) = f.take(
                "emails",
                crate::domain::input::Email::parse(&e).map(|e| e.as_str().to_string()),
            ) {
                clean.push(e);
            }
        }
        row.emails = serde_json::to_string(&clean).unwrap_or_else(|_| "[]".into());
    }
    if let Some(v) = input.notify_client {
        row.notify_client = v;
    }
    if let Some(url) = input.webhook_url {
        let url = url.trim().to_string();
        let checked = if url.is_empty() {
            Ok(())
        } else if url.len() > 2000 {
            Err("must be at most 2000 characters")
        } else {
            crate::ssr::outbound::check_url(&url, state.settings.webhooks_allow_private)
                .await
                .map(|_| ())
        };
        if f.take("webhook_url", checked).is_some() {
            row.webhook_url = url;
        }
    }
    if let Some(secret) = input.webhook_secret {
        let ok = secret.is_empty() || (16..=200).contains(&secret.len());
        if f.take(
            "webhook_secret",
            if ok {
                Ok(())
            } else {
                Err("must be 16 to 200 characters")
            },
        )
        .is_some()
        {
            row.webhook_secret = state
                .secrets
                .seal(&secret, &secrets::webhook_context(scope.msp_id()));
        }
    }
    if let Some(m) = input.reminder_minutes {
        if let Some(m) = f.take(
            "reminder_minutes",
            if (0..=10_080).contains(&m) {
                Ok(m as i32)
            } else {
                Err("must be 0 (off) to 10080 (a week)")
            },
        ) {
            row.reminder_minutes = m;
        }
    }
    let proof_changed = match input.restore_test_days {
        Some(d) => match f.take(
            "restore_test_days",
            if (1..=3650).contains(&d) {
                Ok(d as i32)
            } else {
                Err("must be 1 to 3650 days")
            },
        ) {
            Some(d) if d != row.restore_test_days => {
                row.restore_test_days = d;
                true
            }
            _ => false,
        },
        None => false,
    };
    if let Some(code) = input.mail_language {
        if let Some(lang) = f.take(
            "mail_language",
            Lang::parse(code.trim()).ok_or("must be en (English) or nl (Dutch)"),
        ) {
            row.mail_language = lang.code().to_string();
        }
    }
    f.finish()?;
    row.updated_at = Utc::now();
    let exists = scope
        .select::<alert_settings::Entity>()
        .one(&state.db)
        .await?
        .is_some();
    let active = alert_settings::ActiveModel {
        msp_id: Set(scope.msp_id()),
        emails: Set(row.emails.clone()),
        notify_client: Set(row.notify_client),
        webhook_url: Set(row.webhook_url.clone()),
        webhook_secret: Set(row.webhook_secret.clone()),
        reminder_minutes: Set(row.reminder_minutes),
        restore_test_days: Set(row.restore_test_days),
        mail_language: Set(row.mail_language.clone()),
        updated_at: Set(row.updated_at),
    };
    let txn = state.begin_write().await?;
    if exists {
        active.update(&txn).await?;
    } else {
        active.insert(&txn).await?;
    }
    audit::record(
        &txn,
        audit::Entry::by(scope, "alerts.settings", "alert settings"),
    )
    .await?;
    txn.commit().await?;
    if proof_changed {
        // Every RTO state of the MSP may move with it.
        super::proof_window_changed(state, scope).await?;
    }
    Ok(view(&row))
}

/// Whom an alert about a client goes to, by e-mail.
pub(crate) async fn recipients(
    db: &impl ConnectionTrait,
    settings: &alert_settings::Model,
    client_id: Uuid,
) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = serde_json::from_str(&settings.emails).unwrap_or_default();
    let members = Scope::machine_msp(settings.msp_id)
        .select::<membership::Entity>()
        .filter(membership::Column::DisabledAt.is_null())
        .all(db)
        .await?;
    let wanted: Vec<Uuid> = members
        .iter()
        .filter(|m| {
            let role = Role::parse(&m.role);
            let staff = out.is_empty() && role.is_some_and(|r| r.is_msp_staff());
            let client_admin = settings.notify_client
                && m.client_id == Some(client_id)
                && role == Some(Role::ClientAdmin);
            staff || client_admin
        })
        .map(|m| m.user_id)
        .collect();
    if !wanted.is_empty() {
        let users = user::Entity::find()
            .filter(user::Column::Id.is_in(wanted))
            .all(db)
            .await?;
        out.extend(
            users
                .into_iter()
                .filter(|u| u.disabled_at.is_none() && u.password_hash.is_some())
                .map(|u| u.email),
        );
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[derive(Debug, Serialize)]
struct WebhookBody<'a> {
    event: &'a str,
    client: Named<'a>,
    system: Named<'a>,
    aspect: &'a str,
    from: &'a str,
    to: &'a str,
    at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
struct Named<'a> {
    id: Uuid,
    name: &'a str,
}

/// The words of alert e-mails, in each language an MSP can choose.
struct MailWords {
    /// ok, at risk, breached, unknown.
    states: [&'static str; 4],
    still: &'static str,
    recovered: &'static str,
    ok_again: &'static str,
    at: &'static str,
    is_now: &'static str,
    was: &'static str,
    since: &'static str,
    /// "{n} changes at {client}".
    changes_at: fn(usize, &str) -> String,
    /// "{n} breaches still open at {client}".
    still_open_at: fn(usize, &str) -> String,
}

const MAIL_EN: MailWords = MailWords {
    states: ["OK", "AT RISK", "BREACHED", "UNKNOWN"],
    still: "still",
    recovered: "recovered",
    ok_again: "OK again",
    at: "at",
    is_now: "is now",
    was: "was",
    since: "since",
    changes_at: |n, client| format!("{n} changes at {client}"),
    still_open_at: |n, client| format!("{n} breaches still open at {client}"),
};

const MAIL_NL: MailWords = MailWords {
    states: ["OK", "RISICO", "OVERSCHREDEN", "ONBEKEND"],
    still: "nog steeds",
    recovered: "hersteld",
    ok_again: "weer OK",
    at: "bij",
    is_now: "is nu",
    was: "was",
    since: "sinds",
    changes_at: |n, client| format!("{n} wijzigingen bij {client}"),
    still_open_at: |n, client| format!("{n} overschrijdingen nog open bij {client}"),
};

impl MailWords {
    fn of(lang: Lang) -> &'static MailWords {
        match lang {
            Lang::En => &MAIL_EN,
            Lang::Nl => &MAIL_NL,
        }
    }

    fn state(&self, s: &str) -> &'static str {
        match State::parse(s) {
            Some(State::Ok) => self.states[0],
            Some(State::AtRisk) => self.states[1],
            Some(State::Breached) => self.states[2],
            _ => self.states[3],
        }
    }
}

/// Whether a change is worth telling people: into trouble, or out of it.
fn alerting(from: &str, to: &str) -> bool {
    let (Some(from), Some(to)) = (State::parse(from), State::parse(to)) else {
        return false;
    };
    matches!(to, State::AtRisk | State::Breached)
        || (to == State::Ok && matches!(from, State::AtRisk | State::Breached))
}

struct Message<'a> {
    event: &'a str,
    client: &'a client::Model,
    system: &'a system::Model,
    aspect: &'a str,
    from: &'a str,
    to: &'a str,
    at: DateTime<Utc>,
}

/// Where a client's live status is, as a line for the end of an e-mail (none without a
/// public URL).
fn status_link(state: &AppState, client_id: Uuid) -> String {
    state
        .settings
        .public_url
        .as_deref()
        .map(|u| {
            format!(
                "\n\nStatus: {}/clients/{client_id}/status",
                u.trim_end_matches('/')
            )
        })
        .unwrap_or_default()
}

/// One change as the line of an e-mail: "File server at Bakery: RPO is now AT RISK (was OK)
/// since …"; a reminder reads "… RPO still BREACHED since …".
fn change_line(w: &MailWords, m: &Message<'_>) -> String {
    let what = if m.event == "reminder" {
        format!("{} {}", w.still, w.state(m.to))
    } else {
        format!(
            "{} {} ({} {})",
            w.is_now,
            w.state(m.to),
            w.was,
            w.state(m.from)
        )
    };
    format!(
        "{} {} {}: {} {what} {} {}.",
        m.system.name,
        w.at,
        m.client.name,
        m.aspect.to_uppercase(),
        w.since,
        m.at.format("%Y-%m-%d %H:%M UTC"),
    )
}

/// The subject and body of the e-mail about one message, in the MSP's language.
fn mail_one(
    state: &AppState,
    settings: &alert_settings::Model,
    m: &Message<'_>,
) -> (String, String) {
    let w = MailWords::of(mail_lang(settings));
    let what = m.aspect.to_uppercase();
    let (client, system) = (&m.client.name, &m.system.name);
    let subject = match m.event {
        "reminder" => format!(
            "[Lifeline] {} {}: {client} / {system} ({what})",
            w.still,
            w.state(m.to)
        ),
        _ if m.to == "ok" => format!(
            "[Lifeline] {}: {client} / {system} ({what} {})",
            w.recovered, w.ok_again
        ),
        _ => format!("[Lifeline] {}: {client} / {system} ({what})", w.state(m.to)),
    };
    let body = format!("{}{}\n", change_line(w, m), status_link(state, m.client.id));
    (subject, body)
}

/// Many changes of one client in one pass (an outage across a site, a storage target gone) make
/// one e-mail that lists them, not one e-mail each: the subject counts them by state.
fn mail_digest(
    state: &AppState,
    settings: &alert_settings::Model,
    client: &client::Model,
    messages: &[Message<'_>],
) -> (String, String) {
    let w = MailWords::of(mail_lang(settings));
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for m in messages {
        let word = if m.to == "ok" {
            w.recovered
        } else {
            w.state(m.to)
        };
        match counts.iter_mut().find(|(k, _)| *k == word) {
            Some((_, n)) => *n += 1,
            None => counts.push((word, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let tally: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let heading = if messages.iter().all(|m| m.event == "reminder") {
        w.still_open_at
    } else {
        w.changes_at
    };
    let subject = format!(
        "[Lifeline] {}: {}",
        heading(messages.len(), &client.name),
        tally.join(", ")
    );
    let mut body = String::new();
    for m in messages {
        body.push_str(&change_line(w, m));
        body.push('\n');
    }
    let link = status_link(state, client.id);
    if !link.is_empty() {
        body.push('\n');
        body.push_str(link.trim_start_matches('\n'));
        body.push('\n');
    }
    (subject, body)
}

/// Queues the signed webhook call for one message, if the MSP has a webhook.
async fn webhook(
    db: &impl ConnectionTrait,
    settings: &alert_settings::Model,
    m: &Message<'_>,
) -> AppResult<()> {
    if settings.webhook_url.is_empty() {
        return Ok(());
    }
    let payload = WebhookBody {
        event: m.event,
        client: Named {
            id: m.client.id,
            name: &m.client.name,
        },
        system: Named {
            id: m.system.id,
            name: &m.system.name,
        },
        aspect: m.aspect,
        from: m.from,
        to: m.to,
        at: m.at,
    };
    let json = serde_json::to_string(&payload).map_err(|e| AppError::Internal(e.into()))?;
    outbox_row(
        settings,
        m.client.id,
        "webhook",
        settings.webhook_url.clone(),
        m.event.to_string(),
        json,
    )
    .insert(db)
    .await?;
    Ok(())
}

/// A message waiting in the outbox, due at once.
fn outbox_row(
    settings: &alert_settings::Model,
    client_id: Uuid,
    channel: &str,
    target: String,
    subject: String,
    body: String,
) -> notification::ActiveModel {
    let now = Utc::now();
    notification::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(settings.msp_id),
        client_id: Set(client_id),
        channel: Set(channel.into()),
        target: Set(target),
        subject: Set(subject),
        body: Set(body),
        attempts: Set(0),
        next_attempt_at: Set(now),
        delivered_at: Set(None),
        last_error: Set(String::new()),
        created_at: Set(now),
    }
}

/// Puts an e-mail to everyone the MSP routes a client's news to into the outbox; returns how
/// many.
pub(super) async fn mail(
    db: &impl ConnectionTrait,
    settings: &alert_settings::Model,
    client_id: Uuid,
    subject: &str,
    body: &str,
) -> AppResult<usize> {
    let to = recipients(db, settings, client_id).await?;
    for address in &to {
        outbox_row(
            settings,
            client_id,
            "email",
            address.clone(),
            subject.into(),
            body.into(),
        )
        .insert(db)
        .await?;
    }
    Ok(to.len())
}

/// State changes claimed per transaction by `dispatch`.
const DISPATCH_BATCH: u64 = 500;

/// More alerting changes of one client than this in one batch are mailed as one digest.
pub const DIGEST_OVER: usize = 3;

/// Turns new state changes and due reminders into notifications. Returns how many it handled.
pub async fn dispatch(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let mut handled = 0;
    loop {
        let (claimed, told) = dispatch_batch(state, now).await?;
        handled += told;
        if claimed < DISPATCH_BATCH as usize {
            break;
        }
    }
    // Breaches that stay open are repeated, per the MSP's schedule.
    // Longest untold first, so with more open breaches than one pass takes, each gets its turn.
    let all = Scope::all_tenants("reminders: the open breaches of every tenant");
    let breached = all
        .select::<system_clock::Entity>()
        .filter(system_clock::Column::RpoState.eq(State::Breached.as_str()))
        .order_by_asc(Expr::cust("COALESCE(reminded_at, state_since)"))
        .order_by_asc(system_clock::Column::SystemId)
        .limit(1000)
        .all(&state.db)
        .await?;
    // One read of each MSP's routing per pass, not one per breached system.
    let mut routing: HashMap<Uuid, alert_settings::Model> = HashMap::new();
    let mut due = Vec::new();
    for s in breached {
        if let Entry::Vacant(e) = routing.entry(s.msp_id) {
            e.insert(settings_of(&state.db, &Scope::machine_msp(s.msp_id)).await?);
        }
        let settings = &routing[&s.msp_id];
        if settings.reminder_minutes <= 0 {
            continue;
        }
        let every = Duration::minutes(settings.reminder_minutes.into());
        // A breach that cleared and came back counts from its new start.
        let since = moment(s.reminded_at.unwrap_or(s.state_since).max(s.state_since));
        if now - since >= every {
            due.push(s);
        }
    }
    if due.is_empty() {
        return Ok(handled);
    }
    let _turn = state.write_turn().await;
    let txn = state.begin_write().await?;
    let mut by_client: BTreeMap<(Uuid, Uuid), Vec<Told>> = BTreeMap::new();
    for s in due {
        // Claim it: a compare-and-set on the version, so one replica repeats it.
        let claimed = all
            .update::<system_clock::Entity>()
            .col_expr(
                system_clock::Column::RemindedAt,
                Expr::value(Some(millis(now))),
            )
            .col_expr(system_clock::Column::Version, Expr::value(s.version + 1))
            .filter(system_clock::Column::SystemId.eq(s.system_id))
            .filter(system_clock::Column::Version.eq(s.version))
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if claimed {
            by_client
                .entry((s.msp_id, s.client_id))
                .or_default()
                .push(Told {
                    event: "reminder",
                    system_id: s.system_id,
                    aspect: "rpo".into(),
                    from: "breached".into(),
                    to: "breached".into(),
                    at: s.state_since_at(),
                });
        }
    }
    for ((msp_id, client_id), items) in by_client {
        handled += tell_client(&txn, state, &routing[&msp_id], client_id, &items).await?;
    }
    txn.commit().await?;
    Ok(handled)
}

/// One thing to tell about a system: a state change or a reminder of an open breach.
struct Told {
    event: &'static str,
    system_id: Uuid,
    aspect: String,
    from: String,
    to: String,
    at: DateTime<Utc>,
}

/// Queues what there is to tell about one client's systems, in the caller's transaction: an
/// e-mail each or, past `DIGEST_OVER`, one digest; and a webhook call each. Things about a
/// system deleted meanwhile are dropped. Returns how many were told.
async fn tell_client(
    db: &impl ConnectionTrait,
    state: &AppState,
    settings: &alert_settings::Model,
    client_id: Uuid,
    items: &[Told],
) -> AppResult<usize> {
    let scope = Scope::machine(settings.msp_id, client_id);
    let Some(cl) = scope.select::<client::Entity>().one(db).await? else {
        return Ok(0);
    };
    let ids: Vec<Uuid> = items.iter().map(|t| t.system_id).collect();
    let systems: HashMap<Uuid, system::Model> = scope
        .select::<system::Entity>()
        .filter(system::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let messages: Vec<Message> = items
        .iter()
        .filter_map(|t| {
            Some(Message {
                event: t.event,
                client: &cl,
                system: systems.get(&t.system_id)?,
                aspect: &t.aspect,
                from: &t.from,
                to: &t.to,
                at: t.at,
            })
        })
        .collect();
    if messages.len() > DIGEST_OVER {
        let (subject, body) = mail_digest(state, settings, &cl, &messages);
        mail(db, settings, client_id, &subject, &body).await?;
    } else {
        for m in &messages {
            let (subject, body) = mail_one(state, settings, m);
            mail(db, settings, client_id, &subject, &body).await?;
        }
    }
    for m in &messages {
        webhook(db, settings, m).await?;
    }
    Ok(messages.len())
}

/// Claims a batch of new state changes, oldest first, in one statement (on PostgreSQL skipping
/// rows another replica is claiming; the order is the unsent-changes index's, so no sort) and queues their messages: per client, an e-mail each or,
/// past `DIGEST_OVER`, one digest, and a webhook call each. Returns how many it claimed and how
/// many it told.
async fn dispatch_batch(state: &AppState, now: DateTime<Utc>) -> AppResult<(usize, usize)> {
    use crate::ssr::sql::placeholder;
    use sea_orm::{DbBackend, Value};
    let backend = state.db.get_database_backend();
    let skip_locked = if backend == DbBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    // Across tenants, like the evaluator: each row is then handled for its own MSP.
    let claim = format!(
        "UPDATE state_change SET notified_at = {} WHERE notified_at IS NULL AND id IN \
         (SELECT id FROM state_change WHERE notified_at IS NULL ORDER BY at LIMIT {}{skip_locked}) \
         RETURNING id, msp_id, client_id, system_id, aspect, from_state, to_state, at, notified_at",
        placeholder(backend, 1),
        placeholder(backend, 2)
    );
    let _turn = state.write_turn().await;
    let txn = state.begin_write().await?;
    let all = Scope::all_tenants("alert dispatch: claim new state changes of every tenant");
    let claimed = all
        .select::<state_change::Entity>()
        .from_raw_sql(all.statement(
            backend,
            claim,
            [Value::from(now), Value::from(DISPATCH_BATCH as i64)],
        ))
        .all(&txn)
        .await?;
    let looked = claimed.len();
    let mut by_client: BTreeMap<(Uuid, Uuid), Vec<Told>> = BTreeMap::new();
    for c in claimed {
        if alerting(&c.from_state, &c.to_state) {
            by_client
                .entry((c.msp_id, c.client_id))
                .or_default()
                .push(Told {
                    event: "state_changed",
                    system_id: c.system_id,
                    aspect: c.aspect,
                    from: c.from_state,
                    to: c.to_state,
                    at: c.at,
                });
        }
    }
    let mut told = 0;
    let mut routing: HashMap<Uuid, alert_settings::Model> = HashMap::new();
    for ((msp_id, client_id), items) in by_client {
        if let Entry::Vacant(e) = routing.entry(msp_id) {
            e.insert(settings_of(&txn, &Scope::machine_msp(msp_id)).await?);
        }
        told += tell_client(&txn, state, &routing[&msp_id], client_id, &items).await?;
    }
    txn.commit().await?;
    Ok((looked, told))
}
