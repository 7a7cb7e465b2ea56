//! Server functions for the UI. Each is a thin shell over a use case in `ssr::service`; the scope
//! comes from the session cookie exactly as for the REST API.
use leptos::prelude::*;
use uuid::Uuid;

use crate::model::{ClientView, InviteCreated, MeView, UserView};

#[cfg(feature = "ssr")]
mod ctx {
    use crate::ssr::{error::AppError, session::Session, state::AppState};
    use leptos::prelude::*;

    pub fn err(e: AppError) -> ServerFnError {
        if e.status_code().is_server_error() {
            tracing::error!(error = ?e, "server function failed");
        }
        if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
            opts.set_status(e.status_code());
        }
        ServerFnError::ServerError(e.public_message())
    }

    pub fn state() -> AppState {
        expect_context::<AppState>()
    }

    pub async fn session() -> Result<(AppState, Session), ServerFnError> {
        let state = state();
        let session = leptos_axum::extract_with_state::<Session, _>(&state)
            .await
            .map_err(|_| err(AppError::Unauthorized))?;
        Ok((state, session))
    }

    pub async fn ip(state: &AppState) -> String {
        let parts: http::request::Parts = leptos_axum::extract()
            .await
            .unwrap_or_else(|_| http::Request::new(()).into_parts().0);
        crate::ssr::client_ip(&parts, state.settings.trust_forwarded_for)
    }

    pub fn set_cookie(value: String) {
        if let (Some(opts), Ok(v)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::HeaderValue::from_str(&value),
        ) {
            opts.append_header(http::header::SET_COOKIE, v);
        }
    }
}

/// The signed-in user, or `None`.
#[server]
pub async fn get_me() -> Result<Option<MeView>, ServerFnError> {
    use crate::ssr::service::account;
    let state = ctx::state();
    match leptos_axum::extract_with_state::<crate::ssr::session::Session, _>(&state).await {
        Ok(session) => account::me(&state, &session)
            .await
            .map(Some)
            .map_err(ctx::err),
        Err(_) => Ok(None),
    }
}

#[server]
pub async fn login(email: String, password: String) -> Result<(), ServerFnError> {
    use crate::ssr::{service::account, session::session_cookie};
    let state = ctx::state();
    let ip = ctx::ip(&state).await;
    let signed_in = account::login(&state, &email, &password, ip)
        .await
        .map_err(ctx::err)?;
    ctx::set_cookie(session_cookie(&state, &signed_in.token));
    leptos_axum::redirect(if signed_in.user.role.is_msp_staff() {
        "/clients"
    } else {
        "/home"
    });
    Ok(())
}

#[server]
pub async fn signup(
    msp_name: String,
    name: String,
    email: String,
    password: String,
) -> Result<(), ServerFnError> {
    use crate::ssr::{service::account, session::session_cookie};
    let state = ctx::state();
    let ip = ctx::ip(&state).await;
    let input = account::SignupInput {
        msp_name,
        name,
        email,
        password,
    };
    let (signed_in, _) = account::signup(&state, input, ip).await.map_err(ctx::err)?;
    ctx::set_cookie(session_cookie(&state, &signed_in.token));
    leptos_axum::redirect("/clients");
    Ok(())
}

#[server]
pub async fn logout() -> Result<(), ServerFnError> {
    use crate::ssr::{service::account, session::clear_session_cookie};
    if let Ok((state, session)) = ctx::session().await {
        account::logout(&state, &session).await.map_err(ctx::err)?;
    }
    ctx::set_cookie(clear_session_cookie(&ctx::state()));
    leptos_axum::redirect("/login");
    Ok(())
}

#[server]
pub async fn list_clients() -> Result<Vec<ClientView>, ServerFnError> {
    let (state, s) = ctx::session().await?;
    crate::ssr::service::clients::list(&state, &s.scope)
        .await
        .map_err(ctx::err)
}

#[server]
pub async fn add_client(name: String) -> Result<ClientView, ServerFnError> {
    use crate::ssr::service::clients;
    let (state, s) = ctx::session().await?;
    let input = clients::NewClient {
        name,
        notes: String::new(),
    };
    clients::create(&state, &s.scope, input)
        .await
        .map_err(ctx::err)
}

#[server]
pub async fn get_client(id: Uuid) -> Result<(ClientView, Vec<UserView>), ServerFnError> {
    use crate::ssr::service::clients;
    let (state, s) = ctx::session().await?;
    let client = clients::get(&state, &s.scope, id).await.map_err(ctx::err)?;
    let users = clients::users_of(&state, &s.scope, id)
        .await
        .map_err(ctx::err)?;
    Ok((client, users))
}

/// Returns the invite with the full link to hand over.
#[server]
pub async fn invite_user(
    client_id: Uuid,
    email: String,
    name: String,
    role: String,
) -> Result<(InviteCreated, String), ServerFnError> {
    use crate::ssr::service::{account, mail};
    let (state, s) = ctx::session().await?;
    let input = account::InviteInput { email, name, role };
    let created = account::invite_client_user(&state, &s.scope, client_id, input)
        .await
        .map_err(ctx::err)?;
    let link = mail::invite_link(&state, &created.invite_token);
    Ok((created, link))
}

#[server]
pub async fn accept_invite(token: String, password: String) -> Result<(), ServerFnError> {
    use crate::ssr::{service::account, session::session_cookie};
    let state = ctx::state();
    let ip = ctx::ip(&state).await;
    let signed_in = account::accept_invite(&state, &token, &password, ip)
        .await
        .map_err(ctx::err)?;
    ctx::set_cookie(session_cookie(&state, &signed_in.token));
    leptos_axum::redirect(if signed_in.user.role.is_msp_staff() {
        "/clients"
    } else {
        "/home"
    });
    Ok(())
}
