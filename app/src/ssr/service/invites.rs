//! Inviting people into a client's view, and accepting. An invitation makes no account: it
//! holds the address, name and role until it is accepted. Accepting creates the account, or,
//! when the address already has one (with this MSP or another), adds the membership once that
//! account's own password is given: an invitation never sets or resets a password, and its
//! answer is the same whether or not the address has an account elsewhere.
use chrono::{Duration as ChronoDuration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, Set, SqlErr};
use serde::Deserialize;
use uuid::Uuid;

use super::account::{hash_blocking, issue_token, verify_blocking, SignedIn};
use super::{user_view, Fields};
use crate::domain::input::{Email, Name, Password};
use crate::ids::ClientId;
use crate::model::{InviteCreated, Role, UserView};
use crate::ssr::auth;
use crate::ssr::entity::{invitation, membership};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::{audit, clients, throttle, users};
use crate::ssr::scope::Scope;
use crate::ssr::state::AppState;

#[derive(Debug, Deserialize)]
pub struct InviteInput {
    pub email: String,
    pub name: String,
    pub role: String,
}

/// An open invitation as the people list shows it: a person not yet active.
pub fn pending_view(i: &invitation::Model) -> UserView {
    UserView {
        id: i.id,
        email: i.email.clone(),
        name: i.name.clone(),
        role: Role::parse(&i.role).unwrap_or(Role::ClientMember),
        active: false,
        disabled: false,
    }
}

/// Invites someone into a client's view and returns the one-time token (also e-mailed when
/// SMTP is set). While an invitation to the address is open, another is refused (409): an
/// expired one is replaced, a live one must be withdrawn first.
pub async fn invite_client_user(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    input: InviteInput,
    base: &str,
) -> AppResult<InviteCreated> {
    let client = clients::get(&state.db, scope, client_id).await?;
    scope.require_admin()?;
    let (email, name, role) = parse(
        &input,
        |r| r.is_client_role(),
        "client_admin or client_member",
    )?;
    let created = create(state, scope, Some(client.id), email, name, role).await?;
    Ok(created
        .send(
            state,
            &match crate::ssr::error::request_lang() {
                crate::i18n::Lang::Nl => format!("het continuïteitsplan van {}", client.name),
                crate::i18n::Lang::En => format!("the continuity plan of {}", client.name),
            },
            base,
        )
        .await)
}

/// An invitation's fields, read as a form shows them (every field's error at once); `allowed`
/// says which roles this kind of invitation may give.
pub fn parse(
    input: &InviteInput,
    allowed: fn(&Role) -> bool,
    roles: &str,
) -> AppResult<(Email, Name, Role)> {
    let mut f = Fields::default();
    let email = f.take("email", Email::parse(&input.email));
    let name = f.take("name", Name::parse(&input.name));
    let role = f.take(
        "role",
        Role::parse(&input.role)
            .filter(allowed)
            .ok_or(format!("must be {roles}")),
    );
    f.finish()?;
    match (email, name, role) {
        (Some(email), Some(name), Some(role)) => Ok((email, name, role)),
        _ => Err(AppError::BadRequest("incomplete invitation".into())),
    }
}

/// A stored invitation and its one-time token (shown once, stored hashed).
pub struct Created {
    pub row: invitation::Model,
    pub token: String,
}

impl Created {
    /// E-mails the link under `base` (when SMTP is set) inviting to `place` ("the team of
    /// Acme IT") and gives the answer that shows the token once.
    pub async fn send(self, state: &AppState, place: &str, base: &str) -> InviteCreated {
        let (email, name) = (&self.row.email, &self.row.name);
        super::mail::send_invite(state, email, name, place, base, &self.token).await;
        InviteCreated {
            user: pending_view(&self.row),
            invite_token: self.token,
        }
    }
}

/// Stores an invitation into the scope's MSP (into one of its clients when `client_id` is
/// given) with its audit entry. Someone who already belongs to this MSP is refused (they are
/// known to it); anyone else is invited alike, whether or not they have an account elsewhere.
/// While an invitation to the address is open, another is refused (409).
pub async fn create(
    state: &AppState,
    scope: &Scope,
    client_id: Option<Uuid>,
    email: Email,
    name: Name,
    role: Role,
) -> AppResult<Created> {
    if let Some(existing) = users::find_by_email(&state.db, email.as_str()).await? {
        let here = scope
            .select::<membership::Entity>()
            .filter(membership::Column::UserId.eq(existing.id))
            .one(&state.db)
            .await?;
        if here.is_some() {
            return Err(AppError::field("email", "already has an account with you"));
        }
    }

    let token = auth::random_token();
    let now = Utc::now();
    let row = invitation::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(scope.msp_id()),
        client_id: Set(client_id),
        email: Set(email.as_str().to_string()),
        name: Set(name.as_str().to_string()),
        role: Set(role.as_str().to_string()),
        token_hash: Set(auth::sha256_hex(&token)),
        created_by: Set(scope.user_id()),
        expires_at: Set(
            now + ChronoDuration::from_std(state.settings.invite_ttl).unwrap_or_default()
        ),
        accepted_at: Set(None),
        created_at: Set(now),
    };
    let txn = state.begin_write().await?;
    // An expired invitation blocks nothing: it makes way for the new one.
    scope
        .delete::<invitation::Entity>()
        .filter(invitation::Column::Email.eq(email.as_str()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::ExpiresAt.lt(now))
        .exec(&txn)
        .await?;
    // A live one (also one sent a moment ago by someone else) does: the database's unique
    // index on open invitations decides between two sent at once.
    let open = || {
        AppError::Conflict(
            "an invitation to this address is still open; withdraw it before sending another"
                .into(),
        )
    };
    let row = match row.insert(&txn).await {
        Ok(r) => r,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(open());
        }
        Err(e) => return Err(e.into()),
    };
    let mut entry = audit::Entry::by(scope, "user.invite", email.as_str())
        .detail(serde_json::json!({ "role": role.as_str(), "invitation_id": row.id }));
    entry.client_id = client_id;
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(Created { row, token })
}

/// Withdraws an open invitation of the scope (it then answers 404 when accepted).
pub async fn withdraw(state: &AppState, scope: &Scope, id: Uuid) -> AppResult<bool> {
    let Some(row) = scope
        .select::<invitation::Entity>()
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .one(&state.db)
        .await?
    else {
        return Ok(false);
    };
    scope.require_admin()?;
    let txn = state.begin_write().await?;
    scope
        .delete::<invitation::Entity>()
        .filter(invitation::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    let mut entry = audit::Entry::by(scope, "user.invite_withdrawn", row.email.clone());
    entry.client_id = row.client_id.or(scope.client_id());
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(true)
}

/// Accepts an invitation. For an address without an account, `password` becomes the new
/// account's password; for one with an account, it must be that account's password.
pub async fn accept_invite(
    state: &AppState,
    token: &str,
    password: &str,
    ip: String,
) -> AppResult<SignedIn> {
    if password.chars().count() > crate::domain::password::MAX_LEN || token.len() > 200 {
        return Err(AppError::field(
            "password",
            "must be at most 256 characters",
        ));
    }
    let all = Scope::all_tenants("invitation acceptance: the invitation a link's token names");
    let inv = all
        .select::<invitation::Entity>()
        .filter(invitation::Column::TokenHash.eq(auth::sha256_hex(token)))
        .filter(invitation::Column::AcceptedAt.is_null())
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if inv.expires_at < Utc::now() {
        return Err(AppError::field(
            "token",
            "this invite has expired; ask for a new one",
        ));
    }
    let role = Role::parse(&inv.role).ok_or(AppError::NotFound)?;
    let existing = users::find_by_email(&state.db, &inv.email)
        .await?
        .filter(|u| u.password_hash.is_some());
    let new_hash = match &existing {
        Some(account) => {
            // Proving the account is the owner's: counted like a sign-in, so an invitation
            // link cannot be used to guess that password.
            let window = i64::try_from(state.settings.login_window.as_millis()).unwrap_or(i64::MAX);
            let key = throttle::email_key(&inv.email);
            let tries = throttle::count_attempt(&state.db, &key, Utc::now(), window).await?;
            let limit =
                i64::try_from(state.settings.login_max_failures_per_email).unwrap_or(i64::MAX);
            if tries > limit {
                return Err(AppError::TooManyRequests);
            }
            let hash = account.password_hash.clone().unwrap_or_default();
            if account.disabled_at.is_some() || !verify_blocking(password.to_string(), hash).await {
                return Err(AppError::BadCredentials);
            }
            throttle::uncount(&state.db, &key).await?;
            None
        }
        None => {
            let password = Password::parse(password).map_err(|e| AppError::field("password", e))?;
            Some(hash_blocking(password).await?)
        }
    };

    let txn = state.begin_write().await?;
    // Compare-and-set: of two concurrent acceptances only one finds the invitation open.
    let claimed = all
        .update::<invitation::Entity>()
        .col_expr(
            invitation::Column::AcceptedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(invitation::Column::Id.eq(inv.id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(AppError::NotFound);
    }
    let user = match (existing, new_hash) {
        (Some(account), _) => account,
        (None, hash) => users::insert_user(&txn, &inv.email, &inv.name, hash).await?,
    };
    let already = users::memberships_of(&txn, user.id)
        .await?
        .into_iter()
        .any(|m| m.msp_id == inv.msp_id);
    if already {
        return Err(AppError::Conflict(
            "your account already belongs to this MSP".into(),
        ));
    }
    let member = users::insert_membership(&txn, user.id, inv.msp_id, inv.client_id, role).await?;
    let scope = Scope::of_member(user.id, &member, role);
    let mut entry = audit::Entry::by(&scope, "user.invite_accepted", user.email.clone());
    entry.ip = ip;
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(SignedIn {
        token: issue_token(state, &user, None, Some(member.id))?,
        user: user_view(&user, role),
    })
}
