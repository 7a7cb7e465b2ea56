//! Generic reads and deletes for rows a client owns (plan tables), always through the scope.
use crate::ids::ClientId;
use sea_orm::{ColumnTrait, ConnectionTrait, IntoActiveModel, ModelTrait, QueryFilter};

use crate::ssr::error::{AppError, AppResult};
use crate::ssr::scope::{ClientOwned, Scope};

/// One row by id, if the scope may see it.
pub async fn get<E: ClientOwned>(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: E::Id,
) -> AppResult<E::Model>
where
    E::Model: Sync,
{
    scope
        .select::<E>()
        .filter(E::id_column().eq(id.into()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// All rows of one client, in the scope.
pub async fn of_client<E: ClientOwned>(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<Vec<E::Model>>
where
    E::Model: Sync,
{
    Ok(scope
        .select::<E>()
        .filter(E::client_id_column().eq(client_id.uuid()))
        .all(db)
        .await?)
}

pub async fn delete<E: ClientOwned>(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: E::Id,
) -> AppResult<E::Model>
where
    E::Model: Sync + IntoActiveModel<E::ActiveModel> + ModelTrait<Entity = E>,
    E::ActiveModel: sea_orm::ActiveModelTrait<Entity = E> + Send,
{
    let row = get::<E>(db, scope, id).await?;
    row.clone().delete(db).await?;
    Ok(row)
}
