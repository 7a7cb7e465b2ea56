//! Business processes: the business impact analysis, where clients agree RTO and RPO.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, Set};
use serde::Deserialize;
use std::collections::HashSet;
use uuid::Uuid;

use super::input::{self, nullable};
use super::{systems::link_process, Links};
use crate::ids::{ClientId, ProcessId};
use crate::model::plan::ProcessView;
use crate::ssr::entity::{process, process_system, system};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::{audit, clients, owned};
use crate::ssr::scope::Scope;
use crate::ssr::service::Fields;
use crate::ssr::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub impact_hour: Option<String>,
    pub impact_day: Option<String>,
    pub impact_week: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub rto_minutes: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub rpo_minutes: Option<Option<i64>>,
    /// The systems this process needs.
    pub systems: Option<Vec<Uuid>>,
}

pub async fn list(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<Vec<ProcessView>> {
    clients::get(&state.db, scope, client_id).await?;
    let links = Links::load(&state.db, scope, client_id).await?;
    let mut rows = links.processes.clone();
    rows.sort_by_key(|r| r.name.to_lowercase());
    Ok(rows.into_iter().map(|p| links.process_view(p)).collect())
}

pub async fn get(state: &AppState, scope: &Scope, id: ProcessId) -> AppResult<ProcessView> {
    let row = owned::get::<process::Entity>(&state.db, scope, id).await?;
    let links = Links::load(&state.db, scope, ClientId::from(row.client_id)).await?;
    Ok(links.process_view(row))
}

pub async fn create(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    input: ProcessInput,
) -> AppResult<ProcessView> {
    let client = clients::get(&state.db, scope, client_id).await?;
    scope.require_plan_editor()?;
    if input.name.is_none() {
        return Err(AppError::field("name", "is required"));
    }
    let now = Utc::now();
    let row = process::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(scope.msp_id()),
        client_id: Set(client.id),
        name: Set(String::new()),
        description: Set(String::new()),
        impact_hour: Set(String::new()),
        impact_day: Set(String::new()),
        impact_week: Set(String::new()),
        rto_minutes: Set(None),
        rpo_minutes: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let id = save(state, scope, ClientId::from(client.id), row, input, true).await?;
    crate::ssr::service::monitor::targets_changed(state, scope, ClientId::from(client.id)).await?;
    get(state, scope, ProcessId::from(id)).await
}

pub async fn update(
    state: &AppState,
    scope: &Scope,
    id: ProcessId,
    input: ProcessInput,
) -> AppResult<ProcessView> {
    let row = owned::get::<process::Entity>(&state.db, scope, id).await?;
    scope.require_plan_editor()?;
    let client_id = ClientId::from(row.client_id);
    let mut active: process::ActiveModel = row.into();
    active.updated_at = Set(Utc::now());
    save(state, scope, client_id, active, input, false).await?;
    crate::ssr::service::monitor::targets_changed(state, scope, client_id).await?;
    get(state, scope, id).await
}

pub async fn delete(state: &AppState, scope: &Scope, id: ProcessId) -> AppResult<()> {
    super::remove::<process::Entity>(state, scope, id).await
}

async fn save(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    mut row: process::ActiveModel,
    input: ProcessInput,
    insert: bool,
) -> AppResult<Uuid> {
    let mut f = Fields::default();
    if let Some(name) = input
        .name
        .as_deref()
        .and_then(|n| input::name(&mut f, "name", n))
    {
        row.name = Set(name);
    }
    if let Some(v) = input
        .description
        .and_then(|v| input::long_text(&mut f, "description", v))
    {
        row.description = Set(v);
    }
    if let Some(v) = input
        .impact_hour
        .and_then(|v| input::long_text(&mut f, "impact_hour", v))
    {
        row.impact_hour = Set(v);
    }
    if let Some(v) = input
        .impact_day
        .and_then(|v| input::long_text(&mut f, "impact_day", v))
    {
        row.impact_day = Set(v);
    }
    if let Some(v) = input
        .impact_week
        .and_then(|v| input::long_text(&mut f, "impact_week", v))
    {
        row.impact_week = Set(v);
    }
    match input.rto_minutes {
        Some(Some(v)) => row.rto_minutes = Set(input::target(&mut f, "rto_minutes", Some(v))),
        Some(None) => row.rto_minutes = Set(None),
        None => {}
    }
    match input.rpo_minutes {
        Some(Some(v)) => row.rpo_minutes = Set(input::target(&mut f, "rpo_minutes", Some(v))),
        Some(None) => row.rpo_minutes = Set(None),
        None => {}
    }
    if let Some(systems) = &input.systems {
        let known: HashSet<Uuid> = owned::of_client::<system::Entity>(&state.db, scope, client_id)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        if systems.iter().any(|s| !known.contains(s)) {
            f.take::<()>(
                "systems",
                Err("names a system that is not in this client's plan"),
            );
        }
    }
    f.finish()?;

    let txn = state.begin_write().await?;
    let saved = if insert {
        row.insert(&txn).await?
    } else {
        row.update(&txn).await?
    };
    if let Some(systems) = input.systems {
        scope
            .delete::<process_system::Entity>()
            .filter(process_system::Column::ProcessId.eq(saved.id))
            .exec(&txn)
            .await?;
        for s in systems.into_iter().collect::<HashSet<_>>() {
            link_process(&txn, scope, client_id, saved.id.into(), s.into()).await?;
        }
    }
    let action = if insert {
        "process.create"
    } else {
        "process.update"
    };
    audit::record(
        &txn,
        audit::Entry::by(scope, action, saved.name.clone()).client(client_id.uuid()),
    )
    .await?;
    txn.commit().await?;
    Ok(saved.id)
}
