//! The continuity plan's resources under `/clients/{id}/…`, and each item by its own id.
use app::model::plan::{ProcessView, SystemView};
use app::ssr::error::{AppError, AppResult};
use app::ssr::scope::Scope;
use app::ssr::service::plan::{processes, systems};
use app::ssr::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use uuid::Uuid;

use super::ApiJson;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/clients/{id}/systems",
            get(list_systems).post(create_system),
        )
        .route(
            "/systems/{id}",
            get(get_system).patch(update_system).delete(delete_system),
        )
        .route(
            "/clients/{id}/processes",
            get(list_processes).post(create_process),
        )
        .route(
            "/processes/{id}",
            get(get_process)
                .patch(update_process)
                .delete(delete_process),
        )
}

/// Path ids that are not UUIDs name nothing in scope: 404, like any unknown id.
pub fn id(raw: &str) -> AppResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

type Created<T> = AppResult<(StatusCode, Json<T>)>;

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id))]
async fn list_systems(
    State(s): State<AppState>,
    scope: Scope,
    Path(c): Path<String>,
) -> AppResult<Json<Vec<SystemView>>> {
    Ok(Json(systems::list(&s, &scope, id(&c)?).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id))]
async fn create_system(
    State(s): State<AppState>,
    scope: Scope,
    Path(c): Path<String>,
    ApiJson(input): ApiJson<systems::SystemInput>,
) -> Created<SystemView> {
    Ok((
        StatusCode::CREATED,
        Json(systems::create(&s, &scope, id(&c)?, input).await?),
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id))]
async fn get_system(
    State(s): State<AppState>,
    scope: Scope,
    Path(i): Path<String>,
) -> AppResult<Json<SystemView>> {
    Ok(Json(systems::get(&s, &scope, id(&i)?).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id))]
async fn update_system(
    State(s): State<AppState>,
    scope: Scope,
    Path(i): Path<String>,
    ApiJson(input): ApiJson<systems::SystemInput>,
) -> AppResult<Json<SystemView>> {
    Ok(Json(systems::update(&s, &scope, id(&i)?, input).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id))]
async fn delete_system(
    State(s): State<AppState>,
    scope: Scope,
    Path(i): Path<String>,
) -> AppResult<StatusCode> {
    systems::delete(&s, &scope, id(&i)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id))]
async fn list_processes(
    State(s): State<AppState>,
    scope: Scope,
    Path(c): Path<String>,
) -> AppResult<Json<Vec<ProcessView>>> {
    Ok(Json(processes::list(&s, &scope, id(&c)?).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id))]
async fn create_process(
    State(s): State<AppState>,
    scope: Scope,
    Path(c): Path<String>,
    ApiJson(input): ApiJson<processes::ProcessInput>,
) -> Created<ProcessView> {
    Ok((
        StatusCode::CREATED,
        Json(processes::create(&s, &scope, id(&c)?, input).await?),
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id))]
async fn get_process(
    State(s): State<AppState>,
    scope: Scope,
    Path(i): Path<String>,
) -> AppResult<Json<ProcessView>> {
    Ok(Json(processes::get(&s, &scope, id(&i)?).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id))]
async fn update_process(
    State(s): State<AppState>,
    scope: Scope,
    Path(i): Path<String>,
    ApiJson(input): ApiJson<processes::ProcessInput>,
) -> AppResult<Json<ProcessView>> {
    Ok(Json(processes::update(&s, &scope, id(&i)?, input).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id))]
async fn delete_process(
    State(s): State<AppState>,
    scope: Scope,
    Path(i): Path<String>,
) -> AppResult<StatusCode> {
    processes::delete(&s, &scope, id(&i)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
