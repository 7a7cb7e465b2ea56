//! Tenant isolation, in one place. A `Scope` is what a request may see: one MSP, and for client
//! users one client of it. Every repository query on tenant data is built by `Scope::select`, which
//! ANDs the scope's filter in; a row outside it simply does not exist for the caller (404).
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Select};
use uuid::Uuid;

use super::entity::{
    alert_settings, audit_log, backup_event, client, customer_group, ingest_token, invitation,
    membership, notification, person, plan, plan_template, plan_version, process, process_system,
    site, state_change, system, system_clock, system_dependency, system_status,
};
use super::error::AppError;
use crate::model::Role;

/// What a caller may see. Its fields are private: a scope is made only here, from a signed-in
/// membership (`of_member`), for a machine acting for one tenant (`machine`, `machine_msp`),
/// and nowhere else; work across tenants goes through `Scope::all_tenants`, by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    user_id: Uuid,
    msp_id: Uuid,
    client_id: Option<Uuid>,
    role: Role,
}

/// Tenant-wide access for the few background passes that work across tenants (the evaluator,
/// alert dispatch and delivery, monthly reports, key rotation, housekeeping). It is made only by
/// `Scope::all_tenants`, whose reason names the pass: `grep all_tenants` lists every place that
/// reads or writes across tenants. What such a pass does for one tenant, it does in that
/// tenant's own `Scope::machine`.
#[derive(Clone, Copy, Debug)]
pub struct AllTenants {
    reason: &'static str,
}

impl AllTenants {
    /// Every row of a tenant-owned table, of every tenant.
    pub fn select<E: Tenanted>(&self) -> Select<E> {
        E::find()
    }

    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// An entity owned by a tenant: it names its MSP column, and the column that ties it to a client.
pub trait Tenanted: EntityTrait {
    fn msp_column() -> Self::Column;
    /// `None` for MSP-level data that client users never see.
    fn client_column() -> Option<Self::Column>;
}

impl Scope {
    /// The scope of a person acting in one of their memberships.
    pub fn of_member(user_id: Uuid, m: &membership::Model, role: Role) -> Scope {
        Scope {
            user_id,
            msp_id: m.msp_id,
            client_id: m.client_id,
            role,
        }
    }

    /// Access across tenants for a background pass; `reason` says which (see `AllTenants`).
    pub fn all_tenants(reason: &'static str) -> AllTenants {
        AllTenants { reason }
    }

    /// The scope of a machine acting for one client (an ingest token, a heartbeat, the
    /// evaluator): it sees that client's rows and nothing else, and may change nothing a
    /// person edits.
    pub fn machine(msp_id: Uuid, client_id: Uuid) -> Scope {
        Scope {
            user_id: Uuid::nil(),
            msp_id,
            client_id: Some(client_id),
            role: Role::ClientMember,
        }
    }

    /// The scope of a machine acting for an MSP as a whole (alert routing, deliveries): it sees
    /// that MSP's own rows, MSP-level ones included, and changes nothing a person edits.
    pub fn machine_msp(msp_id: Uuid) -> Scope {
        Scope {
            user_id: Uuid::nil(),
            msp_id,
            client_id: None,
            role: Role::MspTechnician,
        }
    }

    /// The person acting (nil for a machine).
    pub fn user_id(&self) -> Uuid {
        self.user_id
    }

    pub fn msp_id(&self) -> Uuid {
        self.msp_id
    }

    /// The one client a client user (or a machine acting for a client) is limited to.
    pub fn client_id(&self) -> Option<Uuid> {
        self.client_id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The filter every tenant query carries.
    pub fn condition<E: Tenanted>(&self) -> Condition {
        let mut cond = Condition::all().add(E::msp_column().eq(self.msp_id));
        if let Some(client_id) = self.client_id {
            cond = match E::client_column() {
                Some(col) => cond.add(col.eq(client_id)),
                // Client users have no access to MSP-level tables at all.
                None => cond.add(sea_orm::sea_query::Expr::cust("1 = 0")),
            };
        }
        cond
    }

    pub fn select<E: Tenanted>(&self) -> Select<E> {
        E::find().filter(self.condition::<E>())
    }

    pub fn is_msp_staff(&self) -> bool {
        self.role.is_msp_staff()
    }

    /// Changes to the client list itself are MSP work.
    pub fn require_msp_staff(&self) -> Result<(), AppError> {
        if self.is_msp_staff() {
            Ok(())
        } else {
            tracing::warn!(user = %self.user_id, role = self.role.as_str(), "refused: needs MSP staff");
            Err(AppError::Forbidden(
                "this needs an MSP staff account".into(),
            ))
        }
    }

    /// The plan is written by MSP staff and kept by client admins; client members read it.
    pub fn require_plan_editor(&self) -> Result<(), AppError> {
        if self.is_msp_staff() || self.role == Role::ClientAdmin {
            Ok(())
        } else {
            tracing::warn!(user = %self.user_id, role = self.role.as_str(), "refused: read-only role");
            Err(AppError::Forbidden(
                "your role may read the plan but not change it".into(),
            ))
        }
    }

    /// Owners and admins manage people; technicians and client members do not.
    pub fn require_admin(&self) -> Result<(), AppError> {
        match self.role {
            Role::MspOwner | Role::MspAdmin | Role::ClientAdmin => Ok(()),
            _ => {
                tracing::warn!(user = %self.user_id, role = self.role.as_str(), "refused: needs admin");
                Err(AppError::Forbidden("this needs an admin account".into()))
            }
        }
    }
}

impl Tenanted for client::Entity {
    fn msp_column() -> client::Column {
        client::Column::MspId
    }
    fn client_column() -> Option<client::Column> {
        Some(client::Column::Id)
    }
}

impl Tenanted for membership::Entity {
    fn msp_column() -> membership::Column {
        membership::Column::MspId
    }
    fn client_column() -> Option<membership::Column> {
        Some(membership::Column::ClientId)
    }
}

impl Tenanted for invitation::Entity {
    fn msp_column() -> invitation::Column {
        invitation::Column::MspId
    }
    fn client_column() -> Option<invitation::Column> {
        Some(invitation::Column::ClientId)
    }
}

impl Tenanted for audit_log::Entity {
    fn msp_column() -> audit_log::Column {
        audit_log::Column::MspId
    }
    fn client_column() -> Option<audit_log::Column> {
        Some(audit_log::Column::ClientId)
    }
}

impl Tenanted for plan_template::Entity {
    fn msp_column() -> plan_template::Column {
        plan_template::Column::MspId
    }
    fn client_column() -> Option<plan_template::Column> {
        None
    }
}

/// A row that belongs to one client, with an `id` of its own (the plan tables).
pub trait ClientOwned: Tenanted {
    fn id_column() -> Self::Column;
    fn client_id_column() -> Self::Column;
}

/// Plan tables all carry both tenant columns under the same names.
macro_rules! client_owned {
    ($($m:ident),*) => {$(
        impl Tenanted for $m::Entity {
            fn msp_column() -> $m::Column {
                $m::Column::MspId
            }
            fn client_column() -> Option<$m::Column> {
                Some($m::Column::ClientId)
            }
        }
        impl ClientOwned for $m::Entity {
            fn id_column() -> $m::Column {
                $m::Column::Id
            }
            fn client_id_column() -> $m::Column {
                $m::Column::ClientId
            }
        }
    )*};
}

client_owned!(
    site,
    person,
    process,
    system,
    system_dependency,
    process_system,
    plan,
    plan_version,
    customer_group,
    ingest_token,
    backup_event,
    state_change
);

impl Tenanted for notification::Entity {
    fn msp_column() -> notification::Column {
        notification::Column::MspId
    }
    fn client_column() -> Option<notification::Column> {
        None
    }
}

impl Tenanted for alert_settings::Entity {
    fn msp_column() -> alert_settings::Column {
        alert_settings::Column::MspId
    }
    fn client_column() -> Option<alert_settings::Column> {
        None
    }
}

impl Tenanted for system_status::Entity {
    fn msp_column() -> system_status::Column {
        system_status::Column::MspId
    }
    fn client_column() -> Option<system_status::Column> {
        Some(system_status::Column::ClientId)
    }
}

impl Tenanted for system_clock::Entity {
    fn msp_column() -> system_clock::Column {
        system_clock::Column::MspId
    }
    fn client_column() -> Option<system_clock::Column> {
        Some(system_clock::Column::ClientId)
    }
}
