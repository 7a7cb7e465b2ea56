//! REST API v1. Each resource module exposes its own `routes()`; errors are problem details.
//! Routes are added with `route!`, which records each path with its methods: the OpenAPI test
//! compares that table with the document, so neither can grow without the other.
/// Adds `$path` with its handlers to an `Api`, recording the methods as written.
macro_rules! route {
    ($api:expr, $path:expr, $first:ident($h:expr) $(. $m:ident($hh:expr))*) => {
        $api.add(
            $path,
            &[stringify!($first) $(, stringify!($m))*],
            axum::routing::$first($h) $(.$m($hh))*,
        )
    };
}

mod auth;
mod billing;
mod clients;
mod exercises;
mod incidents;
pub mod monitor;
pub mod openapi;
pub mod plan;
mod status_pages;

use app::ssr::{error::AppError, state::AppState};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::Router;
use serde::de::DeserializeOwned;

/// A router and the table of what it serves: (path, methods).
pub struct Api {
    pub router: Router<AppState>,
    pub table: Vec<(&'static str, Vec<&'static str>)>,
}

impl Default for Api {
    fn default() -> Self {
        Api {
            router: Router::new(),
            table: Vec::new(),
        }
    }
}

impl Api {
    pub fn add(
        mut self,
        path: &'static str,
        methods: &[&'static str],
        handlers: axum::routing::MethodRouter<AppState>,
    ) -> Self {
        self.router = self.router.route(path, handlers);
        self.table.push((path, methods.to_vec()));
        self
    }

    pub fn merge(mut self, other: Api) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }
}

/// Everything under `/api/v1`.
pub fn api() -> Api {
    let api = Api::default()
        .merge(auth::routes())
        .merge(clients::routes())
        .merge(plan::routes())
        .merge(monitor::routes())
        .merge(billing::routes())
        .merge(incidents::routes())
        .merge(status_pages::routes())
        .merge(exercises::routes());
    route!(api, "/openapi.json", get(openapi::document))
}

/// A document as a PDF download named `name.pdf`. Layout is CPU work: it runs off the async
/// workers. Private: never kept by a cache on the way.
pub async fn pdf(
    doc: export::Doc,
    name: &str,
) -> app::ssr::error::AppResult<axum::response::Response> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let bytes = tokio::task::spawn_blocking(move || export::to_pdf(&doc))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.pdf\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// What is served outside `/api/v1`: heartbeats and confirm links (short URLs).
pub fn root_routes() -> Api {
    monitor::root_routes()
        .merge(incidents::root_routes())
        .merge(status_pages::root_routes())
}

pub fn api_router() -> Router<AppState> {
    api().router.fallback(|| async { AppError::NotFound })
}

/// `Query<T>` whose rejections are problem details (400), like the body's.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| ApiQuery(v))
            .map_err(|e| AppError::BadRequest(e.body_text()))
    }
}

/// `Json<T>` whose rejections are problem details: 400 for malformed JSON, 413 for an oversized
/// body, 415 without a JSON content type, and 422 for any text longer than the longest text
/// Lifeline keeps (`MAX_TEXT`), whichever field it is in: the limits of each use case come
/// after, this one holds for every field at the door.
pub struct ApiJson<T>(pub T);

/// The longest text of any one field (notes, procedures, message templates).
pub const MAX_TEXT: usize = 10_000;

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let value = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(rejection) => {
                return Err(match rejection.status().as_u16() {
                    413 => AppError::PayloadTooLarge,
                    _ => AppError::BadRequest(rejection.body_text()),
                })
            }
        };
        if let Some(field) = too_long(&value, String::new()) {
            return Err(AppError::field(
                &field,
                format!("must be at most {MAX_TEXT} characters"),
            ));
        }
        serde_json::from_value(value)
            .map(ApiJson)
            .map_err(|e| AppError::BadRequest(format!("the body does not fit: {e}")))
    }
}

/// The first text (or key) in `v` longer than `MAX_TEXT`, named by its path (`a.b[2]`).
fn too_long(v: &serde_json::Value, at: String) -> Option<String> {
    use serde_json::Value;
    let long = |s: &str| s.len() > MAX_TEXT && s.chars().count() > MAX_TEXT;
    match v {
        Value::String(s) if long(s) => Some(if at.is_empty() { "body".into() } else { at }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| too_long(item, format!("{at}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, item)| {
            let name = if at.is_empty() {
                app::ssr::loggable(k)
            } else {
                format!("{at}.{}", app::ssr::loggable(k))
            };
            if long(k) {
                Some(name)
            } else {
                too_long(item, name)
            }
        }),
        _ => None,
    }
}

/// The caller's IP address, for the audit log and sign-in rate limits.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(app::ssr::client_ip(
            parts,
            state.settings.trust_forwarded_for,
        )))
    }
}

/// The language a document is asked in: `?lang=en|nl`, else the reader's language cookie, else
/// English. Anything else in `lang` is refused.
pub fn request_lang(
    headers: &axum::http::HeaderMap,
    asked: Option<&str>,
) -> app::ssr::error::AppResult<app::i18n::Lang> {
    use app::i18n::Lang;
    match asked {
        Some(l) => Lang::parse(l)
            .ok_or_else(|| app::ssr::error::AppError::field("lang", "must be en or nl")),
        None => Ok(app::ssr::session::cookie(headers, app::i18n::LANG_COOKIE)
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default()),
    }
}
