//! Changing a password, and resetting a forgotten one by an e-mailed link. Both end every other
//! session of the account. A reset request answers the same whether or not the address has an
//! account, and its e-mail goes through the outbox (so the answer takes as long either way); the
//! link is sealed there, as only the account's owner may read it.
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::account::{hash_blocking, issue_token, verify_blocking, SignedIn};
use super::{user_view, Fields};
use crate::domain::input::{Email, Password};
use crate::model::Role;
use crate::ssr::auth;
use crate::ssr::entity::{password_reset, user};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::{audit, throttle, users};
use crate::ssr::scope::Scope;
use crate::ssr::session::Session;
use crate::ssr::state::AppState;

/// How long a reset link works.
pub const RESET_VALID: Duration = Duration::hours(1);
/// Reset e-mails per address per sign-in window, so nobody can flood an inbox through us.
const RESETS_PER_WINDOW: i64 = 3;

fn new_password(f: &mut Fields, field: &str, v: &str) -> Option<Password> {
    f.take(field, Password::parse(v))
}

/// Changes the signed-in user's password after checking the current one. Every other session
/// ends; the returned token continues this one.
pub async fn change(
    state: &AppState,
    session: &Session,
    current: &str,
    new: &str,
) -> AppResult<String> {
    let mut f = Fields::default();
    if current.chars().count() > crate::domain::password::MAX_LEN {
        f.take::<()>("current_password", Err("must be at most 256 characters"));
    }
    let new = new_password(&mut f, "new_password", new);
    f.finish()?;
    let user = &session.user;
    // A wrong current password counts like a failed sign-in.
    let window = i64::try_from(state.settings.login_window.as_millis()).unwrap_or(i64::MAX);
    let key = throttle::email_key(&user.email);
    let tries = throttle::count_attempt(&state.db, &key, Utc::now(), window).await?;
    let limit = i64::try_from(state.settings.login_max_failures_per_email).unwrap_or(i64::MAX);
    if tries > limit {
        return Err(AppError::TooManyRequests);
    }
    let hash = user.password_hash.clone().unwrap_or_default();
    if !verify_blocking(current.to_string(), hash).await {
        return Err(AppError::BadCredentials);
    }
    throttle::uncount(&state.db, &key).await?;
    let Some(new) = new else {
        return Err(AppError::field("new_password", "is required"));
    };
    let hash = hash_blocking(new).await?;
    let txn = state.begin_write().await?;
    let fresh = set_password(&txn, user, hash).await?;
    audit::record(
        &txn,
        audit::Entry::by(&session.scope, "auth.password_changed", user.email.clone()),
    )
    .await?;
    txn.commit().await?;
    issue_token(
        state,
        &fresh,
        Some(session.claims.auth_time),
        session.claims.mid,
    )
}

/// A new password hash, and a new token version: every session issued before ends.
async fn set_password(
    db: &impl sea_orm::ConnectionTrait,
    user: &user::Model,
    hash: String,
) -> AppResult<user::Model> {
    let mut row: user::ActiveModel = user.clone().into();
    row.password_hash = Set(Some(hash));
    row.token_version = Set(user.token_version + 1);
    Ok(row.update(db).await?)
}

/// Starts a reset: for an address with a usable account, a single-use link valid for an hour is
/// e-mailed to it. Answers alike for every address. `base` is where links point
/// (`https://host`).
pub async fn request_reset(state: &AppState, email: &str, base: &str) -> AppResult<()> {
    let email = Email::parse(email).map_err(|e| AppError::field("email", e))?;
    let window = i64::try_from(state.settings.login_window.as_millis()).unwrap_or(i64::MAX);
    let key = format!("r:{}", &throttle::email_key(email.as_str())[2..]);
    let sent = throttle::count_attempt(&state.db, &key, Utc::now(), window).await?;
    if sent > RESETS_PER_WINDOW {
        tracing::warn!(email = %crate::ssr::loggable(email.as_str()), "password reset: too many requests; none sent");
        return Ok(());
    }
    let Some(user) = users::find_by_email(&state.db, email.as_str()).await? else {
        return Ok(());
    };
    if user.password_hash.is_none() || user.disabled_at.is_some() {
        return Ok(());
    }
    let Some(member) = users::membership_of(&state.db, user.id).await? else {
        return Ok(());
    };
    let role = Role::parse(&member.role).unwrap_or(Role::ClientMember);
    let token = auth::random_token();
    let now = Utc::now();
    let link = format!("{}/reset-password/{token}", base.trim_end_matches('/'));
    let body = format!(
        "Hello {name},\n\nSomeone (we hope you) asked to reset the password of your Lifeline \
         account. Choose a new one here:\n{link}\n\nThe link works once, for one hour. If you did \
         not ask for this, ignore this e-mail: your password stays as it is.\n",
        name = user.name
    );
    let txn = state.begin_write().await?;
    password_reset::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user.id),
        token_hash: Set(auth::sha256_hex(&token)),
        expires_at: Set(now + RESET_VALID),
        used_at: Set(None),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    super::monitor::delivery::queue_sealed_email(
        &txn,
        state,
        (member.msp_id, Uuid::nil()),
        &user.email,
        "Reset your Lifeline password",
        &body,
    )
    .await?;
    let scope = Scope::of_member(user.id, &member, role);
    audit::record(
        &txn,
        audit::Entry::by(&scope, "auth.password_reset_requested", user.email.clone()),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Finishes a reset with the link's token: the new password is set, the link and any other
/// open link of the account are spent, every session ends, and the caller is signed in.
pub async fn confirm_reset(state: &AppState, token: &str, new: &str) -> AppResult<SignedIn> {
    if token.len() > 200 {
        return Err(AppError::NotFound);
    }
    let reset = password_reset::Entity::find()
        .filter(password_reset::Column::TokenHash.eq(auth::sha256_hex(token)))
        .filter(password_reset::Column::UsedAt.is_null())
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if reset.expires_at < Utc::now() {
        return Err(AppError::field(
            "token",
            "this link has expired; ask for a new one",
        ));
    }
    let password = Password::parse(new).map_err(|e| AppError::field("new_password", e))?;
    let user = user::Entity::find_by_id(reset.user_id)
        .one(&state.db)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .ok_or(AppError::NotFound)?;
    let member = users::membership_of(&state.db, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let role = Role::parse(&member.role).ok_or(AppError::NotFound)?;
    let hash = hash_blocking(password).await?;
    let txn = state.begin_write().await?;
    // This link must still be open (of two uses at once, one wins) ...
    let now = Utc::now();
    let mine = password_reset::Entity::update_many()
        .col_expr(
            password_reset::Column::UsedAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .filter(password_reset::Column::Id.eq(reset.id))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if mine.rows_affected != 1 {
        return Err(AppError::NotFound);
    }
    // ... and every other open link of the account is spent with it.
    password_reset::Entity::update_many()
        .col_expr(
            password_reset::Column::UsedAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .filter(password_reset::Column::UserId.eq(user.id))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    let fresh = set_password(&txn, &user, hash).await?;
    let scope = Scope::of_member(user.id, &member, role);
    audit::record(
        &txn,
        audit::Entry::by(&scope, "auth.password_reset", user.email.clone()),
    )
    .await?;
    txn.commit().await?;
    Ok(SignedIn {
        token: issue_token(state, &fresh, None, None)?,
        user: user_view(&fresh, role),
    })
}
