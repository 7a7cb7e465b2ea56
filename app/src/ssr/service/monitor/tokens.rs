//! Ingest tokens: created by MSP staff per client, shown once, stored as a hash, revocable.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, QueryOrder, Set};
use serde::Deserialize;
use uuid::Uuid;

use crate::ids::{ClientId, IngestTokenId};
use crate::model::monitor::IngestTokenView;
use crate::ssr::auth::{random_token, sha256_hex};
use crate::ssr::entity::ingest_token;
use crate::ssr::error::AppResult;
use crate::ssr::repo::{audit, clients, owned};
use crate::ssr::scope::Scope;
use crate::ssr::service::plan::input;
use crate::ssr::service::Fields;
use crate::ssr::state::AppState;

/// Ingest tokens carry a prefix so they are recognisable in logs and secret scanners.
pub const PREFIX: &str = "llk_";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
}

#[derive(Debug, serde::Serialize)]
pub struct Created {
    pub id: Uuid,
    pub name: String,
    /// Shown this once; only its hash is kept.
    pub token: String,
}

fn view(t: ingest_token::Model) -> IngestTokenView {
    IngestTokenView {
        id: t.id,
        client_id: t.client_id,
        name: t.name,
        created_at: t.created_at,
        revoked_at: t.revoked_at,
        last_used_at: t.last_used_at,
    }
}

pub async fn create(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    input: NewToken,
) -> AppResult<Created> {
    let client = clients::get(&state.db, scope, client_id).await?;
    scope.require_msp_staff()?;
    let mut f = Fields::default();
    let name = input::name(&mut f, "name", &input.name);
    f.finish()?;
    let token = format!("{PREFIX}{}", random_token());
    let now = Utc::now();
    let txn = state.begin_write().await?;
    let row = ingest_token::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(scope.msp_id()),
        client_id: Set(client.id),
        name: Set(name.unwrap_or_default()),
        token_hash: Set(sha256_hex(&token)),
        created_by: Set(scope.user_id()),
        revoked_at: Set(None),
        last_used_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry::by(scope, "ingest_token.create", row.name.clone()).client(client.id),
    )
    .await?;
    txn.commit().await?;
    Ok(Created {
        id: row.id,
        name: row.name,
        token,
    })
}

pub async fn list(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<Vec<IngestTokenView>> {
    clients::get(&state.db, scope, client_id).await?;
    scope.require_msp_staff()?;
    Ok(scope
        .select::<ingest_token::Entity>()
        .filter(ingest_token::Column::ClientId.eq(client_id))
        .order_by_asc(ingest_token::Column::CreatedAt)
        .all(&state.db)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

pub async fn revoke(state: &AppState, scope: &Scope, id: Uuid) -> AppResult<()> {
    let row = owned::get::<ingest_token::Entity>(&state.db, scope, IngestTokenId::from(id)).await?;
    scope.require_msp_staff()?;
    if row.revoked_at.is_some() {
        return Ok(());
    }
    let (name, client_id) = (row.name.clone(), row.client_id);
    let mut active: ingest_token::ActiveModel = row.into();
    active.revoked_at = Set(Some(Utc::now()));
    active.updated_at = Set(Utc::now());
    let txn = state.begin_write().await?;
    active.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry::by(scope, "ingest_token.revoke", name).client(client_id),
    )
    .await?;
    txn.commit().await?;
    state.ingest_cache.forget_token(id);
    Ok(())
}
