use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, ModelTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::ids::ClientId;
use crate::ssr::entity::client;
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::scope::Scope;

pub async fn list(db: &impl ConnectionTrait, scope: &Scope) -> AppResult<Vec<client::Model>> {
    Ok(scope
        .select::<client::Entity>()
        .order_by_asc(client::Column::Name)
        .all(db)
        .await?)
}

/// A client as lists name it: no notes, no timestamps to read.
pub struct ClientName {
    pub id: Uuid,
    pub name: String,
    pub archived: bool,
}

/// The scope's clients by name, archived ones included (and marked).
pub async fn names(db: &impl ConnectionTrait, scope: &Scope) -> AppResult<Vec<ClientName>> {
    let rows: Vec<(Uuid, String, bool)> = scope
        .select::<client::Entity>()
        .select_only()
        .column(client::Column::Id)
        .column(client::Column::Name)
        .column_as(client::Column::ArchivedAt.is_not_null(), "archived")
        .order_by_asc(client::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, archived)| ClientName { id, name, archived })
        .collect())
}

/// The client if it is in scope; `NotFound` otherwise, whether it exists elsewhere or not.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: ClientId,
) -> AppResult<client::Model> {
    scope
        .select::<client::Entity>()
        .filter(client::Column::Id.eq(id.uuid()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn create(
    db: &impl ConnectionTrait,
    scope: &Scope,
    name: String,
    notes: String,
) -> AppResult<client::Model> {
    let now = Utc::now();
    Ok(client::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(scope.msp_id()),
        name: Set(name),
        notes: Set(notes),
        archived_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

pub async fn update(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: ClientId,
    name: Option<String>,
    notes: Option<String>,
) -> AppResult<client::Model> {
    let mut row: client::ActiveModel = get(db, scope, id).await?.into();
    if let Some(name) = name {
        row.name = Set(name);
    }
    if let Some(notes) = notes {
        row.notes = Set(notes);
    }
    row.updated_at = Set(Utc::now());
    Ok(row.update(db).await?)
}

pub async fn set_archived(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: ClientId,
    at: Option<chrono::DateTime<Utc>>,
) -> AppResult<client::Model> {
    let mut row: client::ActiveModel = get(db, scope, id).await?.into();
    row.archived_at = Set(at);
    row.updated_at = Set(Utc::now());
    Ok(row.update(db).await?)
}

pub async fn delete(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: ClientId,
) -> AppResult<client::Model> {
    let row = get(db, scope, id).await?;
    row.clone().delete(db).await?;
    Ok(row)
}
