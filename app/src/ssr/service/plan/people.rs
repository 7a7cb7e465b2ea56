//! The staff directory and the call tree (each person's caller), kept by the client admin.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, Set};
use serde::Deserialize;
use uuid::Uuid;

use super::input::{self, nullable};
use crate::domain::plan::{check_call_tree, CallNode, CallTreeIssue};
use crate::ids::{ClientId, PersonId, SiteId};
use crate::model::plan::{Channel, PersonView};
use crate::ssr::entity::{person, site, system};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::{audit, clients, owned};
use crate::ssr::scope::Scope;
use crate::ssr::service::Fields;
use crate::ssr::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    pub name: Option<String>,
    pub role_title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub site_id: Option<Option<Uuid>>,
    pub email: Option<String>,
    pub landline: Option<String>,
    pub mobile: Option<String>,
    pub emergency_name: Option<String>,
    pub emergency_relation: Option<String>,
    pub emergency_phone: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub caller_id: Option<Option<Uuid>>,
    pub is_coordinator: Option<bool>,
    pub channels: Option<Vec<Channel>>,
}

pub fn view(p: person::Model) -> PersonView {
    PersonView {
        id: p.id,
        client_id: p.client_id,
        channels: serde_json::from_str(&p.channels).unwrap_or_default(),
        name: p.name,
        role_title: p.role_title,
        site_id: p.site_id,
        email: p.email,
        landline: p.landline,
        mobile: p.mobile,
        emergency_name: p.emergency_name,
        emergency_relation: p.emergency_relation,
        emergency_phone: p.emergency_phone,
        caller_id: p.caller_id,
        is_coordinator: p.is_coordinator,
    }
}

pub async fn list(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<Vec<PersonView>> {
    clients::get(&state.db, scope, client_id).await?;
    let mut rows = owned::of_client::<person::Entity>(&state.db, scope, client_id).await?;
    rows.sort_by_key(|r| r.name.to_lowercase());
    Ok(rows.into_iter().map(view).collect())
}

pub async fn get(state: &AppState, scope: &Scope, id: PersonId) -> AppResult<PersonView> {
    owned::get::<person::Entity>(&state.db, scope, id)
        .await
        .map(view)
}

pub async fn create(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    input: PersonInput,
) -> AppResult<PersonView> {
    let client = clients::get(&state.db, scope, client_id).await?;
    scope.require_plan_editor()?;
    if input.name.is_none() {
        return Err(AppError::field("name", "is required"));
    }
    let now = Utc::now();
    let default_channels = [
        Channel::Mobile,
        Channel::Sms,
        Channel::Email,
        Channel::Landline,
    ];
    let row = person::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(scope.msp_id()),
        client_id: Set(client.id),
        name: Set(String::new()),
        role_title: Set(String::new()),
        site_id: Set(None),
        email: Set(String::new()),
        landline: Set(String::new()),
        mobile: Set(String::new()),
        emergency_name: Set(String::new()),
        emergency_relation: Set(String::new()),
        emergency_phone: Set(String::new()),
        caller_id: Set(None),
        is_coordinator: Set(false),
        channels: Set(serde_json::to_string(&default_channels).unwrap_or_default()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let id = save(state, scope, ClientId::from(client.id), row, input, true).await?;
    get(state, scope, PersonId::from(id)).await
}

pub async fn update(
    state: &AppState,
    scope: &Scope,
    id: PersonId,
    input: PersonInput,
) -> AppResult<PersonView> {
    let row = owned::get::<person::Entity>(&state.db, scope, id).await?;
    scope.require_plan_editor()?;
    let client_id = ClientId::from(row.client_id);
    let mut active: person::ActiveModel = row.into();
    active.updated_at = Set(Utc::now());
    save(state, scope, client_id, active, input, false).await?;
    get(state, scope, id).await
}

/// Removes a person; whoever they called is left for the coordinator to re-place, and systems
/// they owned lose their owner (both show up as gaps).
pub async fn delete(state: &AppState, scope: &Scope, id: PersonId) -> AppResult<()> {
    owned::get::<person::Entity>(&state.db, scope, id).await?;
    scope.require_plan_editor()?;
    let txn = state.begin_write().await?;
    scope
        .update::<person::Entity>()
        .col_expr(
            person::Column::CallerId,
            sea_orm::sea_query::Expr::value(Option::<Uuid>::None),
        )
        .filter(person::Column::CallerId.eq(id))
        .exec(&txn)
        .await?;
    scope
        .update::<system::Entity>()
        .col_expr(
            system::Column::OwnerPersonId,
            sea_orm::sea_query::Expr::value(Option::<Uuid>::None),
        )
        .filter(system::Column::OwnerPersonId.eq(id))
        .exec(&txn)
        .await?;
    let row = owned::delete::<person::Entity>(&txn, scope, id).await?;
    audit::record(
        &txn,
        audit::Entry::by(scope, "person.delete", row.name).client(row.client_id),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn save(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    mut row: person::ActiveModel,
    input: PersonInput,
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
    let lines = [
        (input.role_title, "role_title", &mut row.role_title),
        (
            input.emergency_name,
            "emergency_name",
            &mut row.emergency_name,
        ),
        (
            input.emergency_relation,
            "emergency_relation",
            &mut row.emergency_relation,
        ),
    ];
    for (value, field, target) in lines {
        if let Some(v) = value.and_then(|v| input::line(&mut f, field, v)) {
            *target = Set(v);
        }
    }
    let phones = [
        (input.landline, "landline", &mut row.landline),
        (input.mobile, "mobile", &mut row.mobile),
        (
            input.emergency_phone,
            "emergency_phone",
            &mut row.emergency_phone,
        ),
    ];
    for (value, field, target) in phones {
        if let Some(v) = value.and_then(|v| input::phone(&mut f, field, v)) {
            *target = Set(v);
        }
    }
    if let Some(v) = input
        .email
        .and_then(|v| input::optional_email(&mut f, "email", v))
    {
        row.email = Set(v);
    }
    if let Some(channels) = input.channels {
        row.channels = Set(serde_json::to_string(&channels).unwrap_or_else(|_| "[]".into()));
    }
    if let Some(site_id) = input.site_id {
        if let Some(s) = site_id {
            let ok = owned::get::<site::Entity>(&state.db, scope, SiteId::from(s))
                .await
                .is_ok_and(|s| s.client_id == client_id);
            if !ok {
                f.take::<()>("site_id", Err("is not a site of this client"));
            }
        }
        row.site_id = Set(site_id);
    }
    let own_id = row.id.clone().unwrap();
    if let Some(caller) = input.caller_id {
        if let Some(c) = caller {
            let ok = c != own_id
                && owned::get::<person::Entity>(&state.db, scope, PersonId::from(c))
                    .await
                    .is_ok_and(|p| p.client_id == client_id);
            if !ok {
                f.take::<()>(
                    "caller_id",
                    Err("is not another person in this client's directory"),
                );
            }
        }
        row.caller_id = Set(caller);
    }
    if let Some(coordinator) = input.is_coordinator {
        row.is_coordinator = Set(coordinator);
        if coordinator {
            // The coordinator starts the tree: nobody calls them.
            row.caller_id = Set(None);
        }
    }
    f.finish()?;

    let txn = state.begin_write().await?;
    if input.is_coordinator == Some(true) {
        scope
            .update::<person::Entity>()
            .col_expr(
                person::Column::IsCoordinator,
                sea_orm::sea_query::Expr::value(false),
            )
            .filter(person::Column::ClientId.eq(client_id))
            .exec(&txn)
            .await?;
    }
    let saved = if insert {
        row.insert(&txn).await?
    } else {
        row.update(&txn).await?
    };
    let everyone = owned::of_client::<person::Entity>(&txn, scope, client_id).await?;
    let nodes: Vec<CallNode<Uuid>> = everyone
        .iter()
        .map(|p| CallNode {
            id: p.id,
            name: p.name.clone(),
            caller: p.caller_id,
            is_coordinator: p.is_coordinator,
            has_phone: !p.mobile.is_empty() || !p.landline.is_empty(),
        })
        .collect();
    if let Some(CallTreeIssue::Cycle { names }) = check_call_tree(&nodes, 1, usize::MAX)
        .issues
        .into_iter()
        .find(|i| matches!(i, CallTreeIssue::Cycle { .. }))
    {
        return Err(AppError::field(
            "caller_id",
            format!(
                "would make the call tree go round in a circle: {}",
                names.join(" → ")
            ),
        ));
    }
    let action = if insert {
        "person.create"
    } else {
        "person.update"
    };
    audit::record(
        &txn,
        audit::Entry::by(scope, action, saved.name.clone()).client(client_id.uuid()),
    )
    .await?;
    txn.commit().await?;
    Ok(saved.id)
}
