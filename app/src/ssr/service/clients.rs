//! The MSP's clients: listing is open to every scope (a client user sees one), changes are MSP work.
use serde::Deserialize;
use uuid::Uuid;

use super::client_view;
use crate::domain::input::Name;
use crate::ids::ClientId;
use crate::model::{ClientView, UserView};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::{audit, clients, users};
use crate::ssr::scope::Scope;
use crate::ssr::state::AppState;

#[derive(Debug, Deserialize)]
pub struct NewClient {
    pub name: String,
    #[serde(default)]
    pub notes: String,
    /// A template to start the client's plan from (`builtin-en`, `builtin-nl` or an own template's id).
    #[serde(default)]
    pub template: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ClientPatch {
    pub name: Option<String>,
    pub notes: Option<String>,
    /// `true` archives the client (off the dashboard, its ingest tokens revoked, its systems
    /// no longer judged or alerted on); `false` brings it back.
    pub archived: Option<bool>,
}

fn notes(s: String) -> AppResult<String> {
    if s.chars().count() > 10_000 {
        Err(AppError::field("notes", "must be at most 10000 characters"))
    } else {
        Ok(s)
    }
}

pub async fn list(state: &AppState, scope: &Scope) -> AppResult<Vec<ClientView>> {
    Ok(clients::list(&state.db, scope)
        .await?
        .into_iter()
        .map(client_view)
        .collect())
}

pub async fn get(state: &AppState, scope: &Scope, id: ClientId) -> AppResult<ClientView> {
    clients::get(&state.db, scope, id).await.map(client_view)
}

pub async fn create(state: &AppState, scope: &Scope, input: NewClient) -> AppResult<ClientView> {
    scope.require_msp_staff()?;
    let name = Name::parse(&input.name).map_err(|e| AppError::field("name", e))?;
    let notes = notes(input.notes)?;
    use crate::ssr::service::plan::templates;

    // An unknown template is bad input, found before anything is created.
    let template = match &input.template {
        Some(t) => Some(
            templates::get(state, scope, t)
                .await
                .map_err(|_| AppError::field("template", "is not a template in your library"))?,
        ),
        None => None,
    };
    // The client, its plan from the template and the audit entry: all of it or nothing.
    let txn = state.begin_write().await?;
    let row = clients::create(&txn, scope, name.into_string(), notes).await?;
    if let Some(t) = template {
        templates::apply_in(&txn, scope, ClientId::from(row.id), t).await?;
    }
    audit::record(
        &txn,
        audit::Entry::by(scope, "client.create", row.name.clone()).client(row.id),
    )
    .await?;
    txn.commit().await?;
    crate::ssr::service::monitor::targets_changed(state, scope, ClientId::from(row.id)).await?;
    Ok(client_view(row))
}

pub async fn update(
    state: &AppState,
    scope: &Scope,
    id: ClientId,
    patch: ClientPatch,
) -> AppResult<ClientView> {
    let txn = state.begin_write().await?;
    // Existence first, so an out-of-scope id answers 404 before any permission question.
    let before = clients::get(&txn, scope, id).await?;
    scope.require_msp_staff()?;
    let name = patch
        .name
        .map(|n| {
            Name::parse(&n)
                .map(Name::into_string)
                .map_err(|e| AppError::field("name", e))
        })
        .transpose()?;
    let notes = patch.notes.map(notes).transpose()?;
    let row = clients::update(&txn, scope, id, name, notes).await?;
    if row.name != before.name || row.notes != before.notes {
        audit::record(
            &txn,
            audit::Entry::by(scope, "client.update", row.name.clone())
                .client(row.id)
                .detail(serde_json::json!({ "name_before": before.name })),
        )
        .await?;
    }
    let row = match (patch.archived, before.archived_at) {
        (Some(true), None) => archive(&txn, scope, id).await?,
        (Some(false), Some(_)) => clients::set_archived(&txn, scope, id, None).await?,
        _ => row,
    };
    if row.archived_at != before.archived_at {
        let action = if row.archived_at.is_some() {
            "client.archive"
        } else {
            "client.restore"
        };
        audit::record(
            &txn,
            audit::Entry::by(scope, action, row.name.clone()).client(row.id),
        )
        .await?;
    }
    txn.commit().await?;
    // Archived, its tokens and heartbeats stop on this replica now, not when the cache expires;
    // restored, its heartbeats count again at once.
    state.ingest_cache.forget_tokens_of(id.uuid());
    state.ingest_cache.forget_client(id.uuid());
    Ok(client_view(row))
}

/// Archives a client: its ingest tokens are revoked and its systems' clock rows removed, so
/// nothing is judged, alerted on or reminded of any more, and its subscriptions end (Stripe's
/// are canceled); plan, events and history stay. Its
/// heartbeats are refused while it is archived. Brought back, its systems are judged again from
/// the next report (a new ingest token, or a heartbeat).
async fn archive(
    db: &impl sea_orm::ConnectionTrait,
    scope: &Scope,
    id: ClientId,
) -> AppResult<crate::ssr::entity::client::Model> {
    use crate::ssr::entity::{ingest_token, system_clock};
    use sea_orm::{ColumnTrait, QueryFilter};
    let now = chrono::Utc::now();
    scope
        .update::<ingest_token::Entity>()
        .col_expr(
            ingest_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .filter(ingest_token::Column::ClientId.eq(id.uuid()))
        .filter(ingest_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    scope
        .delete::<system_clock::Entity>()
        .filter(system_clock::Column::ClientId.eq(id.uuid()))
        .exec(db)
        .await?;
    super::payments::end_subscriptions(db, scope, id.uuid(), now).await?;
    clients::set_archived(db, scope, id, Some(now)).await
}

pub async fn delete(state: &AppState, scope: &Scope, id: ClientId) -> AppResult<()> {
    clients::get(&state.db, scope, id).await?;
    scope.require_msp_staff()?;

    let txn = state.begin_write().await?;
    // Nothing goes on billing a client that is gone.
    super::payments::end_subscriptions(&txn, scope, id.uuid(), chrono::Utc::now()).await?;
    let row = clients::delete(&txn, scope, id).await?;
    // The audit trail keeps no key to the client, so the entry outlives it.
    audit::record(
        &txn,
        audit::Entry::by(scope, "client.delete", row.name).client(row.id),
    )
    .await?;
    txn.commit().await?;
    // Its tokens and systems stop counting on this replica now, not when the cache expires.
    state.ingest_cache.forget_tokens_of(id.uuid());
    state.ingest_cache.forget_client(id.uuid());
    Ok(())
}

/// The people of a client: its users, and those invited who have not accepted yet.
pub async fn users_of(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<Vec<UserView>> {
    use crate::ssr::entity::invitation;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    clients::get(&state.db, scope, client_id).await?;
    let mut out: Vec<UserView> = users::list_for_client(&state.db, scope, client_id.uuid())
        .await?
        .iter()
        .map(|(u, m)| super::member_view(u, m))
        .collect();
    let pending = scope
        .select::<invitation::Entity>()
        .filter(invitation::Column::ClientId.eq(client_id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .order_by_asc(invitation::Column::Name)
        .all(&state.db)
        .await?;
    out.extend(pending.iter().map(super::invites::pending_view));
    Ok(out)
}

/// Disables a user of the caller's tenant and ends all their sessions; for someone invited who
/// has not accepted yet, withdraws the invitation. The audit entry is part of the change.
pub async fn disable_user(state: &AppState, scope: &Scope, user_id: Uuid) -> AppResult<()> {
    let (user, member) = match users::get_in_scope(&state.db, scope, user_id).await {
        Ok(found) => found,
        Err(AppError::NotFound) => {
            return if super::invites::withdraw(state, scope, user_id).await? {
                Ok(())
            } else {
                Err(AppError::NotFound)
            };
        }
        Err(e) => return Err(e),
    };
    scope.require_admin()?;
    if user.id == scope.user_id() {
        return Err(AppError::Conflict(
            "you cannot disable your own account".into(),
        ));
    }
    super::staff::may_disable(scope, &member)?;
    let _turn = state.write_turn().await;
    let txn = state.begin_write().await?;
    super::staff::keep_an_owner(&txn, scope, &member).await?;
    users::disable_membership(&txn, scope, &member).await?;
    audit::record(
        &txn,
        audit::Entry::by(scope, "user.disable", user.email.clone())
            .detail(serde_json::json!({ "user_id": user.id })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
