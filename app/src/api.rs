//! Server functions for the UI. Each is a thin shell over a use case in `ssr::service`; the scope
//! comes from the session cookie exactly as for the REST API.
// A server function's arguments are its form's fields, one by one.
#![allow(clippy::too_many_arguments)]
use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use crate::ids::{ClientId, CustomerGroupId, PersonId, ProcessId, SiteId, SystemId};
use crate::model::{ClientView, InviteCreated, MeView, UserView};

#[cfg(feature = "ssr")]
mod policy_form;

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
        // A missing session or page is told by its fixed English words, which the pages turn
        // into a sign-in redirect or the not-found page; anything else is for the reader.
        match e {
            AppError::Unauthorized | AppError::NotFound => {
                ServerFnError::ServerError(e.public_message())
            }
            e => ServerFnError::ServerError(crate::ssr::error::for_people(&e)),
        }
    }

    /// The server's state. Missing only when a page's data is still being fetched after its
    /// request was abandoned (the reader went away mid-render): an error then, not a panic.
    pub fn state() -> Result<AppState, ServerFnError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::warn!("server function ran outside a request");
            ServerFnError::ServerError("the request has ended".into())
        })
    }

    pub async fn session() -> Result<(AppState, Session), ServerFnError> {
        let state = state()?;
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

    /// Where links the requester hands over point: the public URL, else this request's Host.
    pub fn base(state: &AppState) -> String {
        crate::ssr::service::mail::request_base(state, &headers())
    }

    fn headers() -> http::HeaderMap {
        use_context::<http::request::Parts>()
            .map(|p| p.headers)
            .unwrap_or_default()
    }

    /// Where links that go to other people point: only the configured public address, never
    /// a Host header from elsewhere.
    pub fn public_base(state: &AppState) -> String {
        crate::ssr::service::mail::public_base(state, &headers())
    }

    /// An invitation with the link to hand over.
    pub fn with_link(
        base: &str,
        created: crate::model::InviteCreated,
    ) -> (crate::model::InviteCreated, String) {
        let link = crate::ssr::service::mail::invite_link(base, &created.invite_token);
        (created, link)
    }

    /// Sets the new session's cookie and goes on to `next` (a path of this site), else to the
    /// role's start page.
    pub fn enter(
        state: &AppState,
        signed_in: &crate::ssr::service::account::SignedIn,
        next: Option<&str>,
    ) {
        set_cookie(crate::ssr::session::session_cookie(state, &signed_in.token));
        let start = if signed_in.user.role.is_msp_staff() {
            "/clients"
        } else {
            "/home"
        };
        let next = next.and_then(crate::domain::input::site_path);
        leptos_axum::redirect(next.unwrap_or(start));
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
    let state = ctx::state()?;
    match leptos_axum::extract_with_state::<crate::ssr::session::Session, _>(&state).await {
        Ok(session) => account::me(&state, &session)
            .await
            .map(Some)
            .map_err(ctx::err),
        Err(_) => Ok(None),
    }
}

/// Signs in and goes on to `next` (the page a signed-out visitor asked for) when it is a path
/// of this site, else to the role's start page.
#[server]
pub async fn login(
    email: String,
    password: String,
    #[server(default)] next: Option<String>,
) -> Result<(), ServerFnError> {
    use crate::ssr::service::account;
    let state = ctx::state()?;
    let ip = ctx::ip(&state).await;
    let signed_in = account::login(&state, &email, &password, ip)
        .await
        .map_err(ctx::err)?;
    ctx::enter(&state, &signed_in, next.as_deref());
    Ok(())
}

#[server]
pub async fn signup(
    msp_name: String,
    name: String,
    email: String,
    password: String,
) -> Result<(), ServerFnError> {
    use crate::ssr::service::account;
    let state = ctx::state()?;
    let ip = ctx::ip(&state).await;
    let input = account::SignupInput {
        msp_name,
        name,
        email,
        password,
    };
    let (signed_in, _) = account::signup(&state, input, ip).await.map_err(ctx::err)?;
    ctx::enter(&state, &signed_in, None);
    Ok(())
}

/// Sends a password reset link to an address if it has an account; answers alike either way.
#[server]
pub async fn request_password_reset(email: String) -> Result<(), ServerFnError> {
    use crate::ssr::service::{mail, passwords};
    let state = ctx::state()?;
    let parts: http::request::Parts = leptos_axum::extract()
        .await
        .map_err(|_| ctx::err(crate::ssr::error::AppError::Unauthorized))?;
    let base = mail::public_base(&state, &parts.headers);
    passwords::request_reset(&state, &email, &base)
        .await
        .map_err(ctx::err)
}

/// Sets a new password with the token of a reset link, and signs in.
#[server]
pub async fn reset_password(token: String, password: String) -> Result<(), ServerFnError> {
    use crate::ssr::service::passwords;
    let state = ctx::state()?;
    let signed_in = passwords::confirm_reset(&state, &token, &password)
        .await
        .map_err(ctx::err)?;
    ctx::enter(&state, &signed_in, None);
    Ok(())
}

/// Acts from now on in another of the account's memberships (another MSP, or a client), and
/// goes to that role's start page.
#[server]
pub async fn switch_membership(membership_id: Uuid) -> Result<(), ServerFnError> {
    use crate::ssr::service::account;
    let (state, session) = ctx::session().await?;
    let token = account::switch(&state, &session, membership_id)
        .await
        .map_err(ctx::err)?;
    let fresh = crate::ssr::session::session_from_token(&state, &token)
        .await
        .map_err(ctx::err)?;
    let user = crate::ssr::service::user_view(&session.user, fresh.scope.role());
    ctx::enter(&state, &account::SignedIn { token, user }, None);
    Ok(())
}

#[server]
pub async fn logout() -> Result<(), ServerFnError> {
    use crate::ssr::{service::account, session::clear_session_cookie};
    if let Ok((state, session)) = ctx::session().await {
        account::logout(&state, &session).await.map_err(ctx::err)?;
    }
    ctx::set_cookie(clear_session_cookie(&ctx::state()?));
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
pub async fn add_client(
    name: String,
    template: Option<String>,
) -> Result<ClientView, ServerFnError> {
    use crate::ssr::service::clients;
    let (state, s) = ctx::session().await?;
    let input = clients::NewClient {
        name,
        notes: String::new(),
        template: template.filter(|t| !t.is_empty()),
    };
    clients::create(&state, &s.scope, input)
        .await
        .map_err(ctx::err)
}

#[server]
pub async fn get_client(id: Uuid) -> Result<(ClientView, Vec<UserView>), ServerFnError> {
    use crate::ssr::service::clients;
    let (state, s) = ctx::session().await?;
    let client = clients::get(&state, &s.scope, ClientId::from(id))
        .await
        .map_err(ctx::err)?;
    let users = clients::users_of(&state, &s.scope, ClientId::from(id))
        .await
        .map_err(ctx::err)?;
    Ok((client, users))
}

/// A page of the MSP's audit trail (owners and admins), older than `before` when given.
#[server]
pub async fn get_audit(
    before: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<crate::model::AuditPage, ServerFnError> {
    let (state, s) = ctx::session().await?;
    crate::ssr::service::audit::trail(&state, &s.scope, before, None, None)
        .await
        .map_err(ctx::err)
}

/// Renames a client (MSP staff).
#[server]
pub async fn rename_client(client_id: Uuid, name: String) -> Result<ClientView, ServerFnError> {
    use crate::ssr::service::clients;
    let (state, s) = ctx::session().await?;
    let patch = clients::ClientPatch {
        name: Some(name),
        ..Default::default()
    };
    clients::update(&state, &s.scope, ClientId::from(client_id), patch)
        .await
        .map_err(ctx::err)
}

/// Archives a client (`archived` = "true") or brings it back (MSP staff).
#[server]
pub async fn archive_client(
    client_id: Uuid,
    archived: String,
) -> Result<ClientView, ServerFnError> {
    use crate::ssr::service::clients;
    let (state, s) = ctx::session().await?;
    let patch = clients::ClientPatch {
        archived: Some(archived == "true"),
        ..Default::default()
    };
    clients::update(&state, &s.scope, ClientId::from(client_id), patch)
        .await
        .map_err(ctx::err)
}

/// Returns the invite with the full link to hand over.
#[server]
pub async fn invite_user(
    client_id: Uuid,
    email: String,
    name: String,
    role: String,
) -> Result<(InviteCreated, String), ServerFnError> {
    use crate::ssr::service::invites;
    let (state, s) = ctx::session().await?;
    let input = invites::InviteInput { email, name, role };
    let base = ctx::base(&state);
    let created =
        invites::invite_client_user(&state, &s.scope, ClientId::from(client_id), input, &base)
            .await
            .map_err(ctx::err)?;
    Ok(ctx::with_link(&base, created))
}

/// The MSP's team.
#[server]
pub async fn get_staff() -> Result<Vec<UserView>, ServerFnError> {
    use crate::ssr::service::staff;
    let (state, s) = ctx::session().await?;
    staff::list(&state, &s.scope).await.map_err(ctx::err)
}

/// Invites an admin or technician; returns the invite with the full link to hand over.
#[server]
pub async fn invite_staff(
    email: String,
    name: String,
    role: String,
) -> Result<(InviteCreated, String), ServerFnError> {
    use crate::ssr::service::{invites, staff};
    let (state, s) = ctx::session().await?;
    let input = invites::InviteInput { email, name, role };
    let base = ctx::base(&state);
    let created = staff::invite(&state, &s.scope, input, &base)
        .await
        .map_err(ctx::err)?;
    Ok(ctx::with_link(&base, created))
}

#[server]
pub async fn change_staff_role(id: Uuid, role: String) -> Result<UserView, ServerFnError> {
    use crate::ssr::service::staff;
    let (state, s) = ctx::session().await?;
    let input = staff::RoleInput { role };
    staff::change_role(&state, &s.scope, crate::ids::UserId::from(id), input)
        .await
        .map_err(ctx::err)
}

/// Disables someone of the caller's MSP (or withdraws their open invitation).
#[server]
pub async fn disable_person(id: Uuid) -> Result<(), ServerFnError> {
    use crate::ssr::service::clients;
    let (state, s) = ctx::session().await?;
    clients::disable_user(&state, &s.scope, id)
        .await
        .map_err(ctx::err)
}

#[server]
pub async fn accept_invite(token: String, password: String) -> Result<(), ServerFnError> {
    use crate::ssr::service::invites;
    let state = ctx::state()?;
    let ip = ctx::ip(&state).await;
    let signed_in = invites::accept_invite(&state, &token, &password, ip)
        .await
        .map_err(ctx::err)?;
    ctx::enter(&state, &signed_in, None);
    Ok(())
}

/// Everything the plan page shows, with what the viewer may do.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PlanPage {
    pub plan: crate::model::plan::PlanView,
    pub versions: Vec<crate::model::plan::VersionInfo>,
    /// From the last approved version to the draft.
    pub changes: Vec<crate::domain::diff::Change>,
    pub can_edit: bool,
    pub can_approve: bool,
}

#[server]
pub async fn get_plan(client_id: Uuid) -> Result<PlanPage, ServerFnError> {
    use crate::model::Role;
    use crate::ssr::service::plan::overview;
    let (state, s) = ctx::session().await?;
    let today = chrono::Utc::now().date_naive();
    let plan = overview::view(&state, &s.scope, ClientId::from(client_id), today)
        .await
        .map_err(ctx::err)?;
    let versions = overview::versions(&state, &s.scope, ClientId::from(client_id))
        .await
        .map_err(ctx::err)?;
    let changes = match versions.last() {
        Some(v) => overview::changes(&state, &s.scope, ClientId::from(client_id), v.number, None)
            .await
            .map_err(ctx::err)?,
        None => Vec::new(),
    };
    Ok(PlanPage {
        plan,
        versions,
        changes,
        can_edit: s.scope.require_plan_editor().is_ok(),
        can_approve: s.scope.role() == Role::ClientAdmin,
    })
}

#[server]
pub async fn approve_plan(
    client_id: Uuid,
    note: String,
) -> Result<crate::model::plan::VersionInfo, ServerFnError> {
    use crate::ssr::service::plan::overview;
    let (state, s) = ctx::session().await?;
    overview::approve(
        &state,
        &s,
        ClientId::from(client_id),
        overview::ApproveInput { note },
    )
    .await
    .map_err(ctx::err)
}

#[cfg(feature = "ssr")]
fn opt(v: String) -> Option<String> {
    let v = v.trim().to_string();
    (!v.is_empty()).then_some(v)
}

/// Minutes from a form field: empty is "not set"; anything else must be a whole number.
/// A process's name and targets as a form sends them.
#[cfg(feature = "ssr")]
fn process_input(
    name: String,
    rto_minutes: &str,
    rpo_minutes: &str,
) -> Result<crate::ssr::service::plan::processes::ProcessInput, ServerFnError> {
    Ok(crate::ssr::service::plan::processes::ProcessInput {
        name: Some(name),
        rto_minutes: Some(form_minutes("rto_minutes", rto_minutes)?),
        rpo_minutes: Some(form_minutes("rpo_minutes", rpo_minutes)?),
        ..Default::default()
    })
}

/// A duration typed as people say it ("15 min", "4 h", "1 d", "1,5 uur"), in minutes.
#[cfg(feature = "ssr")]
fn form_minutes(field: &str, v: &str) -> Result<Option<i64>, ServerFnError> {
    crate::domain::input::duration(v)
        .map(|m| m.map(i64::from))
        .map_err(|why| ctx::err(crate::ssr::error::AppError::field(field, why)))
}

#[server]
pub async fn add_person(
    client_id: Uuid,
    name: String,
    role_title: String,
    mobile: String,
    landline: String,
    email: String,
    emergency_name: String,
    emergency_phone: String,
    caller_id: String,
    coordinator: Option<String>,
) -> Result<crate::model::plan::PersonView, ServerFnError> {
    use crate::ssr::service::plan::people;
    let (state, s) = ctx::session().await?;
    let input = people::PersonInput {
        name: Some(name),
        role_title: opt(role_title),
        mobile: opt(mobile),
        landline: opt(landline),
        email: opt(email),
        emergency_name: opt(emergency_name),
        emergency_phone: opt(emergency_phone),
        caller_id: Some(Uuid::parse_str(caller_id.trim()).ok()),
        is_coordinator: Some(coordinator.is_some()),
        ..Default::default()
    };
    people::create(&state, &s.scope, ClientId::from(client_id), input)
        .await
        .map_err(ctx::err)
}

#[server]
pub async fn add_site(
    client_id: Uuid,
    name: String,
    address: String,
    assembly_point: String,
    safety_plan_ref: String,
    emergency_number: String,
) -> Result<crate::model::plan::SiteView, ServerFnError> {
    use crate::model::plan::EmergencyNumber;
    use crate::ssr::service::plan::sites;
    let (state, s) = ctx::session().await?;
    let numbers = opt(emergency_number).map(|n| {
        vec![EmergencyNumber {
            label: "112".into(),
            number: n,
        }]
    });
    let input = sites::SiteInput {
        name: Some(name),
        address: opt(address),
        assembly_point: opt(assembly_point),
        safety_plan_ref: opt(safety_plan_ref),
        emergency_numbers: numbers,
        ..Default::default()
    };
    sites::create(&state, &s.scope, ClientId::from(client_id), input)
        .await
        .map_err(ctx::err)
}

#[server]
pub async fn add_process(
    client_id: Uuid,
    name: String,
    rto_minutes: String,
    rpo_minutes: String,
    impact_day: String,
) -> Result<crate::model::plan::ProcessView, ServerFnError> {
    use crate::ssr::service::plan::processes;
    let (state, s) = ctx::session().await?;
    let mut input = process_input(name, &rto_minutes, &rpo_minutes)?;
    input.impact_day = opt(impact_day);
    processes::create(&state, &s.scope, ClientId::from(client_id), input)
        .await
        .map_err(ctx::err)
}

#[server]
pub async fn add_system(
    client_id: Uuid,
    name: String,
    criticality: String,
    process_id: Option<String>,
    depends_on: Option<String>,
    procedure: String,
) -> Result<crate::model::plan::SystemView, ServerFnError> {
    use crate::ssr::service::plan::systems;
    let (state, s) = ctx::session().await?;
    let one = |v: &Option<String>| {
        v.as_deref()
            .and_then(|v| Uuid::parse_str(v.trim()).ok())
            .map(|id| vec![id])
    };
    let steps: Vec<String> = procedure
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    let input = systems::SystemInput {
        name: Some(name),
        criticality: opt(criticality),
        processes: one(&process_id),
        depends_on: one(&depends_on),
        procedure: (!steps.is_empty()).then_some(steps),
        ..Default::default()
    };
    systems::create(&state, &s.scope, ClientId::from(client_id), input)
        .await
        .map_err(ctx::err)
}

/// The whole template library with what each template holds (MSP staff).
#[server]
pub async fn get_template_library() -> Result<Vec<crate::model::plan::TemplateView>, ServerFnError>
{
    use crate::ssr::service::plan::templates;
    let (state, s) = ctx::session().await?;
    templates::list(&state, &s.scope).await.map_err(ctx::err)
}

/// A new template of the MSP's own, from a client's plan or as a copy of another template.
#[server]
pub async fn create_template(
    name: String,
    lang: String,
    from_client_id: Option<Uuid>,
    from_template: Option<String>,
) -> Result<crate::model::plan::TemplateView, ServerFnError> {
    use crate::ssr::service::plan::templates;
    let (state, s) = ctx::session().await?;
    let input = templates::TemplateInput {
        name: Some(name),
        lang: Some(lang),
        from_client_id,
        from_template: from_template.filter(|t| !t.is_empty()),
        ..Default::default()
    };
    templates::create(&state, &s.scope, input)
        .await
        .map_err(ctx::err)
}

/// Removes one of the MSP's own templates (plans started from it keep what they took).
#[server]
pub async fn delete_template(id: String) -> Result<(), ServerFnError> {
    use crate::ssr::service::plan::templates;
    let (state, s) = ctx::session().await?;
    templates::delete(&state, &s.scope, &id)
        .await
        .map_err(ctx::err)
}

/// The MSP's template library (id, name, language), shipped templates first.
#[server]
pub async fn list_templates() -> Result<Vec<(String, String, String)>, ServerFnError> {
    use crate::ssr::service::plan::templates;
    let (state, s) = ctx::session().await?;
    let list = templates::list(&state, &s.scope).await.map_err(ctx::err)?;
    Ok(list.into_iter().map(|t| (t.id, t.name, t.lang)).collect())
}

/// The MSP dashboard: clients worst first with their systems, plans and reviews, narrowed by
/// `search` (a client's name, any part, any case). `None` for client users, whose home is
/// their own company's page.
#[server]
pub async fn get_dashboard(
    search: String,
    all: bool,
) -> Result<Option<crate::model::monitor::Dashboard>, ServerFnError> {
    use crate::ssr::service::dashboard;
    let (state, s) = ctx::session().await?;
    if !s.scope.is_msp_staff() {
        return Ok(None);
    }
    // The page lists the worst clients first; past a hundred it offers the rest on request.
    let limit = (!all).then_some(crate::model::monitor::DASHBOARD_PAGE);
    dashboard::dashboard(
        &state,
        &s.scope,
        &search,
        chrono::Utc::now().date_naive(),
        limit,
    )
    .await
    .map(Some)
    .map_err(ctx::err)
}

/// A client's live status with a week of exposure per system.
#[server]
pub async fn get_status(
    client_id: Uuid,
) -> Result<
    (
        crate::model::monitor::ClientStatus,
        Vec<(Uuid, Vec<(i64, i64)>)>,
    ),
    ServerFnError,
> {
    use crate::ssr::service::monitor;
    let (state, s) = ctx::session().await?;
    let now = chrono::Utc::now();
    let mut status = monitor::client_status(&state, &s.scope, ClientId::from(client_id), now)
        .await
        .map_err(ctx::err)?;
    if status.ping_base.is_empty() {
        // No public URL configured: the address this browser used is the one to paste.
        let parts: http::request::Parts = leptos_axum::extract()
            .await
            .map_err(|_| ctx::err(crate::ssr::error::AppError::Unauthorized))?;
        if let Some(host) = parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
        {
            status.ping_base = format!("http://{host}");
        }
    }
    let history = monitor::history(&state, &s.scope, ClientId::from(client_id), 7, now)
        .await
        .map_err(ctx::err)?;
    // (Unix seconds, exposure seconds): the page carries every point to the browser for
    // hydration, and numbers are far cheaper to write and read there than dates.
    let history = history
        .into_iter()
        .map(|(id, points)| {
            (
                id,
                points
                    .into_iter()
                    .map(|(t, e)| (t.timestamp(), e))
                    .collect(),
            )
        })
        .collect();
    Ok((status, history))
}

/// The client's ingest tokens (never the tokens themselves).
#[server]
pub async fn list_ingest_tokens(
    client_id: Uuid,
) -> Result<Vec<crate::model::monitor::IngestTokenView>, ServerFnError> {
    use crate::ssr::service::monitor::tokens;
    let (state, s) = ctx::session().await?;
    tokens::list(&state, &s.scope, ClientId::from(client_id))
        .await
        .map_err(ctx::err)
}

/// Creates an ingest token; the answer is the only time the token is shown.
#[server]
pub async fn create_ingest_token(client_id: Uuid, name: String) -> Result<String, ServerFnError> {
    use crate::ssr::service::monitor::tokens;
    let (state, s) = ctx::session().await?;
    let created = tokens::create(
        &state,
        &s.scope,
        ClientId::from(client_id),
        tokens::NewToken { name },
    )
    .await
    .map_err(ctx::err)?;
    Ok(created.token)
}

#[server]
pub async fn revoke_ingest_token(id: Uuid) -> Result<(), ServerFnError> {
    use crate::ssr::service::monitor::tokens;
    let (state, s) = ctx::session().await?;
    tokens::revoke(&state, &s.scope, id).await.map_err(ctx::err)
}

/// A system's newest events, for its timeline.
#[server]
pub async fn get_system_events(
    system_id: Uuid,
) -> Result<Vec<crate::model::monitor::EventView>, ServerFnError> {
    use crate::ssr::service::monitor;
    let (state, s) = ctx::session().await?;
    monitor::events(&state, &s.scope, system_id, 30)
        .await
        .map_err(ctx::err)
}

/// Ids ticked in a form's checkboxes (`name[i]=id`); none ticked is an empty list.
#[cfg(feature = "ssr")]
fn form_ids(field: &str, v: Option<Vec<String>>) -> Result<Vec<Uuid>, ServerFnError> {
    v.unwrap_or_default()
        .iter()
        .map(|id| {
            Uuid::parse_str(id.trim())
                .map_err(|_| ctx::err(crate::ssr::error::AppError::field(field, "is not known")))
        })
        .collect()
}

/// Emergency numbers typed one per line, as "label: number" or just the number.
#[cfg(feature = "ssr")]
fn form_numbers(v: &str) -> Vec<crate::model::plan::EmergencyNumber> {
    v.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.rsplit_once(':') {
            Some((label, number)) => crate::model::plan::EmergencyNumber {
                label: label.trim().to_string(),
                number: number.trim().to_string(),
            },
            None => crate::model::plan::EmergencyNumber {
                label: String::new(),
                number: l.to_string(),
            },
        })
        .collect()
}

/// Changes a site from the plan page: where it is, where people gather, its emergency numbers
/// (one per line) and the people who act first there.
#[server]
pub async fn update_site(
    id: Uuid,
    name: String,
    address: String,
    evacuation_point: String,
    assembly_point: String,
    safety_plan_ref: String,
    emergency_numbers: String,
    #[server(default)] first_responders: Option<Vec<String>>,
) -> Result<crate::model::plan::SiteView, ServerFnError> {
    use crate::ssr::service::plan::sites;
    let (state, s) = ctx::session().await?;
    let input = sites::SiteInput {
        name: Some(name),
        address: Some(address),
        evacuation_point: Some(evacuation_point),
        assembly_point: Some(assembly_point),
        safety_plan_ref: Some(safety_plan_ref),
        emergency_numbers: Some(form_numbers(&emergency_numbers)),
        first_responders: Some(form_ids("first_responders", first_responders)?),
    };
    sites::update(&state, &s.scope, SiteId::from(id), input)
        .await
        .map_err(ctx::err)
}

/// A customer group as its form gives it: every field set, the ticked processes the whole list.
#[cfg(feature = "ssr")]
fn group_input(
    name: String,
    description: String,
    contact: String,
    processes: Option<Vec<String>>,
) -> Result<crate::ssr::service::plan::customers::CustomerGroupInput, ServerFnError> {
    Ok(crate::ssr::service::plan::customers::CustomerGroupInput {
        name: Some(name),
        description: Some(description),
        contact: Some(contact),
        processes: Some(form_ids("processes", processes)?),
    })
}

/// Adds a customer group: who they are, whom they call, and the processes they depend on.
#[server]
pub async fn add_customer_group(
    client_id: Uuid,
    name: String,
    description: String,
    contact: String,
    #[server(default)] processes: Option<Vec<String>>,
) -> Result<crate::model::plan::CustomerGroupView, ServerFnError> {
    use crate::ssr::service::plan::customers;
    let (state, s) = ctx::session().await?;
    let input = group_input(name, description, contact, processes)?;
    customers::create(&state, &s.scope, ClientId::from(client_id), input)
        .await
        .map_err(ctx::err)
}

/// Changes a customer group from the plan page.
#[server]
pub async fn update_customer_group(
    id: Uuid,
    name: String,
    description: String,
    contact: String,
    #[server(default)] processes: Option<Vec<String>>,
) -> Result<crate::model::plan::CustomerGroupView, ServerFnError> {
    use crate::ssr::service::plan::customers;
    let (state, s) = ctx::session().await?;
    let input = group_input(name, description, contact, processes)?;
    customers::update(&state, &s.scope, CustomerGroupId::from(id), input)
        .await
        .map_err(ctx::err)
}

/// Changes a person's details; empty fields are cleared, the caller is chosen again.
#[server]
pub async fn update_person(
    id: Uuid,
    name: String,
    role_title: String,
    mobile: String,
    landline: String,
    email: String,
    emergency_name: String,
    emergency_phone: String,
    caller_id: String,
) -> Result<crate::model::plan::PersonView, ServerFnError> {
    use crate::ssr::service::plan::people;
    let (state, s) = ctx::session().await?;
    let input = people::PersonInput {
        name: Some(name),
        role_title: Some(role_title),
        mobile: Some(mobile),
        landline: Some(landline),
        email: Some(email),
        emergency_name: Some(emergency_name),
        emergency_phone: Some(emergency_phone),
        caller_id: Some(Uuid::parse_str(caller_id.trim()).ok()),
        ..Default::default()
    };
    people::update(&state, &s.scope, PersonId::from(id), input)
        .await
        .map_err(ctx::err)
}

/// Changes a business process from the plan page: its name, impact and targets (a cleared
/// target is no target).
#[server]
pub async fn update_process(
    id: Uuid,
    name: String,
    rto_minutes: String,
    rpo_minutes: String,
    impact_hour: String,
    impact_day: String,
    impact_week: String,
) -> Result<crate::model::plan::ProcessView, ServerFnError> {
    use crate::ssr::service::plan::processes;
    let (state, s) = ctx::session().await?;
    let input = processes::ProcessInput {
        impact_hour: Some(impact_hour),
        impact_day: Some(impact_day),
        impact_week: Some(impact_week),
        ..process_input(name, &rto_minutes, &rpo_minutes)?
    };
    processes::update(&state, &s.scope, ProcessId::from(id), input)
        .await
        .map_err(ctx::err)
}

/// Changes a system from the plan page: name, criticality, its own targets, its owner and its
/// recovery procedure (one step per line).
#[server]
pub async fn update_system(
    id: Uuid,
    name: String,
    criticality: String,
    rto_minutes: String,
    rpo_minutes: String,
    owner_person_id: String,
    procedure: String,
    #[server(default)] processes: Option<Vec<String>>,
    #[server(default)] depends_on: Option<Vec<String>>,
) -> Result<crate::model::plan::SystemView, ServerFnError> {
    use crate::ssr::service::plan::systems;
    let (state, s) = ctx::session().await?;
    let input = systems::SystemInput {
        name: Some(name),
        criticality: Some(criticality),
        rto_minutes: Some(form_minutes("rto_minutes", &rto_minutes)?),
        rpo_minutes: Some(form_minutes("rpo_minutes", &rpo_minutes)?),
        owner_person_id: Some(Uuid::parse_str(owner_person_id.trim()).ok()),
        processes: Some(form_ids("processes", processes)?),
        depends_on: Some(form_ids("depends_on", depends_on)?),
        procedure: Some(
            procedure
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
        ),
        ..Default::default()
    };
    systems::update(&state, &s.scope, SystemId::from(id), input)
        .await
        .map_err(ctx::err)
}

/// Sets how a system is backed up, from the plan page. The service checks the figures, exactly as
/// for `PATCH /api/v1/systems/{id}`.
#[server]
pub async fn set_system_policy(
    id: Uuid,
    method: String,
    interval_minutes: String,
    job_minutes: String,
    offsite_interval_minutes: Option<String>,
    retention_days: String,
    data_gb: String,
    restore_mb_per_s: Option<String>,
) -> Result<(), ServerFnError> {
    // Someone signed out is told so before the fields are judged.
    ctx::session().await?;
    let policy = policy_form::parse(policy_form::PolicyFields {
        method: &method,
        interval_minutes: &interval_minutes,
        job_minutes: &job_minutes,
        offsite_interval_minutes: offsite_interval_minutes.as_deref(),
        retention_days: &retention_days,
        data_gb: &data_gb,
        restore_mb_per_s: restore_mb_per_s.as_deref(),
    })
    .map_err(ctx::err)?;
    put_policy(id, Some(policy)).await
}

/// Forgets how a system is backed up: it then has nothing to achieve and no policy gaps.
#[server]
pub async fn remove_system_policy(id: Uuid) -> Result<(), ServerFnError> {
    put_policy(id, None).await
}

/// The system's policy through the same use case as `PATCH /api/v1/systems/{id}`.
#[cfg(feature = "ssr")]
async fn put_policy(
    id: Uuid,
    policy: Option<crate::domain::sla::Policy>,
) -> Result<(), ServerFnError> {
    use crate::ssr::service::plan::systems;
    let (state, s) = ctx::session().await?;
    let input = systems::SystemInput {
        policy: Some(policy),
        ..Default::default()
    };
    systems::update(&state, &s.scope, SystemId::from(id), input)
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// Removes a person, site, process or system from the plan.
#[server]
pub async fn delete_plan_item(kind: String, id: Uuid) -> Result<(), ServerFnError> {
    use crate::ssr::service::plan::{customers, people, processes, sites, systems};
    let (state, s) = ctx::session().await?;
    let r = match kind.as_str() {
        "customer_group" => customers::delete(&state, &s.scope, CustomerGroupId::from(id)).await,
        "person" => people::delete(&state, &s.scope, PersonId::from(id)).await,
        "site" => sites::delete(&state, &s.scope, SiteId::from(id)).await,
        "process" => processes::delete(&state, &s.scope, ProcessId::from(id)).await,
        "system" => systems::delete(&state, &s.scope, SystemId::from(id)).await,
        _ => Err(crate::ssr::error::AppError::field(
            "kind",
            "must be person, site, process, system or customer_group",
        )),
    };
    r.map_err(ctx::err)
}

/// The plan's communication texts in one form: what staff do when e-mail is down, the three
/// customer messages, talking points (one per line) and the service desk's overflow.
#[server]
pub async fn update_communication(
    client_id: Uuid,
    email_down_rule: String,
    first_subject: String,
    first_body: String,
    update_subject: String,
    update_body: String,
    resolved_subject: String,
    resolved_body: String,
    say: String,
    avoid: String,
    overflow_name: String,
    overflow_phone: String,
    overflow_email: String,
    switch_when: String,
) -> Result<(), ServerFnError> {
    use crate::model::plan::{MessageKind, MessageTemplate, ServiceDesk, TalkingPoints};
    use crate::ssr::service::plan::overview;
    let (state, s) = ctx::session().await?;
    let lines = |v: &str| {
        v.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let messages = [
        (MessageKind::FirstNotice, first_subject, first_body),
        (MessageKind::Update, update_subject, update_body),
        (MessageKind::Resolved, resolved_subject, resolved_body),
    ]
    .into_iter()
    .filter(|(_, subject, body)| !subject.trim().is_empty() || !body.trim().is_empty())
    .map(|(kind, subject, body)| MessageTemplate {
        kind,
        subject,
        body: body.replace("\r\n", "\n"),
    })
    .collect();
    let input = overview::SettingsInput {
        email_down_rule: Some(email_down_rule),
        messages: Some(messages),
        talking_points: Some(TalkingPoints {
            say: lines(&say),
            avoid: lines(&avoid),
        }),
        service_desk: Some(ServiceDesk {
            overflow_name,
            overflow_phone,
            overflow_email,
            switch_when,
        }),
        ..Default::default()
    };
    overview::update_settings(&state, &s.scope, ClientId::from(client_id), input)
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// The MSP's alert routing, for its settings form.
#[server]
pub async fn get_alert_settings(
) -> Result<Option<crate::model::monitor::AlertSettingsView>, ServerFnError> {
    use crate::ssr::service::monitor::alerts;
    let (state, s) = ctx::session().await?;
    // The form is for those who may save it (owners and admins); others are not shown it.
    if !s.scope.role().runs_the_msp() {
        return Ok(None);
    }
    alerts::get_settings(&state, &s.scope)
        .await
        .map(Some)
        .map_err(ctx::err)
}

/// Saves the alert routing; an empty secret field keeps the secret that is set.
#[server]
pub async fn save_alert_settings(
    emails: String,
    notify_client: Option<String>,
    webhook_url: String,
    webhook_secret: String,
    reminder_minutes: String,
    restore_test_days: String,
    mail_language: String,
) -> Result<(), ServerFnError> {
    use crate::ssr::service::monitor::alerts;
    let (state, s) = ctx::session().await?;
    let reminder = form_minutes("reminder_minutes", &reminder_minutes)?.ok_or_else(|| {
        ctx::err(crate::ssr::error::AppError::field(
            "reminder_minutes",
            "is required: 0 turns reminders off",
        ))
    })?;
    let days = restore_test_days.trim().parse::<i64>().map_err(|_| {
        ctx::err(crate::ssr::error::AppError::field(
            "restore_test_days",
            "must be a whole number of days",
        ))
    })?;
    let input = alerts::AlertSettingsInput {
        emails: Some(
            emails
                .split([',', ';', '\n'])
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(String::from)
                .collect(),
        ),
        notify_client: Some(notify_client.is_some()),
        webhook_url: Some(webhook_url),
        webhook_secret: (!webhook_secret.is_empty()).then_some(webhook_secret),
        reminder_minutes: Some(reminder),
        restore_test_days: Some(days),
        mail_language: Some(mail_language),
    };
    alerts::put_settings(&state, &s.scope, input)
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// The MSP's service catalog (MSP staff); `None` for a client user, who has no catalog to see.
#[server]
pub async fn get_catalog() -> Result<Option<crate::model::billing::Catalog>, ServerFnError> {
    use crate::ssr::service::catalog;
    let (state, s) = ctx::session().await?;
    if !s.scope.is_msp_staff() {
        return Ok(None);
    }
    catalog::catalog(&state, &s.scope)
        .await
        .map(Some)
        .map_err(ctx::err)
}

/// An amount from a form field in cents, refused with the field's name.
#[cfg(feature = "ssr")]
fn form_money(field: &str, v: &str) -> Result<Option<i64>, ServerFnError> {
    crate::domain::upsell::parse_money(v)
        .map_err(|why| ctx::err(crate::ssr::error::AppError::field(field, why)))
}

/// The fields the catalog's forms share: name, the targets as people say durations, the price
/// per system as people type amounts, and whether the tier survives losing the site.
#[cfg(feature = "ssr")]
fn tier_form(
    name: String,
    rpo: &str,
    rto: &str,
    price: &str,
    survives_site_loss: Option<String>,
) -> Result<crate::ssr::service::catalog::TierInput, ServerFnError> {
    let required = |field: &str, v: Option<i64>| {
        v.ok_or_else(|| ctx::err(crate::ssr::error::AppError::field(field, "is required")))
    };
    Ok(crate::ssr::service::catalog::TierInput {
        name: Some(name),
        rpo_minutes: Some(required("rpo_minutes", form_minutes("rpo_minutes", rpo)?)?),
        rto_minutes: Some(required("rto_minutes", form_minutes("rto_minutes", rto)?)?),
        survives_site_loss: Some(survives_site_loss.is_some()),
        price_per_system_cents: Some(required(
            "price_per_system_cents",
            form_money("price_per_system_cents", price)?,
        )?),
        ..Default::default()
    })
}

/// Changes a tier of the catalog from its drawer: name, description, the targets it promises
/// (as people say durations), whether it survives losing the site, and its prices.
#[server]
pub async fn update_tier(
    id: Uuid,
    name: String,
    description: String,
    rpo_minutes: String,
    rto_minutes: String,
    price_per_system: String,
    price_per_tb: String,
    currency: String,
    #[server(default)] survives_site_loss: Option<String>,
    #[server(default)] method: Option<String>,
    #[server(default)] interval_minutes: Option<String>,
    #[server(default)] job_minutes: Option<String>,
    #[server(default)] offsite_interval_minutes: Option<String>,
    #[server(default)] retention_days: Option<String>,
    #[server(default)] data_gb: Option<String>,
    #[server(default)] restore_mb_per_s: Option<String>,
) -> Result<crate::model::billing::TierView, ServerFnError> {
    use crate::ssr::service::catalog;
    let (state, s) = ctx::session().await?;
    // The protection the tier stands for, when the form carries it: read by the same rules as a
    // system's policy.
    let policy = method
        .map(|method| {
            policy_form::parse(policy_form::PolicyFields {
                method: &method,
                interval_minutes: interval_minutes.as_deref().unwrap_or_default(),
                job_minutes: job_minutes.as_deref().unwrap_or_default(),
                offsite_interval_minutes: offsite_interval_minutes.as_deref(),
                retention_days: retention_days.as_deref().unwrap_or_default(),
                data_gb: data_gb.as_deref().unwrap_or("0"),
                restore_mb_per_s: restore_mb_per_s.as_deref(),
            })
        })
        .transpose()
        .map_err(ctx::err)?;
    let input = catalog::TierInput {
        description: Some(description),
        price_per_tb_cents: Some(form_money("price_per_tb_cents", &price_per_tb)?),
        currency: Some(currency),
        policy,
        ..tier_form(
            name,
            &rpo_minutes,
            &rto_minutes,
            &price_per_system,
            survives_site_loss,
        )?
    };
    catalog::update(&state, &s.scope, id, input)
        .await
        .map_err(ctx::err)
}

/// The tier changes that would keep each of the client's systems at its targets (MSP staff).
#[server]
pub async fn get_recommendations(
    client_id: Uuid,
) -> Result<crate::model::billing::Recommendations, ServerFnError> {
    use crate::ssr::service::catalog;
    let (state, s) = ctx::session().await?;
    catalog::recommendations(&state, &s.scope, ClientId::from(client_id))
        .await
        .map_err(ctx::err)
}

/// Adds a tier from the catalog page: its targets and price, protected the way an existing tier
/// is (`like`), whose policy it takes.
#[server]
pub async fn add_tier(
    name: String,
    like: Uuid,
    rpo_minutes: String,
    rto_minutes: String,
    price_per_system: String,
    #[server(default)] survives_site_loss: Option<String>,
) -> Result<crate::model::billing::TierView, ServerFnError> {
    use crate::ssr::error::AppError;
    use crate::ssr::service::catalog;
    let (state, s) = ctx::session().await?;
    let model = catalog::catalog(&state, &s.scope)
        .await
        .map_err(ctx::err)?
        .tiers
        .into_iter()
        .find(|t| t.id == like)
        .ok_or_else(|| ctx::err(AppError::field("like", "is not known")))?;
    let input = catalog::TierInput {
        currency: Some(model.currency),
        policy: Some(model.policy),
        ..tier_form(
            name,
            &rpo_minutes,
            &rto_minutes,
            &price_per_system,
            survives_site_loss,
        )?
    };
    catalog::create(&state, &s.scope, input)
        .await
        .map_err(ctx::err)
}

/// Removes a tier from the catalog (owners and admins).
#[server]
pub async fn delete_tier(id: Uuid) -> Result<(), ServerFnError> {
    use crate::ssr::service::catalog;
    let (state, s) = ctx::session().await?;
    catalog::delete(&state, &s.scope, id)
        .await
        .map_err(ctx::err)
}

/// The client's offers (client users see no drafts; reading them marks sent ones viewed).
#[server]
pub async fn get_offers(
    client_id: Uuid,
) -> Result<Vec<crate::model::billing::OfferView>, ServerFnError> {
    use crate::ssr::service::offers;
    let (state, s) = ctx::session().await?;
    offers::list(&state, &s.scope, ClientId::from(client_id))
        .await
        .map_err(ctx::err)
}

/// Drafts an offer of a tier for the systems the recommendation moves to it (MSP staff).
#[server]
pub async fn make_offer(client_id: Uuid, tier_id: Uuid) -> Result<(), ServerFnError> {
    use crate::ssr::service::offers::{self, OfferInput};
    let (state, s) = ctx::session().await?;
    let input = OfferInput {
        tier_id: Some(tier_id),
        ..Default::default()
    };
    offers::create(&state, &s.scope, ClientId::from(client_id), input)
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// Sends a drafted offer to the client's admins (MSP staff).
#[server]
pub async fn send_offer(id: Uuid) -> Result<(), ServerFnError> {
    use crate::ssr::service::offers;
    let (state, s) = ctx::session().await?;
    let base = ctx::public_base(&state);
    offers::send(&state, &s.scope, id, &base)
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// A client admin's answer to an offer: `answer` is `accept` or `decline` (the button pressed).
#[server]
pub async fn answer_offer(id: Uuid, answer: String) -> Result<(), ServerFnError> {
    use crate::ssr::service::offers;
    let (state, s) = ctx::session().await?;
    let accept = match answer.as_str() {
        "accept" => true,
        "decline" => false,
        _ => {
            return Err(ctx::err(crate::ssr::error::AppError::field(
                "answer",
                "must be accept or decline",
            )))
        }
    };
    let base = ctx::base(&state);
    let offer = offers::decide(&state, &s.scope, id, accept, &base)
        .await
        .map_err(ctx::err)?;
    // Billed through Stripe: the admin pays in Stripe Checkout, which comes back to the home page.
    if let Some(url) = offer.checkout_url {
        leptos_axum::redirect(&url);
    }
    Ok(())
}

/// Opens Stripe's customer portal for the client (payment details, invoices).
#[server]
pub async fn billing_portal(client_id: Uuid) -> Result<(), ServerFnError> {
    let (state, s) = ctx::session().await?;
    let base = ctx::base(&state);
    let url =
        crate::ssr::service::payments::portal(&state, &s.scope, ClientId::from(client_id), &base)
            .await
            .map_err(ctx::err)?;
    leptos_axum::redirect(&url);
    Ok(())
}

/// The MSP's Stripe connection as its owners and admins see it; `None` for anyone else.
#[server]
pub async fn get_stripe() -> Result<Option<crate::model::billing::StripeStatus>, ServerFnError> {
    use crate::ssr::service::payments;
    let (state, s) = ctx::session().await?;
    if !s.scope.role().runs_the_msp() {
        return Ok(None);
    }
    let base = ctx::base(&state);
    payments::status(&state, &s.scope, &base)
        .await
        .map(Some)
        .map_err(ctx::err)
}

/// Connects (or re-keys) the MSP's Stripe account (owners).
#[server]
pub async fn connect_stripe(
    secret_key: String,
    webhook_secret: String,
) -> Result<crate::model::billing::StripeStatus, ServerFnError> {
    use crate::ssr::service::payments;
    let (state, s) = ctx::session().await?;
    let base = ctx::base(&state);
    let keys = payments::StripeKeys {
        secret_key,
        webhook_secret,
    };
    payments::connect(&state, &s.scope, keys, &base)
        .await
        .map_err(ctx::err)
}

/// Forgets the MSP's Stripe keys (owners).
#[server]
pub async fn disconnect_stripe() -> Result<(), ServerFnError> {
    let (state, s) = ctx::session().await?;
    crate::ssr::service::payments::disconnect(&state, &s.scope)
        .await
        .map_err(ctx::err)
}

/// The upsell pipeline and the MRR won (MSP staff).
#[server]
pub async fn get_pipeline() -> Result<crate::model::billing::Pipeline, ServerFnError> {
    let (state, s) = ctx::session().await?;
    crate::ssr::service::offers::pipeline(&state, &s.scope)
        .await
        .map_err(ctx::err)
}

/// A client's incidents, and what declaring one offers to choose from.
#[server]
pub async fn get_incidents(
    client_id: Uuid,
) -> Result<crate::model::incident::IncidentsPage, ServerFnError> {
    let (state, s) = ctx::session().await?;
    crate::ssr::service::incidents::page(&state, &s.scope, ClientId::from(client_id))
        .await
        .map_err(ctx::err)
}

/// A moment typed in a form, in UTC: `2026-12-07 08:30`, or as a `datetime-local` field posts it.
#[cfg(feature = "ssr")]
fn form_moment(
    field: &str,
    v: Option<&str>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, ServerFnError> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| chrono::NaiveDateTime::parse_from_str(v, f).ok())
    .map(|t| Some(t.and_utc()))
    .ok_or_else(|| {
        ctx::err(crate::ssr::error::AppError::field(
            field,
            crate::domain::input::MOMENT,
        ))
    })
}

/// Declares an incident from the form and opens it.
#[server]
pub async fn declare_incident(
    client_id: Uuid,
    title: String,
    scenario: String,
    #[server(default)] drill: Option<String>,
    #[server(default)] started_at: Option<String>,
    #[server(default)] site_ids: Option<Vec<String>>,
    #[server(default)] system_ids: Option<Vec<String>>,
) -> Result<(), ServerFnError> {
    use crate::ssr::service::incidents::{self, IncidentInput};
    let (state, s) = ctx::session().await?;
    let input = IncidentInput {
        title,
        scenario,
        drill: drill.is_some(),
        started_at: form_moment("started_at", started_at.as_deref())?,
        site_ids: form_ids("site_ids", site_ids)?,
        system_ids: form_ids("system_ids", system_ids)?,
    };
    let now = chrono::Utc::now();
    let i = incidents::declare(&state, &s.scope, ClientId::from(client_id), input, now)
        .await
        .map_err(ctx::err)?;
    leptos_axum::redirect(&format!("/incidents/{}", i.id));
    Ok(())
}

/// The incident as its people follow it.
#[server]
pub async fn get_incident(id: Uuid) -> Result<crate::model::incident::IncidentView, ServerFnError> {
    let (state, s) = ctx::session().await?;
    crate::ssr::service::incidents::get(&state, &s.scope, id, chrono::Utc::now())
        .await
        .map_err(ctx::err)
}

/// Ticks (`done` = "true") or unticks a checklist item.
#[server]
pub async fn check_incident_item(id: Uuid, key: String, done: String) -> Result<(), ServerFnError> {
    let (state, s) = ctx::session().await?;
    let now = chrono::Utc::now();
    crate::ssr::service::incidents::check(&state, &s.scope, id, &key, done == "true", now)
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// Records a step of a system's recovery: `what` is `started`, `recovered` (now) or `point`
/// (the restore point typed or offered).
#[server]
pub async fn record_recovery(
    id: Uuid,
    system_id: Uuid,
    what: String,
    #[server(default)] restore_point_at: Option<String>,
) -> Result<(), ServerFnError> {
    use crate::ssr::service::incidents::{self, RecoveryInput};
    let (state, s) = ctx::session().await?;
    let now = chrono::Utc::now();
    let input = match what.as_str() {
        "started" => RecoveryInput {
            recovery_started_at: Some(Some(now)),
            ..Default::default()
        },
        "recovered" => RecoveryInput {
            recovered_at: Some(Some(now)),
            ..Default::default()
        },
        _ => {
            let at = form_moment("restore_point_at", restore_point_at.as_deref())?;
            if at.is_none() {
                return Err(ctx::err(crate::ssr::error::AppError::field(
                    "restore_point_at",
                    "is required",
                )));
            }
            RecoveryInput {
                restore_point_at: Some(at),
                ..Default::default()
            }
        }
    };
    incidents::set_recovery(&state, &s.scope, id, system_id, input, now)
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// Closes the incident with its lessons.
#[server]
pub async fn close_incident(id: Uuid, lessons: String) -> Result<(), ServerFnError> {
    let (state, s) = ctx::session().await?;
    let now = chrono::Utc::now();
    crate::ssr::service::incidents::close(&state, &s.scope, id, &lessons, now)
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// Sets the incident's call tree going: everyone is messaged with a confirm link.
#[server]
pub async fn start_call_tree(id: Uuid) -> Result<(), ServerFnError> {
    let (state, s) = ctx::session().await?;
    let base = ctx::public_base(&state);
    crate::ssr::service::calls::start(&state, &s.scope, id, &base, chrono::Utc::now())
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// Drafts an update to customers: for everyone (`audience` = "public") or for the customer
/// groups ticked (`audience` = "groups").
#[server]
pub async fn draft_update(
    id: Uuid,
    body: String,
    audience: String,
    #[server(default)] group_ids: Option<Vec<String>>,
) -> Result<(), ServerFnError> {
    use crate::model::incident::Audience;
    use crate::ssr::service::notices::{self, UpdateInput};
    let (state, s) = ctx::session().await?;
    let audience = match audience.as_str() {
        "groups" => Audience::Groups(form_ids("audience", group_ids)?),
        _ => Audience::Public,
    };
    let input = UpdateInput { body, audience };
    notices::draft(&state, &s.scope, id, input, chrono::Utc::now())
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// Approves and publishes a draft: the status page shows it, its subscribers get it.
#[server]
pub async fn publish_update(id: Uuid, update_id: Uuid) -> Result<(), ServerFnError> {
    let (state, s) = ctx::session().await?;
    let base = ctx::public_base(&state);
    crate::ssr::service::notices::publish(
        &state,
        &s.scope,
        id,
        update_id,
        &base,
        chrono::Utc::now(),
    )
    .await
    .map(|_| ())
    .map_err(ctx::err)
}

/// Throws a draft away.
#[server]
pub async fn discard_update(id: Uuid, update_id: Uuid) -> Result<(), ServerFnError> {
    let (state, s) = ctx::session().await?;
    crate::ssr::service::notices::discard(&state, &s.scope, id, update_id)
        .await
        .map_err(ctx::err)
}

/// The client's status page as set up, if it has one.
#[server]
pub async fn get_status_page(
    client_id: Uuid,
) -> Result<Option<crate::model::incident::StatusPageView>, ServerFnError> {
    use crate::ssr::error::AppError;
    let (state, s) = ctx::session().await?;
    match crate::ssr::service::status_pages::get(&state, &s.scope, ClientId::from(client_id)).await
    {
        Ok(v) => Ok(Some(v)),
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(ctx::err(e)),
    }
}

/// Sets the client's status page up from its form.
#[server]
pub async fn save_status_page(
    client_id: Uuid,
    title: String,
    #[server(default)] slug: Option<String>,
    #[server(default)] components: Option<Vec<crate::model::incident::ComponentForm>>,
) -> Result<(), ServerFnError> {
    use crate::ssr::service::status_pages::{self, ComponentInput, StatusPageInput};
    let (state, s) = ctx::session().await?;
    let mut list = Vec::new();
    for c in components.unwrap_or_default() {
        if c.name.trim().is_empty() {
            continue;
        }
        list.push(ComponentInput {
            name: c.name,
            system_ids: form_ids("components", Some(c.system_ids))?,
        });
    }
    let input = StatusPageInput {
        slug,
        title,
        components: list,
    };
    status_pages::put(
        &state,
        &s.scope,
        ClientId::from(client_id),
        input,
        chrono::Utc::now(),
    )
    .await
    .map(|_| ())
    .map_err(ctx::err)
}

/// A client's exercises, open action items and cadence.
#[server]
pub async fn get_exercises(
    client_id: Uuid,
) -> Result<crate::model::exercise::ExercisesPage, ServerFnError> {
    let (state, s) = ctx::session().await?;
    let now = chrono::Utc::now();
    crate::ssr::service::exercises::page(&state, &s.scope, ClientId::from(client_id), now)
        .await
        .map_err(ctx::err)
}

/// Schedules an exercise from the form (`scheduled_for` as YYYY-MM-DD).
#[server]
pub async fn schedule_exercise(
    client_id: Uuid,
    kind: String,
    scheduled_for: String,
    #[server(default)] system_id: Option<String>,
) -> Result<(), ServerFnError> {
    use crate::ssr::error::AppError;
    use crate::ssr::service::exercises::{self, NewExercise};
    let (state, s) = ctx::session().await?;
    let day =
        chrono::NaiveDate::parse_from_str(scheduled_for.trim(), "%Y-%m-%d").map_err(|_| {
            ctx::err(AppError::field(
                "scheduled_for",
                "must be a day such as 2026-12-31",
            ))
        })?;
    let system_id = match system_id
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        Some(v) => form_ids("system_id", Some(vec![v.to_string()]))?.pop(),
        None => None,
    };
    let input = NewExercise {
        kind,
        scheduled_for: day,
        system_id,
        notes: String::new(),
    };
    let now = chrono::Utc::now();
    exercises::schedule(&state, &s.scope, ClientId::from(client_id), input, now)
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// Records an exercise's result (`what` = "done") or cancels it (`what` = "cancelled"); the
/// fields of its kind come from the form, findings one per line.
#[server]
pub async fn record_exercise(
    id: Uuid,
    what: String,
    #[server(default)] incident_id: Option<String>,
    #[server(default)] system_id: Option<String>,
    #[server(default)] duration_minutes: Option<String>,
    #[server(default)] passed: Option<String>,
    #[server(default)] held: Option<String>,
    #[server(default)] missed: Option<String>,
    #[server(default)] findings: Option<String>,
) -> Result<(), ServerFnError> {
    use crate::model::exercise::ChecklistLine;
    use crate::ssr::error::AppError;
    use crate::ssr::service::exercises::{self, ExercisePatch, Finding};
    let (state, s) = ctx::session().await?;
    let one = |field: &str, v: Option<String>| -> Result<Option<Uuid>, ServerFnError> {
        match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => Ok(form_ids(field, Some(vec![v.to_string()]))?.pop()),
            None => Ok(None),
        }
    };
    let lines = |v: &Option<String>| -> Vec<String> {
        v.as_deref()
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    let duration_minutes = match duration_minutes
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        Some(v) => Some(v.parse::<u32>().map_err(|_| {
            ctx::err(AppError::field(
                "duration_minutes",
                "must be a whole number of minutes",
            ))
        })?),
        None => None,
    };
    let mut checklist: Vec<ChecklistLine> = lines(&held)
        .into_iter()
        .map(|item| ChecklistLine { item, done: true })
        .collect();
    checklist.extend(
        lines(&missed)
            .into_iter()
            .map(|item| ChecklistLine { item, done: false }),
    );
    let patch = ExercisePatch {
        state: Some(what),
        incident_id: one("incident_id", incident_id)?,
        system_id: one("system_id", system_id)?,
        duration_minutes,
        passed: duration_minutes.map(|_| passed.is_some()),
        checklist: (!checklist.is_empty()).then_some(checklist),
        findings: lines(&findings)
            .into_iter()
            .map(|title| Finding {
                title,
                owner: None,
                due_on: None,
            })
            .collect(),
        ..ExercisePatch::default()
    };
    exercises::update(&state, &s.scope, id, patch, chrono::Utc::now())
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// The plan's drill settings from the exercises page: how often each kind is due (months) and
/// the call tree's wave time (minutes).
#[server]
pub async fn save_drill_settings(
    client_id: Uuid,
    drill_every_months: String,
    restore_test_every_months: String,
    tabletop_every_months: String,
    wave_minutes: String,
) -> Result<(), ServerFnError> {
    use crate::ssr::error::AppError;
    use crate::ssr::service::plan::overview;
    let (state, s) = ctx::session().await?;
    let number = |field: &str, v: &str| -> Result<i64, ServerFnError> {
        v.trim()
            .parse::<i64>()
            .map_err(|_| ctx::err(AppError::field(field, "must be a whole number")))
    };
    let input = overview::SettingsInput {
        drill_every_months: Some(number("drill_every_months", &drill_every_months)?),
        restore_test_every_months: Some(number(
            "restore_test_every_months",
            &restore_test_every_months,
        )?),
        tabletop_every_months: Some(number("tabletop_every_months", &tabletop_every_months)?),
        wave_minutes: Some(number("wave_minutes", &wave_minutes)?),
        ..Default::default()
    };
    overview::update_settings(&state, &s.scope, ClientId::from(client_id), input)
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// Marks an action item done.
#[server]
pub async fn finish_action_item(id: Uuid) -> Result<(), ServerFnError> {
    let (state, s) = ctx::session().await?;
    crate::ssr::service::exercises::set_item(&state, &s.scope, id, true, chrono::Utc::now())
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// Roll call: where a person at an affected site stands.
#[server]
pub async fn record_roll_call(
    id: Uuid,
    person_id: Uuid,
    state: String,
) -> Result<(), ServerFnError> {
    let (app, s) = ctx::session().await?;
    let now = chrono::Utc::now();
    crate::ssr::service::incidents::roll_call(&app, &s.scope, id, person_id, &state, now)
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// Assigns a checklist item to a person of the directory (empty: nobody).
#[server]
pub async fn assign_item(id: Uuid, key: String, person_id: String) -> Result<(), ServerFnError> {
    let (app, s) = ctx::session().await?;
    let person = match person_id.trim() {
        "" => None,
        v => form_ids("person_id", Some(vec![v.to_string()]))?.pop(),
    };
    let now = chrono::Utc::now();
    crate::ssr::service::incidents::assign(&app, &s.scope, id, &key, person, now)
        .await
        .map(|_| ())
        .map_err(ctx::err)
}

/// Records how a call went: `confirmed` (reached) or `unreachable`.
#[server]
pub async fn record_call(id: Uuid, leg_id: Uuid, state: String) -> Result<(), ServerFnError> {
    use crate::ssr::service::calls::{self, Answer};
    let (app, s) = ctx::session().await?;
    let answer = Answer {
        state,
        note: String::new(),
    };
    calls::record(&app, &s.scope, id, leg_id, answer, chrono::Utc::now())
        .await
        .map(|_| ())
        .map_err(ctx::err)
}
