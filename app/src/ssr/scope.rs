//! Tenant isolation, in one place. A `Scope` is what a request may see: one MSP, and for client
//! users one client of it. Every repository query on tenant data is built by `Scope::select`, which
//! ANDs the scope's filter in; a row outside it simply does not exist for the caller (404).
use sea_orm::{
    ColumnTrait, Condition, DeleteMany, EntityTrait, QueryFilter, Select, Statement, UpdateMany,
    Value,
};
use uuid::Uuid;

use super::entity::{
    action_item, alert_settings, audit_log, backup_event, call_leg, client, customer_group,
    exercise, incident, incident_event, incident_system, incident_update, ingest_token, invitation,
    membership, notification, offer, person, plan, plan_template, plan_version, process,
    process_system, roll_call, service_tier, site, state_change, status_audience, status_page,
    status_subscriber, stripe_account, stripe_event, subscription, system, system_clock,
    system_dependency, system_status,
};
use super::error::AppError;
use crate::ids::{CustomerGroupId, IngestTokenId, PersonId, ProcessId, SiteId, SystemId};
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

    /// Changes rows of any tenant (the pass narrows them down itself).
    pub fn update<E: Tenanted>(&self) -> UpdateMany<E> {
        E::update_many()
    }

    /// A statement of the pass's own SQL over tenant tables (set-based passes the query
    /// builder cannot express).
    pub fn statement(
        &self,
        backend: sea_orm::DbBackend,
        sql: impl Into<String>,
        values: impl IntoIterator<Item = Value>,
    ) -> Statement {
        Statement::from_sql_and_values(backend, sql.into(), values)
    }

    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// Reads through either kind of access: code that serves one client and a pass across tenants
/// (ingest's group commit) can share a function that reads.
pub trait Reads {
    fn select<E: Tenanted>(&self) -> Select<E>;
}

impl Reads for Scope {
    fn select<E: Tenanted>(&self) -> Select<E> {
        Scope::select(self)
    }
}

impl Reads for AllTenants {
    fn select<E: Tenanted>(&self) -> Select<E> {
        AllTenants::select(self)
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

    /// A statement of the caller's own SQL on behalf of this scope, which must name the
    /// scope's tenant itself (its ids go in as values).
    pub fn raw(
        &self,
        backend: sea_orm::DbBackend,
        sql: impl Into<String>,
        values: impl IntoIterator<Item = Value>,
    ) -> Statement {
        Statement::from_sql_and_values(backend, sql.into(), values)
    }

    /// Changes to the scope's rows only.
    pub fn update<E: Tenanted>(&self) -> UpdateMany<E> {
        E::update_many().filter(self.condition::<E>())
    }

    /// Deletes among the scope's rows only.
    pub fn delete<E: Tenanted>(&self) -> DeleteMany<E> {
        E::delete_many().filter(self.condition::<E>())
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

impl Tenanted for stripe_account::Entity {
    fn msp_column() -> stripe_account::Column {
        stripe_account::Column::MspId
    }
    fn client_column() -> Option<stripe_account::Column> {
        None
    }
}

impl Tenanted for stripe_event::Entity {
    fn msp_column() -> stripe_event::Column {
        stripe_event::Column::MspId
    }
    fn client_column() -> Option<stripe_event::Column> {
        None
    }
}

impl Tenanted for service_tier::Entity {
    fn msp_column() -> service_tier::Column {
        service_tier::Column::MspId
    }
    fn client_column() -> Option<service_tier::Column> {
        None
    }
}

/// A row that belongs to one client, with an `id` of its own (the plan tables). `Id` is the
/// typed id of its rows: a read of systems takes a `SystemId`, not any UUID.
pub trait ClientOwned: Tenanted {
    type Id: Copy + Into<Uuid> + Send + Sync;
    fn id_column() -> Self::Column;
    fn client_id_column() -> Self::Column;
}

/// Plan tables all carry both tenant columns under the same names.
macro_rules! client_owned {
    ($($m:ident: $id:ty),* $(,)?) => {$(
        impl Tenanted for $m::Entity {
            fn msp_column() -> $m::Column {
                $m::Column::MspId
            }
            fn client_column() -> Option<$m::Column> {
                Some($m::Column::ClientId)
            }
        }
        impl ClientOwned for $m::Entity {
            type Id = $id;
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
    site: SiteId,
    person: PersonId,
    process: ProcessId,
    system: SystemId,
    system_dependency: Uuid,
    process_system: Uuid,
    plan: Uuid,
    plan_version: Uuid,
    customer_group: CustomerGroupId,
    ingest_token: IngestTokenId,
    backup_event: Uuid,
    state_change: Uuid,
    offer: Uuid,
    subscription: Uuid,
    incident: Uuid,
    incident_system: Uuid,
    incident_event: Uuid,
    call_leg: Uuid,
    incident_update: Uuid,
    status_page: Uuid,
    status_audience: Uuid,
    status_subscriber: Uuid,
    exercise: Uuid,
    action_item: Uuid,
    roll_call: Uuid,
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

#[cfg(test)]
mod tests {
    /// The tenant tables, as this file names them (every `impl Tenanted` and `client_owned!`).
    fn tenant_tables() -> Vec<String> {
        let src = include_str!("scope.rs");
        let mut names: Vec<String> = src
            .lines()
            .filter_map(|l| l.trim().strip_prefix("impl Tenanted for "))
            .filter_map(|rest| rest.split("::Entity").next())
            .filter(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .map(str::to_string)
            .collect();
        let list = src
            .split("client_owned!(\n")
            .nth(1)
            .and_then(|rest| rest.split(");").next())
            .unwrap_or_default();
        names.extend(
            list.split(',')
                .filter_map(|n| n.split(':').next())
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty()),
        );
        names
    }

    fn sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("entity") {
                    sources(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("scope.rs") {
                out.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }

    /// Isolation by construction: outside this file, no code reads or changes a tenant table
    /// except through a `Scope` (filtered by it) or `Scope::all_tenants(reason)` (a named pass),
    /// and no SQL is sent except through one of them.
    #[test]
    fn tenant_tables_are_reached_only_through_a_scope() {
        let tables = tenant_tables();
        assert!(tables.len() >= 20, "{tables:?}");
        let mut files = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ssr"),
            &mut files,
        );
        assert!(files.len() > 20);
        // Tables of no tenant: the health probe and the sign-in counters.
        let untenanted_sql = ["health.rs", "throttle.rs"];
        let mut found = Vec::new();
        for (path, text) in &files {
            for t in &tables {
                for call in [
                    "find()",
                    "update_many()",
                    "delete_many()",
                    "find_by_id(",
                    "delete_by_id(",
                    "find_by_statement(",
                ] {
                    let bare = format!("{t}::Entity::{call}");
                    if text.contains(&bare) {
                        found.push(format!("{path}: {bare}"));
                    }
                }
            }
            let raw = text.contains("Statement::from_sql_and_values")
                || text.contains("Statement::from_string");
            if raw && !untenanted_sql.iter().any(|f| path.ends_with(f)) {
                found.push(format!("{path}: SQL outside a scope"));
            }
        }
        assert!(
            found.is_empty(),
            "tenant data reached around the scope: {found:#?}"
        );
    }
}
