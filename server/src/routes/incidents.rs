//! Incident mode: declare, follow, tick the checklist, record recoveries, close.
use app::ids::ClientId;
use app::model::incident::{Impact, IncidentSummary, IncidentSystemView, IncidentView};
use app::ssr::error::AppResult;
use app::ssr::scope::Scope;
use app::ssr::service::incidents::{self, IncidentInput, RecoveryInput};
use app::ssr::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;

use super::plan::id;
use super::ApiJson;

pub fn routes() -> super::Api {
    let api = super::Api::default();
    let api = route!(api, "/clients/{id}/incidents", get(list).post(declare));
    let api = route!(api, "/incidents/{id}", get(show));
    let api = route!(api, "/incidents/{id}/impact", get(impact));
    let api = route!(api, "/incidents/{id}/close", post(close));
    let api = route!(api, "/incidents/{id}/checklist/{key}", post(check));
    route!(api, "/incidents/{id}/systems/{system_id}", patch(recovery))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn declare(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<IncidentInput>,
) -> AppResult<(StatusCode, Json<IncidentView>)> {
    let client: ClientId = id(&raw)?;
    let now = chrono::Utc::now();
    Ok((
        StatusCode::CREATED,
        Json(incidents::declare(&state, &scope, client, input, now).await?),
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn list(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
) -> AppResult<Json<Vec<IncidentSummary>>> {
    let client: ClientId = id(&raw)?;
    Ok(Json(incidents::list(&state, &scope, client).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn show(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
) -> AppResult<Json<IncidentView>> {
    let incident: Uuid = id(&raw)?;
    Ok(Json(
        incidents::get(&state, &scope, incident, chrono::Utc::now()).await?,
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn impact(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
) -> AppResult<Json<Impact>> {
    let incident: Uuid = id(&raw)?;
    Ok(Json(incidents::impact(&state, &scope, incident).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Closing {
    #[serde(default)]
    lessons: String,
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn close(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<Closing>,
) -> AppResult<Json<IncidentView>> {
    let incident: Uuid = id(&raw)?;
    let now = chrono::Utc::now();
    Ok(Json(
        incidents::close(&state, &scope, incident, &input.lessons, now).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Tick {
    done: bool,
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn check(
    State(state): State<AppState>,
    scope: Scope,
    Path((raw, key)): Path<(String, String)>,
    ApiJson(input): ApiJson<Tick>,
) -> AppResult<Json<IncidentView>> {
    let incident: Uuid = id(&raw)?;
    let now = chrono::Utc::now();
    Ok(Json(
        incidents::check(&state, &scope, incident, &key, input.done, now).await?,
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn recovery(
    State(state): State<AppState>,
    scope: Scope,
    Path((raw, raw_system)): Path<(String, String)>,
    ApiJson(input): ApiJson<RecoveryInput>,
) -> AppResult<Json<IncidentSystemView>> {
    let incident: Uuid = id(&raw)?;
    let system: Uuid = id(&raw_system)?;
    let now = chrono::Utc::now();
    Ok(Json(
        incidents::set_recovery(&state, &scope, incident, system, input, now).await?,
    ))
}
