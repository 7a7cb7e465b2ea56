//! One error type for the server. Answers are RFC 9457 problem details; internal causes are logged
//! with the request's id and never shown.
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request body or a parameter is malformed (not a validation failure of its values).
    #[error("{0}")]
    BadRequest(String),
    /// Values that parse but are not acceptable, per field.
    #[error("validation failed")]
    Validation(BTreeMap<String, String>),
    #[error("{}", crate::model::UNAUTHORIZED)]
    Unauthorized,
    /// Sign-in failed: the same words whether the account exists or not.
    #[error("wrong e-mail address or password")]
    BadCredentials,
    #[error("{0}")]
    Forbidden(String),
    /// Also the answer for anything outside the caller's scope: existence is not leaked.
    #[error("{}", crate::model::NOT_FOUND)]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("too many attempts, try again later")]
    TooManyRequests,
    #[error("payload too large")]
    PayloadTooLarge,
    /// This replica cannot do the work now (its storage refuses writes); retry later.
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::Internal(e.into())
    }
}

impl AppError {
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        AppError::Validation(BTreeMap::from([(name.to_string(), message.into())]))
    }

    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a person may read: internal causes are replaced by a generic sentence.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => "an internal error occurred".into(),
            AppError::Validation(errors) => errors
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        Problem {
            r#type: "about:blank",
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: self.public_message(),
            errors: match self {
                AppError::Validation(e) => Some(e.clone()),
                _ => None,
            },
        }
    }
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize)]
pub struct Problem {
    pub r#type: &'static str,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, String>>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(error = ?cause, "internal error");
        }
        let status = self.status_code();
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("30"));
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

pub type AppResult<T> = Result<T, AppError>;
