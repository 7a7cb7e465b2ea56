//! Exercises between incidents: scheduled per client, run and scored; their action items.
use app::ids::ClientId;
use app::model::exercise::{ActionItemView, ExerciseView, ExercisesPage};
use app::ssr::error::AppResult;
use app::ssr::scope::Scope;
use app::ssr::service::exercises::{self, ExercisePatch, NewExercise};
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
    let api = route!(api, "/clients/{id}/exercises", get(list).post(schedule));
    let api = route!(api, "/exercises/{id}", patch(update));
    route!(api, "/action-items/{id}", patch(set_item))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn schedule(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<NewExercise>,
) -> AppResult<(StatusCode, Json<ExerciseView>)> {
    let client: ClientId = id(&raw)?;
    let now = chrono::Utc::now();
    Ok((
        StatusCode::CREATED,
        Json(exercises::schedule(&state, &scope, client, input, now).await?),
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn list(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
) -> AppResult<Json<ExercisesPage>> {
    let client: ClientId = id(&raw)?;
    Ok(Json(
        exercises::page(&state, &scope, client, chrono::Utc::now()).await?,
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn update(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
    ApiJson(patch): ApiJson<ExercisePatch>,
) -> AppResult<Json<ExerciseView>> {
    let exercise: Uuid = id(&raw)?;
    let now = chrono::Utc::now();
    Ok(Json(
        exercises::update(&state, &scope, exercise, patch, now).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Done {
    done: bool,
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn set_item(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<Done>,
) -> AppResult<Json<ActionItemView>> {
    let item: Uuid = id(&raw)?;
    let now = chrono::Utc::now();
    Ok(Json(
        exercises::set_item(&state, &scope, item, input.done, now).await?,
    ))
}
