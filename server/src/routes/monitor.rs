//! Backup monitoring over HTTP: ingest tokens, the ingest endpoint, live status, heartbeats.
use app::model::monitor::{ClientStatus, IngestTokenView};
use app::ssr::error::{AppError, AppResult};
use app::ssr::scope::Scope;
use app::ssr::service::monitor::{self, ingest, tokens};
use app::ssr::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;

use super::plan::id;
use super::{ApiJson, ApiQuery};

pub fn routes() -> super::Api {
    let api = super::Api::default();
    let api = route!(
        api,
        "/clients/{id}/ingest-tokens",
        get(list_tokens).post(create_token)
    );
    let api = route!(api, "/ingest-tokens/{id}", delete(revoke_token));
    let api = route!(api, "/ingest/events", post(ingest_events));
    let api = route!(api, "/clients/{id}/status", get(status));
    let api = route!(api, "/systems/{id}/events", get(system_events));
    let api = route!(api, "/systems/{id}/ping-key", post(rotate_ping_key));
    let api = route!(api, "/clients/{id}/reports/{month}", get(report));
    route!(
        api,
        "/alerts/settings",
        get(alert_settings).put(put_alert_settings)
    )
}

/// Heartbeats live outside the API prefix so the URL is short enough to paste into a cron line.
pub fn root_routes() -> super::Api {
    let api = super::Api::default();
    let api = route!(api, "/ping/{key}", get(ping_ok).post(ping_ok));
    route!(api, "/ping/{key}/fail", get(ping_fail).post(ping_fail))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn create_token(
    State(s): State<AppState>,
    scope: Scope,
    Path(c): Path<String>,
    ApiJson(input): ApiJson<tokens::NewToken>,
) -> AppResult<(StatusCode, Json<tokens::Created>)> {
    Ok((
        StatusCode::CREATED,
        Json(tokens::create(&s, &scope, id(&c)?, input).await?),
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn list_tokens(
    State(s): State<AppState>,
    scope: Scope,
    Path(c): Path<String>,
) -> AppResult<Json<Vec<IngestTokenView>>> {
    Ok(Json(tokens::list(&s, &scope, id(&c)?).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn revoke_token(
    State(s): State<AppState>,
    scope: Scope,
    Path(t): Path<String>,
) -> AppResult<StatusCode> {
    tokens::revoke(&s, &scope, id(&t)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The token is checked before the body is read: a bad token answers 401 whatever it sent.
#[tracing::instrument(skip_all)]
async fn ingest_events(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> AppResult<(StatusCode, Json<ingest::Accepted>)> {
    let token = ingest::authenticate(&s, bearer(&headers)).await?;
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        _ => AppError::BadRequest(e.body_text()),
    })?;
    let batch: ingest::Batch = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("the body is not a valid event batch: {e}")))?;
    let accepted = ingest::ingest(&s, &token, batch, chrono::Utc::now()).await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn status(
    State(s): State<AppState>,
    scope: Scope,
    Path(c): Path<String>,
) -> AppResult<Json<ClientStatus>> {
    Ok(Json(
        monitor::client_status(&s, &scope, id(&c)?, chrono::Utc::now()).await?,
    ))
}

/// A new heartbeat key for a system (MSP staff); the old one answers 404 from now on.
#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn rotate_ping_key(
    State(s): State<AppState>,
    scope: Scope,
    Path(sys): Path<String>,
) -> AppResult<Json<serde_json::Value>> {
    let key = app::ssr::service::plan::systems::rotate_ping_key(&s, &scope, id(&sys)?).await?;
    Ok(Json(serde_json::json!({ "ping_key": key })))
}

async fn ping(s: &AppState, key: &str, ok: bool, body: &[u8]) -> AppResult<&'static str> {
    // An unknown key is a plain 404; the key is the secret. Keys are 43 characters: anything
    // much longer is not one and is not looked up.
    if key.len() > 100 {
        return Err(AppError::NotFound);
    }
    let message = (!body.is_empty()).then(|| String::from_utf8_lossy(body).into_owned());
    ingest::ping(s, key, ok, message, chrono::Utc::now()).await?;
    Ok("OK\n")
}

async fn ping_ok(
    State(s): State<AppState>,
    Path(key): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<&'static str> {
    ping(&s, &key, true, &body).await
}

async fn ping_fail(
    State(s): State<AppState>,
    Path(key): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<&'static str> {
    ping(&s, &key, false, &body).await
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn alert_settings(
    State(s): State<AppState>,
    scope: Scope,
) -> AppResult<Json<monitor::alerts::AlertSettingsView>> {
    Ok(Json(monitor::alerts::get_settings(&s, &scope).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn put_alert_settings(
    State(s): State<AppState>,
    scope: Scope,
    ApiJson(input): ApiJson<monitor::alerts::AlertSettingsInput>,
) -> AppResult<Json<monitor::alerts::AlertSettingsView>> {
    Ok(Json(
        monitor::alerts::put_settings(&s, &scope, input).await?,
    ))
}

#[derive(serde::Deserialize)]
struct ReportQuery {
    /// json (default), csv, html or pdf.
    format: Option<String>,
    /// `en` or `nl` for html and pdf; by default the reader's language cookie, else English.
    lang: Option<String>,
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn report(
    State(s): State<AppState>,
    scope: Scope,
    Path((c, month)): Path<(String, String)>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> AppResult<axum::response::Response> {
    use app::ssr::service::monitor::report;
    use axum::response::IntoResponse;
    let now = chrono::Utc::now();
    let lang = super::request_lang(&headers, q.lang.as_deref())?;
    let r = report::month(&s, &scope, id(&c)?, &month, now).await?;
    let name = format!("sla-report-{month}");
    let attach = |ext: &str| format!("attachment; filename=\"{name}.{ext}\"");
    Ok(match q.format.as_deref().unwrap_or("json") {
        "json" => Json(r).into_response(),
        "csv" => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, attach("csv")),
            ],
            report::csv(&r),
        )
            .into_response(),
        "html" => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            export::to_html(&report::document(&r, lang, now)),
        )
            .into_response(),
        "pdf" => super::pdf(report::document(&r, lang, now), &name).await?,
        _ => return Err(AppError::field("format", "must be json, csv, html or pdf")),
    })
}

/// The month's report as a page, for the link in its e-mail: the same document as the HTML
/// export, in the reader's language. Signed out, the reader is sent to sign in first.
#[tracing::instrument(skip_all)]
pub async fn report_page(
    State(s): State<AppState>,
    Path((c, month)): Path<(String, String)>,
    headers: HeaderMap,
) -> axum::response::Response {
    use axum::response::{IntoResponse, Redirect};
    let Some((token, _)) = app::ssr::session::request_token(&headers) else {
        return Redirect::to("/login").into_response();
    };
    let scope = match app::ssr::session::session_from_token(&s, &token).await {
        Ok(session) => session.scope,
        Err(_) => return Redirect::to("/login").into_response(),
    };
    let page = async {
        let lang = super::request_lang(&headers, None)?;
        let now = chrono::Utc::now();
        let r = app::ssr::service::monitor::report::month(&s, &scope, id(&c)?, &month, now).await?;
        Ok::<_, AppError>(export::to_html(
            &app::ssr::service::monitor::report::document(&r, lang, now),
        ))
    };
    match page.await {
        Ok(html) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize)]
struct EventsQuery {
    limit: Option<u64>,
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn system_events(
    State(s): State<AppState>,
    scope: Scope,
    Path(sys): Path<String>,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> AppResult<Json<Vec<app::model::monitor::EventView>>> {
    Ok(Json(
        monitor::events(&s, &scope, id(&sys)?, q.limit.unwrap_or(50)).await?,
    ))
}
