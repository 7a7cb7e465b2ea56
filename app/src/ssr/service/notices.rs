//! Telling customers about an incident. A person drafts an update (from one of the plan's
//! message templates with the incident's facts filled in, or in their own words) for everyone
//! or for chosen customer groups; nothing reaches a customer until a person who runs the
//! incident approves it by publishing it. Publishing puts it on the client's status page and
//! mails it, in the same transaction, to the page's confirmed subscribers it is meant for.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, Set};
use serde::Deserialize;
use std::collections::HashSet;
use uuid::Uuid;

use crate::domain::customers::{fill, PLACEHOLDERS};
use crate::ids::ClientId;
use crate::model::incident::{Audience, NoticeDraft, UpdateView};
use crate::model::plan::{MessageTemplate, ServiceDesk};
use crate::ssr::entity::{
    client, customer_group, incident, incident_update, plan, status_page, status_subscriber,
};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::owned;
use crate::ssr::scope::Scope;
use crate::ssr::service::incidents::{actor, find, note, require_lead, CLOSED};
use crate::ssr::service::monitor::delivery;
use crate::ssr::state::AppState;

pub const PUBLISHED: &str = "this update is published already";
pub const DRILL: &str = "a drill's updates do not reach customers";
const MAX_BODY: usize = 5000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateInput {
    pub body: String,
    pub audience: Audience,
}

/// `{word}` left in a text: a placeholder nobody filled in (or a typo of one).
fn unfilled(text: &str) -> Option<String> {
    text.split('{').skip(1).find_map(|rest| {
        let (name, _) = rest.split_once('}')?;
        (!name.is_empty()
            && name.len() <= 30
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| format!("{{{name}}}"))
    })
}

fn audience_text(a: &Audience) -> String {
    match a {
        Audience::Public => "public".into(),
        Audience::Groups(g) => serde_json::to_string(g).unwrap_or_else(|_| "[]".into()),
    }
}

fn audience_of(row: &incident_update::Model) -> Audience {
    if row.audience == "public" {
        Audience::Public
    } else {
        Audience::Groups(serde_json::from_str(&row.audience).unwrap_or_default())
    }
}

/// The audience's customer groups by name (none when public).
fn names(audience: &Audience, groups: &[customer_group::Model]) -> Vec<String> {
    match audience {
        Audience::Public => Vec::new(),
        Audience::Groups(ids) => ids
            .iter()
            .filter_map(|id| groups.iter().find(|g| g.id == *id))
            .map(|g| g.name.clone())
            .collect(),
    }
}

fn view(
    row: incident_update::Model,
    groups: &[customer_group::Model],
    mailed: usize,
) -> UpdateView {
    let audience = audience_of(&row);
    let audience_names = names(&audience, groups);
    UpdateView {
        id: row.id,
        incident_id: row.incident_id,
        body: row.body,
        audience,
        audience_names,
        state: row.state,
        drafted_by: row.drafted_by,
        approved_by: row.approved_by.map(|_| row.approved_by_name),
        created_at: row.created_at,
        published_at: row.published_at,
        mailed,
    }
}

/// The incident's updates, newest first.
pub async fn list_of(
    db: &impl ConnectionTrait,
    scope: &Scope,
    i: &incident::Model,
) -> AppResult<Vec<UpdateView>> {
    let rows = scope
        .select::<incident_update::Entity>()
        .filter(incident_update::Column::IncidentId.eq(i.id))
        .order_by_desc(incident_update::Column::CreatedAt)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let groups =
        owned::of_client::<customer_group::Entity>(db, scope, ClientId::from(i.client_id)).await?;
    Ok(rows.into_iter().map(|r| view(r, &groups, 0)).collect())
}

pub async fn list(
    state: &AppState,
    scope: &Scope,
    incident_id: Uuid,
) -> AppResult<Vec<UpdateView>> {
    let i = find(&state.db, scope, incident_id).await?;
    list_of(&state.db, scope, &i).await
}

/// A draft: refused while it still holds a `{placeholder}`, names a group that is not the
/// client's, or the incident is closed or a drill.
pub async fn draft(
    state: &AppState,
    scope: &Scope,
    incident_id: Uuid,
    input: UpdateInput,
    now: DateTime<Utc>,
) -> AppResult<UpdateView> {
    let i = find(&state.db, scope, incident_id).await?;
    require_lead(scope)?;
    if i.state != "open" {
        return Err(AppError::Conflict(CLOSED.into()));
    }
    if i.drill {
        return Err(AppError::Conflict(DRILL.into()));
    }
    let body = input.body.trim().to_string();
    if body.is_empty() {
        return Err(AppError::field("body", "must not be empty"));
    }
    if body.chars().count() > MAX_BODY {
        return Err(AppError::field(
            "body",
            format!("must be at most {MAX_BODY} characters"),
        ));
    }
    if let Some(p) = unfilled(&body) {
        return Err(AppError::field(
            "body",
            format!("fill in {p} before it can reach customers"),
        ));
    }
    let groups =
        owned::of_client::<customer_group::Entity>(&state.db, scope, ClientId::from(i.client_id))
            .await?;
    let audience = match input.audience {
        Audience::Public => Audience::Public,
        Audience::Groups(ids) => {
            let mut seen = HashSet::new();
            let ids: Vec<Uuid> = ids.into_iter().filter(|id| seen.insert(*id)).collect();
            if ids.is_empty() {
                return Err(AppError::field(
                    "audience",
                    "name at least one customer group, or \"public\"",
                ));
            }
            if ids.iter().any(|id| !groups.iter().any(|g| g.id == *id)) {
                return Err(AppError::field(
                    "audience",
                    "names a customer group that is not in this client's plan",
                ));
            }
            Audience::Groups(ids)
        }
    };
    let who = actor(&state.db, scope).await?;
    let row = incident_update::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(i.msp_id),
        client_id: Set(i.client_id),
        incident_id: Set(i.id),
        body: Set(body),
        audience: Set(audience_text(&audience)),
        state: Set("draft".into()),
        drafted_by: Set(who.clone()),
        approved_by: Set(None),
        approved_by_name: Set(String::new()),
        published_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let txn = state.begin_write().await?;
    let row = row.insert(&txn).await?;
    note(&txn, &i, &who, "notice_drafted", serde_json::json!({}), now).await?;
    txn.commit().await?;
    Ok(view(row, &groups, 0))
}

/// Removes a draft nobody published.
pub async fn discard(
    state: &AppState,
    scope: &Scope,
    incident_id: Uuid,
    update_id: Uuid,
) -> AppResult<()> {
    let i = find(&state.db, scope, incident_id).await?;
    require_lead(scope)?;
    let gone = scope
        .delete::<incident_update::Entity>()
        .filter(incident_update::Column::Id.eq(update_id))
        .filter(incident_update::Column::IncidentId.eq(i.id))
        .filter(incident_update::Column::State.eq("draft"))
        .exec(&state.db)
        .await?;
    if gone.rows_affected == 0 {
        let exists = scope
            .select::<incident_update::Entity>()
            .filter(incident_update::Column::Id.eq(update_id))
            .filter(incident_update::Column::IncidentId.eq(i.id))
            .one(&state.db)
            .await?;
        return Err(match exists {
            Some(_) => AppError::Conflict(PUBLISHED.into()),
            None => AppError::NotFound,
        });
    }
    Ok(())
}

/// A person approves the draft: it is published on the status page and mailed to the
/// subscribers it is for, once.
pub async fn publish(
    state: &AppState,
    scope: &Scope,
    incident_id: Uuid,
    update_id: Uuid,
    base: &str,
    now: DateTime<Utc>,
) -> AppResult<UpdateView> {
    let i = find(&state.db, scope, incident_id).await?;
    require_lead(scope)?;
    if i.state != "open" {
        return Err(AppError::Conflict(CLOSED.into()));
    }
    let row = scope
        .select::<incident_update::Entity>()
        .filter(incident_update::Column::Id.eq(update_id))
        .filter(incident_update::Column::IncidentId.eq(i.id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let groups =
        owned::of_client::<customer_group::Entity>(&state.db, scope, ClientId::from(i.client_id))
            .await?;
    let who = actor(&state.db, scope).await?;
    let page = scope
        .select::<status_page::Entity>()
        .filter(status_page::Column::ClientId.eq(i.client_id))
        .one(&state.db)
        .await?;
    let audience = audience_of(&row);
    let txn = state.begin_write().await?;
    // Once, even when two people approve at the same moment.
    let took = scope
        .update::<incident_update::Entity>()
        .col_expr(incident_update::Column::State, Expr::value("published"))
        .col_expr(
            incident_update::Column::ApprovedBy,
            Expr::value(Some(scope.user_id())),
        )
        .col_expr(
            incident_update::Column::ApprovedByName,
            Expr::value(who.clone()),
        )
        .col_expr(incident_update::Column::PublishedAt, Expr::value(Some(now)))
        .col_expr(incident_update::Column::UpdatedAt, Expr::value(now))
        .filter(incident_update::Column::Id.eq(row.id))
        .filter(incident_update::Column::State.eq("draft"))
        .exec(&txn)
        .await?;
    if took.rows_affected == 0 {
        return Err(AppError::Conflict(PUBLISHED.into()));
    }
    let mut mailed = 0;
    if let Some(page) = &page {
        let readers = scope
            .select::<status_subscriber::Entity>()
            .filter(status_subscriber::Column::StatusPageId.eq(page.id))
            .filter(status_subscriber::Column::State.eq("confirmed"))
            .all(&txn)
            .await?;
        let base = base.trim_end_matches('/');
        let subject = format!("[{}] {}", page.title, i.title);
        for r in readers.iter().filter(|r| match &audience {
            Audience::Public => true,
            Audience::Groups(ids) => r.customer_group_id.is_some_and(|g| ids.contains(&g)),
        }) {
            let unsubscribe = format!(
                "{base}/status/{}/unsubscribe/{}",
                page.slug, r.unsubscribe_token
            );
            let text = format!(
                "{}\n\n{}: {base}/status/{}\n\nUnsubscribe / afmelden: {unsubscribe}\n",
                row.body, page.title, page.slug
            );
            delivery::queue_list_email(
                &txn,
                (i.msp_id, i.client_id),
                &r.email,
                &subject,
                &text,
                &unsubscribe,
            )
            .await?;
            mailed += 1;
        }
    }
    let names = names(&audience, &groups);
    note(
        &txn,
        &i,
        &who,
        "notice_published",
        serde_json::json!({ "groups": names, "mailed": mailed }),
        now,
    )
    .await?;
    txn.commit().await?;
    let row = incident_update::Model {
        state: "published".into(),
        approved_by: Some(scope.user_id()),
        approved_by_name: who,
        published_at: Some(now),
        updated_at: now,
        ..row
    };
    Ok(view(row, &groups, mailed))
}

/// The plan's message templates with the incident's facts filled in. A fact Lifeline cannot
/// know (who customers should contact, when no service desk is set) stays a `{placeholder}`,
/// which a draft refuses until a person fills it in.
pub async fn notices(
    db: &impl ConnectionTrait,
    scope: &Scope,
    i: &incident::Model,
    affected: &[String],
    now: DateTime<Utc>,
) -> AppResult<Vec<NoticeDraft>> {
    let Some(p) = scope
        .select::<plan::Entity>()
        .filter(plan::Column::ClientId.eq(i.client_id))
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    let templates: Vec<MessageTemplate> = serde_json::from_str(&p.messages).unwrap_or_default();
    if templates.is_empty() {
        return Ok(Vec::new());
    }
    let client_name = scope
        .select::<client::Entity>()
        .filter(client::Column::Id.eq(i.client_id))
        .one(db)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let desk: ServiceDesk = serde_json::from_str(&p.service_desk).unwrap_or_default();
    let contact = [desk.overflow_phone.trim(), desk.overflow_email.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let started = i.started_at.format("%Y-%m-%d %H:%M UTC").to_string();
    let next = (now + Duration::hours(1)).format("%H:%M UTC").to_string();
    let affected = affected.join(", ");
    let mut values: Vec<(&str, &str)> = vec![
        ("client", client_name.as_str()),
        ("incident", i.title.as_str()),
        ("started_at", started.as_str()),
        ("next_update", next.as_str()),
    ];
    if !affected.is_empty() {
        values.push(("affected", affected.as_str()));
    }
    if !contact.is_empty() {
        values.push(("contact", contact.as_str()));
    }
    debug_assert!(values.iter().all(|(k, _)| PLACEHOLDERS.contains(k)));
    let mut out: Vec<NoticeDraft> = templates
        .into_iter()
        .map(|t| NoticeDraft {
            kind: t.kind,
            subject: fill(&t.subject, &values),
            body: fill(&t.body, &values),
        })
        .collect();
    out.sort_by_key(|n| n.kind);
    Ok(out)
}

/// When the first update reached customers (for the checklist and the report).
pub fn first_published(updates: &[UpdateView]) -> Option<DateTime<Utc>> {
    updates.iter().filter_map(|u| u.published_at).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_left_placeholder_is_found_and_braces_in_prose_are_not() {
        assert_eq!(unfilled("Call {contact} today"), Some("{contact}".into()));
        assert_eq!(
            unfilled("Back at {next_updat}"),
            Some("{next_updat}".into())
        );
        assert_eq!(unfilled("A set {a, b} and {} and {x y}"), None);
        assert_eq!(unfilled("All systems are back."), None);
    }

    #[test]
    fn an_audience_is_public_or_a_list_of_groups() {
        let g = Uuid::from_u128(7);
        let a: Audience = serde_json::from_str("\"public\"").unwrap();
        assert_eq!(a, Audience::Public);
        let b: Audience = serde_json::from_str(&format!("[\"{g}\"]")).unwrap();
        assert_eq!(b, Audience::Groups(vec![g]));
        assert!(serde_json::from_str::<Audience>("\"everyone\"").is_err());
        assert_eq!(
            serde_json::to_string(&Audience::Public).unwrap(),
            "\"public\""
        );
    }
}
