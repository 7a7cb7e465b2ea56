//! The upsell half: the MSP's service catalog and each client's recommended tier changes.
use app::ids::ClientId;
use app::model::billing::{
    Catalog, OfferView, Pipeline, Recommendations, Sent, SubscriptionView, TierView,
};
use app::ssr::error::AppResult;
use app::ssr::scope::Scope;
use app::ssr::service::catalog::{self, TierInput};
use app::ssr::service::offers::{self, OfferInput};
use app::ssr::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use uuid::Uuid;

use super::plan::id;
use super::{ApiJson, ApiQuery};

pub fn routes() -> super::Api {
    let api = super::Api::default();
    let api = route!(api, "/catalog", get(show));
    let api = route!(api, "/catalog/tiers", post(create));
    let api = route!(api, "/catalog/tiers/{id}", patch(update).delete(remove));
    let api = route!(api, "/clients/{id}/recommendations", get(recommendations));
    let api = route!(
        api,
        "/clients/{id}/offers",
        get(list_offers).post(create_offer)
    );
    let api = route!(api, "/clients/{id}/subscriptions", get(subscriptions));
    let api = route!(api, "/offers/{id}", get(show_offer));
    let api = route!(api, "/offers/{id}/send", post(send_offer));
    let api = route!(api, "/offers/{id}/accept", post(accept_offer));
    let api = route!(api, "/offers/{id}/decline", post(decline_offer));
    let api = route!(api, "/billing/pipeline", get(pipeline));
    route!(api, "/billing/invoice-lines", get(invoice_lines))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn pipeline(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Pipeline>> {
    Ok(Json(offers::pipeline(&state, &scope).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn create_offer(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<OfferInput>,
) -> AppResult<(StatusCode, Json<OfferView>)> {
    let client: ClientId = id(&raw)?;
    Ok((
        StatusCode::CREATED,
        Json(offers::create(&state, &scope, client, input).await?),
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn list_offers(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
) -> AppResult<Json<Vec<OfferView>>> {
    let client: ClientId = id(&raw)?;
    Ok(Json(offers::list(&state, &scope, client).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn subscriptions(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
) -> AppResult<Json<Vec<SubscriptionView>>> {
    let client: ClientId = id(&raw)?;
    Ok(Json(offers::subscriptions(&state, &scope, client).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn show_offer(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
) -> AppResult<Json<OfferView>> {
    let offer: Uuid = id(&raw)?;
    Ok(Json(offers::get(&state, &scope, offer).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn send_offer(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<Sent>> {
    let offer: Uuid = id(&raw)?;
    let base = app::ssr::service::mail::public_base(&state, &headers);
    Ok(Json(offers::send(&state, &scope, offer, &base).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn accept_offer(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
) -> AppResult<Json<OfferView>> {
    let offer: Uuid = id(&raw)?;
    Ok(Json(offers::decide(&state, &scope, offer, true).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn decline_offer(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
) -> AppResult<Json<OfferView>> {
    let offer: Uuid = id(&raw)?;
    Ok(Json(offers::decide(&state, &scope, offer, false).await?))
}

#[derive(serde::Deserialize)]
struct MonthQuery {
    month: String,
}

/// The month's invoice lines for a PSA, as CSV (owners and admins).
#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn invoice_lines(
    State(state): State<AppState>,
    scope: Scope,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let csv = offers::invoice_lines(&state, &scope, &q.month).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"invoice-lines-{}.csv\"",
                    q.month.replace(['"', '\\', '/'], "")
                ),
            ),
        ],
        csv,
    )
        .into_response())
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
