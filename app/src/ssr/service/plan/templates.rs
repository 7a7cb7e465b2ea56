//! The MSP's template library: the shipped templates plus its own, and starting (or topping up) a
//! client's plan from one. Templates are MSP-level; client users never see them.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

use super::input;
use super::overview::{self, json};
use crate::domain::templates::{builtin, BUILTIN_IDS};
use crate::ids::ClientId;
use crate::model::plan::{
    ServiceDesk, TalkingPoints, TemplateBody, TemplateGroup, TemplateProcess, TemplateView,
};
use crate::ssr::entity::{customer_group, plan, plan_template, process};
use crate::ssr::error::{AppError, AppResult};
use crate::ssr::repo::{audit, clients};
use crate::ssr::scope::Scope;
use crate::ssr::service::Fields;
use crate::ssr::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub name: Option<String>,
    pub lang: Option<String>,
    pub body: Option<TemplateBody>,
    /// Start from another template (a built-in one, say) instead of a body.
    pub from_template: Option<String>,
    /// Start from a client's current plan: what worked there becomes the template.
    pub from_client_id: Option<Uuid>,
}

fn view(t: plan_template::Model) -> TemplateView {
    TemplateView {
        id: t.id.to_string(),
        body: serde_json::from_str(&t.body).unwrap_or_default(),
        name: t.name,
        lang: t.lang,
        builtin: false,
    }
}

async fn own(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: &str,
) -> AppResult<plan_template::Model> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    scope
        .select::<plan_template::Entity>()
        .filter(plan_template::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn list(state: &AppState, scope: &Scope) -> AppResult<Vec<TemplateView>> {
    scope.require_msp_staff()?;
    let mut rows = scope
        .select::<plan_template::Entity>()
        .all(&state.db)
        .await?;
    rows.sort_by_key(|r| r.name.to_lowercase());
    Ok(builtin()
        .into_iter()
        .chain(rows.into_iter().map(view))
        .collect())
}

pub async fn get(state: &AppState, scope: &Scope, id: &str) -> AppResult<TemplateView> {
    scope.require_msp_staff()?;
    if let Some(t) = builtin().into_iter().find(|t| t.id == id) {
        return Ok(t);
    }
    own(&state.db, scope, id).await.map(view)
}

fn lang(f: &mut Fields, v: String) -> Option<String> {
    f.take(
        "lang",
        if ["en", "nl"].contains(&v.as_str()) {
            Ok(v)
        } else {
            Err("must be en or nl")
        },
    )
}

/// The same rules as the plan itself: a template cannot carry what a plan would refuse.
fn clean(f: &mut Fields, b: TemplateBody) -> TemplateBody {
    let mut processes = Vec::new();
    for p in b.processes {
        let name = input::name(f, "body.processes", &p.name);
        let targets = [p.rto_minutes, p.rpo_minutes]
            .map(|m| input::target(f, "body.processes", m.map(i64::from)));
        if let Some(name) = name {
            processes.push(TemplateProcess {
                name,
                rto_minutes: targets[0].map(|m| m as u32),
                rpo_minutes: targets[1].map(|m| m as u32),
                ..p
            });
        }
    }
    let names: Vec<&str> = processes.iter().map(|p| p.name.as_str()).collect();
    let mut groups = Vec::new();
    for g in b.customer_groups {
        if let Some(missing) = g.processes.iter().find(|p| !names.contains(&p.as_str())) {
            f.take::<()>(
                "body.customer_groups",
                Err(format!(
                    "names process “{missing}”, which the template does not have"
                )),
            );
        }
        if let Some(name) = input::name(f, "body.customer_groups", &g.name) {
            groups.push(TemplateGroup { name, ..g });
        }
    }
    TemplateBody {
        sections: overview::sections(f, b.sections),
        scenarios: overview::scenarios(f, b.scenarios),
        email_down_rule: input::long_text(f, "body.email_down_rule", b.email_down_rule)
            .unwrap_or_default(),
        messages: overview::messages(f, b.messages),
        talking_points: TalkingPoints {
            say: overview::lines(f, "body.talking_points", b.talking_points.say),
            avoid: overview::lines(f, "body.talking_points", b.talking_points.avoid),
        },
        service_desk_switch_when: input::line(
            f,
            "body.service_desk_switch_when",
            b.service_desk_switch_when,
        )
        .unwrap_or_default(),
        processes,
        customer_groups: groups,
    }
}

/// A template made of what a client's plan holds now (without people, sites or systems).
async fn from_client(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
) -> AppResult<TemplateBody> {
    clients::get(&state.db, scope, client_id).await?;
    let c = overview::content(&state.db, scope, client_id).await?;
    let names: HashMap<Uuid, String> = c.processes.iter().map(|p| (p.id, p.name.clone())).collect();
    Ok(TemplateBody {
        sections: c.sections,
        scenarios: c.scenarios,
        email_down_rule: c.settings.email_down_rule,
        messages: c.communication.messages,
        talking_points: c.communication.talking_points,
        service_desk_switch_when: c.communication.service_desk.switch_when,
        processes: c
            .processes
            .into_iter()
            .map(|p| TemplateProcess {
                name: p.name,
                description: p.description,
                impact_hour: p.impact_hour,
                impact_day: p.impact_day,
                impact_week: p.impact_week,
                rto_minutes: p.rto_minutes,
                rpo_minutes: p.rpo_minutes,
            })
            .collect(),
        customer_groups: c
            .customer_groups
            .into_iter()
            .map(|g| TemplateGroup {
                name: g.name,
                description: g.description,
                processes: g
                    .processes
                    .iter()
                    .filter_map(|p| names.get(p).cloned())
                    .collect(),
            })
            .collect(),
    })
}

pub async fn create(
    state: &AppState,
    scope: &Scope,
    input: TemplateInput,
) -> AppResult<TemplateView> {
    scope.require_msp_staff()?;
    let mut f = Fields::default();
    let name = match input.name.as_deref() {
        Some(n) => input::name(&mut f, "name", n),
        None => f.take("name", Err("is required")),
    };
    let lang = lang(&mut f, input.lang.unwrap_or_else(|| "en".into()));
    let body = match (input.body, input.from_template, input.from_client_id) {
        (Some(b), None, None) => b,
        (None, Some(t), None) => get(state, scope, &t).await?.body,
        (None, None, Some(c)) => from_client(state, scope, ClientId::from(c)).await?,
        (None, None, None) => TemplateBody::default(),
        _ => {
            return Err(AppError::field(
                "body",
                "give at most one of body, from_template, from_client_id",
            ))
        }
    };
    let body = clean(&mut f, body);
    f.finish()?;
    let now = Utc::now();
    let txn = state.begin_write().await?;
    let row = plan_template::ActiveModel {
        id: Set(Uuid::new_v4()),
        msp_id: Set(scope.msp_id()),
        name: Set(name.unwrap_or_default()),
        lang: Set(lang.unwrap_or_default()),
        body: Set(json(&body)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry::by(scope, "template.create", row.name.clone()),
    )
    .await?;
    txn.commit().await?;
    Ok(view(row))
}

fn refuse_builtin(id: &str) -> AppResult<()> {
    if BUILTIN_IDS.contains(&id) {
        return Err(AppError::Forbidden(
            "the shipped templates cannot be changed; make a copy with from_template".into(),
        ));
    }
    Ok(())
}

pub async fn update(
    state: &AppState,
    scope: &Scope,
    id: &str,
    input: TemplateInput,
) -> AppResult<TemplateView> {
    scope.require_msp_staff()?;
    refuse_builtin(id)?;
    let row = own(&state.db, scope, id).await?;
    if input.from_template.is_some() || input.from_client_id.is_some() {
        return Err(AppError::field(
            "body",
            "a template is changed with name, lang and body",
        ));
    }
    let mut f = Fields::default();
    let mut active: plan_template::ActiveModel = row.into();
    if let Some(v) = input
        .name
        .as_deref()
        .and_then(|n| input::name(&mut f, "name", n))
    {
        active.name = Set(v);
    }
    if let Some(v) = input.lang.and_then(|v| lang(&mut f, v)) {
        active.lang = Set(v);
    }
    if let Some(b) = input.body {
        active.body = Set(json(&clean(&mut f, b)));
    }
    f.finish()?;
    active.updated_at = Set(Utc::now());
    let txn = state.begin_write().await?;
    let saved = active.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry::by(scope, "template.update", saved.name.clone()),
    )
    .await?;
    txn.commit().await?;
    Ok(view(saved))
}

pub async fn delete(state: &AppState, scope: &Scope, id: &str) -> AppResult<()> {
    scope.require_msp_staff()?;
    refuse_builtin(id)?;
    let row = own(&state.db, scope, id).await?;
    let name = row.name.clone();
    let txn = state.begin_write().await?;
    sea_orm::ModelTrait::delete(row, &txn).await?;
    audit::record(&txn, audit::Entry::by(scope, "template.delete", name)).await?;
    txn.commit().await?;
    Ok(())
}

/// Fills a client's plan from a template: texts that are still empty, and processes and customer
/// groups it does not have yet (matched by name), so applying twice changes nothing.
pub async fn apply(
    state: &AppState,
    scope: &Scope,
    client_id: ClientId,
    template_id: &str,
) -> AppResult<()> {
    let client = clients::get(&state.db, scope, client_id).await?;
    let t = get(state, scope, template_id).await?;
    let txn = state.begin_write().await?;
    apply_in(&txn, scope, ClientId::from(client.id), t).await?;
    txn.commit().await?;
    crate::ssr::service::monitor::targets_changed(state, scope, ClientId::from(client.id)).await
}

/// `apply` inside the caller's transaction (a client created from a template is created with
/// its plan filled, or not at all). The caller tells monitoring that targets changed.
pub async fn apply_in(
    txn: &impl ConnectionTrait,
    scope: &Scope,
    client_id: ClientId,
    t: TemplateView,
) -> AppResult<()> {
    let client = clients::get(txn, scope, client_id).await?;
    let b = t.body;
    let row = overview::plan_row(txn, scope, ClientId::from(client.id)).await?;
    let mut p: plan::ActiveModel = row.clone().into();
    let empty = |s: &str| matches!(s.trim(), "" | "[]" | "{}");
    if empty(&row.sections) {
        p.sections = Set(json(&b.sections));
    }
    if empty(&row.scenarios) {
        p.scenarios = Set(json(&b.scenarios));
    }
    if empty(&row.messages) {
        p.messages = Set(json(&b.messages));
    }
    if row.email_down_rule.trim().is_empty() {
        p.email_down_rule = Set(b.email_down_rule.clone());
    }
    let tp: TalkingPoints = serde_json::from_str(&row.talking_points).unwrap_or_default();
    if tp.say.is_empty() && tp.avoid.is_empty() {
        p.talking_points = Set(json(&b.talking_points));
    }
    let mut desk: ServiceDesk = serde_json::from_str(&row.service_desk).unwrap_or_default();
    if desk.switch_when.is_empty() {
        desk.switch_when = b.service_desk_switch_when.clone();
        p.service_desk = Set(json(&desk));
    }
    p.updated_at = Set(Utc::now());
    p.update(txn).await?;

    let now = Utc::now();
    let mut by_name: HashMap<String, Uuid> = crate::ssr::repo::owned::of_client::<process::Entity>(
        txn,
        scope,
        ClientId::from(client.id),
    )
    .await?
    .into_iter()
    .map(|p| (p.name.to_lowercase(), p.id))
    .collect();
    for tp in &b.processes {
        if by_name.contains_key(&tp.name.to_lowercase()) {
            continue;
        }
        let id = Uuid::new_v4();
        process::ActiveModel {
            id: Set(id),
            msp_id: Set(scope.msp_id()),
            client_id: Set(client.id),
            name: Set(tp.name.clone()),
            description: Set(tp.description.clone()),
            impact_hour: Set(tp.impact_hour.clone()),
            impact_day: Set(tp.impact_day.clone()),
            impact_week: Set(tp.impact_week.clone()),
            rto_minutes: Set(tp.rto_minutes.map(|m| m as i32)),
            rpo_minutes: Set(tp.rpo_minutes.map(|m| m as i32)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
        by_name.insert(tp.name.to_lowercase(), id);
    }
    let groups = crate::ssr::repo::owned::of_client::<customer_group::Entity>(
        txn,
        scope,
        ClientId::from(client.id),
    )
    .await?;
    for g in &b.customer_groups {
        if groups.iter().any(|e| e.name.eq_ignore_ascii_case(&g.name)) {
            continue;
        }
        let processes: Vec<Uuid> = g
            .processes
            .iter()
            .filter_map(|n| by_name.get(&n.to_lowercase()).copied())
            .collect();
        customer_group::ActiveModel {
            id: Set(Uuid::new_v4()),
            msp_id: Set(scope.msp_id()),
            client_id: Set(client.id),
            name: Set(g.name.clone()),
            description: Set(g.description.clone()),
            contact: Set(String::new()),
            processes: Set(json(&processes)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
    }
    audit::record(
        txn,
        audit::Entry::by(scope, "plan.apply_template", t.name).client(client.id),
    )
    .await
}
