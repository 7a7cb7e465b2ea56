use app::model::{MeView, MspView, UserView};
use app::ssr::error::AppResult;
use app::ssr::service::account::{self, SignupInput};
use app::ssr::session::{clear_session_cookie, session_cookie, Session};
use app::ssr::state::AppState;
use axum::extract::State;
use axum::http::{header::SET_COOKIE, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::{ApiJson, ClientIp};

pub fn routes() -> super::Api {
    let api = super::Api::default();
    let api = route!(api, "/auth/signup", post(signup));
    let api = route!(api, "/auth/login", post(login));
    let api = route!(api, "/auth/logout", post(logout));
    let api = route!(api, "/auth/refresh", post(refresh));
    let api = route!(api, "/auth/switch", post(switch));
    let api = route!(api, "/auth/password", post(change_password));
    let api = route!(api, "/auth/password-reset", post(request_reset));
    let api = route!(api, "/auth/password-reset/confirm", post(confirm_reset));
    route!(api, "/me", get(me))
}

#[derive(Serialize)]
struct SignupOut {
    token: String,
    user: UserView,
    msp: MspView,
}

#[derive(Serialize)]
struct TokenOut {
    token: String,
    user: UserView,
}

/// The answer that starts a session: the token in the body and in the HttpOnly cookie.
fn entered(state: &AppState, token: String, user: UserView) -> impl IntoResponse {
    let cookie = session_cookie(state, &token);
    (
        AppendHeaders([(SET_COOKIE, cookie)]),
        Json(TokenOut { token, user }),
    )
}

#[derive(Deserialize)]
struct LoginIn {
    email: String,
    password: String,
}

#[tracing::instrument(skip_all)]
async fn signup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(input): ApiJson<SignupInput>,
) -> AppResult<impl IntoResponse> {
    let (signed_in, msp) = account::signup(&state, input, ip).await?;
    let cookie = session_cookie(&state, &signed_in.token);
    let body = SignupOut {
        token: signed_in.token,
        user: signed_in.user,
        msp,
    };
    Ok((
        StatusCode::CREATED,
        AppendHeaders([(SET_COOKIE, cookie)]),
        Json(body),
    ))
}

#[tracing::instrument(skip_all)]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(input): ApiJson<LoginIn>,
) -> AppResult<impl IntoResponse> {
    let signed_in = account::login(&state, &input.email, &input.password, ip).await?;
    Ok(entered(&state, signed_in.token, signed_in.user))
}

/// Ends all of the user's sessions, on every device.
#[tracing::instrument(skip_all, fields(user = %session.user.id))]
async fn logout(State(state): State<AppState>, session: Session) -> AppResult<impl IntoResponse> {
    account::logout(&state, &session).await?;
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(SET_COOKIE, clear_session_cookie(&state))]),
    ))
}

/// A fresh token for API clients whose token is about to expire.
#[tracing::instrument(skip_all, fields(user = %session.user.id))]
async fn refresh(State(state): State<AppState>, session: Session) -> AppResult<impl IntoResponse> {
    // The same maximum session age as the browser's renewal: past it, sign in again.
    let age = chrono::Utc::now().timestamp() - session.claims.auth_time;
    if age > state.settings.session_max_age.as_secs() as i64 {
        tracing::warn!(user = %session.user.id, "refused: session past its maximum age");
        return Err(app::ssr::error::AppError::Unauthorized);
    }
    let token = account::issue_token(
        &state,
        &session.user,
        Some(session.claims.auth_time),
        session.claims.mid,
    )?;
    let user = app::ssr::service::user_view(&session.user, session.scope.role());
    Ok(entered(&state, token, user))
}

#[derive(Deserialize)]
struct PasswordIn {
    current_password: String,
    new_password: String,
}

/// Changes the signed-in user's password; every other session ends, this one goes on.
#[tracing::instrument(skip_all, fields(user = %session.user.id))]
async fn change_password(
    State(state): State<AppState>,
    session: Session,
    ApiJson(input): ApiJson<PasswordIn>,
) -> AppResult<impl IntoResponse> {
    let token = app::ssr::service::passwords::change(
        &state,
        &session,
        &input.current_password,
        &input.new_password,
    )
    .await?;
    let user = app::ssr::service::user_view(&session.user, session.scope.role());
    Ok(entered(&state, token, user))
}

#[derive(Deserialize)]
struct ResetIn {
    email: String,
}

/// Sends a reset link if the address has an account; 202 either way.
#[tracing::instrument(skip_all)]
async fn request_reset(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ApiJson(input): ApiJson<ResetIn>,
) -> AppResult<StatusCode> {
    let base = app::ssr::service::mail::public_base(&state, &headers);
    app::ssr::service::passwords::request_reset(&state, &input.email, &base).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize)]
struct ResetConfirmIn {
    token: String,
    new_password: String,
}

/// Sets a new password with a reset link's token and signs the user in.
#[tracing::instrument(skip_all)]
async fn confirm_reset(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ResetConfirmIn>,
) -> AppResult<impl IntoResponse> {
    let signed_in =
        app::ssr::service::passwords::confirm_reset(&state, &input.token, &input.new_password)
            .await?;
    Ok(entered(&state, signed_in.token, signed_in.user))
}

#[derive(Deserialize)]
struct SwitchIn {
    membership_id: uuid::Uuid,
}

/// Acts in another membership of the same account (one who works for two MSPs, say).
#[tracing::instrument(skip_all, fields(user = %session.user.id))]
async fn switch(
    State(state): State<AppState>,
    session: Session,
    ApiJson(input): ApiJson<SwitchIn>,
) -> AppResult<impl IntoResponse> {
    let token = account::switch(&state, &session, input.membership_id).await?;
    let fresh = app::ssr::session::session_from_token(&state, &token).await?;
    let user = app::ssr::service::user_view(&session.user, fresh.scope.role());
    Ok(entered(&state, token, user))
}

#[tracing::instrument(skip_all, fields(msp = %session.scope.msp_id()))]
async fn me(State(state): State<AppState>, session: Session) -> AppResult<Json<MeView>> {
    Ok(Json(account::me(&state, &session).await?))
}
