//! The plan as a whole: its settings, the view with everything derived from it, approval of a
//! version (an immutable snapshot), the version history and the difference between versions.
use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{customers, input, people, sites, Links};
use crate::domain::completeness::{completeness, Approval};
use crate::domain::customers::unknown_placeholders;
use crate::domain::diff::{diff, Change};
use crate::domain::plan::{check_call_tree, recovery_order, CallNode, SystemNode};
use crate::ids::ClientId;
use crate::model::plan::{
    Communication, CustomerGroupView, MessageTemplate, PlanContent, PlanSettings, PlanView,
    Scenario, Section, ServiceDesk, TalkingPoints, VersionInfo,
};
use crate::model::Role;
use crate::ssr::entity::{customer_group, person, plan, plan_version, site, system};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::{audit, clients, owned};
use crate::ssr::scope::Scope;
use crate::ssr::service::Fields;
use crate::ssr::session::Session;
use crate::ssr::state::AppState;
use std::collections::HashSet;

/// A client's plan row as it starts: nothing written yet, the call tree's defaults.
pub fn new_plan(msp_id: Uuid, client_id: Uuid, now: chrono::DateTime<Utc>) -> plan::ActiveModel {
    plan::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(msp_id),
        client_id: Set(client_id),
        review_due: Set(None),
        minutes_per_call: Set(3),
        wave_minutes: Set(15),
        drill_every_months: Set(6),
        restore_test_every_months: Set(3),
        tabletop_every_months: Set(12),
        max_calls_per_person: Set(4),
        email_down_rule: Set(String::new()),
        sections: Set("[]".into()),
        scenarios: Set("[]".into()),
        messages: Set("[]".into()),
        service_desk: Set("{}".into()),
        talking_points: Set("{}".into()),
        completeness: Set(None),
        completeness_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// The plan row of a client, created with defaults on first use.
pub(super) async fn plan_row(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<plan::Model> {
    if let Some(p) = owned::of_client::<plan::Entity>(db, scope, client_id)
        .await?
        .into_iter()
        .next()
    {
        return Ok(p);
    }
    // A plan is only ever started for a client of the caller's own: another tenant's client id
    // must not get a plan row under this tenant.
    clients::get(db, scope, client_id).await?;
    let row = new_plan(scope.msp_id(), client_id.uuid(), Utc::now());
    match row.insert(db).await {
        Ok(p) => Ok(p),
        // Two first requests at once: the other one created it.
        Err(_) => owned::of_client::<plan::Entity>(db, scope, client_id)
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound),
    }
}

fn settings(p: &plan::Model) -> PlanSettings {
    PlanSettings {
        review_due: p.review_due,
        minutes_per_call: p.minutes_per_call.max(1) as u32,
        max_calls_per_person: p.max_calls_per_person.max(1) as u32,
        email_down_rule: p.email_down_rule.clone(),
        wave_minutes: p.wave_minutes.max(1) as u32,
        drill_every_months: p.drill_every_months.max(1) as u32,
        restore_test_every_months: p.restore_test_every_months.max(1) as u32,
        tabletop_every_months: p.tabletop_every_months.max(1) as u32,
    }
}

fn communication(p: &plan::Model) -> Communication {
    Communication {
        messages: serde_json::from_str(&p.messages).unwrap_or_default(),
        service_desk: serde_json::from_str(&p.service_desk).unwrap_or_default(),
        talking_points: serde_json::from_str(&p.talking_points).unwrap_or_default(),
    }
}

pub async fn content(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<PlanContent> {
    let plan = plan_row(db, scope, client_id).await?;
    let links = Links::load(db, scope, client_id).await?;
    let mut site_rows = owned::of_client::<site::Entity>(db, scope, client_id).await?;
    site_rows.sort_by_key(|r| r.name.to_lowercase());
    let mut people_rows = owned::of_client::<person::Entity>(db, scope, client_id).await?;
    people_rows.sort_by_key(|r| r.name.to_lowercase());
    let mut system_rows = owned::of_client::<system::Entity>(db, scope, client_id).await?;
    system_rows.sort_by_key(|r| r.name.to_lowercase());
    let mut processes = links.processes.clone();
    processes.sort_by_key(|r| r.name.to_lowercase());
    let known: HashSet<Uuid> = processes.iter().map(|p| p.id).collect();
    let mut groups = owned::of_client::<customer_group::Entity>(db, scope, client_id).await?;
    groups.sort_by_key(|r| r.name.to_lowercase());
    Ok(PlanContent {
        customer_groups: groups
            .into_iter()
            .map(|g| customers::view_known(g, &known))
            .collect(),
        communication: communication(&plan),
        scenarios: serde_json::from_str(&plan.scenarios).unwrap_or_default(),
        sections: serde_json::from_str(&plan.sections).unwrap_or_default(),
        settings: settings(&plan),
        sites: site_rows.into_iter().map(sites::view).collect(),
        people: people_rows.into_iter().map(people::view).collect(),
        processes: processes
            .into_iter()
            .map(|p| links.process_view(p))
            .collect(),
        systems: system_rows
            .into_iter()
            .map(|s| links.system_view(s))
            .collect(),
    })
}

async fn versions_of(
    db: &impl ConnectionTrait,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<Vec<plan_version::Model>> {
    Ok(scope
        .select::<plan_version::Entity>()
        .filter(plan_version::Column::ClientId.eq(client_id))
        .order_by_asc(plan_version::Column::Number)
        .all(db)
        .await?)
}

fn info(v: &plan_version::Model) -> VersionInfo {
    VersionInfo {
        number: v.number as u32,
        approved_by_name: v.approved_by_name.clone(),
        approved_at: v.approved_at,
        note: v.note.clone(),
    }
}

fn snapshot(v: &plan_version::Model) -> AppResult<PlanContent> {
    serde_json::from_str(&v.snapshot).map_err(|e| AppError::Internal(e.into()))
}

/// The plan as it stands, with its recovery order, call-tree check and completeness.
pub async fn view(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    today: NaiveDate,
) -> AppResult<PlanView> {
    let client = clients::get(&state.db, scope, client_id).await?;
    let content = content(&state.db, scope, client_id).await?;
    let versions = versions_of(&state.db, scope, client_id).await?;
    let last = versions.last();
    let changed = match last {
        Some(v) => snapshot(v)? != content,
        None => true,
    };
    let mut view = assemble(client, content, last.map(info), changed, today);
    view.overdue =
        crate::ssr::service::exercises::overdue(&state.db, scope, Some(client_id.uuid()), today)
            .await?
            .remove(&client_id.uuid())
            .unwrap_or_default();
    Ok(view)
}

/// An approved version as it was signed, with what follows from it (for printing old versions).
pub async fn version_view(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    number: u32,
    today: NaiveDate,
) -> AppResult<PlanView> {
    let client = clients::get(&state.db, scope, client_id).await?;
    let v = version(state, scope, client_id, number).await?;
    Ok(assemble(client, v.content, Some(v.info), false, today))
}

/// The derived parts of a plan: recovery order, call-tree check, completeness.
fn assemble(
    client: crate::ssr::entity::client::Model,
    content: PlanContent,
    approved: Option<VersionInfo>,
    changed: bool,
    today: NaiveDate,
) -> PlanView {
    let nodes: Vec<SystemNode<Uuid>> = content
        .systems
        .iter()
        .map(|s| SystemNode {
            id: s.id,
            name: s.name.clone(),
            criticality: s.criticality,
            depends_on: s.depends_on.clone(),
        })
        .collect();
    let order = recovery_order(&nodes);
    let callers: Vec<CallNode<Uuid>> = content
        .people
        .iter()
        .map(|p| CallNode {
            id: p.id,
            name: p.name.clone(),
            caller: p.caller_id,
            is_coordinator: p.is_coordinator,
            has_phone: !p.mobile.is_empty() || !p.landline.is_empty(),
        })
        .collect();
    let s = &content.settings;
    let call_tree = check_call_tree(
        &callers,
        s.minutes_per_call,
        s.max_calls_per_person as usize,
    );
    let approval = Approval {
        ever_approved: approved.is_some(),
        review_due: s.review_due,
    };
    let (score, gaps) = completeness(
        &content,
        &call_tree,
        order.as_ref().err().map(|c| c.as_slice()),
        &approval,
        today,
    );
    PlanView {
        client_id: client.id,
        client_name: client.name,
        review_overdue: s.review_due.is_some_and(|d| d < today),
        overdue: Default::default(),
        recovery_order: order.ok(),
        call_tree,
        completeness: score,
        gaps,
        approved,
        changed_since_approval: changed,
        content,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    #[serde(default, deserialize_with = "input::nullable")]
    pub review_due: Option<Option<NaiveDate>>,
    pub minutes_per_call: Option<i64>,
    pub max_calls_per_person: Option<i64>,
    pub wave_minutes: Option<i64>,
    pub drill_every_months: Option<i64>,
    pub restore_test_every_months: Option<i64>,
    pub tabletop_every_months: Option<i64>,
    pub email_down_rule: Option<String>,
    pub sections: Option<Vec<Section>>,
    pub scenarios: Option<Vec<Scenario>>,
    pub messages: Option<Vec<MessageTemplate>>,
    pub service_desk: Option<ServiceDesk>,
    pub talking_points: Option<TalkingPoints>,
}

pub(super) fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Free-text lists: trimmed, blank lines dropped, each line and the list bounded.
pub(super) fn lines(f: &mut Fields, field: &str, items: Vec<String>) -> Vec<String> {
    if items.len() > 100 {
        f.take::<()>(field, Err("may hold at most 100 lines"));
    }
    items
        .into_iter()
        .filter_map(|l| input::line(f, field, l))
        .filter(|l| !l.is_empty())
        .collect()
}

pub(super) fn sections(f: &mut Fields, list: Vec<Section>) -> Vec<Section> {
    let mut out = Vec::new();
    for sec in list {
        let title = input::name(f, "sections", &sec.title);
        let text = input::long_text(f, "sections", sec.text);
        if let (Some(title), Some(text)) = (title, text) {
            out.push(Section { title, text });
        }
    }
    out
}

pub(super) fn scenarios(f: &mut Fields, list: Vec<Scenario>) -> Vec<Scenario> {
    let mut out = Vec::new();
    for sc in list {
        let name = input::name(f, "scenarios", &sc.name);
        let steps = lines(f, "scenarios", sc.steps);
        if let Some(name) = name {
            out.push(Scenario { name, steps });
        }
    }
    out
}

pub(super) fn messages(f: &mut Fields, list: Vec<MessageTemplate>) -> Vec<MessageTemplate> {
    let mut out: Vec<MessageTemplate> = Vec::new();
    for m in list {
        if out.iter().any(|o| o.kind == m.kind) {
            f.take::<()>(
                "messages",
                Err("holds one message per kind (first_notice, update, resolved)"),
            );
            continue;
        }
        let unknown = unknown_placeholders(&format!("{} {}", m.subject, m.body));
        if !unknown.is_empty() {
            let known = crate::domain::customers::PLACEHOLDERS
                .map(|p| format!("{{{p}}}"))
                .join(", ");
            f.take::<()>(
                "messages",
                Err(format!(
                    "uses unknown placeholders {}; known are {known}",
                    unknown.join(", ")
                )),
            );
        }
        let subject = input::line(f, "messages", m.subject);
        let body = input::long_text(f, "messages", m.body);
        if let (Some(subject), Some(body)) = (subject, body) {
            out.push(MessageTemplate {
                kind: m.kind,
                subject,
                body,
            });
        }
    }
    out.sort_by_key(|m| m.kind);
    out
}

pub(super) fn service_desk(f: &mut Fields, d: ServiceDesk) -> ServiceDesk {
    ServiceDesk {
        overflow_name: input::line(f, "service_desk", d.overflow_name).unwrap_or_default(),
        overflow_phone: input::phone(f, "service_desk", d.overflow_phone).unwrap_or_default(),
        overflow_email: input::optional_email(f, "service_desk", d.overflow_email)
            .unwrap_or_default(),
        switch_when: input::line(f, "service_desk", d.switch_when).unwrap_or_default(),
    }
}

pub async fn update_settings(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    input: SettingsInput,
) -> AppResult<PlanSettings> {
    clients::get(&state.db, scope, client_id).await?;
    scope.require_plan_editor()?;
    let row = plan_row(&state.db, scope, client_id).await?;
    let mut active: plan::ActiveModel = row.into();
    let mut f = Fields::default();
    if let Some(v) = input.minutes_per_call {
        if let Some(v) = f.take(
            "minutes_per_call",
            if (1..=120).contains(&v) {
                Ok(v as i32)
            } else {
                Err("must be 1 to 120 minutes")
            },
        ) {
            active.minutes_per_call = Set(v);
        }
    }
    if let Some(v) = input.wave_minutes {
        if let Some(v) = f.take(
            "wave_minutes",
            if (1..=1440).contains(&v) {
                Ok(v as i32)
            } else {
                Err("must be 1 to 1440 minutes")
            },
        ) {
            active.wave_minutes = Set(v);
        }
    }
    for (field, value, column) in [
        (
            "drill_every_months",
            input.drill_every_months,
            &mut active.drill_every_months,
        ),
        (
            "restore_test_every_months",
            input.restore_test_every_months,
            &mut active.restore_test_every_months,
        ),
        (
            "tabletop_every_months",
            input.tabletop_every_months,
            &mut active.tabletop_every_months,
        ),
    ] {
        if let Some(v) = value {
            let checked = if (1..=60).contains(&v) {
                Ok(v as i32)
            } else {
                Err("must be 1 to 60 months")
            };
            if let Some(v) = f.take(field, checked) {
                *column = Set(v);
            }
        }
    }
    if let Some(v) = input.max_calls_per_person {
        if let Some(v) = f.take(
            "max_calls_per_person",
            if (1..=50).contains(&v) {
                Ok(v as i32)
            } else {
                Err("must be 1 to 50")
            },
        ) {
            active.max_calls_per_person = Set(v);
        }
    }
    if let Some(v) = input
        .email_down_rule
        .and_then(|v| input::long_text(&mut f, "email_down_rule", v))
    {
        active.email_down_rule = Set(v);
    }
    if let Some(v) = input.review_due {
        active.review_due = Set(v);
    }
    if let Some(v) = input.sections {
        active.sections = Set(json(&sections(&mut f, v)));
    }
    if let Some(v) = input.scenarios {
        active.scenarios = Set(json(&scenarios(&mut f, v)));
    }
    if let Some(v) = input.messages {
        active.messages = Set(json(&messages(&mut f, v)));
    }
    if let Some(v) = input.service_desk {
        active.service_desk = Set(json(&service_desk(&mut f, v)));
    }
    if let Some(v) = input.talking_points {
        let tp = TalkingPoints {
            say: lines(&mut f, "talking_points", v.say),
            avoid: lines(&mut f, "talking_points", v.avoid),
        };
        active.talking_points = Set(json(&tp));
    }
    f.finish()?;
    active.updated_at = Set(Utc::now());
    let saved = active.update(&state.db).await?;
    audit::record(
        &state.db,
        audit::Entry::by(scope, "plan.settings", "plan").client(client_id.uuid()),
    )
    .await?;
    Ok(settings(&saved))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveInput {
    #[serde(default)]
    pub note: String,
}

/// A client admin signs the plan as it stands: the content is frozen as the next version, and the
/// next review falls due a year later unless a later date was set.
pub async fn approve(
    state: &AppState,
    session: &Session,
    client_id: ClientId,
    input: ApproveInput,
) -> AppResult<VersionInfo> {
    let scope = &session.scope;
    clients::get(&state.db, scope, client_id).await?;
    if scope.role() != Role::ClientAdmin {
        return Err(AppError::Forbidden(
            "only an admin of the client approves its plan".into(),
        ));
    }
    let mut f = Fields::default();
    let note = input::long_text(&mut f, "note", input.note);
    f.finish()?;
    let txn = state.begin_write().await?;
    // The next review date is part of what is signed, so it is set before the snapshot.
    let now = Utc::now();
    let today = now.date_naive();
    let next_review = today.with_year(today.year() + 1).unwrap_or(today);
    let plan = plan_row(&txn, scope, client_id).await?;
    if plan.review_due.is_none_or(|d| d < next_review) {
        let mut p: plan::ActiveModel = plan.into();
        p.review_due = Set(Some(next_review));
        p.update(&txn).await?;
    }
    let content = content(&txn, scope, client_id).await?;
    let versions = versions_of(&txn, scope, client_id).await?;
    if let Some(last) = versions.last() {
        if snapshot(last)? == content {
            return Err(AppError::Conflict(format!(
                "version {} already holds exactly this plan",
                last.number
            )));
        }
    }
    let number = versions.last().map_or(1, |v| v.number + 1);
    let row = plan_version::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(scope.msp_id()),
        client_id: Set(client_id.uuid()),
        number: Set(number),
        snapshot: Set(serde_json::to_string(&content).map_err(|e| AppError::Internal(e.into()))?),
        approved_by: Set(scope.user_id()),
        approved_by_name: Set(session.user.name.clone()),
        approved_at: Set(now),
        note: Set(note.unwrap_or_default()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    // The unique (client, number) index: another approval won the race.
    .map_err(|_| {
        AppError::Conflict("the plan was approved at the same moment by someone else".into())
    })?;
    audit::record(
        &txn,
        audit::Entry::by(scope, "plan.approve", format!("version {number}"))
            .client(client_id.uuid()),
    )
    .await?;
    txn.commit().await?;
    Ok(info(&row))
}

pub async fn versions(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<Vec<VersionInfo>> {
    clients::get(&state.db, scope, client_id).await?;
    Ok(versions_of(&state.db, scope, client_id)
        .await?
        .iter()
        .map(info)
        .collect())
}

#[derive(Debug, Serialize)]
pub struct VersionDetail {
    #[serde(flatten)]
    pub info: VersionInfo,
    pub content: PlanContent,
}

pub async fn version(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    number: u32,
) -> AppResult<VersionDetail> {
    clients::get(&state.db, scope, client_id).await?;
    let v = versions_of(&state.db, scope, client_id)
        .await?
        .into_iter()
        .find(|v| v.number as u32 == number)
        .ok_or(AppError::NotFound)?;
    Ok(VersionDetail {
        info: info(&v),
        content: snapshot(&v)?,
    })
}

/// `from` and `to` are version numbers; `to = None` means the current draft.
pub async fn changes(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    from: u32,
    to: Option<u32>,
) -> AppResult<Vec<Change>> {
    let old = version(state, scope, client_id, from).await?.content;
    let new = match to {
        Some(n) => version(state, scope, client_id, n).await?.content,
        None => content(&state.db, scope, client_id).await?,
    };
    Ok(diff(&old, &new))
}

#[derive(Debug, Serialize)]
pub struct Named {
    pub id: Uuid,
    pub name: String,
}

/// What an outage of some systems reaches, named for people.
#[derive(Debug, Serialize)]
pub struct ImpactView {
    pub systems: Vec<Named>,
    pub processes: Vec<Named>,
    pub customer_groups: Vec<CustomerGroupView>,
    /// Whether customers' operations are affected at all.
    pub customers_affected: bool,
}

pub async fn impact(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    down: &[Uuid],
) -> AppResult<ImpactView> {
    clients::get(&state.db, scope, client_id).await?;
    let c = content(&state.db, scope, client_id).await?;
    if let Some(unknown) = down.iter().find(|d| !c.systems.iter().any(|s| s.id == **d)) {
        return Err(AppError::field(
            "systems",
            format!("{unknown} is not a system of this client"),
        ));
    }
    let hit = crate::domain::customers::impact(&c, down);
    let named = |ids: &[Uuid], all: Vec<(Uuid, String)>| -> Vec<Named> {
        all.into_iter()
            .filter(|(id, _)| ids.contains(id))
            .map(|(id, name)| Named { id, name })
            .collect()
    };
    let systems = named(
        &hit.systems,
        c.systems.iter().map(|s| (s.id, s.name.clone())).collect(),
    );
    let processes = named(
        &hit.processes,
        c.processes.iter().map(|p| (p.id, p.name.clone())).collect(),
    );
    let customer_groups: Vec<CustomerGroupView> = c
        .customer_groups
        .into_iter()
        .filter(|g| hit.customer_groups.contains(&g.id))
        .collect();
    Ok(ImpactView {
        customers_affected: !customer_groups.is_empty(),
        systems,
        processes,
        customer_groups,
    })
}
