//! Incident mode in the portal: a client's incidents with the form that declares one, and the
//! incident itself: each affected system's clock against its RTO and its data loss against its
//! RPO, the plan as a checklist in the order it is acted on, the timeline. Plain forms and a page
//! drawn on the server: it works on a phone without the wasm, and reloads itself while open.
use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::api::{
    get_incident, get_incidents, get_status_page, AssignItem, CheckIncidentItem, CloseIncident,
    DeclareIncident, DiscardUpdate, DraftUpdate, PublishUpdate, RecordCall, RecordRecovery,
    RecordRollCall, SaveStatusPage, StartCallTree,
};
use crate::components::{action_error, use_id_param, use_t, ErrorNote};
use crate::domain::sla::spoken;
use crate::i18n::Lang;
use crate::incident_text::{texts, Texts};
use crate::model::incident::{
    ChecklistItem, IncidentSystemView, IncidentView, LegView, Part, StatusPageView, UpdateView,
};
use crate::model::plan::MessageKind;

fn lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

fn moment(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn span(minutes: i64) -> String {
    spoken(lang(), u32::try_from(minutes.max(0)).unwrap_or(u32::MAX))
}

/// A client's incidents, newest first, and (for those who may) the form that declares one.
#[component]
pub fn IncidentsPage() -> impl IntoView {
    let ut = use_t();
    let id = use_id_param();
    let declare = ServerAction::<DeclareIncident>::new();
    let error = action_error(declare);
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_incidents(id).await.map(Some),
            None => Ok(None),
        }
    });
    view! {
        <main>
            <Transition fallback=move || view! { <p class="loading">{ut.loading}</p> }>
                {move || data.get().map(|r| match r {
                    Ok(Some(p)) => {
                        let t = texts(lang());
                        let (client_id, may_act, systems) = (p.client_id, p.may_act, p.systems.clone());
                        view! {
                            <p class="muted"><a href=format!("/clients/{}", p.client_id)>{p.client_name.clone()}</a></p>
                            <h1>{t.incidents}</h1>
                            {p.incidents.is_empty().then(|| view! { <p class="empty">{t.none}</p> })}
                            <ul class="cards" data-testid="incidents">
                                {p.incidents.iter().map(|i| view! {
                                    <li class="card" data-testid="incident">
                                        <h3><a href=format!("/incidents/{}", i.id)>{i.title.clone()}</a></h3>
                                        <p class="small">
                                            <span class=if i.state == "open" { "badge breached" } else { "badge ok" }>{if i.state == "open" { t.open } else { t.closed }}</span>
                                            {i.drill.then(|| view! { " " <span class="badge unknown">{t.is_drill}</span> })}
                                            " " {i.scenario.clone()} " · " {t.began} " " {moment(i.started_at)}
                                            " · " {i.recovered} "/" {i.systems} " " {t.recovered_of}
                                        </p>
                                    </li>
                                }).collect_view()}
                            </ul>
                            {p.may_act.then(|| {
                                let client_id = p.client_id.to_string();
                                let sites: Vec<(uuid::Uuid, String)> = p.sites.iter().map(|s| (s.id, s.name.clone())).collect();
                                view! {
                                    <details class="card" data-testid="declare" open=p.incidents.is_empty()>
                                        <summary>{t.declare}</summary>
                                        <p class="muted small">{t.declare_intro}</p>
                                        <ActionForm action=declare attr:class="form grid">
                                            <input type="hidden" name="client_id" value=client_id />
                                            <label class="field wide"><span>{t.title}</span><input name="title" required maxlength="200" /></label>
                                            <label class="field"><span>{t.scenario}</span>
                                                <select name="scenario">
                                                    {p.scenarios.iter().map(|s| view! { <option value=s.clone()>{s.clone()}</option> }).collect_view()}
                                                    <option value=t.other>{t.other}</option>
                                                </select>
                                            </label>
                                            <label class="field"><span>{t.started_at}</span><input name="started_at" placeholder=t.started_hint /></label>
                                            {super::plan::choices("site_ids", t.sites, sites, &[])}
                                            {super::plan::choices("system_ids", t.systems, p.systems.clone(), &[])}
                                            <label class="check wide"><input type="checkbox" name="drill" value="on" />" " {t.drill}</label>
                                            <button type="submit">{t.declare}</button>
                                        </ActionForm>
                                        <ErrorNote error />
                                    </details>
                                }
                            })}
                            <StatusPageSetup client_id may_act systems />
                        }.into_any()
                    }
                    Ok(None) => view! { <super::NotFound /> }.into_any(),
                    Err(error) => view! { <super::PageError error /> }.into_any(),
                })}
            </Transition>
        </main>
    }
}

/// The forms of the incident page; the page is drawn on the server and loads afresh after each.
#[derive(Clone, Copy)]
struct Actions {
    check: ServerAction<CheckIncidentItem>,
    record: ServerAction<RecordRecovery>,
    close: ServerAction<CloseIncident>,
    start: ServerAction<StartCallTree>,
    call: ServerAction<RecordCall>,
    draft: ServerAction<DraftUpdate>,
    publish: ServerAction<PublishUpdate>,
    discard: ServerAction<DiscardUpdate>,
    roll: ServerAction<RecordRollCall>,
    assign: ServerAction<AssignItem>,
}

#[component]
pub fn IncidentPage() -> impl IntoView {
    let ut = use_t();
    let id = use_id_param();
    let a = Actions {
        check: ServerAction::new(),
        record: ServerAction::new(),
        close: ServerAction::new(),
        start: ServerAction::new(),
        call: ServerAction::new(),
        draft: ServerAction::new(),
        publish: ServerAction::new(),
        discard: ServerAction::new(),
        roll: ServerAction::new(),
        assign: ServerAction::new(),
    };
    let data = Resource::new(
        move || {
            (
                id(),
                a.check.version().get(),
                a.record.version().get(),
                a.close.version().get(),
                a.start.version().get() + a.call.version().get(),
                a.draft.version().get() + a.publish.version().get() + a.discard.version().get(),
                a.roll.version().get() + a.assign.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => get_incident(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Transition fallback=move || view! { <main><p class="loading">{ut.loading}</p></main> }>
            {move || data.get().map(|r| match r {
                Ok(Some(i)) => incident(i, a).into_any(),
                Ok(None) => view! { <main><super::NotFound /></main> }.into_any(),
                Err(error) => view! { <main><super::PageError error /></main> }.into_any(),
            })}
        </Transition>
    }
}

fn incident(i: IncidentView, a: Actions) -> impl IntoView {
    let t = texts(lang());
    let open = i.state == "open";
    let act = open && i.may_act;
    let record_error = action_error(a.record);
    let close_error = action_error(a.close);
    let check_error = action_error(a.check);
    let parts = [
        Part::Scenario,
        Part::Safety,
        Part::Staff,
        Part::Customers,
        Part::It,
    ];
    let id = i.id;
    view! {
        <main class="wide" data-refresh-seconds=open.then_some("30")>
            <p class="muted"><a href=format!("/clients/{}/incidents", i.client_id)>{i.client_name.clone()}</a></p>
            <h1 data-testid="incident-title">{i.title.clone()}</h1>
            <p data-testid="incident-state">
                <span class=if open { "badge breached" } else { "badge ok" }>{if open { t.open } else { t.closed }}</span>
                {i.drill.then(|| view! { " " <span class="badge unknown">{t.is_drill}</span> })}
                " " {i.scenario.clone()} " · " {t.began} " " {moment(i.started_at)}
                {(!i.sites.is_empty()).then(|| format!(" · {}", i.sites.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")))}
            </p>
            {open.then(|| view! { <p class="muted small">{t.from_outside}</p> })}
            <p class="small" data-testid="report-links">
                {t.report} ": "
                <a rel="external" target="_blank" href=format!("/api/v1/incidents/{}/report?format=html&lang={}", i.id, lang().code())>"HTML"</a> " · "
                <a rel="external" href=format!("/api/v1/incidents/{}/report?format=pdf&lang={}", i.id, lang().code())>"PDF"</a>
            </p>
            {(!i.systems.is_empty()).then(|| view! {
                <h2>{t.recovery}</h2>
                <section class="systems" data-testid="incident-systems">
                    {i.systems.iter().map(|s| system_card(t, id, s, act, a)).collect_view()}
                </section>
                <ErrorNote error=record_error />
            })}
            <h2>{t.checklist}</h2>
            <ErrorNote error=check_error />
            {parts.into_iter().filter_map(|part| {
                let items: Vec<&ChecklistItem> = i.checklist.iter().filter(|c| c.part == part).collect();
                (!items.is_empty()).then(|| view! {
                    <h3>{t.parts[part as usize]}</h3>
                    <ul class="checklist" data-testid="checklist">
                        {items.into_iter().map(|c| checklist_item(t, id, c, act, &i.people, a)).collect_view()}
                    </ul>
                    {(part == Part::Safety && !i.roll_call.is_empty()).then(|| roll_call(t, &i, act, a))}
                })
            }).collect_view()}
            {call_tree(t, &i, act, a)}
            {customers(t, &i, act, a)}
            <h2>{t.timeline}</h2>
            <ol class="timeline" data-testid="timeline">
                {i.timeline.iter().rev().map(|e| view! {
                    <li><span class="muted small">{moment(e.at)} " · " {e.actor.clone()}</span><br />{e.text.clone()}</li>
                }).collect_view()}
            </ol>
            {(!open && !i.lessons.is_empty()).then(|| view! {
                <h2>{t.lessons}</h2>
                <p class="prewrap" data-testid="lessons">{i.lessons.clone()}</p>
            })}
            {act.then(|| view! {
                <details class="card" data-testid="close-incident">
                    <summary>{t.close}</summary>
                    <ActionForm action=a.close attr:class="form">
                        <input type="hidden" name="id" value=id.to_string() />
                        <label class="field wide"><span>{t.lessons}</span><textarea name="lessons" rows="4" maxlength="10000"></textarea></label>
                        <button type="submit" class="danger">{t.close_now}</button>
                    </ActionForm>
                    <ErrorNote error=close_error />
                </details>
            })}
        </main>
    }
}

fn verdict(t: &'static Texts, met: Option<bool>) -> impl IntoView {
    match met {
        Some(true) => view! { <span class="badge ok">{t.met}</span> }.into_any(),
        Some(false) => view! { <span class="badge breached">{t.missed}</span> }.into_any(),
        None => view! { <span class="muted">{t.no_target}</span> }.into_any(),
    }
}

fn system_card(
    t: &'static Texts,
    id: uuid::Uuid,
    s: &IncidentSystemView,
    act: bool,
    a: Actions,
) -> impl IntoView {
    let r = s.recovery;
    let target = |m: Option<u32>| m.map_or_else(|| "—".to_string(), |m| spoken(lang(), m));
    let clock = match (r.downtime_minutes, r.down_so_far_minutes) {
        (Some(d), _) => view! {
            <dt>{t.downtime}</dt><dd data-testid="downtime">{span(d)} " " {verdict(t, r.rto_met)}</dd>
        }
        .into_any(),
        (None, Some(so_far)) => view! {
            <dt>{t.down_for}</dt>
            <dd data-testid="down-for" class=if r.rto_overdue { "late" } else { "" }>
                {span(so_far)} {r.rto_overdue.then(|| view! { " " <span class="badge breached">{t.overdue}</span> })}
            </dd>
        }
        .into_any(),
        _ => ().into_any(),
    };
    let offered = s
        .offered_restore_point_at
        .map(|p| p.format("%Y-%m-%d %H:%M").to_string());
    let (system_id, incident_id) = (s.system_id.to_string(), id.to_string());
    view! {
        <article class="card system" data-testid="incident-system">
            <header class="row"><h3>{s.name.clone()}</h3></header>
            <dl>
                <dt>{t.rto_target}</dt><dd>{target(s.rto_minutes)}</dd>
                <dt>{t.rpo_target}</dt><dd>{target(s.rpo_minutes)}</dd>
                {clock}
                {r.data_loss_minutes.map(|d| view! {
                    <dt>{t.data_loss}</dt><dd data-testid="data-loss">{span(d)} " " {verdict(t, r.rpo_met)}</dd>
                })}
                {s.restore_point_at.map(|p| view! { <dt>{t.restore_point}</dt><dd>{moment(p)}</dd> })}
                {s.recovery_started_at.map(|p| view! { <dt>{t.start_recovery}</dt><dd>{moment(p)}</dd> })}
            </dl>
            {act.then(|| view! {
                <div class="row wrap">
                    {s.recovery_started_at.is_none().then(|| step(a, &incident_id, &system_id, "started", t.start_recovery))}
                    {s.recovered_at.is_none().then(|| step(a, &incident_id, &system_id, "recovered", t.recovered_now))}
                </div>
                <ActionForm action=a.record attr:class="form grid">
                    <input type="hidden" name="id" value=incident_id.clone() />
                    <input type="hidden" name="system_id" value=system_id.clone() />
                    <input type="hidden" name="what" value="point" />
                    <label class="field"><span>{t.restore_point}</span>
                        <input name="restore_point_at" placeholder="2026-12-07 03:00" value=offered.clone().unwrap_or_default() />
                    </label>
                    {offered.clone().map(|_| view! { <p class="muted small field">{t.offered_point}</p> })}
                    <button type="submit" class="secondary" data-testid="use-point">{t.use_point}</button>
                </ActionForm>
            })}
        </article>
    }
}

/// A button that records a step of a system's recovery as of now.
fn step(
    a: Actions,
    incident: &str,
    system: &str,
    what: &'static str,
    label: &'static str,
) -> impl IntoView {
    let (incident, system) = (incident.to_string(), system.to_string());
    view! {
        <ActionForm action=a.record attr:class="inline">
            <input type="hidden" name="id" value=incident />
            <input type="hidden" name="system_id" value=system />
            <input type="hidden" name="what" value=what />
            <button type="submit" class="secondary" data-testid=format!("recovery-{what}")>{label}</button>
        </ActionForm>
    }
}

fn checklist_item(
    t: &'static Texts,
    id: uuid::Uuid,
    c: &ChecklistItem,
    act: bool,
    people: &[(uuid::Uuid, String)],
    a: Actions,
) -> impl IntoView {
    let done = c.done_at.is_some();
    let key = c.key.clone();
    let assign_key = c.key.clone();
    let assignee = c.assignee.clone();
    let chosen = c.assignee.clone();
    let people = people.to_vec();
    view! {
        <li class=if done { "done" } else { "" } data-testid="checklist-item">
            <span class="mark" aria-hidden="true">{if done { "✔" } else { "○" }}</span>
            <span class="what">{c.text.clone()}
                {c.done_at.map(|at| {
                    let by = c.done_by.clone().map(|b| format!(" · {} {b}", t.done_by));
                    view! { <span class="muted small">" · " {moment(at)} {by}</span> }
                })}
                {assignee.map(|n| view! { <span class="muted small" data-testid="assignee">" · " {t.assigned_to} " " {n}</span> })}
            </span>
            {(act && !done && !people.is_empty()).then(|| view! {
                <details class="assign">
                    <summary class="small">{t.assign}</summary>
                    <ActionForm action=a.assign attr:class="inline">
                        <input type="hidden" name="id" value=id.to_string() />
                        <input type="hidden" name="key" value=assign_key />
                        <select name="person_id" aria-label=t.assign>
                            <option value="">{t.nobody}</option>
                            {people.into_iter().map(|(pid, name)| {
                                let selected = chosen.as_deref() == Some(name.as_str());
                                view! { <option value=pid.to_string() selected=selected>{name}</option> }
                            }).collect_view()}
                        </select>
                        <button type="submit" class="secondary">{t.assign}</button>
                    </ActionForm>
                </details>
            })}
            {(act && !c.automatic).then(|| view! {
                <ActionForm action=a.check attr:class="inline">
                    <input type="hidden" name="id" value=id.to_string() />
                    <input type="hidden" name="key" value=key.clone() />
                    <input type="hidden" name="done" value=if done { "false" } else { "true" } />
                    <button type="submit" class="link">{if done { t.undo } else { t.mark_done }}</button>
                </ActionForm>
            })}
        </li>
    }
}

/// The call tree: the button that sets it going, then each person with where their leg
/// stands, and for anyone not confirmed the caller's answer.
fn call_tree(t: &'static Texts, i: &IncidentView, act: bool, a: Actions) -> impl IntoView {
    let id = i.id;
    let error = action_error(a.start);
    let call_error = action_error(a.call);
    let reached = i.calls.iter().filter(|c| c.state == "confirmed").count();
    let started = i.call_tree_at.is_some();
    let legs: Vec<LegView> = i.calls.clone();
    view! {
        <h2>{t.call_tree}</h2>
        {(!started && act).then(|| view! {
            <p class="muted small">{t.call_tree_hint}</p>
            <ActionForm action=a.start attr:class="inline">
                <input type="hidden" name="id" value=id.to_string() />
                <button type="submit" data-testid="start-call-tree">{t.start_call_tree}</button>
            </ActionForm>
            <ErrorNote error />
        })}
        {(!started && !act).then(|| view! { <p class="muted">{t.call_tree_not_yet}</p> })}
        {started.then(|| view! {
            <p data-testid="call-counts">{reached} " / " {legs.len()} " " {t.reached_n}</p>
            <ul class="legs" data-testid="legs">
                {legs.into_iter().map(|c| leg_row(t, id, c, act, a)).collect_view()}
            </ul>
            <ErrorNote error=call_error />
        })}
    }
}

fn leg_row(t: &'static Texts, id: uuid::Uuid, c: LegView, act: bool, a: Actions) -> impl IntoView {
    let badge = match c.state.as_str() {
        "confirmed" => "badge ok",
        "escalated" | "unreachable" => "badge breached",
        _ => "badge unknown",
    };
    let state = t.leg_state(&c.state);
    let how = t.channel(&c.channel);
    let by = c.caller_name.map(|n| format!(" · {} {n}", t.called_by));
    let escalated = c
        .escalated_to_name
        .map(|n| format!(" · {} {n}", t.escalated_to));
    let phones = c.phones.join(", ");
    let phones = (!phones.is_empty()).then(|| format!(" · {phones}"));
    let open = c.state != "confirmed" && act;
    let (incident, leg) = (id.to_string(), c.id.to_string());
    view! {
        <li data-testid="leg">
            <strong>{c.person_name}</strong> " " <span class=badge>{state}</span>
            <br /><span class="muted small">{t.wave} " " {c.wave} " · " {how} {by} {escalated} {phones}</span>
            {open.then(|| view! {
                <div class="row wrap">
                    {["confirmed", "unreachable"].into_iter().map(|s| {
                        let (incident, leg) = (incident.clone(), leg.clone());
                        view! {
                            <ActionForm action=a.call attr:class="inline">
                                <input type="hidden" name="id" value=incident />
                                <input type="hidden" name="leg_id" value=leg />
                                <input type="hidden" name="state" value=s />
                                <button type="submit" class="secondary">{if s == "confirmed" { t.mark_reached } else { t.mark_unreachable }}</button>
                            </ActionForm>
                        }
                    }).collect_view()}
                </div>
            })}
        </li>
    }
}

/// Customer updates: the groups the incident reaches, each update with where it stands, the
/// draft form (prefilled from the plan's template for this moment) and, per draft, the button
/// that approves and publishes it.
fn customers(t: &'static Texts, i: &IncidentView, act: bool, a: Actions) -> impl IntoView {
    let errors = [
        action_error(a.draft),
        action_error(a.publish),
        action_error(a.discard),
    ];
    let published = i.updates.iter().any(|u| u.published_at.is_some());
    let wanted = if published {
        MessageKind::Update
    } else {
        MessageKind::FirstNotice
    };
    let prefill = i
        .notices
        .iter()
        .find(|n| n.kind == wanted)
        .map(|n| n.body.clone())
        .unwrap_or_default();
    let affected: Vec<uuid::Uuid> = i.affected_groups.iter().map(|g| g.id).collect();
    let groups = i.groups.clone();
    let drill = i.drill;
    let id = i.id;
    view! {
        <h2>{t.customers}</h2>
        <p class="muted small">{t.customers_hint}</p>
        {i.status_page.clone().map(|path| view! {
            <p class="small" data-testid="status-page-link">{t.status_page} ": " <a rel="external" target="_blank" class="break" href=path.clone()>{path.clone()}</a></p>
        })}
        <h3>{t.affected_groups}</h3>
        {i.affected_groups.is_empty().then(|| view! { <p class="muted">{t.no_affected}</p> })}
        <ul class="plain" data-testid="affected-groups">
            {i.affected_groups.iter().map(|g| view! {
                <li><strong>{g.name.clone()}</strong> <span class="muted small">" · " {g.processes.join(", ")}</span></li>
            }).collect_view()}
        </ul>
        {i.drill.then(|| view! { <p class="muted">{t.drill_no_customers}</p> })}
        {(i.updates.is_empty() && !i.drill).then(|| view! { <p class="empty">{t.no_updates}</p> })}
        <ul class="updates" data-testid="updates">
            {i.updates.iter().map(|u| update_row(t, id, u, act, a)).collect_view()}
        </ul>
        {errors.into_iter().map(|error| view! { <ErrorNote error /> }).collect_view()}
        {(act && !drill).then(|| view! {
            <details class="card" data-testid="draft-update" open=!published>
                <summary>{t.new_update}</summary>
                <ActionForm action=a.draft attr:class="form grid">
                    <input type="hidden" name="id" value=id.to_string() />
                    <label class="field wide"><span>{t.body}</span>
                        <textarea name="body" rows="7" maxlength="5000" required>{prefill}</textarea>
                    </label>
                    <fieldset class="choices" data-testid="audience">
                        <legend>{t.audience}</legend>
                        <label class="check"><input type="radio" name="audience" value="public" checked />" " {t.audience_public}</label>
                        <label class="check"><input type="radio" name="audience" value="groups" />" " {t.audience_groups}</label>
                    </fieldset>
                    {super::plan::choices("group_ids", t.affected_groups, groups, &affected)}
                    <button type="submit" data-testid="save-draft">{t.save_draft}</button>
                </ActionForm>
            </details>
        })}
    }
}

fn update_row(
    t: &'static Texts,
    id: uuid::Uuid,
    u: &UpdateView,
    act: bool,
    a: Actions,
) -> impl IntoView {
    let draft = u.published_at.is_none();
    let whom = if u.audience_names.is_empty() {
        t.for_everyone.to_string()
    } else {
        format!("{} {}", t.for_groups, u.audience_names.join(", "))
    };
    let when = u.published_at.unwrap_or(u.created_at);
    let by = u
        .approved_by
        .clone()
        .map(|b| format!(" · {} {b}", t.approved_by));
    let (incident, update) = (id.to_string(), u.id.to_string());
    let (incident2, update2) = (incident.clone(), update.clone());
    view! {
        <li class="card" data-testid="update">
            <p class="small">
                <span class=if draft { "badge unknown" } else { "badge ok" }>{if draft { t.draft } else { t.published }}</span>
                " " {whom} " · " {moment(when)} {by}
            </p>
            <p class="prewrap">{u.body.clone()}</p>
            {(draft && act).then(|| view! {
                <div class="row wrap">
                    <ActionForm action=a.publish attr:class="inline">
                        <input type="hidden" name="id" value=incident />
                        <input type="hidden" name="update_id" value=update />
                        <button type="submit" data-testid="publish-update">{t.publish}</button>
                    </ActionForm>
                    <ActionForm action=a.discard attr:class="inline">
                        <input type="hidden" name="id" value=incident2 />
                        <input type="hidden" name="update_id" value=update2 />
                        <button type="submit" class="secondary">{t.discard}</button>
                    </ActionForm>
                </div>
            })}
        </li>
    }
}

/// The client's public status page: its links and subscribers for everyone who follows
/// incidents, and for those who run them the form that sets it up.
#[component]
fn StatusPageSetup(
    client_id: uuid::Uuid,
    may_act: bool,
    systems: Vec<(uuid::Uuid, String)>,
) -> impl IntoView {
    let save = ServerAction::<SaveStatusPage>::new();
    let error = action_error(save);
    let page = Resource::new(
        move || save.version().get(),
        move |_| get_status_page(client_id),
    );
    view! {
        <section class="card" data-testid="status-page">
            <Transition fallback=|| ()>
                {move || page.get().map(|r| {
                    let t = texts(lang());
                    let p: Option<StatusPageView> = r.ok().flatten();
                    let systems = systems.clone();
                    view! {
                        <h2>{t.status_page}</h2>
                        <p class="muted small">{t.status_page_intro}</p>
                        {p.is_none().then(|| view! { <p class="empty">{t.status_page_none}</p> })}
                        {p.clone().map(|p| view! {
                            <p data-testid="status-page-public">{t.public_link} ": " <a rel="external" target="_blank" class="break" href=p.path.clone()>{p.path.clone()}</a>
                                <span class="muted small">" · " {p.subscribers} " " {t.subscribers} " · " {p.pending_subscribers} " " {t.pending_subscribers}</span></p>
                            {(!p.group_links.is_empty()).then(|| view! {
                                <p class="small">{t.group_links}</p>
                                <ul class="plain small" data-testid="group-links">
                                    {p.group_links.iter().map(|g| view! {
                                        <li>{g.name.clone()} ": " <a rel="external" target="_blank" class="break" href=g.path.clone()>{g.path.clone()}</a></li>
                                    }).collect_view()}
                                </ul>
                            })}
                        })}
                        {may_act.then(|| {
                            let (title, slug, mut rows) = p.map(|p| (p.title, p.slug, p.components)).unwrap_or_default();
                            rows.push(crate::model::incident::ComponentView { name: String::new(), system_ids: Vec::new() });
                            let fresh = title.is_empty();
                            view! {
                                <details data-testid="status-page-form" open=fresh>
                                    <summary>{t.edit_page}</summary>
                                    <ActionForm action=save attr:class="form grid">
                                        <input type="hidden" name="client_id" value=client_id.to_string() />
                                        <label class="field"><span>{t.page_title}</span><input name="title" required maxlength="200" value=title /></label>
                                        <label class="field"><span>{t.slug}</span><input name="slug" maxlength="64" pattern="[a-z0-9][a-z0-9-]{1,62}[a-z0-9]" value=slug /></label>
                                        <p class="muted small wide">{t.component_hint}</p>
                                        {rows.into_iter().enumerate().map(|(n, c)| view! {
                                            <fieldset class="choices wide" data-testid="component">
                                                <legend>{t.components} " " {n + 1}</legend>
                                                <label class="field"><span>{t.component_name}</span><input name=format!("components[{n}][name]") maxlength="100" value=c.name.clone() /></label>
                                                {systems.iter().enumerate().map(|(k, (sid, name))| view! {
                                                    <label class="check"><input type="checkbox" name=format!("components[{n}][system_ids][{k}]") value=sid.to_string() checked=c.system_ids.contains(sid) />" " {name.clone()}</label>
                                                }).collect_view()}
                                            </fieldset>
                                        }).collect_view()}
                                        <button type="submit" data-testid="save-status-page">{t.save_page}</button>
                                    </ActionForm>
                                    <ErrorNote error />
                                </details>
                            }
                        })}
                    }
                })}
            </Transition>
        </section>
    }
}

/// The roll call of the people at the affected sites: each with where they stand and, for those
/// who run the incident, the buttons that say it.
fn roll_call(t: &'static Texts, i: &IncidentView, act: bool, a: Actions) -> impl IntoView {
    let id = i.id.to_string();
    let error = action_error(a.roll);
    const WORDS: [&str; 4] = ["safe", "injured", "missing", "unknown"];
    view! {
        <h3>{t.roll_call}</h3>
        <ul class="legs" data-testid="roll-call">
            {i.roll_call.iter().map(|r| {
                let n = WORDS.iter().position(|w| *w == r.state).unwrap_or(3);
                let badge = match r.state.as_str() {
                    "safe" => "badge ok",
                    "injured" | "missing" => "badge bad",
                    _ => "badge unknown",
                };
                let (id, person) = (id.clone(), r.person_id.to_string());
                view! {
                    <li data-testid="roll-call-person">
                        <strong>{r.name.clone()}</strong> " " <span class=badge>{t.standings[n]}</span>
                        <br /><span class="muted small">{r.site.clone()}
                            {r.noted_by.clone().map(|b| format!(" · {} {b}", t.done_by))}</span>
                        {act.then(|| view! {
                            <div class="row wrap">
                                {WORDS.iter().take(3).enumerate().map(|(k, w)| {
                                    let (id, person) = (id.clone(), person.clone());
                                    view! {
                                        <ActionForm action=a.roll attr:class="inline">
                                            <input type="hidden" name="id" value=id />
                                            <input type="hidden" name="person_id" value=person />
                                            <input type="hidden" name="state" value=*w />
                                            <button type="submit" class="secondary">{t.standings[k]}</button>
                                        </ActionForm>
                                    }
                                }).collect_view()}
                            </div>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
        <ErrorNote error />
    }
}
