//! Incident mode: declare, follow, tick the checklist, record recoveries, set the call tree
//! going and record its calls, close; and the confirm link people tap without a login.
use app::i18n::Lang;
use app::ids::ClientId;
use app::model::incident::{Impact, IncidentSummary, IncidentSystemView, IncidentView, UpdateView};
use app::ssr::error::AppResult;
use app::ssr::scope::Scope;
use app::ssr::service::calls::{self, LegView};
use app::ssr::service::incidents::{self, IncidentInput, RecoveryInput};
use app::ssr::service::notices;
use app::ssr::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
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
    let api = route!(api, "/incidents/{id}/report", get(report));
    let api = route!(api, "/incidents/{id}/close", post(close));
    let api = route!(api, "/incidents/{id}/checklist/{key}", post(check));
    let api = route!(api, "/incidents/{id}/checklist/{key}/assignee", put(assign));
    let api = route!(
        api,
        "/incidents/{id}/roll-call/{person_id}",
        post(roll_call)
    );
    let api = route!(api, "/incidents/{id}/call-tree", post(start_calls));
    let api = route!(api, "/incidents/{id}/calls", get(calls));
    let api = route!(api, "/incidents/{id}/calls/{leg_id}", post(record_call));
    let api = route!(api, "/incidents/{id}/updates", get(updates).post(draft));
    let api = route!(api, "/incidents/{id}/updates/{update_id}", delete(discard));
    let api = route!(
        api,
        "/incidents/{id}/updates/{update_id}/publish",
        post(publish)
    );
    route!(api, "/incidents/{id}/systems/{system_id}", patch(recovery))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Assignee {
    person_id: Option<Uuid>,
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn assign(
    State(state): State<AppState>,
    scope: Scope,
    Path((raw, key)): Path<(String, String)>,
    ApiJson(input): ApiJson<Assignee>,
) -> AppResult<Json<IncidentView>> {
    let incident: Uuid = id(&raw)?;
    let now = chrono::Utc::now();
    Ok(Json(
        incidents::assign(&state, &scope, incident, &key, input.person_id, now).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Standing {
    state: String,
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn roll_call(
    State(state): State<AppState>,
    scope: Scope,
    Path((raw, raw_person)): Path<(String, String)>,
    ApiJson(input): ApiJson<Standing>,
) -> AppResult<Json<IncidentView>> {
    let incident: Uuid = id(&raw)?;
    let person: Uuid = id(&raw_person)?;
    let now = chrono::Utc::now();
    Ok(Json(
        incidents::roll_call(&state, &scope, incident, person, &input.state, now).await?,
    ))
}

/// An incident's updates to customers under `updates`.
#[derive(serde::Serialize)]
struct Updates {
    updates: Vec<UpdateView>,
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn updates(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
) -> AppResult<Json<Updates>> {
    let incident: Uuid = id(&raw)?;
    Ok(Json(Updates {
        updates: notices::list(&state, &scope, incident).await?,
    }))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn draft(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<notices::UpdateInput>,
) -> AppResult<(StatusCode, Json<UpdateView>)> {
    let incident: Uuid = id(&raw)?;
    let now = chrono::Utc::now();
    Ok((
        StatusCode::CREATED,
        Json(notices::draft(&state, &scope, incident, input, now).await?),
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn discard(
    State(state): State<AppState>,
    scope: Scope,
    Path((raw, raw_update)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    let incident: Uuid = id(&raw)?;
    let update: Uuid = id(&raw_update)?;
    notices::discard(&state, &scope, incident, update).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn publish(
    State(state): State<AppState>,
    scope: Scope,
    Path((raw, raw_update)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Json<UpdateView>> {
    let incident: Uuid = id(&raw)?;
    let update: Uuid = id(&raw_update)?;
    // The mails' links go to the public: the configured public address, or this local one.
    let base = app::ssr::service::mail::public_base(&state, &headers);
    let now = chrono::Utc::now();
    Ok(Json(
        notices::publish(&state, &scope, incident, update, &base, now).await?,
    ))
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

/// The legs under `legs`.
#[derive(serde::Serialize)]
struct Legs {
    legs: Vec<LegView>,
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn start_calls(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<Legs>> {
    let incident: Uuid = id(&raw)?;
    // The links go to other people: only the configured public address, or this local one.
    let base = app::ssr::service::mail::public_base(&state, &headers);
    let now = chrono::Utc::now();
    Ok(Json(Legs {
        legs: calls::start(&state, &scope, incident, &base, now).await?,
    }))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn calls(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
) -> AppResult<Json<Legs>> {
    let incident: Uuid = id(&raw)?;
    Ok(Json(Legs {
        legs: calls::list(&state, &scope, incident).await?,
    }))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn record_call(
    State(state): State<AppState>,
    scope: Scope,
    Path((raw, raw_leg)): Path<(String, String)>,
    ApiJson(answer): ApiJson<calls::Answer>,
) -> AppResult<Json<LegView>> {
    let incident: Uuid = id(&raw)?;
    let leg: Uuid = id(&raw_leg)?;
    let now = chrono::Utc::now();
    Ok(Json(
        calls::record(&state, &scope, incident, leg, answer, now).await?,
    ))
}

/// The confirm link lives outside the API prefix: short enough for a text message.
pub fn root_routes() -> super::Api {
    let api = super::Api::default();
    route!(api, "/r/{token}", get(link_page).post(link_confirm))
}

pub(super) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A page of its own, readable on any phone, without the portal around it.
pub(super) fn page(status: StatusCode, lang: Lang, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} · Lifeline</title><style>body{{font-family:system-ui,sans-serif;margin:0;padding:1.5rem;line-height:1.5;color:#1b1b1b}}main{{max-width:32rem;margin:auto}}button{{font:inherit;font-size:1.25rem;padding:.9rem 1.6rem;border:0;border-radius:.5rem;background:#0b6e4f;color:#fff;width:100%}}</style></head><body><main><h1>{}</h1>{body}</main></body></html>",
        lang.code(),
        escape(title),
        escape(title)
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

fn link_answer(link: calls::Link, token: &str, lang: Lang) -> Response {
    let nl = lang == Lang::Nl;
    match link {
        calls::Link::Unknown => page(
            StatusCode::NOT_FOUND,
            lang,
            if nl { "Onbekende link" } else { "Unknown link" },
            if nl {
                "<p>Deze link kennen we niet. Kijk of hij helemaal is overgenomen.</p>"
            } else {
                "<p>We do not know this link. Check that it was copied whole.</p>"
            },
        ),
        calls::Link::Spent { person } => {
            page(
                StatusCode::GONE,
                lang,
                if nl {
                    "Al bevestigd"
                } else {
                    "Already confirmed"
                },
                &format!(
                    "<p>{}</p>",
                    escape(&if nl {
                        format!("Dank u, {person}: deze link is al gebruikt of het incident is gesloten.")
                    } else {
                        format!("Thank you, {person}: this link was used already or the incident is closed.")
                    })
                ),
            )
        }
        calls::Link::Open {
            person,
            title,
            drill,
        } => {
            let drill = match (drill, nl) {
                (true, true) => "<p><strong>Dit is een oefening.</strong></p>",
                (true, false) => "<p><strong>This is a drill.</strong></p>",
                _ => "",
            };
            let (lead, button) = if nl {
                (
                    format!("{person}, bevestig dat het bericht over \"{title}\" u bereikt heeft."),
                    "Ik heb het bericht",
                )
            } else {
                (
                    format!("{person}, confirm that the message about \"{title}\" reached you."),
                    "I got the message",
                )
            };
            page(
                StatusCode::OK,
                lang,
                if nl { "Bevestigen" } else { "Confirm" },
                &format!(
                    "{drill}<p>{}</p><form method=\"post\" action=\"/r/{}\"><button type=\"submit\">{button}</button></form>",
                    escape(&lead),
                    escape(token)
                ),
            )
        }
        calls::Link::Confirmed { person } => page(
            StatusCode::OK,
            lang,
            if nl { "Bevestigd" } else { "Confirmed" },
            &format!(
                "<p>{}</p>",
                escape(&if nl {
                    format!("Dank u, {person}. Uw bevestiging staat in het incident.")
                } else {
                    format!("Thank you, {person}. Your confirmation is on the incident.")
                })
            ),
        ),
    }
}

/// The reader's chosen language, else the one their message was written in.
async fn link_lang(state: &AppState, token: &str, headers: &HeaderMap) -> Lang {
    match app::ssr::session::cookie(headers, app::i18n::LANG_COOKIE).and_then(|v| Lang::parse(&v)) {
        Some(lang) => lang,
        None => calls::language(state, token).await.unwrap_or_default(),
    }
}

async fn link_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = link_lang(&state, &token, &headers).await;
    match calls::peek(&state, &token).await {
        Ok(link) => link_answer(link, &token, lang),
        Err(e) => e.into_response(),
    }
}

async fn link_confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = link_lang(&state, &token, &headers).await;
    match calls::confirm(&state, &token, chrono::Utc::now()).await {
        Ok(link) => link_answer(link, &token, lang),
        Err(e) => e.into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct ReportQuery {
    /// json (default), html or pdf.
    format: Option<String>,
    /// `en` or `nl` for html and pdf; by default the reader's language.
    lang: Option<String>,
}

/// The post-incident report as JSON, a page or a PDF.
#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn report(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
    headers: HeaderMap,
    super::ApiQuery(q): super::ApiQuery<ReportQuery>,
) -> AppResult<Response> {
    let incident: Uuid = id(&raw)?;
    let now = chrono::Utc::now();
    let lang = super::request_lang(&headers, q.lang.as_deref())?;
    let r = incidents::report(&state, &scope, incident, now).await?;
    Ok(match q.format.as_deref().unwrap_or("json") {
        "json" => Json(r).into_response(),
        "html" => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            export::to_html(&incidents::document(&r, lang, now)),
        )
            .into_response(),
        "pdf" => {
            let doc = incidents::document(&r, lang, now);
            super::pdf(doc, &format!("incident-report-{incident}")).await?
        }
        _ => {
            return Err(app::ssr::error::AppError::field(
                "format",
                "must be json, html or pdf",
            ))
        }
    })
}
