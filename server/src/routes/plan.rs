//! The continuity plan's resources under `/clients/{id}/…`, and each item by its own id.
use app::ssr::error::{AppError, AppResult};
use app::ssr::scope::Scope;
use app::ssr::service::plan::overview::{self, ApproveInput, SettingsInput};
use app::ssr::service::plan::templates;
use app::ssr::session::Session;
use app::ssr::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;

use super::{ApiJson, ApiQuery};

/// Path ids that are not UUIDs name nothing in scope: 404, like any unknown id. The id comes
/// out typed as the handler's use case asks (`SystemId`, `ClientId`, …).
pub fn id<T: From<Uuid>>(raw: &str) -> AppResult<T> {
    Uuid::parse_str(raw)
        .map(T::from)
        .map_err(|_| AppError::NotFound)
}

/// The five handlers of a plan collection (`/clients/{id}/<plural>`) and its items (`/<plural>/{id}`),
/// all thin calls into the service module of the same name.
macro_rules! plan_resource {
    ($module:ident, $plural:literal, $input:ty, $view:ty) => {
        mod $module {
            use super::*;
            use app::ssr::service::plan::$module as svc;

            pub fn routes() -> super::super::Api {
                let api = super::super::Api::default();
                let api = route!(
                    api,
                    concat!("/clients/{id}/", $plural),
                    get(list).post(create)
                );
                route!(
                    api,
                    concat!("/", $plural, "/{id}"),
                    get(show).patch(update).delete(remove)
                )
            }

            #[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
            async fn list(
                State(s): State<AppState>,
                scope: Scope,
                Path(c): Path<String>,
            ) -> AppResult<Json<Vec<$view>>> {
                Ok(Json(svc::list(&s, &scope, id(&c)?).await?))
            }

            #[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
            async fn create(
                State(s): State<AppState>,
                scope: Scope,
                Path(c): Path<String>,
                ApiJson(input): ApiJson<$input>,
            ) -> AppResult<(StatusCode, Json<$view>)> {
                Ok((
                    StatusCode::CREATED,
                    Json(svc::create(&s, &scope, id(&c)?, input).await?),
                ))
            }

            #[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
            async fn show(
                State(s): State<AppState>,
                scope: Scope,
                Path(i): Path<String>,
            ) -> AppResult<Json<$view>> {
                Ok(Json(svc::get(&s, &scope, id(&i)?).await?))
            }

            #[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
            async fn update(
                State(s): State<AppState>,
                scope: Scope,
                Path(i): Path<String>,
                ApiJson(input): ApiJson<$input>,
            ) -> AppResult<Json<$view>> {
                Ok(Json(svc::update(&s, &scope, id(&i)?, input).await?))
            }

            #[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
            async fn remove(
                State(s): State<AppState>,
                scope: Scope,
                Path(i): Path<String>,
            ) -> AppResult<StatusCode> {
                svc::delete(&s, &scope, id(&i)?).await?;
                Ok(StatusCode::NO_CONTENT)
            }
        }
    };
}

use app::model::plan::{
    CustomerGroupView, PersonView, ProcessView, SiteView, SystemView, TemplateView,
};
plan_resource!(systems, "systems", svc::SystemInput, SystemView);
plan_resource!(processes, "processes", svc::ProcessInput, ProcessView);
plan_resource!(people, "people", svc::PersonInput, PersonView);
plan_resource!(sites, "sites", svc::SiteInput, SiteView);
plan_resource!(
    customers,
    "customer-groups",
    svc::CustomerGroupInput,
    CustomerGroupView
);

pub fn routes() -> super::Api {
    let api = super::Api::default()
        .merge(systems::routes())
        .merge(processes::routes())
        .merge(people::routes())
        .merge(sites::routes())
        .merge(customers::routes());
    let api = route!(api, "/templates", get(templates).post(create_template));
    let api = route!(
        api,
        "/templates/{id}",
        get(template).patch(update_template).delete(delete_template)
    );
    let api = route!(
        api,
        "/clients/{id}/plan/apply-template",
        post(apply_template)
    );
    let api = route!(api, "/clients/{id}/plan/impact", get(impact));
    let api = route!(api, "/clients/{id}/plan/export.pdf", get(export_pdf));
    let api = route!(api, "/clients/{id}/plan/export.html", get(export_html));
    let api = route!(api, "/clients/{id}/plan", get(plan).patch(update_settings));
    let api = route!(
        api,
        "/clients/{id}/plan/versions",
        get(versions).post(approve)
    );
    let api = route!(api, "/clients/{id}/plan/versions/{n}", get(version));
    route!(api, "/clients/{id}/plan/changes", get(changes))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn plan(
    State(s): State<AppState>,
    scope: Scope,
    Path(c): Path<String>,
) -> AppResult<Json<app::model::plan::PlanView>> {
    Ok(Json(
        overview::view(&s, &scope, id(&c)?, chrono::Utc::now().date_naive()).await?,
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn update_settings(
    State(s): State<AppState>,
    scope: Scope,
    Path(c): Path<String>,
    ApiJson(input): ApiJson<SettingsInput>,
) -> AppResult<Json<app::model::plan::PlanSettings>> {
    Ok(Json(
        overview::update_settings(&s, &scope, id(&c)?, input).await?,
    ))
}

#[tracing::instrument(skip_all, fields(msp = %session.scope.msp_id()))]
async fn approve(
    State(s): State<AppState>,
    session: Session,
    Path(c): Path<String>,
    ApiJson(input): ApiJson<ApproveInput>,
) -> AppResult<(StatusCode, Json<app::model::plan::VersionInfo>)> {
    Ok((
        StatusCode::CREATED,
        Json(overview::approve(&s, &session, id(&c)?, input).await?),
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn versions(
    State(s): State<AppState>,
    scope: Scope,
    Path(c): Path<String>,
) -> AppResult<Json<Vec<app::model::plan::VersionInfo>>> {
    Ok(Json(overview::versions(&s, &scope, id(&c)?).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn version(
    State(s): State<AppState>,
    scope: Scope,
    Path((c, n)): Path<(String, String)>,
) -> AppResult<Json<overview::VersionDetail>> {
    let n: u32 = n.parse().map_err(|_| AppError::NotFound)?;
    Ok(Json(overview::version(&s, &scope, id(&c)?, n).await?))
}

#[derive(Deserialize)]
struct ChangesQuery {
    from: u32,
    /// A version number; absent for the current draft.
    to: Option<u32>,
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn changes(
    State(s): State<AppState>,
    scope: Scope,
    Path(c): Path<String>,
    ApiQuery(q): ApiQuery<ChangesQuery>,
) -> AppResult<Json<Vec<app::domain::diff::Change>>> {
    Ok(Json(
        overview::changes(&s, &scope, id(&c)?, q.from, q.to).await?,
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn templates(State(s): State<AppState>, scope: Scope) -> AppResult<Json<Vec<TemplateView>>> {
    Ok(Json(templates::list(&s, &scope).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn template(
    State(s): State<AppState>,
    scope: Scope,
    Path(t): Path<String>,
) -> AppResult<Json<TemplateView>> {
    Ok(Json(templates::get(&s, &scope, &t).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn create_template(
    State(s): State<AppState>,
    scope: Scope,
    ApiJson(input): ApiJson<templates::TemplateInput>,
) -> AppResult<(StatusCode, Json<TemplateView>)> {
    Ok((
        StatusCode::CREATED,
        Json(templates::create(&s, &scope, input).await?),
    ))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn update_template(
    State(s): State<AppState>,
    scope: Scope,
    Path(t): Path<String>,
    ApiJson(input): ApiJson<templates::TemplateInput>,
) -> AppResult<Json<TemplateView>> {
    Ok(Json(templates::update(&s, &scope, &t, input).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn delete_template(
    State(s): State<AppState>,
    scope: Scope,
    Path(t): Path<String>,
) -> AppResult<StatusCode> {
    templates::delete(&s, &scope, &t).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplyTemplate {
    template_id: String,
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn apply_template(
    State(s): State<AppState>,
    scope: Scope,
    Path(c): Path<String>,
    ApiJson(input): ApiJson<ApplyTemplate>,
) -> AppResult<Json<app::model::plan::PlanView>> {
    let client = id(&c)?;
    templates::apply(&s, &scope, client, &input.template_id).await?;
    Ok(Json(
        overview::view(&s, &scope, client, chrono::Utc::now().date_naive()).await?,
    ))
}

#[derive(Deserialize)]
struct ImpactQuery {
    /// Comma-separated ids of the systems that are down.
    systems: String,
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn impact(
    State(s): State<AppState>,
    scope: Scope,
    Path(c): Path<String>,
    ApiQuery(q): ApiQuery<ImpactQuery>,
) -> AppResult<Json<overview::ImpactView>> {
    let mut down = Vec::new();
    for raw in q
        .systems
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        down.push(
            Uuid::parse_str(raw)
                .map_err(|_| AppError::field("systems", format!("“{raw}” is not a system id")))?,
        );
    }
    Ok(Json(overview::impact(&s, &scope, id(&c)?, &down).await?))
}

#[derive(Deserialize)]
struct ExportQuery {
    /// `en` or `nl`; by default the reader's language cookie, else English.
    lang: Option<String>,
    /// An approved version number; by default the plan as it stands.
    version: Option<u32>,
}

/// The plan as a printable document, in the language asked for.
async fn export_doc(
    s: &AppState,
    scope: &Scope,
    headers: &axum::http::HeaderMap,
    c: &str,
    q: ExportQuery,
) -> AppResult<(export::Doc, String)> {
    let lang = super::request_lang(headers, q.lang.as_deref())?;
    let client = id(c)?;
    let today = chrono::Utc::now().date_naive();
    let plan = match q.version {
        Some(n) => overview::version_view(s, scope, client, n, today).await?,
        None => overview::view(s, scope, client, today).await?,
    };
    let doc = app::ssr::service::plan::export::document(&plan, lang, chrono::Utc::now());
    let version = q.version.map(|n| format!("-v{n}")).unwrap_or_default();
    let slug: String = plan
        .client_name
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() {
                ch.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    Ok((doc, format!("continuity-plan-{slug}{version}")))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn export_pdf(
    State(s): State<AppState>,
    scope: Scope,
    headers: axum::http::HeaderMap,
    Path(c): Path<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> AppResult<axum::response::Response> {
    let (doc, name) = export_doc(&s, &scope, &headers, &c, q).await?;
    super::pdf(doc, &name).await
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn export_html(
    State(s): State<AppState>,
    scope: Scope,
    headers: axum::http::HeaderMap,
    Path(c): Path<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let (doc, _) = export_doc(&s, &scope, &headers, &c, q).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "private, no-store"),
        ],
        export::to_html(&doc),
    )
        .into_response())
}
