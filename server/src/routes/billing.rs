//! The upsell half: the MSP's service catalog and each client's recommended tier changes.
use app::ids::ClientId;
use app::model::billing::{Catalog, Recommendations, TierView};
use app::ssr::error::AppResult;
use app::ssr::scope::Scope;
use app::ssr::service::catalog::{self, TierInput};
use app::ssr::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use uuid::Uuid;

use super::plan::id;
use super::ApiJson;

pub fn routes() -> super::Api {
    let api = super::Api::default();
    let api = route!(api, "/catalog", get(show));
    let api = route!(api, "/catalog/tiers", post(create));
    let api = route!(api, "/catalog/tiers/{id}", patch(update).delete(remove));
    route!(api, "/clients/{id}/recommendations", get(recommendations))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn show(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Catalog>> {
    Ok(Json(catalog::catalog(&state, &scope).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn create(
    State(state): State<AppState>,
    scope: Scope,
    ApiJson(input): ApiJson<TierInput>,
) -> AppResult<(StatusCode, Json<TierView>)> {
    Ok((
        StatusCode::CREATED,
        Json(catalog::create(&state, &scope, input).await?),
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn update(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<TierInput>,
) -> AppResult<Json<TierView>> {
    let tier: Uuid = id(&raw)?;
    Ok(Json(catalog::update(&state, &scope, tier, input).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn remove(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
) -> AppResult<StatusCode> {
    let tier: Uuid = id(&raw)?;
    catalog::delete(&state, &scope, tier).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn recommendations(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
) -> AppResult<Json<Recommendations>> {
    let client: ClientId = id(&raw)?;
    Ok(Json(
        catalog::recommendations(&state, &scope, client).await?,
    ))
}
