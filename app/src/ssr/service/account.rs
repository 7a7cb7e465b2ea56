//! Sign-up, sign-in, sign-out, invites and their acceptance.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde::Deserialize;
use uuid::Uuid;

use super::{client_view, user_view, Fields};
use crate::domain::input::{Email, Name, Password};
use crate::ids::ClientId;
use crate::model::{MeView, MspView, Role, UserView};
use crate::ssr::auth::{self, Claims};
use crate::ssr::entity::{msp, user};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::loggable;
use crate::ssr::repo::{audit, clients, throttle, users};
use crate::ssr::scope::Scope;
use crate::ssr::session::Session;
use crate::ssr::state::AppState;

#[derive(Debug, Deserialize)]
pub struct SignupInput {
    pub msp_name: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

pub struct SignedIn {
    pub token: String,
    pub user: UserView,
}

/// A fresh session token for a user, acting in membership `mid` (`None`: the account's first);
/// `auth_time` carries over on renewal.
pub fn issue_token(
    state: &AppState,
    user: &user::Model,
    auth_time: Option<i64>,
    mid: Option<Uuid>,
) -> AppResult<String> {
    let now = Utc::now().timestamp();
    let claims = Claims {
        sub: user.id,
        aud: auth::AUDIENCE.into(),
        iat: now,
        exp: now + state.settings.token_ttl.as_secs() as i64,
        ver: user.token_version,
        auth_time: auth_time.unwrap_or(now),
        mid,
    };
    Ok(state.keys.sign(&claims)?)
}

/// A renewed token if the session is past half its life and within its maximum age. It carries
/// the same user and token version, so a sign-out before or after still ends it.
pub fn renewed_token(state: &AppState, c: &Claims) -> Option<String> {
    let now = Utc::now().timestamp();
    let half_life = state.settings.token_ttl.as_secs() as i64 / 2;
    let max_age = state.settings.session_max_age.as_secs() as i64;
    if now - c.iat < half_life || now - c.auth_time > max_age {
        return None;
    }
    let claims = Claims {
        iat: now,
        exp: now + state.settings.token_ttl.as_secs() as i64,
        ..c.clone()
    };
    state.keys.sign(&claims).ok()
}

pub async fn signup(
    state: &AppState,
    input: SignupInput,
    ip: String,
) -> AppResult<(SignedIn, MspView)> {
    let mut f = Fields::default();
    let msp_name = f.take("msp_name", Name::parse(&input.msp_name));
    let name = f.take("name", Name::parse(&input.name));
    let email = f.take("email", Email::parse(&input.email));
    let password = f.take("password", Password::parse(&input.password));
    f.finish()?;
    let (msp_name, name, email, password) = (
        msp_name.unwrap(),
        name.unwrap(),
        email.unwrap(),
        password.unwrap(),
    );

    if users::find_by_email(&state.db, email.as_str())
        .await?
        .is_some()
    {
        return Err(AppError::field("email", "is already registered"));
    }
    let hash = hash_blocking(password).await?;
    let txn = state.begin_write().await?;
    let msp = msp::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(msp_name.into_string()),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let user = users::insert_user(&txn, email.as_str(), name.as_str(), Some(hash)).await?;
    let owner = users::insert_membership(&txn, user.id, msp.id, None, Role::MspOwner).await?;
    let scope = Scope::of_member(user.id, &owner, Role::MspOwner);
    let mut entry = audit::Entry::by(&scope, "auth.signup", email.as_str());
    entry.ip = ip;
    audit::record(&txn, entry).await?;
    txn.commit().await?;

    let token = issue_token(state, &user, None, None)?;
    Ok((
        SignedIn {
            token,
            user: user_view(&user, Role::MspOwner),
        },
        MspView {
            id: msp.id,
            name: msp.name,
        },
    ))
}

/// Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
pub(super) async fn hash_blocking(password: Password) -> AppResult<String> {
    tokio::task::spawn_blocking(move || auth::hash_password(password.expose()))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)
}

pub(super) async fn verify_blocking(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// The longest e-mail address (RFC 5321) and password a sign-in takes; longer input is refused
/// before anything is looked up or written.
pub const MAX_EMAIL: usize = 254;
pub const MAX_PASSWORD: usize = 256;

pub async fn login(
    state: &AppState,
    email: &str,
    password: &str,
    ip: String,
) -> AppResult<SignedIn> {
    let email = email.trim().to_lowercase();
    let mut f = Fields::default();
    if email.is_empty() || email.len() > MAX_EMAIL {
        f.take::<()>(
            "email",
            Err("must be an e-mail address of at most 254 characters"),
        );
    }
    if password.chars().count() > MAX_PASSWORD {
        f.take::<()>("password", Err("must be at most 256 characters"));
    }
    f.finish()?;
    let s = &state.settings;
    let window_ms = i64::try_from(s.login_window.as_millis()).unwrap_or(i64::MAX);
    let now = Utc::now();
    // Counted before the password is checked, each in one statement: of many parallel guesses
    // only as many as the limit get as far as the check.
    let keys = [throttle::email_key(&email), throttle::ip_key(&ip)];
    let by_email = throttle::count_attempt(&state.db, &keys[0], now, window_ms).await?;
    let by_ip = throttle::count_attempt(&state.db, &keys[1], now, window_ms).await?;
    let (max_email, max_ip) = (
        i64::try_from(s.login_max_failures_per_email).unwrap_or(i64::MAX),
        i64::try_from(s.login_max_failures_per_ip).unwrap_or(i64::MAX),
    );
    if by_email > max_email || by_ip > max_ip {
        tracing::warn!(email = %loggable(&email), ip = %loggable(&ip), "refused: sign-in rate limit");
        // Told once per window, and only about an account that exists.
        if by_email == max_email + 1 {
            if let Some(user) = users::find_by_email(&state.db, &email).await? {
                record_login(
                    state,
                    Some(&user),
                    &email,
                    ip,
                    "auth.login_throttled",
                    "refused",
                )
                .await?;
            }
        }
        return Err(AppError::TooManyRequests);
    }

    let user = users::find_by_email(&state.db, &email).await?;
    let hash = user
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .unwrap_or_else(|| auth::dummy_hash().to_string());
    let ok = verify_blocking(password.to_string(), hash).await;
    match user {
        Some(user) if ok && user.disabled_at.is_none() => {
            // Not a failure after all.
            for key in &keys {
                throttle::uncount(&state.db, key).await?;
            }
            // Every MSP the account belonged to has disabled it: the same words as a wrong
            // password.
            let Some(membership) = users::membership_of(&state.db, user.id).await? else {
                return Err(AppError::BadCredentials);
            };
            record_login(state, Some(&user), &email, ip, "auth.login", "ok").await?;
            let role = Role::parse(&membership.role).ok_or(AppError::Unauthorized)?;
            Ok(SignedIn {
                token: issue_token(state, &user, None, None)?,
                user: user_view(&user, role),
            })
        }
        user => {
            tracing::warn!(email = %loggable(&email), ip = %loggable(&ip), "refused: sign-in failed");
            // The audit log keeps the first failure of a window for an existing account; the
            // counter keeps the rest, however many there are.
            if let (Some(user), 1) = (&user, by_email) {
                record_login(
                    state,
                    Some(user),
                    &email,
                    ip,
                    audit::LOGIN_FAILED,
                    "refused",
                )
                .await?;
            }
            Err(AppError::BadCredentials)
        }
    }
}

async fn record_login(
    state: &AppState,
    user: Option<&user::Model>,
    email: &str,
    ip: String,
    action: &str,
    outcome: &str,
) -> AppResult<()> {
    let membership = match user {
        Some(u) => users::membership_of(&state.db, u.id).await?,
        None => None,
    };
    audit::record(
        &state.db,
        audit::Entry {
            msp_id: membership.as_ref().map(|m| m.msp_id),
            client_id: membership.as_ref().and_then(|m| m.client_id),
            actor: user.map(|u| u.id),
            action,
            subject: email.to_string(),
            detail: serde_json::Value::Null,
            ip,
            outcome,
        },
    )
    .await
}

/// Ends every session of the user (all devices).
pub async fn logout(state: &AppState, session: &Session) -> AppResult<()> {
    users::bump_token_version(&state.db, &session.user).await?;
    audit::record(
        &state.db,
        audit::Entry::by(&session.scope, "auth.logout", session.user.email.clone()),
    )
    .await
}

pub async fn me(state: &AppState, session: &Session) -> AppResult<MeView> {
    let scope = &session.scope;
    let msp = msp::Entity::find_by_id(scope.msp_id())
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let client = match scope.client_id() {
        Some(id) => Some(client_view(
            clients::get(&state.db, scope, ClientId::from(id)).await?,
        )),
        None => None,
    };
    // The account's other memberships, each read in its own scope.
    let mut memberships = Vec::new();
    let open = users::memberships_of(&state.db, session.user.id).await?;
    for m in open.into_iter().filter(|m| m.disabled_at.is_none()) {
        let Some(role) = Role::parse(&m.role) else {
            continue;
        };
        let theirs = Scope::of_member(session.user.id, &m, role);
        let msp_name = msp::Entity::find_by_id(m.msp_id)
            .one(&state.db)
            .await?
            .map(|x| x.name)
            .unwrap_or_default();
        let client_name = match m.client_id {
            Some(id) => Some(
                clients::get(&state.db, &theirs, ClientId::from(id))
                    .await?
                    .name,
            ),
            None => None,
        };
        memberships.push(crate::model::MembershipView {
            id: m.id,
            msp_name,
            client_name,
            role,
        });
    }
    Ok(MeView {
        user: user_view(&session.user, scope.role()),
        role: scope.role(),
        msp: MspView {
            id: msp.id,
            name: msp.name,
        },
        client,
        memberships,
        current: Some(session.membership.id),
    })
}

/// A session token for another membership of the same account (404 if it is not the
/// account's, or its MSP disabled it); the sign-in time carries over.
pub async fn switch(state: &AppState, session: &Session, membership_id: Uuid) -> AppResult<String> {
    users::membership_by_id(&state.db, session.user.id, membership_id)
        .await?
        .filter(|m| m.disabled_at.is_none())
        .ok_or(AppError::NotFound)?;
    issue_token(
        state,
        &session.user,
        Some(session.claims.auth_time),
        Some(membership_id),
    )
}
