//! REST API v1. Each resource module exposes its own `router()`; errors are problem details.
mod auth;
mod clients;
pub mod monitor;
pub mod openapi;
pub mod plan;

use app::ssr::{error::AppError, state::AppState};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::Router;
use serde::de::DeserializeOwned;

pub fn api_router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(clients::router())
        .merge(plan::router())
        .merge(monitor::router())
        .route("/openapi.json", axum::routing::get(openapi::document))
        .fallback(|| async { AppError::NotFound })
}

/// `Json<T>` whose rejections are problem details: 400 for malformed JSON, 413 for an oversized
/// body, 415 without a JSON content type.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(match rejection.status().as_u16() {
                413 => AppError::PayloadTooLarge,
                _ => AppError::BadRequest(rejection.body_text()),
            }),
        }
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
