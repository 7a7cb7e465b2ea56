//! Customer groups (part 3 of the plan): who the client's customers are and which business
//! processes their operations depend on, so an incident's reach to customers can be read off.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, Set};
use serde::Deserialize;
use std::collections::HashSet;
use uuid::Uuid;

use super::input;
use crate::ids::{ClientId, CustomerGroupId};
use crate::model::plan::CustomerGroupView;
use crate::ssr::entity::{customer_group, process};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::{audit, clients, owned};
use crate::ssr::scope::Scope;
use crate::ssr::service::Fields;
use crate::ssr::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerGroupInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub contact: Option<String>,
    pub processes: Option<Vec<Uuid>>,
}

pub fn view(g: customer_group::Model) -> CustomerGroupView {
    CustomerGroupView {
        id: g.id,
        client_id: g.client_id,
        processes: serde_json::from_str(&g.processes).unwrap_or_default(),
        name: g.name,
        description: g.description,
        contact: g.contact,
    }
}

/// A view without links to processes that were deleted since.
pub fn view_known(g: customer_group::Model, known: &HashSet<Uuid>) -> CustomerGroupView {
    let mut v = view(g);
    v.processes.retain(|p| known.contains(p));
    v
}

async fn process_ids(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<HashSet<Uuid>> {
    Ok(
        owned::of_client::<process::Entity>(&state.db, scope, client_id)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect(),
    )
}

pub async fn list(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<Vec<CustomerGroupView>> {
    clients::get(&state.db, scope, client_id).await?;
    let known = process_ids(state, scope, client_id).await?;
    let mut rows = owned::of_client::<customer_group::Entity>(&state.db, scope, client_id).await?;
    rows.sort_by_key(|r| r.name.to_lowercase());
    Ok(rows.into_iter().map(|g| view_known(g, &known)).collect())
}

pub async fn get(
    state: &AppState,
    scope: &Scope,
    id: CustomerGroupId,
) -> AppResult<CustomerGroupView> {
    let row = owned::get::<customer_group::Entity>(&state.db, scope, id).await?;
    let known = process_ids(state, scope, ClientId::from(row.client_id)).await?;
    Ok(view_known(row, &known))
}

pub async fn create(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    input: CustomerGroupInput,
) -> AppResult<CustomerGroupView> {
    let client = clients::get(&state.db, scope, client_id).await?;
    scope.require_plan_editor()?;
    if input.name.is_none() {
        return Err(AppError::field("name", "is required"));
    }
    let now = Utc::now();
    let row = customer_group::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(scope.msp_id()),
        client_id: Set(client.id),
        name: Set(String::new()),
        description: Set(String::new()),
        contact: Set(String::new()),
        processes: Set("[]".into()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let id = save(state, scope, ClientId::from(client.id), row, input, true).await?;
    get(state, scope, CustomerGroupId::from(id)).await
}

pub async fn update(
    state: &AppState,
    scope: &Scope,
    id: CustomerGroupId,
    input: CustomerGroupInput,
) -> AppResult<CustomerGroupView> {
    let row = owned::get::<customer_group::Entity>(&state.db, scope, id).await?;
    scope.require_plan_editor()?;
    let client_id = ClientId::from(row.client_id);
    let mut active: customer_group::ActiveModel = row.into();
    active.updated_at = Set(Utc::now());
    save(state, scope, client_id, active, input, false).await?;
    get(state, scope, id).await
}

pub async fn delete(state: &AppState, scope: &Scope, id: CustomerGroupId) -> AppResult<()> {
    super::remove::<customer_group::Entity>(state, scope, id).await
}

async fn save(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    mut row: customer_group::ActiveModel,
    input: CustomerGroupInput,
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
        .description
        .and_then(|v| input::long_text(&mut f, "description", v))
    {
        row.description = Set(v);
    }
    if let Some(v) = input
        .contact
        .and_then(|v| input::line(&mut f, "contact", v))
    {
        row.contact = Set(v);
    }
    if let Some(mut ids) = input.processes {
        let known = process_ids(state, scope, client_id).await?;
        if ids.iter().any(|i| !known.contains(i)) {
            f.take::<()>(
                "processes",
                Err("names a process that is not in this client's plan"),
            );
        }
        ids.sort();
        ids.dedup();
        row.processes = Set(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()));
    }
    f.finish()?;
    let txn = state.begin_write().await?;
    let saved = if insert {
        row.insert(&txn).await?
    } else {
        row.update(&txn).await?
    };
    let action = if insert {
        "customer_group.create"
    } else {
        "customer_group.update"
    };
    audit::record(
        &txn,
        audit::Entry::by(scope, action, saved.name.clone()).client(client_id.uuid()),
    )
    .await?;
    txn.commit().await?;
    Ok(saved.id)
}
