use app::model::{ClientView, InviteCreated, UserView};
use app::ssr::error::AppResult;
use app::ssr::scope::Scope;
use app::ssr::service::clients::{self, ClientPatch, NewClient};
use app::ssr::service::invites::{self, InviteInput};
use app::ssr::service::mail;
use app::ssr::service::staff::{self, RoleInput};
use app::ssr::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;

use super::{ApiJson, ClientIp};

pub fn routes() -> super::Api {
    let api = super::Api::default();
    let api = route!(api, "/clients", get(list).post(create));
    let api = route!(api, "/dashboard", get(dashboard));
    let api = route!(api, "/audit", get(audit_trail));
    let api = route!(api, "/clients/{id}", get(show).patch(update).delete(remove));
    let api = route!(api, "/clients/{id}/users", get(users).post(invite));
    let api = route!(api, "/invites/{token}/accept", post(accept));
    let api = route!(api, "/staff", get(staff).post(invite_staff));
    let api = route!(api, "/staff/{id}", patch(change_role));
    route!(api, "/users/{id}/disable", post(disable))
}

use super::plan::id as parse_id;

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn list(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Vec<ClientView>>> {
    Ok(Json(clients::list(&state, &scope).await?))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DashboardQuery {
    #[serde(default)]
    q: String,
    limit: Option<usize>,
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn dashboard(
    State(state): State<AppState>,
    scope: Scope,
    super::ApiQuery(query): super::ApiQuery<DashboardQuery>,
) -> AppResult<Json<app::model::monitor::Dashboard>> {
    let today = chrono::Utc::now().date_naive();
    Ok(Json(
        app::ssr::service::dashboard::dashboard(&state, &scope, &query.q, today, query.limit)
            .await?,
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    before: Option<chrono::DateTime<chrono::Utc>>,
    client_id: Option<uuid::Uuid>,
    limit: Option<u64>,
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn audit_trail(
    State(state): State<AppState>,
    scope: Scope,
    super::ApiQuery(q): super::ApiQuery<AuditQuery>,
) -> AppResult<Json<app::model::AuditPage>> {
    Ok(Json(
        app::ssr::service::audit::trail(&state, &scope, q.before, q.client_id, q.limit).await?,
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn create(
    State(state): State<AppState>,
    scope: Scope,
    ApiJson(input): ApiJson<NewClient>,
) -> AppResult<(StatusCode, Json<ClientView>)> {
    Ok((
        StatusCode::CREATED,
        Json(clients::create(&state, &scope, input).await?),
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn show(
    State(state): State<AppState>,
    scope: Scope,
    Path(id): Path<String>,
) -> AppResult<Json<ClientView>> {
    Ok(Json(clients::get(&state, &scope, parse_id(&id)?).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn update(
    State(state): State<AppState>,
    scope: Scope,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ClientPatch>,
) -> AppResult<Json<ClientView>> {
    Ok(Json(
        clients::update(&state, &scope, parse_id(&id)?, patch).await?,
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn remove(
    State(state): State<AppState>,
    scope: Scope,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    clients::delete(&state, &scope, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn users(
    State(state): State<AppState>,
    scope: Scope,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<UserView>>> {
    Ok(Json(
        clients::users_of(&state, &scope, parse_id(&id)?).await?,
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn invite(
    State(state): State<AppState>,
    scope: Scope,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<InviteInput>,
) -> AppResult<(StatusCode, Json<InviteCreated>)> {
    let base = mail::request_base(&state, &headers);
    let created = invites::invite_client_user(&state, &scope, parse_id(&id)?, input, &base).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize)]
struct AcceptIn {
    password: String,
}

#[tracing::instrument(skip_all)]
async fn accept(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    ApiJson(input): ApiJson<AcceptIn>,
) -> AppResult<Json<serde_json::Value>> {
    let signed_in = invites::accept_invite(&state, &token, &input.password, ip).await?;
    Ok(Json(
        serde_json::json!({ "token": signed_in.token, "user": signed_in.user }),
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn disable(
    State(state): State<AppState>,
    scope: Scope,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    clients::disable_user(&state, &scope, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn staff(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Vec<UserView>>> {
    Ok(Json(staff::list(&state, &scope).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn invite_staff(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    ApiJson(input): ApiJson<InviteInput>,
) -> AppResult<(StatusCode, Json<InviteCreated>)> {
    let base = mail::request_base(&state, &headers);
    let created = staff::invite(&state, &scope, input, &base).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn change_role(
    State(state): State<AppState>,
    scope: Scope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RoleInput>,
) -> AppResult<Json<UserView>> {
    Ok(Json(
        staff::change_role(&state, &scope, parse_id(&id)?, input).await?,
    ))
}
