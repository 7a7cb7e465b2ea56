//! Sites: where people work, and what keeps them safe there (part 1 of the plan).
use chrono::Utc;
use sea_orm::{ActiveModelTrait, Set};
use serde::Deserialize;
use std::collections::HashSet;
use uuid::Uuid;

use super::input;
use crate::ids::{ClientId, SiteId};
use crate::model::plan::{EmergencyNumber, SiteView};
use crate::ssr::entity::{person, site};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::{audit, clients, owned};
use crate::ssr::scope::Scope;
use crate::ssr::service::Fields;
use crate::ssr::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteInput {
    pub name: Option<String>,
    pub address: Option<String>,
    pub safety_plan_ref: Option<String>,
    pub emergency_numbers: Option<Vec<EmergencyNumber>>,
    pub evacuation_point: Option<String>,
    pub assembly_point: Option<String>,
    pub first_responders: Option<Vec<Uuid>>,
}

pub fn view(s: site::Model) -> SiteView {
    SiteView {
        id: s.id,
        client_id: s.client_id,
        emergency_numbers: serde_json::from_str(&s.emergency_numbers).unwrap_or_default(),
        first_responders: serde_json::from_str(&s.first_responders).unwrap_or_default(),
        name: s.name,
        address: s.address,
        safety_plan_ref: s.safety_plan_ref,
        evacuation_point: s.evacuation_point,
        assembly_point: s.assembly_point,
    }
}

pub async fn list(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<Vec<SiteView>> {
    clients::get(&state.db, scope, client_id).await?;
    let mut rows = owned::of_client::<site::Entity>(&state.db, scope, client_id).await?;
    rows.sort_by_key(|r| r.name.to_lowercase());
    Ok(rows.into_iter().map(view).collect())
}

pub async fn get(state: &AppState, scope: &Scope, id: SiteId) -> AppResult<SiteView> {
    owned::get::<site::Entity>(&state.db, scope, id)
        .await
        .map(view)
}

pub async fn create(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    input: SiteInput,
) -> AppResult<SiteView> {
    let client = clients::get(&state.db, scope, client_id).await?;
    scope.require_plan_editor()?;
    if input.name.is_none() {
        return Err(AppError::field("name", "is required"));
    }
    let now = Utc::now();
    let row = site::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(scope.msp_id()),
        client_id: Set(client.id),
        name: Set(String::new()),
        address: Set(String::new()),
        safety_plan_ref: Set(String::new()),
        emergency_numbers: Set("[]".into()),
        evacuation_point: Set(String::new()),
        assembly_point: Set(String::new()),
        first_responders: Set("[]".into()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let id = save(state, scope, ClientId::from(client.id), row, input, true).await?;
    get(state, scope, SiteId::from(id)).await
}

pub async fn update(
    state: &AppState,
    scope: &Scope,
    id: SiteId,
    input: SiteInput,
) -> AppResult<SiteView> {
    let row = owned::get::<site::Entity>(&state.db, scope, id).await?;
    scope.require_plan_editor()?;
    let client_id = ClientId::from(row.client_id);
    let mut active: site::ActiveModel = row.into();
    active.updated_at = Set(Utc::now());
    save(state, scope, client_id, active, input, false).await?;
    get(state, scope, id).await
}

pub async fn delete(state: &AppState, scope: &Scope, id: SiteId) -> AppResult<()> {
    super::remove::<site::Entity>(state, scope, id).await
}

async fn save(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    mut row: site::ActiveModel,
    input: SiteInput,
    insert: bool,
) -> AppResult<Uuid> {
    let mut f = Fields::default();
    if let Some(v) = input
        .name
        .as_deref()
        .and_then(|n| input::name(&mut f, "name", n))
    {
        row.name = Set(v);
    }
    if let Some(v) = input
        .address
        .and_then(|v| input::long_text(&mut f, "address", v))
    {
        row.address = Set(v);
    }
    let lines = [
        (
            input.safety_plan_ref,
            "safety_plan_ref",
            &mut row.safety_plan_ref,
        ),
        (
            input.evacuation_point,
            "evacuation_point",
            &mut row.evacuation_point,
        ),
        (
            input.assembly_point,
            "assembly_point",
            &mut row.assembly_point,
        ),
    ];
    for (value, field, target) in lines {
        if let Some(v) = value.and_then(|v| input::line(&mut f, field, v)) {
            *target = Set(v);
        }
    }
    if let Some(numbers) = input.emergency_numbers {
        let mut clean = Vec::new();
        for n in numbers {
            let label = input::line(&mut f, "emergency_numbers", n.label);
            let number = input::phone(&mut f, "emergency_numbers", n.number);
            if let (Some(label), Some(number)) = (label, number) {
                clean.push(EmergencyNumber { label, number });
            }
        }
        row.emergency_numbers = Set(serde_json::to_string(&clean).unwrap_or_else(|_| "[]".into()));
    }
    if let Some(ids) = input.first_responders {
        let known: HashSet<Uuid> = owned::of_client::<person::Entity>(&state.db, scope, client_id)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        if ids.iter().any(|i| !known.contains(i)) {
            f.take::<()>(
                "first_responders",
                Err("names someone who is not in this client's directory"),
            );
        }
        row.first_responders = Set(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()));
    }
    f.finish()?;
    let txn = state.begin_write().await?;
    let saved = if insert {
        row.insert(&txn).await?
    } else {
        row.update(&txn).await?
    };
    let action = if insert { "site.create" } else { "site.update" };
    audit::record(
        &txn,
        audit::Entry::by(scope, action, saved.name.clone()).client(client_id.uuid()),
    )
    .await?;
    txn.commit().await?;
    Ok(saved.id)
}
