//! Incident mode: a client's plan put to use. Declaring an incident fixes what it affects (sites,
//! systems with the targets in force at that moment, in recovery order) and turns the plan into
//! a checklist in the order the plan is acted on: the scenario's own steps, safety, staff,
//! customers, IT. Every action lands on the incident's timeline with who did it and when;
//! closing it keeps the lessons and freezes the figures.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, Set};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

use crate::domain::incident::{affected_groups, recovery};
use crate::domain::input::Name;
use crate::i18n::Lang;
use crate::ids::ClientId;
use crate::model::incident::{
    AffectedGroup, ChecklistItem, Impact, IncidentSummary, IncidentSystemView, IncidentView, Part,
    RollCallView, SiteRef, TimelineEntry,
};
use crate::model::Role;
use crate::ssr::entity::{
    backup_event, customer_group, incident, incident_event, incident_system, person, plan,
    roll_call, site, system, user,
};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::{audit, clients, owned};
use crate::ssr::scope::Scope;
use crate::ssr::service::monitor;
use crate::ssr::state::AppState;

/// Refused to roles that follow an incident but do not run it.
pub const FOLLOW_ONLY: &str = "your role may follow the incident but not run it";
/// Refused once an incident is closed: its figures are the report's.
pub const CLOSED: &str = "this incident is closed";
pub const UNKNOWN_SITE: &str = "names a site that is not in this client's plan";
const UNKNOWN_SYSTEM: &str = "names a system that is not in this client's plan";
const FUTURE: &str = "must not be in the future";
/// How far back a disruption may be said to have begun.
const OLDEST_START_DAYS: i64 = 366;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentInput {
    pub title: String,
    pub scenario: String,
    #[serde(default)]
    pub site_ids: Vec<Uuid>,
    #[serde(default)]
    pub system_ids: Vec<Uuid>,
    #[serde(default)]
    pub drill: bool,
    /// When the disruption began; now when not given.
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
}

/// A recovery's moments, as recorded by a person; a field left out stays as it is, `null`
/// clears it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryInput {
    #[serde(
        default,
        deserialize_with = "crate::ssr::service::plan::input::nullable"
    )]
    pub recovery_started_at: Option<Option<DateTime<Utc>>>,
    #[serde(
        default,
        deserialize_with = "crate::ssr::service::plan::input::nullable"
    )]
    pub recovered_at: Option<Option<DateTime<Utc>>>,
    #[serde(
        default,
        deserialize_with = "crate::ssr::service::plan::input::nullable"
    )]
    pub restore_point_at: Option<Option<DateTime<Utc>>>,
}

pub(crate) fn require_lead(scope: &Scope) -> AppResult<()> {
    if scope.is_msp_staff() || scope.role() == Role::ClientAdmin {
        Ok(())
    } else {
        tracing::warn!(user = %scope.user_id(), role = scope.role().as_str(), "refused: follows incidents only");
        Err(AppError::Forbidden(FOLLOW_ONLY.into()))
    }
}

/// Who did it, as the timeline says it: the user's name, or their e-mail address.
pub(crate) async fn actor(db: &impl ConnectionTrait, scope: &Scope) -> AppResult<String> {
    use sea_orm::EntityTrait;
    let u = user::Entity::find_by_id(scope.user_id()).one(db).await?;
    Ok(u.map(|u| {
        if u.name.trim().is_empty() {
            u.email
        } else {
            u.name
        }
    })
    .unwrap_or_else(|| "Lifeline".into()))
}

/// A unique index refusing a row (two requests at once, on PostgreSQL) as a 409.
pub(crate) fn conflict_if_unique(e: sea_orm::DbErr, what: &str) -> AppError {
    if matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    ) {
        AppError::Conflict(what.into())
    } else {
        e.into()
    }
}

/// Adds a line to the timeline.
pub async fn note(
    db: &impl ConnectionTrait,
    i: &incident::Model,
    actor: &str,
    kind: &str,
    detail: serde_json::Value,
    at: DateTime<Utc>,
) -> AppResult<()> {
    incident_event::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(i.msp_id),
        client_id: Set(i.client_id),
        incident_id: Set(i.id),
        at: Set(at),
        actor: Set(actor.to_string()),
        kind: Set(kind.to_string()),
        detail: Set(detail.to_string()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The incident, if the scope may see it.
pub async fn find(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> AppResult<incident::Model> {
    scope
        .select::<incident::Entity>()
        .filter(incident::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

fn open(i: &incident::Model) -> AppResult<()> {
    if i.state == "open" {
        Ok(())
    } else {
        Err(AppError::Conflict(CLOSED.into()))
    }
}

/// Declares an incident for the client: the plan becomes its checklist, its systems' clocks
/// start from `started_at`.
pub async fn declare(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    input: IncidentInput,
    now: DateTime<Utc>,
) -> AppResult<IncidentView> {
    clients::get(&state.db, scope, client_id).await?;
    require_lead(scope)?;
    let mut errors = BTreeMap::new();
    let title = Name::parse(&input.title)
        .map_err(|e| errors.insert("title".to_string(), e.to_string()))
        .ok();
    let scenario = Name::parse(&input.scenario)
        .map_err(|e| errors.insert("scenario".to_string(), e.to_string()))
        .ok();
    let started_at = input.started_at.unwrap_or(now);
    if started_at > now + Duration::minutes(5) {
        errors.insert("started_at".into(), FUTURE.into());
    } else if started_at < now - Duration::days(OLDEST_START_DAYS) {
        errors.insert("started_at".into(), "must be within the last year".into());
    }
    let sites = owned::of_client::<site::Entity>(&state.db, scope, client_id).await?;
    let site_ids: Vec<Uuid> = dedup(&input.site_ids);
    if site_ids.iter().any(|id| !sites.iter().any(|s| s.id == *id)) {
        errors.insert("site_ids".into(), UNKNOWN_SITE.into());
    }
    let (targets, links, systems) = monitor::targets(&state.db, scope, client_id).await?;
    let system_ids: Vec<Uuid> = dedup(&input.system_ids);
    if system_ids
        .iter()
        .any(|id| !systems.iter().any(|s| s.id == *id))
    {
        errors.insert("system_ids".into(), UNKNOWN_SYSTEM.into());
    }
    let (Some(title), Some(scenario)) = (title, scenario) else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    // Recovery order: each system after what it depends on, the most critical first.
    let affected: Vec<&system::Model> = systems
        .iter()
        .filter(|s| system_ids.contains(&s.id))
        .collect();
    let order = recovery_order(&affected, &links);
    let id = Uuid::new_v4();
    let who = actor(&state.db, scope).await?;
    let txn = state.begin_write().await?;
    let row = incident::ActiveModel {
        id: Set(id),
        msp_id: Set(scope.msp_id()),
        client_id: Set(client_id.uuid()),
        title: Set(title.into_string()),
        scenario: Set(scenario.into_string()),
        drill: Set(input.drill),
        state: Set("open".into()),
        sites: Set(serde_json::to_string(&site_ids).unwrap_or_else(|_| "[]".into())),
        started_at: Set(started_at),
        declared_by: Set(Some(scope.user_id())),
        closed_at: Set(None),
        lessons: Set(String::new()),
        checklist: Set("{}".into()),
        call_tree_at: Set(None),
        assignments: Set("{}".into()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let minutes = |s: Option<i64>| s.and_then(|s| i32::try_from(s / 60).ok());
    for (position, s) in order.iter().enumerate() {
        let (rpo, rto) = targets.get(&s.id).copied().unwrap_or((None, None));
        incident_system::ActiveModel {
            id: Set(Uuid::new_v4()),
            msp_id: Set(scope.msp_id()),
            client_id: Set(client_id.uuid()),
            incident_id: Set(id),
            system_id: Set(s.id),
            name: Set(s.name.clone()),
            position: Set(position as i32),
            rpo_minutes: Set(minutes(rpo)),
            rto_minutes: Set(minutes(rto)),
            recovery_started_at: Set(None),
            recovered_at: Set(None),
            restore_point_at: Set(None),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    note(
        &txn,
        &row,
        &who,
        "declared",
        serde_json::json!({ "scenario": row.scenario, "drill": row.drill, "systems": order.len(), "sites": site_ids.len() }),
        now,
    )
    .await?;
    audit::record(
        &txn,
        audit::Entry::by(scope, "incident.declare", row.title.clone())
            .client(client_id.uuid())
            .detail(serde_json::json!({ "incident": id, "drill": row.drill })),
    )
    .await?;
    txn.commit().await?;
    get(state, scope, id, now).await
}

fn dedup(ids: &[Uuid]) -> Vec<Uuid> {
    let mut seen = HashSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

fn recovery_order<'a>(
    affected: &[&'a system::Model],
    links: &crate::ssr::service::plan::Links,
) -> Vec<&'a system::Model> {
    use crate::domain::plan::{recovery_order, SystemNode};
    let nodes: Vec<SystemNode<Uuid>> = affected
        .iter()
        .map(|s| SystemNode {
            id: s.id,
            name: s.name.clone(),
            criticality: crate::domain::plan::Criticality::parse(&s.criticality)
                .unwrap_or(crate::domain::plan::Criticality::Medium),
            depends_on: links
                .deps
                .iter()
                .filter(|d| d.system_id == s.id)
                .map(|d| d.depends_on_id)
                .collect(),
        })
        .collect();
    // A cycle in the plan does not stop an incident: then the order is by name.
    let ids = recovery_order(&nodes).unwrap_or_else(|_| {
        let mut by_name: Vec<&SystemNode<Uuid>> = nodes.iter().collect();
        by_name.sort_by_key(|n| n.name.to_lowercase());
        by_name.into_iter().map(|n| n.id).collect()
    });
    ids.iter()
        .filter_map(|id| affected.iter().find(|s| s.id == *id).copied())
        .collect()
}

/// The client's incidents, newest first.
pub async fn list(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<Vec<IncidentSummary>> {
    clients::get(&state.db, scope, client_id).await?;
    let rows = scope
        .select::<incident::Entity>()
        .filter(incident::Column::ClientId.eq(client_id.uuid()))
        .order_by_desc(incident::Column::StartedAt)
        .all(&state.db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let systems = scope
        .select::<incident_system::Entity>()
        .filter(incident_system::Column::IncidentId.is_in(ids))
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine: Vec<&incident_system::Model> =
                systems.iter().filter(|s| s.incident_id == r.id).collect();
            IncidentSummary {
                id: r.id,
                client_id: r.client_id,
                title: r.title,
                scenario: r.scenario,
                drill: r.drill,
                state: r.state,
                started_at: r.started_at,
                closed_at: r.closed_at,
                systems: mine.len(),
                recovered: mine.iter().filter(|s| s.recovered_at.is_some()).count(),
            }
        })
        .collect())
}

/// The client's incidents and the choices for declaring one.
pub async fn page(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<crate::model::incident::IncidentsPage> {
    let client = clients::get(&state.db, scope, client_id).await?;
    let incidents = list(state, scope, client_id).await?;
    let plan_row = scope
        .select::<plan::Entity>()
        .filter(plan::Column::ClientId.eq(client_id.uuid()))
        .one(&state.db)
        .await?;
    let scenarios: Vec<crate::model::plan::Scenario> = plan_row
        .and_then(|p| serde_json::from_str(&p.scenarios).ok())
        .unwrap_or_default();
    let mut sites = owned::of_client::<site::Entity>(&state.db, scope, client_id).await?;
    sites.sort_by_key(|s| s.name.to_lowercase());
    let mut systems = owned::of_client::<system::Entity>(&state.db, scope, client_id).await?;
    systems.sort_by_key(|s| s.name.to_lowercase());
    Ok(crate::model::incident::IncidentsPage {
        client_id: client.id,
        client_name: client.name,
        incidents,
        may_act: require_lead(scope).is_ok(),
        scenarios: scenarios.into_iter().map(|s| s.name).collect(),
        sites: sites
            .into_iter()
            .map(|s| SiteRef {
                id: s.id,
                name: s.name,
            })
            .collect(),
        systems: systems.into_iter().map(|s| (s.id, s.name)).collect(),
    })
}

/// The newest good restore point of each system from at or before `moment`.
async fn points_before(
    db: &impl ConnectionTrait,
    scope: &Scope,
    systems: &[Uuid],
    moment: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, DateTime<Utc>>> {
    use crate::domain::sla::EventKind;
    use sea_orm::sea_query::Expr;
    use sea_orm::QuerySelect;
    // One grouped read for all the incident's systems (the page reloads every 30 s), by system
    // and time through the index; epoch seconds read alike on both databases.
    let newest = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "max(floor(extract(epoch from restore_point_at)))::bigint",
        _ => "max(unixepoch(restore_point_at))",
    };
    let rows: Vec<(Uuid, Option<i64>)> = scope
        .select::<backup_event::Entity>()
        .select_only()
        .column(backup_event::Column::SystemId)
        .expr(Expr::cust(newest))
        .filter(backup_event::Column::SystemId.is_in(systems.iter().copied()))
        .filter(backup_event::Column::FinishedAt.lte(moment + Duration::days(2)))
        .filter(backup_event::Column::FinishedAt.gte(moment - Duration::days(400)))
        .filter(backup_event::Column::RestorePointAt.lte(moment))
        .filter(backup_event::Column::Kind.is_in([
            EventKind::BackupSucceeded.as_str(),
            EventKind::ReplicationSucceeded.as_str(),
        ]))
        .group_by(backup_event::Column::SystemId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, at)| Some((id, DateTime::from_timestamp(at?, 0)?)))
        .collect())
}

/// The incident as its people follow it, evaluated at `now`.
pub async fn get(
    state: &AppState,
    scope: &Scope,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<IncidentView> {
    let i = find(&state.db, scope, id).await?;
    let lang = crate::ssr::error::request_lang();
    let client = clients::get(&state.db, scope, ClientId::from(i.client_id)).await?;
    let systems = scope
        .select::<incident_system::Entity>()
        .filter(incident_system::Column::IncidentId.eq(i.id))
        .order_by_asc(incident_system::Column::Position)
        .all(&state.db)
        .await?;
    let site_ids: Vec<Uuid> = serde_json::from_str(&i.sites).unwrap_or_default();
    let sites: Vec<site::Model> =
        owned::of_client::<site::Entity>(&state.db, scope, ClientId::from(i.client_id))
            .await?
            .into_iter()
            .filter(|s| site_ids.contains(&s.id))
            .collect();
    let plan_row = scope
        .select::<plan::Entity>()
        .filter(plan::Column::ClientId.eq(i.client_id))
        .one(&state.db)
        .await?;
    let ids: Vec<Uuid> = systems.iter().map(|s| s.system_id).collect();
    let offered = points_before(&state.db, scope, &ids, i.started_at).await?;
    // The clocks stop when the incident closes.
    let clock = i.closed_at.unwrap_or(now);
    let minutes = |m: Option<i32>| m.and_then(|m| u32::try_from(m).ok());
    let system_views: Vec<IncidentSystemView> = systems
        .iter()
        .map(|s| IncidentSystemView {
            system_id: s.system_id,
            name: s.name.clone(),
            rpo_minutes: minutes(s.rpo_minutes),
            rto_minutes: minutes(s.rto_minutes),
            recovery_started_at: s.recovery_started_at,
            recovered_at: s.recovered_at,
            restore_point_at: s.restore_point_at,
            offered_restore_point_at: offered.get(&s.system_id).copied(),
            recovery: recovery(
                i.started_at,
                s.restore_point_at,
                s.recovered_at,
                (minutes(s.rpo_minutes), minutes(s.rto_minutes)),
                clock,
            ),
        })
        .collect();
    let events = scope
        .select::<incident_event::Entity>()
        .filter(incident_event::Column::IncidentId.eq(i.id))
        .order_by_asc(incident_event::Column::At)
        .all(&state.db)
        .await?;
    let calls = crate::ssr::service::calls::legs_of(&state.db, scope, &i).await?;
    // Everyone reached: when the last of them confirmed.
    let reached_at = (!calls.is_empty() && calls.iter().all(|c| c.state == "confirmed"))
        .then(|| calls.iter().filter_map(|c| c.confirmed_at).max())
        .flatten();
    let updates = crate::ssr::service::notices::list_of(&state.db, scope, &i).await?;
    let first_notice = crate::ssr::service::notices::first_published(&updates);
    let people =
        owned::of_client::<person::Entity>(&state.db, scope, ClientId::from(i.client_id)).await?;
    let (roll_call, roll_calls) = roll_call_of(&state.db, scope, &i, &sites, &people).await?;
    let mut checklist = checklist(
        lang,
        &i,
        &sites,
        &system_views,
        plan_row.as_ref(),
        Moments {
            call_tree_at: i.call_tree_at,
            reached_at,
            first_notice,
            roll_calls,
        },
    );
    let assigned: BTreeMap<String, Uuid> = serde_json::from_str(&i.assignments).unwrap_or_default();
    for c in &mut checklist {
        c.assignee = assigned
            .get(&c.key)
            .and_then(|p| people.iter().find(|x| x.id == *p))
            .map(|p| p.name.clone());
    }
    let may_act = require_lead(scope).is_ok();
    // The plan's templates, filled in, for whoever may draft from them.
    // The client's groups, read once: the audiences offered and the impact worked out from them.
    let client_groups =
        owned::of_client::<customer_group::Entity>(&state.db, scope, ClientId::from(i.client_id))
            .await?;
    let affected_groups = impact_of(&state.db, scope, &i, &ids, &client_groups)
        .await?
        .customer_groups;
    let notices = if may_act && i.state == "open" && !i.drill {
        let affected: Vec<String> = affected_groups
            .iter()
            .flat_map(|g| g.processes.iter().cloned())
            .collect::<std::collections::BTreeSet<String>>()
            .into_iter()
            .collect();
        crate::ssr::service::notices::notices(&state.db, scope, &i, &affected, now).await?
    } else {
        Vec::new()
    };
    let groups = client_groups.into_iter().map(|g| (g.id, g.name)).collect();
    let status_page = scope
        .select::<crate::ssr::entity::status_page::Entity>()
        .filter(crate::ssr::entity::status_page::Column::ClientId.eq(i.client_id))
        .one(&state.db)
        .await?
        .map(|p| format!("/status/{}", p.slug));
    let timeline = events
        .iter()
        .map(|e| {
            let mut detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
            // A ticked item reads in the reader's language, as the checklist does.
            if let Some(c) = detail["key"]
                .as_str()
                .and_then(|k| checklist.iter().find(|c| c.key == k))
            {
                detail["item"] = serde_json::Value::String(c.text.clone());
            }
            TimelineEntry {
                at: e.at,
                actor: e.actor.clone(),
                kind: e.kind.clone(),
                text: crate::incident_text::timeline(lang, &e.kind, &detail),
            }
        })
        .collect();
    Ok(IncidentView {
        id: i.id,
        client_id: i.client_id,
        client_name: client.name,
        title: i.title,
        scenario: i.scenario,
        drill: i.drill,
        state: i.state,
        started_at: i.started_at,
        closed_at: i.closed_at,
        lessons: i.lessons,
        sites: sites
            .iter()
            .map(|s| SiteRef {
                id: s.id,
                name: s.name.clone(),
            })
            .collect(),
        systems: system_views,
        checklist,
        timeline,
        call_tree_at: i.call_tree_at,
        calls,
        may_act,
        now,
        updates,
        notices,
        groups,
        affected_groups,
        roll_call,
        people: people.into_iter().map(|p| (p.id, p.name)).collect(),
        status_page,
    })
}

/// The people at the incident's sites and where each stands; per site with people, when the
/// last of them was accounted for (`None` while one is unknown).
type RollCalls = (Vec<RollCallView>, HashMap<Uuid, Option<DateTime<Utc>>>);

async fn roll_call_of(
    db: &impl ConnectionTrait,
    scope: &Scope,
    i: &incident::Model,
    sites: &[site::Model],
    people: &[person::Model],
) -> AppResult<RollCalls> {
    let noted = scope
        .select::<roll_call::Entity>()
        .filter(roll_call::Column::IncidentId.eq(i.id))
        .all(db)
        .await?;
    let mut views = Vec::new();
    let mut done: HashMap<Uuid, Option<DateTime<Utc>>> = HashMap::new();
    for s in sites {
        for p in people.iter().filter(|p| p.site_id == Some(s.id)) {
            let n = noted.iter().find(|n| n.person_id == p.id);
            let entry = done.entry(s.id).or_insert(Some(DateTime::<Utc>::MIN_UTC));
            // A missing person is not accounted for.
            *entry = match (*entry, n) {
                (Some(last), Some(n)) if n.state != "missing" => Some(last.max(n.updated_at)),
                _ => None,
            };
            views.push(RollCallView {
                person_id: p.id,
                name: p.name.clone(),
                site: s.name.clone(),
                state: n.map_or_else(|| "unknown".to_string(), |n| n.state.clone()),
                noted_at: n.map(|n| n.updated_at),
                noted_by: n.map(|n| n.noted_by.clone()),
            });
        }
    }
    Ok((views, done))
}

/// Says where a person at an affected site stands: `safe`, `injured`, `missing`, or `unknown`
/// again.
pub async fn roll_call(
    state: &AppState,
    scope: &Scope,
    id: Uuid,
    person_id: Uuid,
    standing: &str,
    now: DateTime<Utc>,
) -> AppResult<IncidentView> {
    if !["safe", "injured", "missing", "unknown"].contains(&standing) {
        return Err(AppError::field(
            "state",
            "must be safe, injured, missing or unknown",
        ));
    }
    let i = find(&state.db, scope, id).await?;
    require_lead(scope)?;
    open(&i)?;
    let site_ids: Vec<Uuid> = serde_json::from_str(&i.sites).unwrap_or_default();
    let p = scope
        .select::<person::Entity>()
        .filter(person::Column::Id.eq(person_id))
        .filter(person::Column::ClientId.eq(i.client_id))
        .one(&state.db)
        .await?
        .filter(|p| p.site_id.is_some_and(|s| site_ids.contains(&s)))
        .ok_or(AppError::NotFound)?;
    let who = actor(&state.db, scope).await?;
    let txn = state.begin_write().await?;
    scope
        .delete::<roll_call::Entity>()
        .filter(roll_call::Column::IncidentId.eq(i.id))
        .filter(roll_call::Column::PersonId.eq(p.id))
        .exec(&txn)
        .await?;
    if standing != "unknown" {
        // Two people saying it at once: the unique index keeps one row; the second is a 409.
        roll_call::ActiveModel {
            id: Set(Uuid::new_v4()),
            msp_id: Set(i.msp_id),
            client_id: Set(i.client_id),
            incident_id: Set(i.id),
            person_id: Set(p.id),
            person_name: Set(p.name.clone()),
            state: Set(standing.to_string()),
            noted_by: Set(who.clone()),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(|e| conflict_if_unique(e, "someone else noted this person just now"))?;
    }
    let detail = serde_json::json!({ "person": p.name, "state": standing });
    note(&txn, &i, &who, "roll_call", detail, now).await?;
    txn.commit().await?;
    get(state, scope, id, now).await
}

/// Puts a person of the client's directory on a checklist item, or takes them off (`None`).
pub async fn assign(
    state: &AppState,
    scope: &Scope,
    id: Uuid,
    key: &str,
    person_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<IncidentView> {
    use sea_orm::sea_query::Expr;
    let i = find(&state.db, scope, id).await?;
    require_lead(scope)?;
    open(&i)?;
    let view = get(state, scope, id, now).await?;
    let Some(item) = view.checklist.iter().find(|c| c.key == key) else {
        return Err(AppError::NotFound);
    };
    let name = match person_id {
        Some(p) => Some(
            view.people
                .iter()
                .find(|(id, _)| *id == p)
                .map(|(_, n)| n.clone())
                .ok_or_else(|| AppError::field("person_id", "is not in this client's directory"))?,
        ),
        None => None,
    };
    let who = actor(&state.db, scope).await?;
    let txn = state.begin_write().await?;
    let i = find(&txn, scope, id).await?;
    let mut map: BTreeMap<String, Uuid> = serde_json::from_str(&i.assignments).unwrap_or_default();
    match person_id {
        Some(p) => map.insert(key.to_string(), p),
        None => map.remove(key),
    };
    scope
        .update::<incident::Entity>()
        .col_expr(
            incident::Column::Assignments,
            Expr::value(serde_json::to_string(&map).unwrap_or_else(|_| "{}".into())),
        )
        .col_expr(incident::Column::UpdatedAt, Expr::value(now))
        .filter(incident::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let detail = serde_json::json!({ "key": key, "item": item.text, "person": name });
    note(&txn, &i, &who, "assigned", detail, now).await?;
    txn.commit().await?;
    get(state, scope, id, now).await
}

/// Who ticked an item, and when: `{"key": {"at": …, "by": …}}`.
#[derive(Clone, Debug, Default, serde::Serialize, Deserialize)]
struct Tick {
    at: DateTime<Utc>,
    by: String,
}

fn ticks(i: &incident::Model) -> BTreeMap<String, Tick> {
    serde_json::from_str(&i.checklist).unwrap_or_default()
}

/// When the items that tick themselves were done.
struct Moments {
    call_tree_at: Option<DateTime<Utc>>,
    reached_at: Option<DateTime<Utc>>,
    first_notice: Option<DateTime<Utc>>,
    /// Per site with people at it: when the last of them was accounted for (`None` while
    /// someone's state is unknown).
    roll_calls: HashMap<Uuid, Option<DateTime<Utc>>>,
}

/// The plan as a checklist, in the order it is acted on.
fn checklist(
    lang: Lang,
    i: &incident::Model,
    sites: &[site::Model],
    systems: &[IncidentSystemView],
    plan_row: Option<&plan::Model>,
    done_by_events: Moments,
) -> Vec<ChecklistItem> {
    let Moments {
        call_tree_at,
        reached_at,
        first_notice,
        roll_calls,
    } = done_by_events;
    use crate::incident_text::{item, Item};
    let done = ticks(i);
    let mut out = Vec::new();
    let push = |out: &mut Vec<ChecklistItem>, key: String, part: Part, text: String| {
        let tick = done.get(&key);
        out.push(ChecklistItem {
            part,
            text,
            done_at: tick.map(|t| t.at),
            done_by: tick.map(|t| t.by.clone()),
            automatic: false,
            assignee: None,
            key,
        });
    };
    // The scenario's own steps, when the plan has that scenario.
    let scenarios: Vec<crate::model::plan::Scenario> = plan_row
        .and_then(|p| serde_json::from_str(&p.scenarios).ok())
        .unwrap_or_default();
    if let Some(sc) = scenarios
        .iter()
        .find(|s| s.name.trim().eq_ignore_ascii_case(i.scenario.trim()))
    {
        for (n, step) in sc.steps.iter().enumerate() {
            push(
                &mut out,
                format!("scenario-{n}"),
                Part::Scenario,
                step.clone(),
            );
        }
    }
    if sites.is_empty() {
        push(
            &mut out,
            "safety".into(),
            Part::Safety,
            item(lang, Item::SafetyAll, ""),
        );
    }
    for s in sites {
        let key = format!("rollcall-{}", s.id.simple());
        let text = item(lang, Item::RollCall, &s.name);
        // With people at the site, the roll call is done when each is accounted for.
        match roll_calls.get(&s.id) {
            Some(at) => auto(&mut out, key, Part::Safety, text, *at),
            None => push(&mut out, key, Part::Safety, text),
        }
        if !s.safety_plan_ref.trim().is_empty() {
            push(
                &mut out,
                format!("safetyplan-{}", s.id.simple()),
                Part::Safety,
                item(lang, Item::SafetyPlan, &s.safety_plan_ref),
            );
        }
    }
    push(
        &mut out,
        "staff-share".into(),
        Part::Staff,
        item(lang, Item::WhatToShare, ""),
    );
    for (key, what, at) in [
        ("staff-call-tree", Item::CallTree, call_tree_at),
        ("staff-reached", Item::Reached, reached_at),
    ] {
        auto(
            &mut out,
            key.to_string(),
            Part::Staff,
            item(lang, what, ""),
            at,
        );
    }
    push(
        &mut out,
        "customers-impact".into(),
        Part::Customers,
        item(lang, Item::Impact, ""),
    );
    // Done when a person published the first update to customers.
    auto(
        &mut out,
        "customers-notice".into(),
        Part::Customers,
        item(lang, Item::FirstNotice, ""),
        first_notice,
    );
    if plan_row.is_some_and(|p| !p.service_desk.trim().is_empty()) {
        push(
            &mut out,
            "customers-desk".into(),
            Part::Customers,
            item(lang, Item::ServiceDesk, ""),
        );
    }
    for s in systems {
        let key = format!("recover-{}", s.system_id.simple());
        let text = item(lang, Item::Recover, &s.name);
        auto(&mut out, key, Part::It, text, s.recovered_at);
    }
    out
}

/// An item done by what happened, not by a tick.
fn auto(
    out: &mut Vec<ChecklistItem>,
    key: String,
    part: Part,
    text: String,
    at: Option<DateTime<Utc>>,
) {
    out.push(ChecklistItem {
        key,
        part,
        text,
        done_at: at,
        done_by: None,
        automatic: true,
        assignee: None,
    });
}

/// Ticks (or unticks) an item of the checklist.
pub async fn check(
    state: &AppState,
    scope: &Scope,
    id: Uuid,
    key: &str,
    done: bool,
    now: DateTime<Utc>,
) -> AppResult<IncidentView> {
    let i = find(&state.db, scope, id).await?;
    require_lead(scope)?;
    open(&i)?;
    let view = get(state, scope, id, now).await?;
    let Some(item) = view.checklist.iter().find(|c| c.key == key) else {
        return Err(AppError::NotFound);
    };
    if item.automatic {
        return Err(AppError::Conflict(
            "this item is done by what happens (a system recovered), not by a tick".into(),
        ));
    }
    let text = item.text.clone();
    let who = actor(&state.db, scope).await?;
    let txn = state.begin_write().await?;
    // Read again inside the write: two people ticking at once both count.
    let i = find(&txn, scope, id).await?;
    let mut marks = ticks(&i);
    let changed = if done {
        marks
            .insert(
                key.to_string(),
                Tick {
                    at: now,
                    by: who.clone(),
                },
            )
            .is_none()
    } else {
        marks.remove(key).is_some()
    };
    if changed {
        let mut row: incident::ActiveModel = i.clone().into();
        row.checklist = Set(serde_json::to_string(&marks).unwrap_or_else(|_| "{}".into()));
        row.updated_at = Set(now);
        scope
            .update::<incident::Entity>()
            .set(row)
            .filter(incident::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        let kind = if done { "checked" } else { "unchecked" };
        let detail = serde_json::json!({ "key": key, "item": text });
        note(&txn, &i, &who, kind, detail, now).await?;
    }
    txn.commit().await?;
    get(state, scope, id, now).await
}

/// Records a system's recovery: started, recovered, the restore point it came back to.
pub async fn set_recovery(
    state: &AppState,
    scope: &Scope,
    id: Uuid,
    system_id: Uuid,
    input: RecoveryInput,
    now: DateTime<Utc>,
) -> AppResult<IncidentSystemView> {
    let i = find(&state.db, scope, id).await?;
    require_lead(scope)?;
    open(&i)?;
    let row = scope
        .select::<incident_system::Entity>()
        .filter(incident_system::Column::IncidentId.eq(id))
        .filter(incident_system::Column::SystemId.eq(system_id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = BTreeMap::new();
    let late = |v: &Option<Option<DateTime<Utc>>>| {
        v.flatten().is_some_and(|t| t > now + Duration::minutes(5))
    };
    for (name, v) in [
        ("recovery_started_at", &input.recovery_started_at),
        ("recovered_at", &input.recovered_at),
        ("restore_point_at", &input.restore_point_at),
    ] {
        if late(v) {
            errors.insert(name.to_string(), FUTURE.to_string());
        }
    }
    let started = input.recovery_started_at.unwrap_or(row.recovery_started_at);
    let recovered = input.recovered_at.unwrap_or(row.recovered_at);
    if let (Some(s), Some(r)) = (started, recovered) {
        if r < s {
            errors.insert(
                "recovered_at".into(),
                "must not be before the recovery started".into(),
            );
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let point = input.restore_point_at.unwrap_or(row.restore_point_at);
    let who = actor(&state.db, scope).await?;
    let txn = state.begin_write().await?;
    let mut changes = Vec::new();
    if started != row.recovery_started_at {
        changes.push(("recovery_started", started));
    }
    if point != row.restore_point_at {
        changes.push(("restore_point", point));
    }
    if recovered != row.recovered_at {
        changes.push(("recovered", recovered));
    }
    let mut active: incident_system::ActiveModel = row.clone().into();
    active.recovery_started_at = Set(started);
    active.recovered_at = Set(recovered);
    active.restore_point_at = Set(point);
    active.updated_at = Set(now);
    scope
        .update::<incident_system::Entity>()
        .set(active)
        .filter(incident_system::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    for (kind, at) in changes {
        note(
            &txn,
            &i,
            &who,
            kind,
            serde_json::json!({ "system": row.name, "at": at }),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    // A recovery done is a restore test passed: it proves (or disproves) the system's RTO from
    // now on, like one the backup software reports. Once per incident and system.
    if let (Some(began), Some(done)) = (started, recovered) {
        if row.recovered_at.is_none() {
            let evidence = crate::ssr::service::monitor::ingest::EventIn {
                id: format!("incident:{}:{}", i.id.simple(), system_id.simple()),
                system_id,
                kind: crate::domain::sla::EventKind::RestoreTestPassed
                    .as_str()
                    .to_string(),
                restore_point_at: point,
                finished_at: done,
                duration_seconds: Some((done - began).num_seconds().max(0)),
                bytes: None,
                message: Some(format!("Recovered in incident \"{}\"", i.title)),
            };
            let own = crate::ssr::service::monitor::ingest::record_own;
            if let Err(e) = own(state, i.msp_id, i.client_id, vec![evidence], now).await {
                tracing::error!(error = %e, incident = %i.id, system = %system_id, "recovery not recorded as a restore test");
            }
        }
    }
    let view = get(state, scope, id, now).await?;
    view.systems
        .into_iter()
        .find(|s| s.system_id == system_id)
        .ok_or(AppError::NotFound)
}

/// Closes the incident with its lessons; the clocks stop.
pub async fn close(
    state: &AppState,
    scope: &Scope,
    id: Uuid,
    lessons: &str,
    now: DateTime<Utc>,
) -> AppResult<IncidentView> {
    let i = find(&state.db, scope, id).await?;
    require_lead(scope)?;
    open(&i)?;
    if lessons.chars().count() > 10_000 {
        return Err(AppError::field(
            "lessons",
            "must be at most 10000 characters",
        ));
    }
    let who = actor(&state.db, scope).await?;
    let txn = state.begin_write().await?;
    let moved = scope
        .update::<incident::Entity>()
        .col_expr(
            incident::Column::State,
            sea_orm::sea_query::Expr::value("closed"),
        )
        .col_expr(
            incident::Column::ClosedAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .col_expr(
            incident::Column::Lessons,
            sea_orm::sea_query::Expr::value(lessons.trim().to_string()),
        )
        .col_expr(
            incident::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(incident::Column::Id.eq(id))
        .filter(incident::Column::State.eq("open"))
        .exec(&txn)
        .await?;
    if moved.rows_affected == 0 {
        return Err(AppError::Conflict(CLOSED.into()));
    }
    // Whoever was still waiting was not reached before the end: nothing escalates any more.
    scope
        .update::<crate::ssr::entity::call_leg::Entity>()
        .col_expr(
            crate::ssr::entity::call_leg::Column::State,
            sea_orm::sea_query::Expr::value("unreachable"),
        )
        .col_expr(
            crate::ssr::entity::call_leg::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(crate::ssr::entity::call_leg::Column::IncidentId.eq(id))
        .filter(crate::ssr::entity::call_leg::Column::State.eq("waiting"))
        .exec(&txn)
        .await?;
    note(&txn, &i, &who, "closed", serde_json::json!({}), now).await?;
    audit::record(
        &txn,
        audit::Entry::by(scope, "incident.close", i.title.clone())
            .client(i.client_id)
            .detail(serde_json::json!({ "incident": id })),
    )
    .await?;
    txn.commit().await?;
    get(state, scope, id, now).await
}

/// The customer groups the incident reaches: those depending on a process that needs one of
/// its systems.
pub async fn impact(state: &AppState, scope: &Scope, id: Uuid) -> AppResult<Impact> {
    let i = find(&state.db, scope, id).await?;
    let systems: Vec<Uuid> = scope
        .select::<incident_system::Entity>()
        .filter(incident_system::Column::IncidentId.eq(i.id))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|s| s.system_id)
        .collect();
    let groups =
        owned::of_client::<customer_group::Entity>(&state.db, scope, ClientId::from(i.client_id))
            .await?;
    impact_of(&state.db, scope, &i, &systems, &groups).await
}

/// The impact of an incident already read, from its systems and the client's groups.
async fn impact_of(
    db: &impl ConnectionTrait,
    scope: &Scope,
    i: &incident::Model,
    systems: &[Uuid],
    groups: &[customer_group::Model],
) -> AppResult<Impact> {
    let links =
        crate::ssr::service::plan::Links::load(db, scope, ClientId::from(i.client_id)).await?;
    let processes: Vec<(Uuid, Vec<Uuid>)> = links
        .processes
        .iter()
        .map(|p| {
            let needs = links
                .proc_sys
                .iter()
                .filter(|l| l.process_id == p.id)
                .map(|l| l.system_id)
                .collect();
            (p.id, needs)
        })
        .collect();
    let uses: Vec<(Uuid, Vec<Uuid>)> = groups
        .iter()
        .map(|g| (g.id, serde_json::from_str(&g.processes).unwrap_or_default()))
        .collect();
    let name_of = |p: &Uuid| {
        links
            .processes
            .iter()
            .find(|x| x.id == *p)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    Ok(Impact {
        customer_groups: affected_groups(systems, &processes, &uses)
            .into_iter()
            .filter_map(|(g, procs)| {
                let group = groups.iter().find(|x| x.id == g)?;
                Some(AffectedGroup {
                    id: g,
                    name: group.name.clone(),
                    processes: procs.iter().map(name_of).collect(),
                })
            })
            .collect(),
    })
}

/// The post-incident report: each system's targets against its actual data loss and downtime,
/// how reaching the staff went, the lessons, and the plan changes the figures suggest.
pub async fn report(
    state: &AppState,
    scope: &Scope,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<crate::model::incident::IncidentReport> {
    use crate::model::incident::{IncidentReport, StaffReport};
    let v = get(state, scope, id, now).await?;
    let lang = crate::ssr::error::request_lang();
    let legs: Vec<crate::domain::exercise::LegOutcome<'_>> = v
        .calls
        .iter()
        .map(|c| crate::domain::exercise::LegOutcome {
            person: &c.person_name,
            confirmed_at: c.confirmed_at.filter(|_| c.state == "confirmed"),
        })
        .collect();
    let reach = crate::domain::exercise::reach(v.call_tree_at, &legs);
    let mut proposed = Vec::new();
    for name in &reach.not_reached {
        proposed.push(crate::incident_text::change(
            lang,
            crate::incident_text::Change::Contact,
            name,
            0,
            0,
        ));
    }
    use crate::incident_text::Change;
    for s in &v.systems {
        let r = s.recovery;
        for (change, met, actual, target) in [
            (Change::Rto, r.rto_met, r.downtime_minutes, s.rto_minutes),
            (Change::Rpo, r.rpo_met, r.data_loss_minutes, s.rpo_minutes),
        ] {
            if let (Some(false), Some(a), Some(t)) = (met, actual, target) {
                let text = crate::incident_text::change(lang, change, &s.name, a, i64::from(t));
                proposed.push(text);
            }
        }
    }
    Ok(IncidentReport {
        id: v.id,
        client_name: v.client_name,
        title: v.title,
        scenario: v.scenario,
        drill: v.drill,
        state: v.state,
        started_at: v.started_at,
        closed_at: v.closed_at,
        staff: StaffReport {
            people: reach.people,
            reached: reach.reached,
            minutes_to_reach_all: reach.minutes_to_reach_all,
            not_reached: reach.not_reached,
        },
        first_notice_minutes: crate::ssr::service::notices::first_published(&v.updates)
            .map(|at| ((at - v.started_at).num_seconds().max(0) + 59) / 60),
        systems: v.systems,
        lessons: v.lessons,
        proposed_changes: proposed,
    })
}

/// The report as a document, for HTML and PDF.
pub fn document(
    r: &crate::model::incident::IncidentReport,
    lang: Lang,
    generated_at: DateTime<Utc>,
) -> export::Doc {
    use crate::domain::sla::spoken;
    use export::Block;
    let t = crate::incident_text::texts(lang);
    let at = |d: DateTime<Utc>| d.format("%Y-%m-%d %H:%M UTC").to_string();
    let mins = |m: Option<i64>| {
        m.map_or_else(
            || "—".to_string(),
            |m| spoken(lang, u32::try_from(m.max(0)).unwrap_or(u32::MAX)),
        )
    };
    let verdict = |met: Option<bool>| match met {
        Some(true) => t.met,
        Some(false) => t.missed,
        None => t.no_target,
    };
    // A figure and its verdict; nothing to judge before there is a figure.
    let judged = |m: Option<i64>, met: Option<bool>| match m {
        Some(_) => format!("{} ({})", mins(m), verdict(met)),
        None => "—".to_string(),
    };
    let mut facts = vec![
        (t.scenario.to_string(), r.scenario.clone()),
        (t.began.to_string(), at(r.started_at)),
    ];
    if let Some(c) = r.closed_at {
        facts.push((t.closed_at.to_string(), at(c)));
    }
    if r.drill {
        facts.push((t.is_drill.to_string(), "✓".into()));
    }
    let mut blocks = vec![
        Block::KeyValues(facts),
        Block::Heading {
            level: 2,
            text: t.recovery.to_string(),
        },
        Block::Table {
            header: t.report_columns.iter().map(|s| s.to_string()).collect(),
            rows: r
                .systems
                .iter()
                .map(|s| {
                    vec![
                        s.name.clone(),
                        mins(s.rpo_minutes.map(i64::from)),
                        judged(s.recovery.data_loss_minutes, s.recovery.rpo_met),
                        mins(s.rto_minutes.map(i64::from)),
                        judged(s.recovery.downtime_minutes, s.recovery.rto_met),
                    ]
                })
                .collect(),
        },
        Block::Heading {
            level: 2,
            text: t.call_tree.to_string(),
        },
        Block::KeyValues(vec![
            (
                t.mark_reached.to_string(),
                format!("{} / {}", r.staff.reached, r.staff.people),
            ),
            (
                t.time_to_reach_all.to_string(),
                mins(r.staff.minutes_to_reach_all),
            ),
            (t.first_notice.to_string(), mins(r.first_notice_minutes)),
        ]),
    ];
    if !r.staff.not_reached.is_empty() {
        blocks.push(Block::Paragraph(format!(
            "{}: {}",
            t.not_reached,
            r.staff.not_reached.join(", ")
        )));
    }
    blocks.push(Block::Heading {
        level: 2,
        text: t.lessons.to_string(),
    });
    blocks.push(Block::Paragraph(if r.lessons.is_empty() {
        "—".into()
    } else {
        r.lessons.clone()
    }));
    blocks.push(Block::Heading {
        level: 2,
        text: t.proposed.to_string(),
    });
    if r.proposed_changes.is_empty() {
        blocks.push(Block::Paragraph(t.no_changes.to_string()));
    } else {
        blocks.push(Block::Bullets(r.proposed_changes.clone()));
    }
    export::Doc {
        title: format!("{}: {}", t.report_title, r.title),
        footer: format!("{} · {} {}", r.client_name, t.generated, at(generated_at)),
        lang: lang.code().to_string(),
        blocks,
    }
}
