//! From a request to a `Scope`: the session token comes from `Authorization: Bearer` (API clients)
//! or the session cookie (the browser). The user must still exist, be enabled, and hold the token
//! version the token was issued with (sign-out and disabling bump it).
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use sea_orm::EntityTrait;

use super::auth::Claims;
use super::entity::{membership, user};
use super::error::AppError;
use super::scope::Scope;
use super::state::AppState;
use crate::model::Role;

pub const SESSION_COOKIE: &str = "lifeline_session";

/// The raw token of a request, and whether it came from the cookie (CSRF applies only then).
pub fn request_token(parts: &http::HeaderMap) -> Option<(String, bool)> {
    if let Some(auth) = parts.get(header::AUTHORIZATION) {
        let value = auth.to_str().ok()?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))?;
        return Some((token.trim().to_string(), false));
    }
    cookie(parts, SESSION_COOKIE).map(|t| (t, true))
}

pub fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A signed-in user with their membership.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: user::Model,
    pub membership: membership::Model,
    pub scope: Scope,
    pub claims: Claims,
}

/// Resolves a token to a session, or `Unauthorized`.
pub async fn session_from_token(state: &AppState, token: &str) -> Result<Session, AppError> {
    let refuse = |why: &str| {
        tracing::warn!(reason = why, "refused: bad session");
        AppError::Unauthorized
    };
    let claims = state
        .keys
        .verify(token)
        .ok_or_else(|| refuse("invalid or expired token"))?;
    let user = user::Entity::find_by_id(claims.sub)
        .one(&state.db)
        .await?
        .ok_or_else(|| refuse("unknown user"))?;
    if user.disabled_at.is_some() {
        return Err(refuse("user disabled"));
    }
    if user.token_version != claims.ver {
        return Err(refuse("session ended"));
    }
    let membership = match claims.mid {
        Some(mid) => super::repo::users::membership_by_id(&state.db, user.id, mid).await?,
        None => super::repo::users::membership_of(&state.db, user.id).await?,
    }
    .ok_or_else(|| refuse("no membership"))?;
    if membership.disabled_at.is_some() {
        return Err(refuse("membership disabled"));
    }
    let role = Role::parse(&membership.role).ok_or_else(|| refuse("unknown role"))?;
    let scope = Scope::of_member(user.id, &membership, role);
    Ok(Session {
        user,
        membership,
        scope,
        claims,
    })
}

impl FromRequestParts<AppState> for Session {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(s) = parts.extensions.get::<Session>() {
            return Ok(s.clone());
        }
        let (token, _) = request_token(&parts.headers).ok_or(AppError::Unauthorized)?;
        let session = session_from_token(state, &token).await?;
        parts.extensions.insert(session.clone());
        Ok(session)
    }
}

impl FromRequestParts<AppState> for Scope {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Session::from_request_parts(parts, state)
            .await
            .map(|s| s.scope)
    }
}

/// The `Set-Cookie` value for a session token (HttpOnly; Lax keeps cross-site POSTs cookie-less).
pub fn session_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}{secure}",
        state.settings.token_ttl.as_secs()
    )
}

pub fn clear_session_cookie(state: &AppState) -> String {
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{secure}")
}
