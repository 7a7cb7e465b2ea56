//! The MSP's audit trail as its owners and admins read it: who did what, to which client,
//! when, from where and how it ended, newest first, a page at a time.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::model::{AuditEntryView, AuditPage};
use crate::ssr::entity::audit_log;
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::{clients, users};
use crate::ssr::scope::Scope;
use crate::ssr::state::AppState;

/// Entries per page unless asked for fewer; never more.
pub const PAGE: u64 = 100;

/// A page of the trail: entries older than `before` (the newest when `None`), at most `limit`,
/// of one client when `client` is given. Owners and admins only.
pub async fn trail(
    state: &AppState,
    scope: &Scope,
    before: Option<DateTime<Utc>>,
    client: Option<Uuid>,
    limit: Option<u64>,
) -> AppResult<AuditPage> {
    if !scope.role().runs_the_msp() {
        return Err(AppError::Forbidden(
            "only the MSP's owners and admins read its audit trail".into(),
        ));
    }
    let limit = limit.unwrap_or(PAGE).clamp(1, PAGE);
    let mut q = scope
        .select::<audit_log::Entity>()
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id)
        .limit(limit + 1);
    if let Some(before) = before {
        q = q.filter(audit_log::Column::At.lt(before));
    }
    if let Some(client) = client {
        q = q.filter(audit_log::Column::ClientId.eq(client));
    }
    let mut rows = q.all(&state.db).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let actors: HashMap<Uuid, String> =
        users::accounts(&state.db, rows.iter().filter_map(|r| r.actor_user_id))
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
    let client_names: HashMap<Uuid, String> = clients::list(&state.db, scope)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let entries: Vec<AuditEntryView> = rows
        .into_iter()
        .map(|r| AuditEntryView {
            at: r.at,
            actor: r.actor_user_id.and_then(|id| actors.get(&id).cloned()),
            client_id: r.client_id,
            client: r.client_id.and_then(|id| client_names.get(&id).cloned()),
            action: r.action,
            subject: r.subject,
            outcome: r.outcome,
            ip: r.ip,
        })
        .collect();
    let next_before = more.then(|| entries.last().map(|e| e.at)).flatten();
    Ok(AuditPage {
        entries,
        next_before,
    })
}
