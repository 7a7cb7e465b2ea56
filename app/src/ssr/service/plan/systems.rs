//! Systems: what must be recovered, how critical it is, what it depends on, which processes need
//! it, and its recovery procedure.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, Set};
use serde::Deserialize;
use std::collections::HashSet;
use uuid::Uuid;

use super::input::{self, nullable};
use super::Links;
use crate::domain::plan::{recovery_order, Criticality, SystemNode};
use crate::domain::sla::Policy;
use crate::ids::{ClientId, PersonId, ProcessId, SystemId};
use crate::model::plan::{SystemKind, SystemView};
use crate::ssr::auth::random_token;
use crate::ssr::entity::{process, process_system, system, system_dependency};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::{audit, clients, owned};
use crate::ssr::scope::Scope;
use crate::ssr::service::Fields;
use crate::ssr::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemInput {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub criticality: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub rpo_minutes: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub rto_minutes: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner_person_id: Option<Option<Uuid>>,
    pub depends_on: Option<Vec<Uuid>>,
    pub processes: Option<Vec<Uuid>>,
    pub procedure: Option<Vec<String>>,
    /// How the system is backed up; `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    pub policy: Option<Option<Policy>>,
}

pub async fn list(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<Vec<SystemView>> {
    clients::get(&state.db, scope, client_id).await?;
    let links = Links::load(&state.db, scope, client_id).await?;
    let mut rows = owned::of_client::<system::Entity>(&state.db, scope, client_id).await?;
    rows.sort_by_key(|r| r.name.to_lowercase());
    Ok(rows
        .into_iter()
        .map(|s| for_caller(scope, &links, s))
        .collect())
}

/// A system as the caller may see it: MSP staff also get its heartbeat key.
fn for_caller(scope: &Scope, links: &Links, row: system::Model) -> SystemView {
    let key = scope.is_msp_staff().then(|| row.ping_key.clone());
    SystemView {
        ping_key: key,
        ..links.system_view(row)
    }
}

pub async fn get(state: &AppState, scope: &Scope, id: SystemId) -> AppResult<SystemView> {
    let row = owned::get::<system::Entity>(&state.db, scope, id).await?;
    let links = Links::load(&state.db, scope, ClientId::from(row.client_id)).await?;
    Ok(for_caller(scope, &links, row))
}

/// Gives a system a new heartbeat key (the old one stops working at once); MSP staff only.
pub async fn rotate_ping_key(state: &AppState, scope: &Scope, id: SystemId) -> AppResult<String> {
    let row = owned::get::<system::Entity>(&state.db, scope, id).await?;
    scope.require_msp_staff()?;
    let key = random_token();
    let txn = state.begin_write().await?;
    let (name, client_id, old_key) = (row.name.clone(), row.client_id, row.ping_key.clone());
    let mut active: system::ActiveModel = row.into();
    active.ping_key = Set(key.clone());
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry::by(scope, "system.ping_key_rotated", name).client(client_id),
    )
    .await?;
    txn.commit().await?;
    // The old key stops working on this replica now, not when the cache expires.
    state.ingest_cache.forget_ping_key(&old_key);
    state.ingest_cache.forget_client(client_id);
    Ok(key)
}

pub async fn create(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    input: SystemInput,
) -> AppResult<SystemView> {
    let client = clients::get(&state.db, scope, client_id).await?;
    scope.require_plan_editor()?;
    if input.name.is_none() {
        return Err(AppError::field("name", "is required"));
    }
    let now = Utc::now();
    let row = system::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(scope.msp_id()),
        client_id: Set(client.id),
        name: Set(String::new()),
        kind: Set(SystemKind::Other.as_str().into()),
        owner_person_id: Set(None),
        criticality: Set(Criticality::Medium.as_str().into()),
        rto_minutes: Set(None),
        rpo_minutes: Set(None),
        procedure: Set("[]".into()),
        ping_key: Set(random_token()),
        policy: Set(None),
        tier_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let id = save(
        state,
        scope,
        ClientId::from(client.id),
        row,
        input,
        "system.create",
    )
    .await?;
    crate::ssr::service::monitor::targets_changed(state, scope, ClientId::from(client.id)).await?;
    get(state, scope, SystemId::from(id)).await
}

pub async fn update(
    state: &AppState,
    scope: &Scope,
    id: SystemId,
    input: SystemInput,
) -> AppResult<SystemView> {
    let row = owned::get::<system::Entity>(&state.db, scope, id).await?;
    scope.require_plan_editor()?;
    let client_id = ClientId::from(row.client_id);
    let mut active: system::ActiveModel = row.into();
    active.updated_at = Set(Utc::now());
    save(state, scope, client_id, active, input, "system.update").await?;
    crate::ssr::service::monitor::targets_changed(state, scope, client_id).await?;
    get(state, scope, id).await
}

pub async fn delete(state: &AppState, scope: &Scope, id: SystemId) -> AppResult<()> {
    let client = scope
        .select::<system::Entity>()
        .filter(system::Column::Id.eq(id.uuid()))
        .one(&state.db)
        .await?
        .map(|s| s.client_id);
    super::remove::<system::Entity>(state, scope, id).await?;
    crate::ssr::service::monitor::forget_system(state, scope, id.uuid()).await?;
    // A subscription covering it bills for one system fewer from now on.
    if let Some(client) = client {
        crate::ssr::service::offers::systems_changed(state, scope, client).await?;
    }
    Ok(())
}

/// Applies the input to the row and its links in one transaction; nothing is written unless all
/// of it is valid, including that no dependency cycle results.
async fn save(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    mut row: system::ActiveModel,
    input: SystemInput,
    action: &str,
) -> AppResult<Uuid> {
    let mut f = Fields::default();
    if let Some(name) = input
        .name
        .as_deref()
        .and_then(|n| input::name(&mut f, "name", n))
    {
        row.name = Set(name);
    }
    if let Some(kind) = input.kind.as_deref() {
        if let Some(k) = f.take(
            "kind",
            SystemKind::parse(kind).ok_or("is not a known kind of system"),
        ) {
            row.kind = Set(k.as_str().into());
        }
    }
    if let Some(c) = input.criticality.as_deref() {
        if let Some(c) = f.take(
            "criticality",
            Criticality::parse(c).ok_or("must be critical, high, medium or low"),
        ) {
            row.criticality = Set(c.as_str().into());
        }
    }
    match input.rpo_minutes {
        Some(Some(v)) => row.rpo_minutes = Set(input::target(&mut f, "rpo_minutes", Some(v))),
        Some(None) => row.rpo_minutes = Set(None),
        None => {}
    }
    match input.rto_minutes {
        Some(Some(v)) => row.rto_minutes = Set(input::target(&mut f, "rto_minutes", Some(v))),
        Some(None) => row.rto_minutes = Set(None),
        None => {}
    }
    match input.policy {
        Some(Some(p)) => {
            if crate::domain::sla::plausible(&p) {
                row.policy = Set(Some(serde_json::to_string(&p).unwrap_or_default()));
            } else {
                f.take::<()>(
                    "policy",
                    Err("interval and off-site interval 1 minute to 1 year, job at most a week, throughput at least 1 MB/s"),
                );
            }
        }
        Some(None) => row.policy = Set(None),
        None => {}
    }
    if let Some(steps) = input.procedure {
        let steps: Vec<String> = steps
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if steps.len() > 200 || steps.iter().any(|s| s.chars().count() > 2000) {
            f.take::<()>(
                "procedure",
                Err("at most 200 steps of at most 2000 characters"),
            );
        } else {
            row.procedure = Set(serde_json::to_string(&steps).unwrap_or_else(|_| "[]".into()));
        }
    }
    if let Some(owner) = input.owner_person_id {
        if let Some(p) = owner {
            if owned::get::<crate::ssr::entity::person::Entity>(&state.db, scope, PersonId::from(p))
                .await
                .ok()
                .filter(|p| p.client_id == client_id)
                .is_none()
            {
                f.take::<()>(
                    "owner_person_id",
                    Err("is not a person in this client's directory"),
                );
            }
        }
        row.owner_person_id = Set(owner);
    }
    let systems = owned::of_client::<system::Entity>(&state.db, scope, client_id).await?;
    let system_ids: HashSet<Uuid> = systems.iter().map(|s| s.id).collect();
    if let Some(deps) = &input.depends_on {
        if deps.iter().any(|d| !system_ids.contains(d)) {
            f.take::<()>(
                "depends_on",
                Err("names a system that is not in this client's plan"),
            );
        }
    }
    if let Some(procs) = &input.processes {
        let known: HashSet<Uuid> = owned::of_client::<process::Entity>(&state.db, scope, client_id)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        if procs.iter().any(|p| !known.contains(p)) {
            f.take::<()>(
                "processes",
                Err("names a business process that is not in this client's plan"),
            );
        }
    }
    f.finish()?;

    let txn = state.begin_write().await?;
    let saved = if action.ends_with(".create") {
        row.insert(&txn).await?
    } else {
        row.update(&txn).await?
    };
    let (id, name) = (saved.id, saved.name);
    if let Some(deps) = input.depends_on {
        replace_dependencies(&txn, scope, client_id, id, &deps).await?;
        check_no_cycle(&txn, scope, client_id).await?;
    }
    if let Some(procs) = input.processes {
        scope
            .delete::<process_system::Entity>()
            .filter(process_system::Column::SystemId.eq(id))
            .exec(&txn)
            .await?;
        for p in procs.into_iter().collect::<HashSet<_>>() {
            link_process(&txn, scope, client_id, p.into(), id.into()).await?;
        }
    }
    audit::record(
        &txn,
        audit::Entry::by(scope, action, name)
            .client(client_id.uuid())
            .detail(serde_json::json!({ "system_id": id })),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

async fn replace_dependencies(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client_id: ClientId,
    system_id: Uuid,
    deps: &[Uuid],
) -> AppResult<()> {
    scope
        .delete::<system_dependency::Entity>()
        .filter(system_dependency::Column::SystemId.eq(system_id))
        .exec(db)
        .await?;
    let now = Utc::now();
    for d in deps.iter().copied().collect::<HashSet<_>>() {
        system_dependency::ActiveModel {
            id: Set(Uuid::new_v4()),
            msp_id: Set(scope.msp_id()),
            client_id: Set(client_id.uuid()),
            system_id: Set(system_id),
            depends_on_id: Set(d),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

pub async fn link_process(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client_id: ClientId,
    process_id: ProcessId,
    system_id: SystemId,
) -> AppResult<()> {
    let now = Utc::now();
    process_system::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(scope.msp_id()),
        client_id: Set(client_id.uuid()),
        process_id: Set(process_id.uuid()),
        system_id: Set(system_id.uuid()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Refuses (and so rolls back) a change after which the systems depend on each other in a loop.
async fn check_no_cycle(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<()> {
    let systems = owned::of_client::<system::Entity>(db, scope, client_id).await?;
    let deps = owned::of_client::<system_dependency::Entity>(db, scope, client_id).await?;
    let nodes: Vec<SystemNode<Uuid>> = systems
        .iter()
        .map(|s| SystemNode {
            id: s.id,
            name: s.name.clone(),
            criticality: Criticality::parse(&s.criticality).unwrap_or(Criticality::Medium),
            depends_on: deps
                .iter()
                .filter(|d| d.system_id == s.id)
                .map(|d| d.depends_on_id)
                .collect(),
        })
        .collect();
    recovery_order(&nodes).map(|_| ()).map_err(|cycle| {
        AppError::field(
            "depends_on",
            format!("{}{}", crate::ssr::error::CYCLE, cycle.join(" → ")),
        )
    })
}
