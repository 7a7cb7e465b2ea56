//! The continuity plan's use cases. Rows live in their own tables (the living draft); an approved
//! version is a snapshot of `PlanContent`.
pub mod customers;
pub mod export;
pub mod input;
pub mod overview;
pub mod people;
pub mod processes;
pub mod sites;
pub mod systems;
pub mod templates;

use std::collections::HashMap;
use uuid::Uuid;

use crate::domain::plan::{effective_targets, Criticality, Targets};
use crate::ids::ClientId;
use crate::model::plan::{ProcessView, SystemKind, SystemView};
use crate::ssr::entity::{process, process_system, system, system_dependency};
use crate::ssr::error::AppResult;
use crate::ssr::repo::owned;
use crate::ssr::scope::Scope;
use crate::ssr::state::AppState;

fn minutes(v: Option<i32>) -> Option<u32> {
    v.and_then(|m| u32::try_from(m).ok())
}

fn json_list<T: serde::de::DeserializeOwned>(s: &str) -> Vec<T> {
    serde_json::from_str(s).unwrap_or_default()
}

/// A plan row that can be removed on its own: its name for the audit log and its client.
pub trait PlanItem {
    /// The audit action, e.g. `site.delete`.
    const DELETED: &'static str;
    fn label(&self) -> String;
    fn client(&self) -> Uuid;
}

macro_rules! plan_item {
    ($($m:ident => $action:literal),*) => {$(
        impl PlanItem for crate::ssr::entity::$m::Model {
            const DELETED: &'static str = $action;
            fn label(&self) -> String {
                self.name.clone()
            }
            fn client(&self) -> Uuid {
                self.client_id
            }
        }
    )*};
}

plan_item!(site => "site.delete", process => "process.delete", system => "system.delete", customer_group => "customer_group.delete");

/// Removes one plan row in scope (404 outside it; plan editors only) and audits it. Rows that
/// point at it go with it through the foreign keys.
pub async fn remove<E>(state: &AppState, scope: &Scope, id: E::Id) -> AppResult<()>
where
    E: crate::ssr::scope::ClientOwned,
    E::Model: PlanItem
        + Sync
        + sea_orm::IntoActiveModel<E::ActiveModel>
        + sea_orm::ModelTrait<Entity = E>,
    E::ActiveModel: sea_orm::ActiveModelTrait<Entity = E> + Send,
{
    owned::get::<E>(&state.db, scope, id).await?;
    scope.require_plan_editor()?;
    let row = owned::delete::<E>(&state.db, scope, id).await?;
    // A system or process gone can change the targets in force (and the systems ingest accepts).
    crate::ssr::service::monitor::targets_changed(state, scope, ClientId::from(row.client()))
        .await?;
    crate::ssr::repo::audit::record(
        &state.db,
        crate::ssr::repo::audit::Entry::by(scope, E::Model::DELETED, row.label())
            .client(row.client()),
    )
    .await
}

/// Everything needed to turn system and process rows into views: the link tables and processes.
pub struct Links {
    pub processes: Vec<process::Model>,
    pub deps: Vec<system_dependency::Model>,
    pub proc_sys: Vec<process_system::Model>,
}

impl Links {
    pub async fn load(
        db: &impl sea_orm::ConnectionTrait,
        scope: &Scope,
        client_id: ClientId,
    ) -> AppResult<Links> {
        Ok(Links {
            processes: owned::of_client::<process::Entity>(db, scope, client_id).await?,
            deps: owned::of_client::<system_dependency::Entity>(db, scope, client_id).await?,
            proc_sys: owned::of_client::<process_system::Entity>(db, scope, client_id).await?,
        })
    }

    pub fn system_view(&self, s: system::Model) -> SystemView {
        let processes: Vec<Uuid> = self
            .proc_sys
            .iter()
            .filter(|l| l.system_id == s.id)
            .map(|l| l.process_id)
            .collect();
        let by_id: HashMap<Uuid, &process::Model> =
            self.processes.iter().map(|p| (p.id, p)).collect();
        let process_targets: Vec<Targets> = processes
            .iter()
            .filter_map(|id| by_id.get(id))
            .map(|p| Targets {
                rto_minutes: minutes(p.rto_minutes),
                rpo_minutes: minutes(p.rpo_minutes),
            })
            .collect();
        let own = Targets {
            rto_minutes: minutes(s.rto_minutes),
            rpo_minutes: minutes(s.rpo_minutes),
        };
        let mut depends_on: Vec<Uuid> = self
            .deps
            .iter()
            .filter(|d| d.system_id == s.id)
            .map(|d| d.depends_on_id)
            .collect();
        depends_on.sort();
        let policy: Option<crate::domain::sla::Policy> = s
            .policy
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok());
        let effective = effective_targets(own, &process_targets);
        let policy_gaps = policy
            .as_ref()
            .map(|p| {
                crate::domain::sla::gaps(
                    crate::i18n::Lang::En,
                    p,
                    effective.rpo_minutes,
                    effective.rto_minutes,
                )
            })
            .unwrap_or_default();
        SystemView {
            achievable: policy.as_ref().map(crate::domain::sla::achievable),
            policy,
            policy_gaps,
            id: s.id,
            client_id: s.client_id,
            kind: SystemKind::parse(&s.kind).unwrap_or(SystemKind::Other),
            criticality: Criticality::parse(&s.criticality).unwrap_or(Criticality::Medium),
            rto_minutes: own.rto_minutes,
            rpo_minutes: own.rpo_minutes,
            effective,
            owner_person_id: s.owner_person_id,
            depends_on,
            processes,
            procedure: json_list(&s.procedure),
            ping_key: None,
            name: s.name,
        }
    }

    pub fn process_view(&self, p: process::Model) -> ProcessView {
        ProcessView {
            id: p.id,
            client_id: p.client_id,
            systems: self
                .proc_sys
                .iter()
                .filter(|l| l.process_id == p.id)
                .map(|l| l.system_id)
                .collect(),
            rto_minutes: minutes(p.rto_minutes),
            rpo_minutes: minutes(p.rpo_minutes),
            name: p.name,
            description: p.description,
            impact_hour: p.impact_hour,
            impact_day: p.impact_day,
            impact_week: p.impact_week,
        }
    }
}
