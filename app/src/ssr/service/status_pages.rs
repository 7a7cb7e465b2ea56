//! A client's public status page. The MSP sets its title, slug (unguessable unless it chooses
//! one) and components (named groups of systems); each customer group gets a private link that
//! shows the public updates and its own. The public reads the page without a login: component
//! states and approved, published updates, nothing else of the plan (no people, no numbers).
//! Readers subscribe by e-mail with a double opt-in; every mail carries a one-click unsubscribe.
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Deserialize;
use std::collections::HashSet;
use uuid::Uuid;

use crate::domain::input::Email;
use crate::i18n::Lang;
use crate::ids::ClientId;
use crate::model::incident::{
    ComponentView, GroupLink, PublicComponent, PublicIncident, PublicStatus, PublicUpdate,
    StatusPageView,
};
use crate::ssr::auth::{random_token, sha256_hex};
use crate::ssr::entity::{
    client, customer_group, incident, incident_system, incident_update, status_audience,
    status_page, status_subscriber, system,
};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::{audit, clients, owned};
use crate::ssr::scope::Scope;
use crate::ssr::service::incidents::{conflict_if_unique, require_lead};
use crate::ssr::service::monitor::{alerts, delivery};
use crate::ssr::state::AppState;

pub const SLUG_TAKEN: &str = "this address is taken by another status page";
const MAX_COMPONENTS: usize = 50;
/// Closed incidents stay in the page's history this long.
const HISTORY_DAYS: i64 = 90;
/// A confirmation link is good for a week.
const CONFIRM_DAYS: i64 = 7;
/// Asked again within this time, an address gets no second confirmation mail.
const RESEND_MINUTES: i64 = 10;
/// Confirmation mails one page sends per hour at most: a public form must not become a way to
/// flood strangers' mailboxes.
const CONFIRMATIONS_PER_HOUR: u64 = 60;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentInput {
    pub name: String,
    #[serde(default)]
    pub system_ids: Vec<Uuid>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusPageInput {
    #[serde(default)]
    pub slug: Option<String>,
    pub title: String,
    #[serde(default)]
    pub components: Vec<ComponentInput>,
}

/// 128 random bits, as 32 lowercase hex characters: safe in a URL and not to be guessed.
fn unguessable() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// A slug the MSP chooses: 3 to 64 of a-z, 0-9 and inner hyphens.
fn check_slug(s: &str) -> Result<String, &'static str> {
    let s = s.trim().to_ascii_lowercase();
    let ok = (3..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(s)
    } else {
        Err("must be 3 to 64 letters a-z, digits and hyphens (not first or last)")
    }
}

fn components_of(p: &status_page::Model) -> Vec<ComponentView> {
    serde_json::from_str(&p.components).unwrap_or_default()
}

/// The client's status page, if it has one.
async fn page_of(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client: ClientId,
) -> AppResult<Option<status_page::Model>> {
    Ok(scope
        .select::<status_page::Entity>()
        .filter(status_page::Column::ClientId.eq(Uuid::from(client)))
        .one(db)
        .await?)
}

/// Every customer group's private key, made for those that have none yet.
async fn audience_keys(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client: ClientId,
    groups: &[customer_group::Model],
) -> AppResult<Vec<status_audience::Model>> {
    use sea_orm::sea_query::OnConflict;
    use sea_orm::EntityTrait;
    let keys = owned::of_client::<status_audience::Entity>(db, scope, client).await?;
    let missing: Vec<status_audience::ActiveModel> = groups
        .iter()
        .filter(|g| !keys.iter().any(|k| k.customer_group_id == g.id))
        .map(|g| status_audience::ActiveModel {
            id: Set(Uuid::new_v4()),
            msp_id: Set(g.msp_id),
            client_id: Set(g.client_id),
            customer_group_id: Set(g.id),
            key: Set(unguessable()),
            created_at: Set(Utc::now()),
        })
        .collect();
    if missing.is_empty() {
        return Ok(keys);
    }
    // Two readers at once make the same group's key once (the other's insert does nothing).
    status_audience::Entity::insert_many(missing)
        .on_conflict(
            OnConflict::column(status_audience::Column::CustomerGroupId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    owned::of_client::<status_audience::Entity>(db, scope, client).await
}

async fn view(
    db: &impl ConnectionTrait,
    scope: &Scope,
    p: status_page::Model,
) -> AppResult<StatusPageView> {
    let client = ClientId::from(p.client_id);
    let groups = owned::of_client::<customer_group::Entity>(db, scope, client).await?;
    let keys = audience_keys(db, scope, client, &groups).await?;
    let path = format!("/status/{}", p.slug);
    let count = |state: &'static str| {
        scope
            .select::<status_subscriber::Entity>()
            .filter(status_subscriber::Column::StatusPageId.eq(p.id))
            .filter(status_subscriber::Column::State.eq(state))
            .count(db)
    };
    let subscribers = count("confirmed").await? as usize;
    let pending_subscribers = count("pending").await? as usize;
    Ok(StatusPageView {
        client_id: p.client_id,
        components: components_of(&p),
        group_links: groups
            .iter()
            .filter_map(|g| {
                let k = keys.iter().find(|k| k.customer_group_id == g.id)?;
                Some(GroupLink {
                    group_id: g.id,
                    name: g.name.clone(),
                    path: format!("{path}?audience={}", k.key),
                })
            })
            .collect(),
        path,
        slug: p.slug,
        title: p.title,
        subscribers,
        pending_subscribers,
    })
}

/// The client's status page as set up (404 while it has none).
pub async fn get(state: &AppState, scope: &Scope, client: ClientId) -> AppResult<StatusPageView> {
    clients::get(&state.db, scope, client).await?;
    let p = page_of(&state.db, scope, client)
        .await?
        .ok_or(AppError::NotFound)?;
    let txn = state.begin_write().await?;
    let v = view(&txn, scope, p).await?;
    txn.commit().await?;
    Ok(v)
}

/// Sets the client's status page up, or changes it.
pub async fn put(
    state: &AppState,
    scope: &Scope,
    client: ClientId,
    input: StatusPageInput,
    now: DateTime<Utc>,
) -> AppResult<StatusPageView> {
    let c = clients::get(&state.db, scope, client).await?;
    require_lead(scope)?;
    let title = input.title.trim().to_string();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::field("title", "must be 1 to 200 characters"));
    }
    let slug = match input
        .slug
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(check_slug(s).map_err(|m| AppError::field("slug", m))?),
        None => None,
    };
    if input.components.len() > MAX_COMPONENTS {
        return Err(AppError::field(
            "components",
            format!("at most {MAX_COMPONENTS}"),
        ));
    }
    let systems: HashSet<Uuid> = owned::of_client::<system::Entity>(&state.db, scope, client)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let mut components = Vec::new();
    for c in input.components {
        let name = c.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::field(
                "components",
                "a name must be 1 to 100 characters",
            ));
        }
        if c.system_ids.iter().any(|s| !systems.contains(s)) {
            return Err(AppError::field(
                "components",
                "names a system that is not in this client's plan",
            ));
        }
        let mut seen = HashSet::new();
        let system_ids = c
            .system_ids
            .into_iter()
            .filter(|s| seen.insert(*s))
            .collect();
        components.push(ComponentView { name, system_ids });
    }
    let components = serde_json::to_string(&components).map_err(anyhow::Error::from)?;
    let txn = state.begin_write().await?;
    let existing = page_of(&txn, scope, client).await?;
    if let Some(s) = &slug {
        let all = Scope::all_tenants("status page slugs are unique across every tenant");
        let holder = all
            .select::<status_page::Entity>()
            .filter(status_page::Column::Slug.eq(s.as_str()))
            .one(&txn)
            .await?;
        if holder.is_some_and(|h| Some(h.id) != existing.as_ref().map(|e| e.id)) {
            return Err(AppError::Conflict(SLUG_TAKEN.into()));
        }
    }
    let row = match existing {
        Some(p) => {
            let mut a: status_page::ActiveModel = p.into();
            if let Some(s) = slug {
                a.slug = Set(s);
            }
            a.title = Set(title);
            a.components = Set(components);
            a.updated_at = Set(now);
            a.update(&txn)
                .await
                .map_err(|e| conflict_if_unique(e, SLUG_TAKEN))?
        }
        None => {
            status_page::ActiveModel {
                id: Set(Uuid::new_v4()),
                msp_id: Set(c.msp_id),
                client_id: Set(c.id),
                slug: Set(slug.unwrap_or_else(unguessable)),
                title: Set(title),
                components: Set(components),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await
            // Two pages asked for the same slug, or two first saves of one client, at once.
            .map_err(|e| conflict_if_unique(e, SLUG_TAKEN))?
        }
    };
    audit::record(
        &txn,
        audit::Entry::by(scope, "status_page.set", c.name.clone())
            .client(c.id)
            .detail(serde_json::json!({ "slug": row.slug })),
    )
    .await?;
    let v = view(&txn, scope, row).await?;
    txn.commit().await?;
    Ok(v)
}

/// A page found by its slug, with the audience a private key opens (`None`: unknown slug, or
/// a key that is not this page's).
pub struct Found {
    pub page: status_page::Model,
    pub group: Option<Uuid>,
    /// The language the MSP writes its mails in.
    pub lang: Lang,
}

pub async fn find(state: &AppState, slug: &str, key: Option<&str>) -> AppResult<Option<Found>> {
    if slug.len() > 64 || key.is_some_and(|k| k.len() > 64) {
        return Ok(None);
    }
    let all = Scope::all_tenants("public status page: the slug is the address");
    let Some(page) = all
        .select::<status_page::Entity>()
        .filter(status_page::Column::Slug.eq(slug))
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let machine = Scope::machine(page.msp_id, page.client_id);
    // An archived client's page is gone with it.
    let live = machine
        .select::<client::Entity>()
        .filter(client::Column::Id.eq(page.client_id))
        .one(&state.db)
        .await?
        .is_some_and(|c| c.archived_at.is_none());
    if !live {
        return Ok(None);
    }
    let group = match key.filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => match machine
            .select::<status_audience::Entity>()
            .filter(status_audience::Column::Key.eq(k))
            .one(&state.db)
            .await?
        {
            Some(a) => Some(a.customer_group_id),
            None => return Ok(None),
        },
    };
    let settings = alerts::settings_of(&state.db, &Scope::machine_msp(page.msp_id)).await?;
    Ok(Some(Found {
        page,
        group,
        lang: alerts::mail_lang(&settings),
    }))
}

fn visible(u: &incident_update::Model, group: Option<Uuid>) -> bool {
    u.audience == "public"
        || group.is_some_and(|g| {
            serde_json::from_str::<Vec<Uuid>>(&u.audience)
                .unwrap_or_default()
                .contains(&g)
        })
}

/// What the public (or a group, through its private link) reads: component states and the
/// published updates meant for it. An incident shows only once a person published an update
/// it may read; a drill never does.
pub async fn public(
    state: &AppState,
    found: &Found,
    now: DateTime<Utc>,
) -> AppResult<PublicStatus> {
    let p = &found.page;
    let machine = Scope::machine(p.msp_id, p.client_id);
    let since = now - Duration::days(HISTORY_DAYS);
    // Public updates, and those naming the reader's group (its id inside the JSON list).
    let mut audience =
        sea_orm::Condition::any().add(incident_update::Column::Audience.eq("public"));
    if let Some(g) = found.group {
        audience = audience.add(incident_update::Column::Audience.contains(g.to_string()));
    }
    let updates = machine
        .select::<incident_update::Entity>()
        .filter(incident_update::Column::ClientId.eq(p.client_id))
        .filter(incident_update::Column::State.eq("published"))
        .filter(audience)
        .filter(incident_update::Column::PublishedAt.gte(since))
        .order_by_desc(incident_update::Column::PublishedAt)
        .limit(500)
        .all(&state.db)
        .await?;
    let updates: Vec<incident_update::Model> = updates
        .into_iter()
        .filter(|u| visible(u, found.group))
        .collect();
    let ids: Vec<Uuid> = {
        let mut seen = HashSet::new();
        updates
            .iter()
            .map(|u| u.incident_id)
            .filter(|id| seen.insert(*id))
            .collect()
    };
    let incidents = if ids.is_empty() {
        Vec::new()
    } else {
        machine
            .select::<incident::Entity>()
            .filter(incident::Column::Id.is_in(ids.clone()))
            .filter(incident::Column::Drill.eq(false))
            .all(&state.db)
            .await?
    };
    let open: Vec<Uuid> = incidents
        .iter()
        .filter(|i| i.state == "open")
        .map(|i| i.id)
        .collect();
    // Down: a system of an open incident the reader has been told about, not yet recovered.
    let down: HashSet<Uuid> = if open.is_empty() {
        HashSet::new()
    } else {
        machine
            .select::<incident_system::Entity>()
            .filter(incident_system::Column::IncidentId.is_in(open))
            .filter(incident_system::Column::RecoveredAt.is_null())
            .all(&state.db)
            .await?
            .into_iter()
            .map(|s| s.system_id)
            .collect()
    };
    let components = components_of(p)
        .into_iter()
        .map(|c| {
            let hit = c.system_ids.iter().filter(|s| down.contains(s)).count();
            let state = if hit == 0 {
                "operational"
            } else if hit == c.system_ids.len() {
                "outage"
            } else {
                "degraded"
            };
            PublicComponent {
                name: c.name,
                state: state.into(),
            }
        })
        .collect();
    let mut out: Vec<PublicIncident> = ids
        .iter()
        .filter_map(|id| incidents.iter().find(|i| i.id == *id))
        .map(|i| PublicIncident {
            title: i.title.clone(),
            state: i.state.clone(),
            started_at: i.started_at,
            closed_at: i.closed_at,
            updates: updates
                .iter()
                .filter(|u| u.incident_id == i.id)
                .filter_map(|u| {
                    Some(PublicUpdate {
                        body: u.body.clone(),
                        published_at: u.published_at?,
                    })
                })
                .collect(),
        })
        .collect();
    // Open incidents first, then the newest.
    out.sort_by_key(|i| (i.state != "open", std::cmp::Reverse(i.started_at)));
    Ok(PublicStatus {
        title: p.title.clone(),
        components,
        incidents: out,
    })
}

fn mail_text(lang: Lang, title: &str, link: &str) -> (String, String) {
    match lang {
        Lang::Nl => (
            format!("Bevestig uw aanmelding: {title}"),
            format!("U (of iemand met uw adres) wilt berichten van de statuspagina \"{title}\" per e-mail ontvangen.\n\nBevestig hier: {link}\n\nDeze link werkt {CONFIRM_DAYS} dagen. Was u het niet? Dan hoeft u niets te doen: zonder bevestiging sturen we niets meer.\n"),
        ),
        Lang::En => (
            format!("Confirm your subscription: {title}"),
            format!("You (or someone with your address) asked for the updates of the status page \"{title}\" by e-mail.\n\nConfirm here: {link}\n\nThis link works for {CONFIRM_DAYS} days. Not you? Do nothing: without a confirmation we send nothing more.\n"),
        ),
    }
}

/// Someone asks for the page's updates by e-mail: a confirmation mail goes out (double opt-in).
/// The answer is the same whether the address was new, pending or confirmed already.
pub async fn subscribe(
    state: &AppState,
    found: &Found,
    email: &str,
    base: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
    let p = &found.page;
    let machine = Scope::machine(p.msp_id, p.client_id);
    let txn = state.begin_write().await?;
    let existing = machine
        .select::<status_subscriber::Entity>()
        .filter(status_subscriber::Column::StatusPageId.eq(p.id))
        .filter(status_subscriber::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?;
    if let Some(s) = &existing {
        if s.state == "confirmed" {
            // Confirmed stays as it is: a stranger with another group's link must not move
            // someone's subscription without them.
            return Ok(());
        }
        if now - s.mailed_at < Duration::minutes(RESEND_MINUTES) {
            return Ok(());
        }
    }
    let recent = machine
        .select::<status_subscriber::Entity>()
        .filter(status_subscriber::Column::StatusPageId.eq(p.id))
        .filter(status_subscriber::Column::State.eq("pending"))
        .filter(status_subscriber::Column::MailedAt.gt(now - Duration::hours(1)))
        .count(&txn)
        .await?;
    if recent >= CONFIRMATIONS_PER_HOUR {
        tracing::warn!(page = %p.id, "status page subscriptions throttled");
        return Err(AppError::TooManyRequests);
    }
    let token = random_token();
    match existing {
        Some(s) => {
            machine
                .update::<status_subscriber::Entity>()
                .col_expr(
                    status_subscriber::Column::ConfirmHash,
                    Expr::value(Some(sha256_hex(&token))),
                )
                .col_expr(status_subscriber::Column::MailedAt, Expr::value(now))
                .col_expr(
                    status_subscriber::Column::CustomerGroupId,
                    Expr::value(found.group.or(s.customer_group_id)),
                )
                .filter(status_subscriber::Column::Id.eq(s.id))
                .exec(&txn)
                .await?;
        }
        None => {
            use sea_orm::sea_query::OnConflict;
            use sea_orm::EntityTrait;
            let row = status_subscriber::ActiveModel {
                id: Set(Uuid::new_v4()),
                msp_id: Set(p.msp_id),
                client_id: Set(p.client_id),
                status_page_id: Set(p.id),
                email: Set(email.as_str().to_string()),
                customer_group_id: Set(found.group),
                state: Set("pending".into()),
                confirm_hash: Set(Some(sha256_hex(&token))),
                unsubscribe_token: Set(random_token()),
                mailed_at: Set(now),
                confirmed_at: Set(None),
                created_at: Set(now),
            };
            // The same address asked twice at once: the first one mails.
            let added = status_subscriber::Entity::insert(row)
                .on_conflict(
                    OnConflict::columns([
                        status_subscriber::Column::StatusPageId,
                        status_subscriber::Column::Email,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
            if added == 0 {
                return Ok(());
            }
        }
    }
    let link = format!(
        "{}/status/{}/confirm/{token}",
        base.trim_end_matches('/'),
        p.slug
    );
    let (subject, body) = mail_text(found.lang, &p.title, &link);
    // The link is the subscription: sealed at rest like the other one-time links.
    delivery::queue_sealed_email(
        &txn,
        state,
        (p.msp_id, p.client_id),
        email.as_str(),
        &subject,
        &body,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// What a subscriber's link leads to.
pub enum Subscription {
    Unknown,
    /// Pending, waiting for the button.
    Pending {
        title: String,
    },
    /// Confirmed (now, or before), or removed.
    Done {
        title: String,
    },
}

/// Which of a subscriber's links a token is.
#[derive(Clone, Copy)]
enum Token {
    /// The confirmation mail's (kept hashed; a week old at most).
    Confirm(DateTime<Utc>),
    Unsubscribe,
}

/// The page and subscriber a link names (`None`: unknown, used, or expired).
async fn subscriber_by(
    state: &AppState,
    slug: &str,
    token: &str,
    kind: Token,
) -> AppResult<Option<(status_page::Model, status_subscriber::Model)>> {
    let Some(found) = find(state, slug, None).await? else {
        return Ok(None);
    };
    if token.len() > 100 {
        return Ok(None);
    }
    let by = match kind {
        Token::Confirm(_) => status_subscriber::Column::ConfirmHash.eq(sha256_hex(token)),
        Token::Unsubscribe => status_subscriber::Column::UnsubscribeToken.eq(token),
    };
    let s = Scope::machine(found.page.msp_id, found.page.client_id)
        .select::<status_subscriber::Entity>()
        .filter(status_subscriber::Column::StatusPageId.eq(found.page.id))
        .filter(by)
        .one(&state.db)
        .await?
        .filter(|s| match kind {
            Token::Confirm(now) => now - s.mailed_at < Duration::days(CONFIRM_DAYS),
            Token::Unsubscribe => true,
        });
    Ok(s.map(|s| (found.page, s)))
}

pub async fn peek_confirm(
    state: &AppState,
    slug: &str,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Subscription> {
    Ok(
        match subscriber_by(state, slug, token, Token::Confirm(now)).await? {
            Some((p, _)) => Subscription::Pending { title: p.title },
            None => Subscription::Unknown,
        },
    )
}

/// The subscriber presses the button in the confirmation mail's page.
pub async fn confirm(
    state: &AppState,
    slug: &str,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Subscription> {
    let Some((p, s)) = subscriber_by(state, slug, token, Token::Confirm(now)).await? else {
        return Ok(Subscription::Unknown);
    };
    let machine = Scope::machine(p.msp_id, p.client_id);
    let took = machine
        .update::<status_subscriber::Entity>()
        .col_expr(status_subscriber::Column::State, Expr::value("confirmed"))
        .col_expr(
            status_subscriber::Column::ConfirmHash,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            status_subscriber::Column::ConfirmedAt,
            Expr::value(Some(now)),
        )
        .filter(status_subscriber::Column::Id.eq(s.id))
        .filter(status_subscriber::Column::ConfirmHash.is_not_null())
        .exec(&state.db)
        .await?;
    Ok(if took.rows_affected == 0 {
        Subscription::Unknown
    } else {
        Subscription::Done { title: p.title }
    })
}

pub async fn peek_unsubscribe(
    state: &AppState,
    slug: &str,
    token: &str,
) -> AppResult<Subscription> {
    Ok(
        match subscriber_by(state, slug, token, Token::Unsubscribe).await? {
            Some((p, _)) => Subscription::Pending { title: p.title },
            None => Subscription::Unknown,
        },
    )
}

/// One press (or a mail program's one-click POST): the address is forgotten.
pub async fn unsubscribe(state: &AppState, slug: &str, token: &str) -> AppResult<Subscription> {
    let Some((p, s)) = subscriber_by(state, slug, token, Token::Unsubscribe).await? else {
        return Ok(Subscription::Unknown);
    };
    Scope::machine(p.msp_id, p.client_id)
        .delete::<status_subscriber::Entity>()
        .filter(status_subscriber::Column::Id.eq(s.id))
        .exec(&state.db)
        .await?;
    Ok(Subscription::Done { title: p.title })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_and_generated_ones_unguessable() {
        assert_eq!(check_slug(" Acme-Status ").unwrap(), "acme-status");
        for bad in [
            "ab",
            "-acme",
            "acme-",
            "acme status",
            "acme/x",
            "äcme",
            &"a".repeat(65),
        ] {
            assert!(check_slug(bad).is_err(), "{bad}");
        }
        let s = unguessable();
        assert_eq!(s.len(), 32);
        assert!(check_slug(&s).is_ok());
        assert_ne!(s, unguessable());
    }
}
