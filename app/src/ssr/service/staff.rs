//! The MSP's own people: owners, admins and technicians. Every staff member sees the team;
//! owners and admins invite staff and change roles; only an owner makes or unmakes an owner,
//! and the last owner stays one.
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Deserialize;

use super::invites::{self, InviteInput};
use crate::ids::UserId;
use crate::model::{InviteCreated, Role, UserView};
use crate::ssr::entity::{invitation, membership, msp};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::{audit, users};
use crate::ssr::scope::Scope;
use crate::ssr::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    pub role: String,
}

/// Owners and admins manage the team; technicians do not.
fn require_team_admin(scope: &Scope) -> AppResult<()> {
    if scope.role().runs_the_msp() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the MSP's owners and admins manage its team".into(),
        ))
    }
}

/// The team: staff members (active or disabled) and open staff invitations, by name.
pub async fn list(state: &AppState, scope: &Scope) -> AppResult<Vec<UserView>> {
    scope.require_msp_staff()?;
    let members = scope
        .select::<membership::Entity>()
        .filter(membership::Column::ClientId.is_null())
        .all(&state.db)
        .await?;
    let people = users::accounts(&state.db, members.iter().map(|m| m.user_id)).await?;
    let mut out: Vec<UserView> = members
        .iter()
        .filter_map(|m| {
            let u = people.iter().find(|u| u.id == m.user_id)?;
            Some(super::member_view(u, m))
        })
        .collect();
    let pending = scope
        .select::<invitation::Entity>()
        .filter(invitation::Column::ClientId.is_null())
        .filter(invitation::Column::AcceptedAt.is_null())
        .all(&state.db)
        .await?;
    out.extend(pending.iter().map(invites::pending_view));
    out.sort_by_key(|u| u.name.to_lowercase());
    Ok(out)
}

/// Invites an admin or technician into the MSP (201 with the one-time token, also e-mailed
/// when SMTP is set). Owners are made by promotion, never by invitation.
pub async fn invite(
    state: &AppState,
    scope: &Scope,
    input: InviteInput,
    base: &str,
) -> AppResult<InviteCreated> {
    scope.require_msp_staff()?;
    require_team_admin(scope)?;
    let (email, name, role) = invites::parse(
        &input,
        |r| matches!(r, Role::MspAdmin | Role::MspTechnician),
        "msp_admin or msp_technician",
    )?;
    let created = invites::create(state, scope, None, email, name, role).await?;
    let team = msp::Entity::find_by_id(scope.msp_id())
        .one(&state.db)
        .await?
        .map(|m| m.name)
        .unwrap_or_default();
    Ok(created
        .send(
            state,
            &match crate::ssr::error::request_lang() {
                crate::i18n::Lang::Nl => format!("het team van {team}"),
                crate::i18n::Lang::En => format!("the team of {team}"),
            },
            base,
        )
        .await)
}

/// Gives a staff member another staff role. Takes effect on their next request (sessions read
/// the role from the membership). 404 for anyone who is not this MSP's staff.
pub async fn change_role(
    state: &AppState,
    scope: &Scope,
    id: UserId,
    input: RoleInput,
) -> AppResult<UserView> {
    scope.require_msp_staff()?;
    let (account, member) = users::get_in_scope(&state.db, scope, id.uuid()).await?;
    if member.client_id.is_some() {
        return Err(AppError::NotFound);
    }
    require_team_admin(scope)?;
    let role = Role::parse(&input.role)
        .filter(|r| r.is_msp_staff())
        .ok_or_else(|| AppError::field("role", "must be msp_owner, msp_admin or msp_technician"))?;
    let was = Role::parse(&member.role).unwrap_or(Role::MspTechnician);
    if (role == Role::MspOwner || was == Role::MspOwner) && scope.role() != Role::MspOwner {
        return Err(AppError::Forbidden(
            "only an owner makes or unmakes an owner".into(),
        ));
    }
    if role != was {
        let _turn = state.write_turn().await;
        let txn = state.begin_write().await?;
        keep_an_owner(&txn, scope, &member).await?;
        scope
            .update::<membership::Entity>()
            .col_expr(
                membership::Column::Role,
                sea_orm::sea_query::Expr::value(role.as_str()),
            )
            .filter(membership::Column::Id.eq(member.id))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            audit::Entry::by(scope, "user.role", account.email.clone()).detail(
                serde_json::json!({ "user_id": account.id, "from": was.as_str(),
                                    "to": role.as_str(), "at": Utc::now() }),
            ),
        )
        .await?;
        txn.commit().await?;
    }
    let mut member = member;
    member.role = role.as_str().to_string();
    Ok(super::member_view(&account, &member))
}

/// Only an owner disables another owner.
pub fn may_disable(scope: &Scope, member: &membership::Model) -> AppResult<()> {
    if member.role == Role::MspOwner.as_str() && scope.role() != Role::MspOwner {
        return Err(AppError::Forbidden(
            "only an owner disables an owner".into(),
        ));
    }
    Ok(())
}

/// Inside the transaction that demotes or disables `member`: refuses when no other enabled
/// owner would be left. The owners' rows are locked (PostgreSQL; SQLite writes one at a time
/// behind `write_turn`), so two owners demoting each other at once cannot both pass.
pub async fn keep_an_owner(
    txn: &impl sea_orm::ConnectionTrait,
    scope: &Scope,
    member: &membership::Model,
) -> AppResult<()> {
    if member.role != Role::MspOwner.as_str() {
        return Ok(());
    }
    let owners = scope
        .select::<membership::Entity>()
        .filter(membership::Column::ClientId.is_null())
        .filter(membership::Column::Role.eq(Role::MspOwner.as_str()))
        .filter(membership::Column::DisabledAt.is_null())
        .lock_exclusive()
        .all(txn)
        .await?;
    if owners.iter().all(|o| o.id == member.id) {
        return Err(AppError::Conflict(
            "the last owner stays an owner: make someone else owner first".into(),
        ));
    }
    Ok(())
}
