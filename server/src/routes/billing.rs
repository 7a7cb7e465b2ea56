//! The upsell half: the MSP's service catalog and each client's recommended tier changes.
use app::ids::ClientId;
use app::model::billing::{
    Catalog, OfferView, Pipeline, Recommendations, Sent, StripeStatus, SubscriptionView, TierView,
};
use app::ssr::error::AppResult;
use app::ssr::scope::Scope;
use app::ssr::service::catalog::{self, TierInput};
use app::ssr::service::offers::{self, OfferInput};
use app::ssr::service::payments::{self, StripeKeys};
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
    let api = route!(api, "/clients/{id}/billing-portal", post(billing_portal));
    let api = route!(
        api,
        "/billing/stripe",
        get(stripe_status)
            .put(connect_stripe)
            .delete(disconnect_stripe)
    );
    let api = route!(
        api,
        "/billing/stripe/{msp_id}/webhook",
        post(stripe_webhook)
    );
    let api = route!(
        api,
        "/billing/invoice-lines/{file}",
        get(invoice_lines_file)
    );
    route!(api, "/billing/invoice-lines", get(invoice_lines))
}

/// A list under `items`, as the API's collections that may grow fields of their own.
#[derive(serde::Serialize)]
struct Items<T> {
    items: Vec<T>,
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
) -> AppResult<Json<Items<SubscriptionView>>> {
    let client: ClientId = id(&raw)?;
    Ok(Json(Items {
        items: offers::subscriptions(&state, &scope, client).await?,
    }))
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
    state: State<AppState>,
    scope: Scope,
    raw: Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<OfferView>> {
    answer(state, scope, raw, headers, true).await
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn decline_offer(
    state: State<AppState>,
    scope: Scope,
    raw: Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<OfferView>> {
    answer(state, scope, raw, headers, false).await
}

/// The client admin's answer to an offer.
async fn answer(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
    headers: HeaderMap,
    accept: bool,
) -> AppResult<Json<OfferView>> {
    let offer: Uuid = id(&raw)?;
    let base = app::ssr::service::mail::public_base(&state, &headers);
    Ok(Json(
        offers::decide(&state, &scope, offer, accept, &base).await?,
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn stripe_status(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
) -> AppResult<Json<StripeStatus>> {
    let base = app::ssr::service::mail::public_base(&state, &headers);
    Ok(Json(payments::status(&state, &scope, &base).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn connect_stripe(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    ApiJson(keys): ApiJson<StripeKeys>,
) -> AppResult<Json<StripeStatus>> {
    let base = app::ssr::service::mail::public_base(&state, &headers);
    Ok(Json(payments::connect(&state, &scope, keys, &base).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn disconnect_stripe(State(state): State<AppState>, scope: Scope) -> AppResult<StatusCode> {
    payments::disconnect(&state, &scope).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A one-time link into Stripe's customer portal for the client (its admins, MSP staff).
#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn billing_portal(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<serde_json::Value>> {
    let client: ClientId = id(&raw)?;
    let base = app::ssr::service::mail::public_base(&state, &headers);
    let url = payments::portal(&state, &scope, client, &base).await?;
    Ok(Json(serde_json::json!({ "url": url })))
}

/// Stripe's deliveries: no session, the signature over the raw body is the authentication.
/// Any 2xx tells Stripe the event arrived; a 400 (bad signature, not connected) is final for
/// that attempt and Stripe retries later.
#[tracing::instrument(skip_all, fields(msp = %raw))]
async fn stripe_webhook(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> AppResult<Json<serde_json::Value>> {
    let msp_id: Uuid = id(&raw)?;
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let applied = payments::webhook(&state, msp_id, signature, &body, chrono::Utc::now()).await?;
    let outcome = match applied {
        payments::Applied::Done => "applied",
        payments::Applied::Duplicate => "duplicate",
        payments::Applied::Stale => "stale",
        payments::Applied::Unmatched => "unmatched",
    };
    Ok(Json(
        serde_json::json!({ "received": true, "outcome": outcome }),
    ))
}

/// `YYYY-MM.csv`: the month's invoice lines under the name a PSA import expects.
#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn invoice_lines_file(
    state: State<AppState>,
    scope: Scope,
    Path(file): Path<String>,
) -> AppResult<axum::response::Response> {
    let Some(month) = file.strip_suffix(".csv") else {
        return Err(app::ssr::error::AppError::NotFound);
    };
    invoice_lines(
        state,
        scope,
        ApiQuery(MonthQuery {
            month: month.to_string(),
        }),
    )
    .await
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
