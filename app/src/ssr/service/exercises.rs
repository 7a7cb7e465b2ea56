//! Exercises between incidents. A client's call-tree drills, restore tests and tabletop
//! exercises are scheduled, then done and scored: a drill from the drill incident it was run as
//! (how long reaching everyone took, who was not reached: each a stale-contact action item), a
//! restore test by its measured duration (which becomes the system's RTO evidence, like one the
//! backup software reports), a tabletop by the share of its checklist that held. Findings become
//! action items with an owner and a due date. Each kind is due again after the plan's cadence.
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

use crate::domain::exercise::{default_every, next_due, reach, Kind, LegOutcome};
use crate::ids::ClientId;
use crate::model::exercise::{
    ActionItemView, CadenceView, ChecklistLine, ExerciseResult, ExerciseView, ExercisesPage,
    Overdue,
};
use crate::ssr::entity::{action_item, call_leg, exercise, incident, person, plan, system};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::{audit, clients, owned};
use crate::ssr::scope::Scope;
use crate::ssr::service::incidents::{actor, require_lead};
use crate::ssr::state::AppState;

pub const DONE: &str = "this exercise is done; its result stands";
/// How long a stale contact found by a drill may wait to be checked.
const CONTACT_DAYS: i64 = 14;
/// A finding's due date when none is given.
const FINDING_DAYS: i64 = 30;
const MAX_FINDINGS: usize = 50;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewExercise {
    pub kind: String,
    pub scheduled_for: NaiveDate,
    #[serde(default)]
    pub system_id: Option<Uuid>,
    #[serde(default)]
    pub notes: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub title: String,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
}

/// A change to an exercise; a field left out stays as it is. `state: "done"` scores it from the
/// fields of its kind.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExercisePatch {
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub scheduled_for: Option<NaiveDate>,
    /// A call-tree drill: the drill incident it was run as.
    #[serde(default)]
    pub incident_id: Option<Uuid>,
    /// A restore test: the system, how long restoring it took, and whether it worked.
    #[serde(default)]
    pub system_id: Option<Uuid>,
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    #[serde(default)]
    pub passed: Option<bool>,
    /// A tabletop: the steps talked through and whether each held.
    #[serde(default)]
    pub checklist: Option<Vec<ChecklistLine>>,
    #[serde(default)]
    pub notes: Option<String>,
    /// Findings to add as action items.
    #[serde(default)]
    pub findings: Vec<Finding>,
}

fn kind_of(row: &exercise::Model) -> Kind {
    Kind::parse(&row.kind).unwrap_or(Kind::Tabletop)
}

fn item_view(a: action_item::Model, today: NaiveDate) -> ActionItemView {
    ActionItemView {
        overdue: a.done_at.is_none() && a.due_on < today,
        id: a.id,
        exercise_id: a.exercise_id,
        title: a.title,
        owner: a.owner,
        due_on: a.due_on,
        done_at: a.done_at,
    }
}

fn view(
    row: exercise::Model,
    items: &[action_item::Model],
    systems: &[system::Model],
    today: NaiveDate,
) -> ExerciseView {
    ExerciseView {
        kind: kind_of(&row),
        overdue: row.state == "scheduled" && row.scheduled_for < today,
        system_name: row
            .system_id
            .and_then(|s| systems.iter().find(|x| x.id == s))
            .map(|s| s.name.clone()),
        result: serde_json::from_str(&row.result).unwrap_or_default(),
        findings: items
            .iter()
            .filter(|a| a.exercise_id == Some(row.id))
            .cloned()
            .map(|a| item_view(a, today))
            .collect(),
        id: row.id,
        client_id: row.client_id,
        scheduled_for: row.scheduled_for,
        state: row.state,
        done_at: row.done_at,
        incident_id: row.incident_id,
        system_id: row.system_id,
        notes: row.notes,
    }
}

/// A day an exercise or action item can sensibly be planned for: a year back to three ahead.
fn within_reach(field: &str, day: NaiveDate, today: NaiveDate) -> AppResult<()> {
    if day < today - Duration::days(366) || day > today + Duration::days(3 * 366) {
        return Err(AppError::field(
            field,
            "must be within a year back and three years ahead",
        ));
    }
    Ok(())
}

fn check_notes(notes: &str) -> AppResult<String> {
    if notes.chars().count() > 5000 {
        return Err(AppError::field("notes", "must be at most 5000 characters"));
    }
    Ok(notes.trim().to_string())
}

/// Schedules an exercise for the client.
pub async fn schedule(
    state: &AppState,
    scope: &Scope,
    client: ClientId,
    input: NewExercise,
    now: DateTime<Utc>,
) -> AppResult<ExerciseView> {
    let c = clients::get(&state.db, scope, client).await?;
    require_lead(scope)?;
    let kind = Kind::parse(&input.kind).ok_or_else(|| {
        AppError::field("kind", "must be call_tree_drill, restore_test or tabletop")
    })?;
    let today = now.date_naive();
    within_reach("scheduled_for", input.scheduled_for, today)?;
    let systems = owned::of_client::<system::Entity>(&state.db, scope, client).await?;
    if let Some(s) = input.system_id {
        if kind != Kind::RestoreTest || !systems.iter().any(|x| x.id == s) {
            return Err(AppError::field(
                "system_id",
                "names no system of this client's plan to restore",
            ));
        }
    }
    let notes = check_notes(&input.notes)?;
    let who = actor(&state.db, scope).await?;
    let txn = state.begin_write().await?;
    let row = exercise::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(c.msp_id),
        client_id: Set(c.id),
        kind: Set(kind.as_str().into()),
        scheduled_for: Set(input.scheduled_for),
        state: Set("scheduled".into()),
        done_at: Set(None),
        incident_id: Set(None),
        system_id: Set(input.system_id),
        result: Set("{}".into()),
        notes: Set(notes),
        created_by: Set(who),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry::by(scope, "exercise.schedule", kind.as_str())
            .client(c.id)
            .detail(serde_json::json!({ "exercise": row.id, "scheduled_for": row.scheduled_for })),
    )
    .await?;
    txn.commit().await?;
    Ok(view(row, &[], &systems, today))
}

/// The plan's cadence for a kind, in months.
fn every(p: Option<&plan::Model>, kind: Kind) -> u32 {
    let months = p.map(|p| match kind {
        Kind::CallTreeDrill => p.drill_every_months,
        Kind::RestoreTest => p.restore_test_every_months,
        Kind::Tabletop => p.tabletop_every_months,
    });
    months
        .and_then(|m| u32::try_from(m).ok())
        .filter(|m| *m > 0)
        .unwrap_or_else(|| default_every(kind))
}

fn cadence(
    p: Option<&plan::Model>,
    last: &HashMap<Kind, NaiveDate>,
    began: NaiveDate,
    today: NaiveDate,
) -> Vec<CadenceView> {
    Kind::ALL
        .into_iter()
        .map(|kind| {
            let every_months = every(p, kind);
            let last_done_on = last.get(&kind).copied();
            let due_on = next_due(every_months, last_done_on, began);
            CadenceView {
                kind,
                every_months,
                last_done_on,
                due_on,
                overdue: due_on < today,
            }
        })
        .collect()
}

/// The client's exercises, open action items and cadence.
pub async fn page(
    state: &AppState,
    scope: &Scope,
    client: ClientId,
    now: DateTime<Utc>,
) -> AppResult<ExercisesPage> {
    let c = clients::get(&state.db, scope, client).await?;
    let today = now.date_naive();
    let rows = scope
        .select::<exercise::Entity>()
        .filter(exercise::Column::ClientId.eq(c.id))
        .order_by_desc(exercise::Column::ScheduledFor)
        .order_by_desc(exercise::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let items = owned::of_client::<action_item::Entity>(&state.db, scope, client).await?;
    let systems = owned::of_client::<system::Entity>(&state.db, scope, client).await?;
    let p = scope
        .select::<plan::Entity>()
        .filter(plan::Column::ClientId.eq(c.id))
        .one(&state.db)
        .await?;
    let mut last: HashMap<Kind, NaiveDate> = HashMap::new();
    for r in rows.iter().filter(|r| r.state == "done") {
        if let Some(d) = r.done_at.map(|d| d.date_naive()) {
            let e = last.entry(kind_of(r)).or_insert(d);
            *e = (*e).max(d);
        }
    }
    let began = p
        .as_ref()
        .map_or(c.created_at, |p| p.created_at)
        .date_naive();
    let drills = scope
        .select::<incident::Entity>()
        .filter(incident::Column::ClientId.eq(c.id))
        .filter(incident::Column::Drill.eq(true))
        .filter(incident::Column::CallTreeAt.is_not_null())
        .order_by_desc(incident::Column::StartedAt)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|i| {
            (
                i.id,
                format!("{} ({})", i.title, i.started_at.format("%Y-%m-%d")),
            )
        })
        .collect();
    let mut open: Vec<ActionItemView> = items
        .iter()
        .filter(|a| a.done_at.is_none())
        .cloned()
        .map(|a| item_view(a, today))
        .collect();
    open.sort_by_key(|a| (a.due_on, a.title.clone()));
    Ok(ExercisesPage {
        client_id: c.id,
        client_name: c.name,
        cadence: cadence(p.as_ref(), &last, began, today),
        exercises: rows
            .into_iter()
            .map(|r| view(r, &items, &systems, today))
            .collect(),
        action_items: open,
        may_act: require_lead(scope).is_ok(),
        wave_minutes: p.as_ref().map_or(15, |p| p.wave_minutes.max(1) as u32),
        drills,
        systems: systems.into_iter().map(|s| (s.id, s.name)).collect(),
    })
}

async fn find(db: &impl ConnectionTrait, scope: &Scope, id: Uuid) -> AppResult<exercise::Model> {
    scope
        .select::<exercise::Entity>()
        .filter(exercise::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// A drill's score, from the drill incident it was run as.
async fn drill_result(
    db: &impl ConnectionTrait,
    scope: &Scope,
    row: &exercise::Model,
    incident_id: Uuid,
) -> AppResult<ExerciseResult> {
    let i = scope
        .select::<incident::Entity>()
        .filter(incident::Column::Id.eq(incident_id))
        .filter(incident::Column::ClientId.eq(row.client_id))
        .one(db)
        .await?
        .filter(|i| i.drill && i.call_tree_at.is_some())
        .ok_or_else(|| {
            AppError::field(
                "incident_id",
                "names no drill of this client whose call tree went out",
            )
        })?;
    if i.state != "closed" {
        return Err(AppError::field(
            "incident_id",
            "close the drill first: its figures are final then",
        ));
    }
    let scored = scope
        .select::<exercise::Entity>()
        .filter(exercise::Column::IncidentId.eq(i.id))
        .filter(exercise::Column::State.eq("done"))
        .filter(exercise::Column::Id.ne(row.id))
        .one(db)
        .await?;
    if scored.is_some() {
        return Err(AppError::field(
            "incident_id",
            "this drill already scored another exercise",
        ));
    }
    let legs = scope
        .select::<call_leg::Entity>()
        .filter(call_leg::Column::IncidentId.eq(i.id))
        .order_by_asc(call_leg::Column::Wave)
        .order_by_asc(call_leg::Column::PersonName)
        .all(db)
        .await?;
    let outcomes: Vec<LegOutcome<'_>> = legs
        .iter()
        .map(|l| LegOutcome {
            person: &l.person_name,
            confirmed_at: l.confirmed_at.filter(|_| l.state == "confirmed"),
        })
        .collect();
    Ok(ExerciseResult {
        reach: Some(reach(i.call_tree_at, &outcomes)),
        ..ExerciseResult::default()
    })
}

/// Changes, runs or cancels an exercise; findings are added as action items.
pub async fn update(
    state: &AppState,
    scope: &Scope,
    id: Uuid,
    patch: ExercisePatch,
    now: DateTime<Utc>,
) -> AppResult<ExerciseView> {
    let row = find(&state.db, scope, id).await?;
    require_lead(scope)?;
    let client = ClientId::from(row.client_id);
    let today = now.date_naive();
    let kind = kind_of(&row);
    let systems = owned::of_client::<system::Entity>(&state.db, scope, client).await?;
    let people = owned::of_client::<person::Entity>(&state.db, scope, client).await?;
    // Findings belong to the plan's coordinator unless a person is named.
    let coordinator = people
        .iter()
        .find(|p| p.is_coordinator)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let scored = row.state == "done";
    let changes_result = patch.state.is_some()
        || patch.scheduled_for.is_some()
        || patch.incident_id.is_some()
        || patch.system_id.is_some()
        || patch.duration_minutes.is_some()
        || patch.passed.is_some()
        || patch.checklist.is_some();
    if scored && changes_result {
        return Err(AppError::Conflict(DONE.into()));
    }
    if patch.findings.len() > MAX_FINDINGS {
        return Err(AppError::field(
            "findings",
            format!("at most {MAX_FINDINGS} at a time"),
        ));
    }
    let mut findings: Vec<(String, String, NaiveDate)> = Vec::new();
    for f in &patch.findings {
        let title = f.title.trim();
        if title.is_empty() || title.chars().count() > 300 {
            return Err(AppError::field(
                "findings",
                "a title must be 1 to 300 characters",
            ));
        }
        let owner = f.owner.as_deref().map(str::trim).unwrap_or(&coordinator);
        if owner.chars().count() > 200 {
            return Err(AppError::field(
                "findings",
                "an owner must be at most 200 characters",
            ));
        }
        let due = f.due_on.unwrap_or(today + Duration::days(FINDING_DAYS));
        within_reach("findings", due, today)?;
        findings.push((title.to_string(), owner.to_string(), due));
    }
    let mut a: exercise::ActiveModel = row.clone().into();
    if let Some(n) = &patch.notes {
        a.notes = Set(check_notes(n)?);
    }
    if let Some(d) = patch.scheduled_for {
        within_reach("scheduled_for", d, today)?;
        a.scheduled_for = Set(d);
    }
    let mut system_id = row.system_id;
    if let Some(s) = patch.system_id {
        if kind != Kind::RestoreTest || !systems.iter().any(|x| x.id == s) {
            return Err(AppError::field(
                "system_id",
                "names no system of this client's plan to restore",
            ));
        }
        system_id = Some(s);
        a.system_id = Set(Some(s));
    }
    let mut evidence = None;
    match patch.state.as_deref() {
        None => {}
        Some("scheduled") => a.state = Set("scheduled".into()),
        Some("cancelled") => a.state = Set("cancelled".into()),
        Some("done") => {
            let result = match kind {
                Kind::CallTreeDrill => {
                    let incident_id = patch.incident_id.ok_or_else(|| {
                        AppError::field("incident_id", "a drill is scored from its drill incident")
                    })?;
                    a.incident_id = Set(Some(incident_id));
                    let r = drill_result(&state.db, scope, &row, incident_id).await?;
                    // Each person not reached is a contact to check.
                    for name in r.reach.iter().flat_map(|r| r.not_reached.iter()) {
                        findings.push((
                            crate::incident_text::change(
                                crate::ssr::error::request_lang(),
                                crate::incident_text::Change::Contact,
                                name,
                                0,
                                0,
                            ),
                            coordinator.clone(),
                            today + Duration::days(CONTACT_DAYS),
                        ));
                    }
                    r
                }
                Kind::RestoreTest => {
                    let system = system_id
                        .and_then(|s| systems.iter().find(|x| x.id == s))
                        .ok_or_else(|| AppError::field("system_id", "name the system restored"))?;
                    let minutes = patch.duration_minutes.ok_or_else(|| {
                        AppError::field("duration_minutes", "say how long restoring took")
                    })?;
                    if minutes > 60 * 24 * 60 {
                        return Err(AppError::field(
                            "duration_minutes",
                            "must be at most 60 days",
                        ));
                    }
                    let passed = patch.passed.ok_or_else(|| {
                        AppError::field("passed", "say whether the restore worked")
                    })?;
                    evidence = Some((system.id, minutes, passed));
                    ExerciseResult {
                        duration_minutes: Some(minutes),
                        passed: Some(passed),
                        rto_minutes: system.rto_minutes.and_then(|m| u32::try_from(m).ok()),
                        ..ExerciseResult::default()
                    }
                }
                Kind::Tabletop => {
                    let lines: Vec<ChecklistLine> = patch
                        .checklist
                        .clone()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|l| ChecklistLine {
                            item: l.item.trim().to_string(),
                            done: l.done,
                        })
                        .filter(|l| !l.item.is_empty())
                        .collect();
                    if lines.is_empty() || lines.len() > 200 {
                        return Err(AppError::field(
                            "checklist",
                            "list 1 to 200 steps talked through",
                        ));
                    }
                    let held = lines.iter().filter(|l| l.done).count();
                    ExerciseResult {
                        score_percent: Some((held * 100 / lines.len()) as u32),
                        checklist: lines,
                        ..ExerciseResult::default()
                    }
                }
            };
            a.result = Set(serde_json::to_string(&result).map_err(anyhow::Error::from)?);
            a.state = Set("done".into());
            a.done_at = Set(Some(now));
        }
        Some(_) => {
            return Err(AppError::field(
                "state",
                "must be scheduled, done or cancelled",
            ))
        }
    }
    a.updated_at = Set(now);
    let txn = state.begin_write().await?;
    // Once, even when two people record the result (or one cancels it) at the same moment.
    if changes_result {
        let took = scope
            .update::<exercise::Entity>()
            .col_expr(exercise::Column::UpdatedAt, Expr::value(now))
            .filter(exercise::Column::Id.eq(row.id))
            .filter(exercise::Column::State.ne("done"))
            .exec(&txn)
            .await?;
        if took.rows_affected == 0 {
            return Err(AppError::Conflict(DONE.into()));
        }
    }
    let row = a.update(&txn).await?;
    for (title, owner, due) in findings {
        action_item::ActiveModel {
            id: Set(Uuid::new_v4()),
            msp_id: Set(row.msp_id),
            client_id: Set(row.client_id),
            exercise_id: Set(Some(row.id)),
            title: Set(title),
            owner: Set(owner),
            due_on: Set(due),
            done_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        audit::Entry::by(scope, "exercise.update", kind.as_str())
            .client(row.client_id)
            .detail(serde_json::json!({ "exercise": row.id, "state": row.state })),
    )
    .await?;
    txn.commit().await?;
    // A restore test is RTO evidence, once per exercise, through the same committer as the
    // backup software's reports.
    if let Some((system_id, minutes, passed)) = evidence {
        use crate::domain::sla::EventKind;
        let kind = if passed {
            EventKind::RestoreTestPassed
        } else {
            EventKind::RestoreTestFailed
        };
        let event = crate::ssr::service::monitor::ingest::EventIn {
            id: format!("exercise:{}", row.id.simple()),
            system_id,
            kind: kind.as_str().to_string(),
            restore_point_at: None,
            finished_at: now,
            duration_seconds: Some(i64::from(minutes) * 60),
            bytes: None,
            message: Some("Restore test exercise".into()),
        };
        let own = crate::ssr::service::monitor::ingest::record_own;
        if let Err(e) = own(state, row.msp_id, row.client_id, vec![event], now).await {
            tracing::error!(error = %e, exercise = %row.id, "restore test not recorded as evidence");
        }
    }
    let items = owned::of_client::<action_item::Entity>(&state.db, scope, client).await?;
    Ok(view(row, &items, &systems, today))
}

/// Marks an action item done (or open again).
pub async fn set_item(
    state: &AppState,
    scope: &Scope,
    id: Uuid,
    done: bool,
    now: DateTime<Utc>,
) -> AppResult<ActionItemView> {
    let item = scope
        .select::<action_item::Entity>()
        .filter(action_item::Column::Id.eq(id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    require_lead(scope)?;
    let mut a: action_item::ActiveModel = item.into();
    a.done_at = Set(done.then_some(now));
    a.updated_at = Set(now);
    let item = a.update(&state.db).await?;
    Ok(item_view(item, now.date_naive()))
}

/// What is overdue per client of the scope (exercises and action items), in a few grouped
/// queries however many clients there are: for the MSP's overview.
pub async fn overdue(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client: Option<Uuid>,
    today: NaiveDate,
) -> AppResult<HashMap<Uuid, Overdue>> {
    let only = |c: sea_orm::sea_query::SimpleExpr| {
        let mut cond = sea_orm::Condition::all();
        if client.is_some() {
            cond = cond.add(c);
        }
        cond
    };
    let mut out: HashMap<Uuid, Overdue> = HashMap::new();
    let late: Vec<(Uuid, i64)> = scope
        .select::<exercise::Entity>()
        .select_only()
        .column(exercise::Column::ClientId)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(only(exercise::Column::ClientId.eq(client)))
        .filter(exercise::Column::State.eq("scheduled"))
        .filter(exercise::Column::ScheduledFor.lt(today))
        .group_by(exercise::Column::ClientId)
        .into_tuple()
        .all(db)
        .await?;
    for (c, n) in late {
        out.entry(c).or_default().exercises += u32::try_from(n).unwrap_or(0);
    }
    let items: Vec<(Uuid, i64)> = scope
        .select::<action_item::Entity>()
        .select_only()
        .column(action_item::Column::ClientId)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(only(action_item::Column::ClientId.eq(client)))
        .filter(action_item::Column::DoneAt.is_null())
        .filter(action_item::Column::DueOn.lt(today))
        .group_by(action_item::Column::ClientId)
        .into_tuple()
        .all(db)
        .await?;
    for (c, n) in items {
        out.entry(c).or_default().action_items += u32::try_from(n).unwrap_or(0);
    }
    // Kinds past their cadence, with nothing scheduled for them yet.
    let done: Vec<(Uuid, String, Option<DateTime<Utc>>)> = scope
        .select::<exercise::Entity>()
        .select_only()
        .column(exercise::Column::ClientId)
        .column(exercise::Column::Kind)
        .column_as(exercise::Column::DoneAt.max(), "last")
        .filter(only(exercise::Column::ClientId.eq(client)))
        .filter(exercise::Column::State.eq("done"))
        .group_by(exercise::Column::ClientId)
        .group_by(exercise::Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let waiting: Vec<(Uuid, String)> = scope
        .select::<exercise::Entity>()
        .select_only()
        .column(exercise::Column::ClientId)
        .column(exercise::Column::Kind)
        .filter(only(exercise::Column::ClientId.eq(client)))
        .filter(exercise::Column::State.eq("scheduled"))
        .group_by(exercise::Column::ClientId)
        .group_by(exercise::Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let mut last: HashMap<(Uuid, Kind), NaiveDate> = HashMap::new();
    for (c, k, at) in done {
        if let (Some(k), Some(at)) = (Kind::parse(&k), at) {
            last.insert((c, k), at.date_naive());
        }
    }
    let waiting: std::collections::HashSet<(Uuid, String)> = waiting.into_iter().collect();
    // Only the columns the cadence needs: a plan row also holds the plan's long texts.
    let plans: Vec<(Uuid, DateTime<Utc>, i32, i32, i32)> = scope
        .select::<plan::Entity>()
        .select_only()
        .column(plan::Column::ClientId)
        .column(plan::Column::CreatedAt)
        .column(plan::Column::DrillEveryMonths)
        .column(plan::Column::RestoreTestEveryMonths)
        .column(plan::Column::TabletopEveryMonths)
        .filter(only(plan::Column::ClientId.eq(client)))
        .into_tuple()
        .all(db)
        .await?;
    for (client, began, drill, restore, tabletop) in plans {
        for (kind, months) in [
            (Kind::CallTreeDrill, drill),
            (Kind::RestoreTest, restore),
            (Kind::Tabletop, tabletop),
        ] {
            if waiting.contains(&(client, kind.as_str().to_string())) {
                continue;
            }
            let months = u32::try_from(months)
                .ok()
                .filter(|m| *m > 0)
                .unwrap_or_else(|| default_every(kind));
            let due = next_due(
                months,
                last.get(&(client, kind)).copied(),
                began.date_naive(),
            );
            if due < today {
                out.entry(client).or_default().exercises += 1;
            }
        }
    }
    Ok(out)
}
