use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::model::Role;
use crate::ssr::entity::{membership, user};
use crate::ssr::error::AppResult;
use crate::ssr::scope::Scope;

/// A user's memberships, oldest first (session resolution, before any scope exists).
fn memberships_query(user_id: Uuid) -> sea_orm::Select<membership::Entity> {
    Scope::all_tenants("session: the memberships of the signed-in account")
        .select::<membership::Entity>()
        .filter(membership::Column::UserId.eq(user_id))
        .order_by_asc(membership::Column::CreatedAt)
        .order_by_asc(membership::Column::Id)
}

/// The first membership of a user that its MSP has not disabled, by the user's own id: the
/// one a session acts in unless it names another.
pub async fn membership_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> AppResult<Option<membership::Model>> {
    Ok(memberships_query(user_id)
        .filter(membership::Column::DisabledAt.is_null())
        .one(db)
        .await?)
}

/// One membership of a user by its id (a session that names it), if it is the user's.
pub async fn membership_by_id(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    id: Uuid,
) -> AppResult<Option<membership::Model>> {
    Ok(
        Scope::all_tenants("session: the memberships of the signed-in account")
            .select::<membership::Entity>()
            .filter(membership::Column::Id.eq(id))
            .filter(membership::Column::UserId.eq(user_id))
            .one(db)
            .await?,
    )
}

/// Every membership of a user, oldest first.
pub async fn memberships_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> AppResult<Vec<membership::Model>> {
    Ok(memberships_query(user_id).all(db).await?)
}

/// Sign-in and sign-up look a user up by e-mail before there is a scope.
pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await?)
}

/// A new account. An address taken meanwhile (two sign-ups at once) is the same field error as
/// one taken before, never an internal error.
pub async fn insert_user(
    db: &impl ConnectionTrait,
    email: &str,
    name: &str,
    password_hash: Option<String>,
) -> AppResult<user::Model> {
    let row = user::ActiveModel {
        id: Set(Uuid::new_v4()),
        email: Set(email.to_string()),
        name: Set(name.to_string()),
        password_hash: Set(password_hash),
        token_version: Set(0),
        disabled_at: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await;
    match row {
        Ok(u) => Ok(u),
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Err(crate::ssr::error::AppError::field(
                "email",
                "is already registered",
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn insert_membership(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    msp_id: Uuid,
    client_id: Option<Uuid>,
    role: Role,
) -> AppResult<membership::Model> {
    Ok(membership::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user_id),
        msp_id: Set(msp_id),
        client_id: Set(client_id),
        role: Set(role.as_str().to_string()),
        created_at: Set(Utc::now()),
        disabled_at: Set(None),
    }
    .insert(db)
    .await?)
}

/// The users of one client, as the scope may see them.
pub async fn list_for_client(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client_id: Uuid,
) -> AppResult<Vec<(user::Model, membership::Model)>> {
    let members = scope
        .select::<membership::Entity>()
        .filter(membership::Column::ClientId.eq(client_id))
        .all(db)
        .await?;
    let users = accounts(db, members.iter().map(|m| m.user_id)).await?;
    Ok(users
        .into_iter()
        .filter_map(|u| {
            let m = members.iter().find(|m| m.user_id == u.id)?.clone();
            Some((u, m))
        })
        .collect())
}

/// Accounts by id, by name. Accounts belong to no tenant: callers pass the ids of memberships
/// their scope found.
pub async fn accounts(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> AppResult<Vec<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.into_iter().collect::<Vec<_>>()))
        .order_by_asc(user::Column::Name)
        .all(db)
        .await?)
}

/// Ends every session of the user: tokens carry the version they were issued with.
pub async fn bump_token_version(db: &impl ConnectionTrait, user: &user::Model) -> AppResult<()> {
    let mut row: user::ActiveModel = user.clone().into();
    row.token_version = Set(user.token_version + 1);
    row.update(db).await?;
    Ok(())
}

/// A user whose membership lies in the scope (MSP staff: any user of the MSP; client users: their client's).
pub async fn get_in_scope(
    db: &impl ConnectionTrait,
    scope: &Scope,
    user_id: Uuid,
) -> AppResult<(user::Model, membership::Model)> {
    let m = scope
        .select::<membership::Entity>()
        .filter(membership::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(crate::ssr::error::AppError::NotFound)?;
    let u = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(crate::ssr::error::AppError::NotFound)?;
    Ok((u, m))
}

/// Disables one membership: its sessions are refused from now on. The account and its
/// memberships of other MSPs are not this MSP's to touch.
pub async fn disable_membership(
    db: &impl ConnectionTrait,
    scope: &Scope,
    member: &membership::Model,
) -> AppResult<()> {
    scope
        .update::<membership::Entity>()
        .col_expr(
            membership::Column::DisabledAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(membership::Column::Id.eq(member.id))
        .exec(db)
        .await?;
    Ok(())
}
