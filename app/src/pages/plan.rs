//! A client's continuity plan: completeness and what is missing, the four parts in the order they
//! are acted on (the call tree drawn as a tree), approval and versions, print and PDF.
use leptos::prelude::*;
use std::collections::HashMap;
use uuid::Uuid;

use crate::api::{
    get_plan, AddCustomerGroup, AddPerson, AddProcess, AddSite, AddSystem, ApprovePlan,
    DeletePlanItem, PlanPage, UpdateCommunication, UpdateCustomerGroup, UpdatePerson,
    UpdateProcess, UpdateSite, UpdateSystem,
};
use crate::components::{action_error, use_t, ErrorNote};
use crate::i18n::Lang;
use crate::model::plan::{CustomerGroupView, Part, PersonView, PlanView, SiteView};
use crate::plan_text::{self as text, duration, PlanTexts};

mod policy;

fn lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// The people one caller calls, and theirs, as nested lists.
fn tree_branch(
    p: &PersonView,
    kids: &HashMap<Option<Uuid>, Vec<PersonView>>,
    depth: usize,
) -> AnyView {
    let t = text::texts(lang());
    let phone = if p.mobile.is_empty() {
        p.landline.clone()
    } else {
        p.mobile.clone()
    };
    let children: Vec<PersonView> = if depth > 50 {
        vec![]
    } else {
        kids.get(&Some(p.id)).cloned().unwrap_or_default()
    };
    view! {
        <li>
            <span class="node">
                <strong>{p.name.clone()}</strong>
                {p.is_coordinator.then(|| view! { <span class="badge ok">{t.coordinator}</span> })}
                <span class="muted">" " {if phone.is_empty() { "—".to_string() } else { phone }}</span>
            </span>
            {(!children.is_empty()).then(|| view! {
                <ul>{children.iter().map(|c| tree_branch(c, kids, depth + 1)).collect_view()}</ul>
            })}
        </li>
    }
    .into_any()
}

#[component]
fn CallTree(plan: PlanView) -> impl IntoView {
    let t = text::texts(lang());
    let mut kids: HashMap<Option<Uuid>, Vec<PersonView>> = HashMap::new();
    for p in &plan.content.people {
        kids.entry(p.caller_id).or_default().push(p.clone());
    }
    let roots: Vec<PersonView> = plan
        .content
        .people
        .iter()
        .filter(|p| p.is_coordinator)
        .cloned()
        .collect();
    let ct = plan.call_tree.clone();
    let estimate = t
        .estimate
        .replace("{depth}", &ct.depth.to_string())
        .replace("{minutes}", &ct.minutes_per_call.to_string())
        .replace("{total}", &ct.estimate_minutes.to_string());
    view! {
        <div class="card">
            <h3>{t.call_tree}</h3>
            {if roots.is_empty() {
                view! { <p class="muted">{t.empty_part}</p> }.into_any()
            } else {
                view! { <ul class="tree" data-testid="call-tree">{roots.iter().map(|r| tree_branch(r, &kids, 0)).collect_view()}</ul> }.into_any()
            }}
            <p class="muted" data-testid="call-estimate">{estimate}</p>
        </div>
    }
}

fn part_gaps(plan: &PlanView, part: Part) -> impl IntoView {
    let l = lang();
    let lines: Vec<String> = plan
        .gaps
        .iter()
        .filter(|g| g.part == part)
        .map(|g| text::gap(l, g.code, &g.subject))
        .collect();
    (!lines.is_empty()).then(|| view! { <ul class="gaps">{lines.into_iter().map(|g| view! { <li>{g}</li> }).collect_view()}</ul> })
}

#[component]
fn Approval(page: PlanPage, action: ServerAction<ApprovePlan>) -> impl IntoView {
    let t = text::texts(lang());
    let plan = &page.plan;
    let status = match &plan.approved {
        Some(v) => t
            .approved_line
            .replace("{n}", &v.number.to_string())
            .replace("{name}", &v.approved_by_name)
            .replace("{date}", &v.approved_at.format("%Y-%m-%d").to_string()),
        None => t.never_approved.to_string(),
    };
    let review = plan.content.settings.review_due.map(|d| {
        let overdue = plan.review_overdue;
        view! {
            <p class=if overdue { "error" } else { "muted" } data-testid="review-due">
                {t.review_due} " " {d.to_string()} {overdue.then(|| format!(" ({})", t.overdue))}
            </p>
        }
    });
    let error = action_error(action);
    let client_id = plan.client_id.to_string();
    let changed = plan.changed_since_approval && plan.approved.is_some();
    let since = plan
        .approved
        .as_ref()
        .map(|v| t.changes_since.replace("{n}", &v.number.to_string()));
    view! {
        <section class="card" data-testid="approval">
            <h2>{t.parts[4]}</h2>
            <super::exercises::OverdueNote client_id=plan.client_id overdue=plan.overdue />
            <p data-testid="approval-status"><strong>{status}</strong></p>
            {changed.then(|| view! { <p class="badge">{t.changed_since}</p> })}
            {review}
            {(since.is_some() && !page.changes.is_empty()).then(|| view! {
                <h3>{since.clone()}</h3>
                <ul class="changes" data-testid="changes">{page.changes.iter().map(|c| view! { <li>{c.text.clone()}</li> }).collect_view()}</ul>
            })}
            {page.can_approve.then(|| view! {
                <ActionForm action attr:class="inline-form">
                    <input type="hidden" name="client_id" value=client_id.clone() />
                    <input name="note" placeholder=t.approve_note aria-label=t.approve_note maxlength="2000" />
                    <button type="submit" data-testid="approve" disabled=move || action.pending().get()>{t.approve}</button>
                </ActionForm>
                <ErrorNote error />
            })}
            {(!page.versions.is_empty()).then(|| view! {
                <h3>{t.versions}</h3>
                <ol class="versions">{page.versions.iter().rev().map(|v| view! {
                    <li>
                        {t.approved_line.replace("{n}", &v.number.to_string()).replace("{name}", &v.approved_by_name).replace("{date}", &v.approved_at.format("%Y-%m-%d %H:%M").to_string())}
                        " · "
                        <a href=format!("/api/v1/clients/{}/plan/export.pdf?version={}", plan.client_id, v.number) rel="external">"PDF"</a>
                    </li>
                }).collect_view()}</ol>
            })}
        </section>
    }
}

fn safety(plan: &PlanView, t: &'static PlanTexts, edit: Option<EditActions>) -> impl IntoView {
    let names: HashMap<Uuid, String> = plan
        .content
        .people
        .iter()
        .map(|p| (p.id, p.name.clone()))
        .collect();
    view! {
        <section class="part" id="safety">
            <h2>{t.parts[0]}</h2>
            {part_gaps(plan, Part::Safety)}
            {plan.content.sites.is_empty().then(|| view! { <p class="empty">{t.empty_part}</p> })}
            <div class="cards">
                {plan.content.sites.iter().map(|s| view! {
                    <div class="card" data-testid="site">
                        <h3>{s.name.clone()}</h3>
                        {edit.map(|a| view! { {site_editor(s, &plan.content.people, a)} {remove_button(a.remove, "site", s.id)} })}
                        <dl>
                            <dt>{t.address}</dt><dd>{s.address.clone()}</dd>
                            <dt>{t.evacuation_point}</dt><dd>{s.evacuation_point.clone()}</dd>
                            <dt>{t.assembly_point}</dt><dd>{s.assembly_point.clone()}</dd>
                            <dt>{t.safety_plan}</dt><dd>{s.safety_plan_ref.clone()}</dd>
                            <dt>{t.emergency_numbers}</dt>
                            <dd>{s.emergency_numbers.iter().map(|n| format!("{} {}", n.label, n.number).trim().to_string()).collect::<Vec<_>>().join(", ")}</dd>
                            <dt>{t.first_responders}</dt>
                            <dd>{s.first_responders.iter().filter_map(|p| names.get(p).cloned()).collect::<Vec<_>>().join(", ")}</dd>
                        </dl>
                    </div>
                }).collect_view()}
            </div>
            {(!plan.content.scenarios.is_empty()).then(|| view! {
                <h3>{t.scenarios}</h3>
                {plan.content.scenarios.iter().map(|sc| view! {
                    <details class="card"><summary>{sc.name.clone()}</summary>
                        <ol>{sc.steps.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}</ol>
                    </details>
                }).collect_view()}
            })}
        </section>
    }
}

/// Removes one item of the plan; a plain form, so it works before the wasm has loaded too.
fn remove_button(action: ServerAction<DeletePlanItem>, kind: &'static str, id: Uuid) -> AnyView {
    let t = text::texts(lang());
    // Asked first; the removal is in the audit log, and the approved version keeps the item.
    view! {
        <details class="confirm inline" data-testid="remove-confirm">
            <summary>{t.remove} "…"</summary>
            <span class="small">{t.remove_means}</span>
            <ActionForm action attr:class="inline">
                <input type="hidden" name="kind" value=kind />
                <input type="hidden" name="id" value=id.to_string() />
                <button type="submit" class="danger" data-testid="remove">{t.remove_now}</button>
            </ActionForm>
        </details>
    }
    .into_any()
}

/// An "Edit" that opens its form in a drawer at the side of the screen (a plain `<details>`, so
/// it works without the wasm too); its summary turns into the drawer's "Close".
pub fn drawer_summary(label: &'static str, close: &'static str) -> impl IntoView {
    view! {
        <summary>
            <span class="when-closed">{label}</span>
            <span class="when-open">"✕ " {close}</span>
        </summary>
    }
}

/// The RTO and RPO fields of an editor, showing what is set as people say it.
fn target_fields(rto: Option<u32>, rpo: Option<u32>) -> impl IntoView {
    let (t, l) = (text::texts(lang()), lang());
    let shown = move |m: Option<u32>| {
        m.map(|m| crate::domain::input::duration_text(l, m))
            .unwrap_or_default()
    };
    view! {
        <label class="field"><span>{t.rto}</span><input name="rto_minutes" value=shown(rto) /></label>
        <label class="field"><span>{t.rpo}</span><input name="rpo_minutes" value=shown(rpo) /></label>
        <p class="muted small">{t.duration_hint}</p>
    }
}

/// Checkboxes to choose several of the plan's items, posted as `name[i]=id` (a list for the
/// server function, with or without the wasm).
pub(crate) fn choices(
    name: &'static str,
    legend: &'static str,
    options: Vec<(Uuid, String)>,
    chosen: &[Uuid],
) -> impl IntoView {
    let t = text::texts(lang());
    let empty = options.is_empty();
    view! {
        <fieldset class="choices" data-testid=format!("choose-{name}")>
            <legend>{legend}</legend>
            {empty.then(|| view! { <p class="muted small">{t.none}</p> })}
            {options.into_iter().enumerate().map(|(i, (id, label))| view! {
                <label class="check"><input type="checkbox" name=format!("{name}[{i}]") value=id.to_string() checked=chosen.contains(&id) />" " {label}</label>
            }).collect_view()}
        </fieldset>
    }
}

fn names(items: impl Iterator<Item = (Uuid, String)>) -> Vec<(Uuid, String)> {
    items.collect()
}

/// Edits a site in a drawer: where it is, where people go, its emergency numbers and the people
/// who act first there.
fn site_editor(s: &SiteView, people: &[PersonView], a: EditActions) -> AnyView {
    let s = s.clone();
    let t = text::texts(lang());
    let error = action_error(a.edit_site);
    let numbers = s
        .emergency_numbers
        .iter()
        .map(|n| match n.label.is_empty() {
            true => n.number.clone(),
            false => format!("{}: {}", n.label, n.number),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let people = names(people.iter().map(|p| (p.id, p.name.clone())));
    view! {
        <details class="edit" data-testid="edit-site">
            {drawer_summary(t.edit, t.close)}
            <div class="drawer">
            <h2>{s.name.clone()}</h2>
            <ActionForm action=a.edit_site attr:class="form grid">
                <input type="hidden" name="id" value=s.id.to_string() />
                <label class="field"><span>{use_t().name}</span><input name="name" required maxlength="200" value=s.name.clone() /></label>
                <label class="field"><span>{t.address}</span><input name="address" value=s.address.clone() /></label>
                <label class="field"><span>{t.evacuation_point}</span><input name="evacuation_point" value=s.evacuation_point.clone() /></label>
                <label class="field"><span>{t.assembly_point}</span><input name="assembly_point" value=s.assembly_point.clone() /></label>
                <label class="field"><span>{t.safety_plan}</span><input name="safety_plan_ref" value=s.safety_plan_ref.clone() /></label>
                <label class="field wide"><span>{t.emergency_numbers}</span><textarea name="emergency_numbers" rows="3">{numbers}</textarea></label>
                <p class="muted small">{t.numbers_hint}</p>
                {choices("first_responders", t.first_responders, people, &s.first_responders)}
                <button type="submit">{t.save}</button>
            </ActionForm>
            <ErrorNote error />
            </div>
        </details>
    }
    .into_any()
}

/// The fields of a customer group, shared by the drawer that edits one and the form that adds one.
fn group_fields(g: Option<CustomerGroupView>, processes: Vec<(Uuid, String)>) -> impl IntoView {
    let t = text::texts(lang());
    let (name, description, contact, chosen) = match g {
        Some(g) => (g.name, g.description, g.contact, g.processes),
        None => Default::default(),
    };
    view! {
        <label class="field"><span>{use_t().name}</span><input name="name" required maxlength="200" value=name /></label>
        <label class="field"><span>{t.contact}</span><input name="contact" value=contact /></label>
        <label class="field wide"><span>{t.description}</span><textarea name="description" rows="2">{description}</textarea></label>
        {choices("processes", t.depends_on_processes, processes, &chosen)}
    }
}

/// Edits a customer group in a drawer: who they are, whom to call, what they depend on.
fn group_editor(g: &CustomerGroupView, processes: Vec<(Uuid, String)>, a: EditActions) -> AnyView {
    let g = g.clone();
    let t = text::texts(lang());
    let error = action_error(a.edit_group);
    view! {
        <details class="edit" data-testid="edit-group">
            {drawer_summary(t.edit, t.close)}
            <div class="drawer">
            <h2>{g.name.clone()}</h2>
            <ActionForm action=a.edit_group attr:class="form grid">
                <input type="hidden" name="id" value=g.id.to_string() />
                {group_fields(Some(g), processes)}
                <button type="submit">{t.save}</button>
            </ActionForm>
            <ErrorNote error />
            </div>
        </details>
    }
    .into_any()
}

/// Edits a business process in a drawer: name, impact over time, RTO and RPO.
fn process_editor(p: &crate::model::plan::ProcessView, a: EditActions) -> AnyView {
    let p = p.clone();
    let t = text::texts(lang());
    let error = action_error(a.edit_process);
    view! {
        <details class="edit" data-testid="edit-process">
            {drawer_summary(t.edit, t.close)}
            <div class="drawer">
            <h2>{p.name.clone()}</h2>
            <ActionForm action=a.edit_process attr:class="form grid">
                <input type="hidden" name="id" value=p.id.to_string() />
                <label class="field"><span>{use_t().name}</span><input name="name" required maxlength="200" value=p.name.clone() /></label>
                {target_fields(p.rto_minutes, p.rpo_minutes)}
                <label class="field"><span>{t.impact_hour}</span><input name="impact_hour" value=p.impact_hour.clone() /></label>
                <label class="field"><span>{t.impact_day}</span><input name="impact_day" value=p.impact_day.clone() /></label>
                <label class="field"><span>{t.impact_week}</span><input name="impact_week" value=p.impact_week.clone() /></label>
                <button type="submit">{t.save}</button>
            </ActionForm>
            <ErrorNote error />
            </div>
        </details>
    }
    .into_any()
}

/// Edits a system in a drawer: name, criticality, its own RTO and RPO, its owner and the steps
/// to bring it back.
fn system_editor(s: &crate::model::plan::SystemView, plan: &PlanView, a: EditActions) -> AnyView {
    let people = &plan.content.people;
    let processes = names(
        plan.content
            .processes
            .iter()
            .map(|p| (p.id, p.name.clone())),
    );
    let others = names(
        plan.content
            .systems
            .iter()
            .filter(|o| o.id != s.id)
            .map(|o| (o.id, o.name.clone())),
    );
    let s = s.clone();
    let t = text::texts(lang());
    let l = lang();
    let error = action_error(a.edit_system);
    let owner = s.owner_person_id;
    let people: Vec<(Uuid, String)> = people.iter().map(|p| (p.id, p.name.clone())).collect();
    let current = s.criticality;
    view! {
        <details class="edit" data-testid="edit-system">
            {drawer_summary(t.edit, t.close)}
            <div class="drawer">
            <h2>{s.name.clone()}</h2>
            <ActionForm action=a.edit_system attr:class="form grid">
                <input type="hidden" name="id" value=s.id.to_string() />
                <label class="field"><span>{use_t().name}</span><input name="name" required maxlength="200" value=s.name.clone() /></label>
                <label class="field"><span>{t.criticality}</span>
                    <select name="criticality">
                        {crate::domain::plan::Criticality::ALL.into_iter().map(|c| view! {
                            <option value=c.as_str() selected=c == current>{crate::plan_text::criticality(l, c)}</option>
                        }).collect_view()}
                    </select>
                </label>
                {target_fields(s.rto_minutes, s.rpo_minutes)}
                <label class="field"><span>{t.owner}</span>
                    <select name="owner_person_id">
                        <option value="">{t.none}</option>
                        {people.into_iter().map(|(id, name)| view! { <option value=id.to_string() selected=owner == Some(id)>{name}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field"><span>{t.procedure}</span><textarea name="procedure" rows="5">{s.procedure.join("\n")}</textarea></label>
                {choices("processes", t.processes, processes, &s.processes)}
                {choices("depends_on", t.depends_on, others, &s.depends_on)}
                <button type="submit">{t.save}</button>
            </ActionForm>
            <ErrorNote error />
            </div>
        </details>
    }
    .into_any()
}

/// Edits a person in place: the client admin keeps numbers and the call tree current.
fn person_editor(p: &PersonView, people: &[PersonView], a: EditActions) -> impl IntoView {
    let t = text::texts(lang());
    let ut = use_t();
    let error = action_error(a.edit_person);
    let others: Vec<(Uuid, String)> = people
        .iter()
        .filter(|o| o.id != p.id)
        .map(|o| (o.id, o.name.clone()))
        .collect();
    let caller = p.caller_id;
    let p = p.clone();
    let id = p.id;
    view! {
        <details class="edit" data-testid="edit-person">
            {drawer_summary(t.edit, t.close)}
            <div class="drawer">
            <h2>{p.name.clone()}</h2>
            <ActionForm action=a.edit_person attr:class="form grid">
                <input type="hidden" name="id" value=id.to_string() />
                <label class="field"><span>{ut.name}</span><input name="name" required value=p.name.clone() /></label>
                <label class="field"><span>{t.role}</span><input name="role_title" value=p.role_title.clone() /></label>
                <label class="field"><span>{t.mobile}</span><input name="mobile" type="tel" value=p.mobile.clone() /></label>
                <label class="field"><span>{t.landline}</span><input name="landline" type="tel" value=p.landline.clone() /></label>
                <label class="field"><span>{t.email}</span><input name="email" type="email" value=p.email.clone() /></label>
                <label class="field"><span>{t.emergency_contact}</span><input name="emergency_name" value=p.emergency_name.clone() /></label>
                <label class="field"><span>{t.emergency_contact} " ☎"</span><input name="emergency_phone" type="tel" value=p.emergency_phone.clone() /></label>
                <label class="field"><span>{t.caller}</span>
                    <select name="caller_id">
                        <option value="">{t.none}</option>
                        {others.into_iter().map(|(id, name)| view! { <option value=id.to_string() selected=caller == Some(id)>{name}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit">{t.save}</button>
            </ActionForm>
            <ErrorNote error />
            {remove_button(a.remove, "person", id)}
            </div>
        </details>
    }
}

fn staff(plan: &PlanView, t: &'static PlanTexts, edit: Option<EditActions>) -> impl IntoView {
    let l = lang();
    view! {
        <section class="part" id="staff">
            <h2>{t.parts[1]}</h2>
            {part_gaps(plan, Part::Staff)}
            <CallTree plan=plan.clone() />
            {(!plan.content.settings.email_down_rule.is_empty()).then(|| view! {
                <p><strong>{t.email_down} ": "</strong>{plan.content.settings.email_down_rule.clone()}</p>
            })}
            <h3>{t.directory}</h3>
            <table class="table" data-testid="directory">
                <thead><tr><th></th><th>{t.role}</th><th>{t.mobile}</th><th>{t.landline}</th><th>{t.emergency_contact}</th><th>{t.channels}</th><th></th></tr></thead>
                <tbody>
                    {plan.content.people.iter().map(|p| view! {
                        <tr>
                            <td>{p.name.clone()}</td>
                            <td>{p.role_title.clone()}</td>
                            <td>{p.mobile.clone()}</td>
                            <td>{p.landline.clone()}</td>
                            <td>{format!("{} {}", p.emergency_name, p.emergency_phone)}</td>
                            <td>{p.channels.iter().map(|c| text::channel(l, *c)).collect::<Vec<_>>().join(" → ")}</td>
                            <td>{edit.map(|a| person_editor(p, &plan.content.people, a))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// Edits the texts of the staff and customer parts in one form.
fn communication_editor(plan: &PlanView, a: EditActions) -> impl IntoView {
    use crate::model::plan::MessageKind;
    let t = text::texts(lang());
    let l = lang();
    let c = plan.content.communication.clone();
    let msg = |k: MessageKind| {
        c.messages
            .iter()
            .find(|m| m.kind == k)
            .map(|m| (m.subject.clone(), m.body.clone()))
            .unwrap_or_default()
    };
    let (fs, fb) = msg(MessageKind::FirstNotice);
    let (us, ub) = msg(MessageKind::Update);
    let (rs, rb) = msg(MessageKind::Resolved);
    let error = action_error(a.communication);
    let id = plan.client_id.to_string();
    let rule = plan.content.settings.email_down_rule.clone();
    let desk = c.service_desk.clone();
    let say = c.talking_points.say.join("\n");
    let avoid = c.talking_points.avoid.join("\n");
    view! {
        <details class="card" data-testid="edit-communication">
            <summary>
                {t.edit_communication}
                <crate::components::Flash key="communication">" " <span class="badge ok">{t.saved}</span></crate::components::Flash>
            </summary>
            <ActionForm action=a.communication attr:class="form" attr:data-flash="communication">
                <input type="hidden" name="client_id" value=id />
                <label class="field"><span>{t.email_down}</span><textarea name="email_down_rule" rows="2">{rule}</textarea></label>
                <p class="muted small">{t.placeholders} " {client} {incident} {affected} {started_at} {next_update} {contact}"</p>
                <fieldset><legend>{text::message_kind(l, MessageKind::FirstNotice)}</legend>
                    <input name="first_subject" aria-label=t.subject placeholder=t.subject value=fs />
                    <textarea name="first_body" rows="5" aria-label=text::message_kind(l, MessageKind::FirstNotice)>{fb}</textarea>
                </fieldset>
                <fieldset><legend>{text::message_kind(l, MessageKind::Update)}</legend>
                    <input name="update_subject" aria-label=t.subject placeholder=t.subject value=us />
                    <textarea name="update_body" rows="4" aria-label=text::message_kind(l, MessageKind::Update)>{ub}</textarea>
                </fieldset>
                <fieldset><legend>{text::message_kind(l, MessageKind::Resolved)}</legend>
                    <input name="resolved_subject" aria-label=t.subject placeholder=t.subject value=rs />
                    <textarea name="resolved_body" rows="4" aria-label=text::message_kind(l, MessageKind::Resolved)>{rb}</textarea>
                </fieldset>
                <div class="two">
                    <label class="field"><span>{t.say} " " {t.one_per_line}</span><textarea name="say" rows="4">{say}</textarea></label>
                    <label class="field"><span>{t.avoid} " " {t.one_per_line}</span><textarea name="avoid" rows="4">{avoid}</textarea></label>
                </div>
                <fieldset><legend>{t.service_desk}</legend>
                    <div class="form grid">
                        <label class="field"><span>{t.contact}</span><input name="overflow_name" value=desk.overflow_name /></label>
                        <label class="field"><span>{format!("{} / {}", t.mobile, t.landline)}</span><input name="overflow_phone" type="tel" value=desk.overflow_phone /></label>
                        <label class="field"><span>{t.email}</span><input name="overflow_email" type="email" value=desk.overflow_email /></label>
                        <label class="field"><span>{t.switch_when}</span><input name="switch_when" value=desk.switch_when /></label>
                    </div>
                </fieldset>
                <ErrorNote error />
                <button type="submit">{t.save}</button>
            </ActionForm>
        </details>
    }
}

fn customers(plan: &PlanView, t: &'static PlanTexts, edit: Option<EditActions>) -> impl IntoView {
    let l = lang();
    let processes: HashMap<Uuid, String> = plan
        .content
        .processes
        .iter()
        .map(|p| (p.id, p.name.clone()))
        .collect();
    let process_list = names(
        plan.content
            .processes
            .iter()
            .map(|p| (p.id, p.name.clone())),
    );
    let com = plan.content.communication.clone();
    view! {
        <section class="part" id="customers">
            <h2>{t.parts[2]}</h2>
            {part_gaps(plan, Part::Customers)}
            {edit.map(|a| communication_editor(plan, a))}
            {(!plan.content.customer_groups.is_empty()).then(|| view! {
                <table class="table" data-testid="customer-groups">
                    <thead><tr><th>{t.customer_groups}</th><th>{t.depends_on_processes}</th><th>{t.contact}</th><th></th></tr></thead>
                    <tbody>{plan.content.customer_groups.iter().map(|g| view! {
                        <tr>
                            <td>{g.name.clone()} {(!g.description.is_empty()).then(|| view! { <br /><span class="muted small">{g.description.clone()}</span> })}</td>
                            <td>{g.processes.iter().filter_map(|p| processes.get(p).cloned()).collect::<Vec<_>>().join(", ")}</td>
                            <td>{g.contact.clone()}</td>
                            <td class="nowrap">{edit.map(|a| view! { {group_editor(g, process_list.clone(), a)} {remove_button(a.remove, "customer_group", g.id)} })}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table>
            })}
            {com.messages.into_iter().map(|m| view! {
                <details class="card"><summary>{text::message_kind(l, m.kind)} ": " {m.subject}</summary><pre class="message">{m.body}</pre></details>
            }).collect_view()}
            {(!com.talking_points.say.is_empty()).then(|| view! {
                <div class="two">
                    <div><h3>{t.say}</h3><ul>{com.talking_points.say.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}</ul></div>
                    <div><h3>{t.avoid}</h3><ul>{com.talking_points.avoid.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}</ul></div>
                </div>
            })}
        </section>
    }
}

fn recovery(plan: &PlanView, t: &'static PlanTexts, edit: Option<EditActions>) -> impl IntoView {
    let l = lang();
    let systems: HashMap<Uuid, String> = plan
        .content
        .systems
        .iter()
        .map(|s| (s.id, s.name.clone()))
        .collect();
    let ordered: Vec<_> = match &plan.recovery_order {
        Some(order) => order
            .iter()
            .filter_map(|id| plan.content.systems.iter().find(|s| s.id == *id).cloned())
            .collect(),
        None => plan.content.systems.clone(),
    };
    view! {
        <section class="part" id="recovery">
            <h2>{t.parts[3]}</h2>
            {part_gaps(plan, Part::Recovery)}
            <h3>{t.processes}</h3>
            <table class="table" data-testid="processes">
                <thead><tr><th></th><th>{t.impact_hour}</th><th>{t.impact_day}</th><th>{t.impact_week}</th><th>{t.rto}</th><th>{t.rpo}</th><th></th></tr></thead>
                <tbody>{plan.content.processes.iter().map(|p| view! {
                    <tr>
                        <td>{p.name.clone()}</td><td>{p.impact_hour.clone()}</td><td>{p.impact_day.clone()}</td><td>{p.impact_week.clone()}</td>
                        <td>{duration(l, p.rto_minutes)}</td><td>{duration(l, p.rpo_minutes)}</td>
                        <td class="nowrap">{edit.map(|a| view! { {process_editor(p, a)} {remove_button(a.remove, "process", p.id)} })}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
            <h3>{t.recovery_order}</h3>
            {plan.recovery_order.is_none().then(|| view! { <p class="error">{t.cycle}</p> })}
            <ol class="recovery" data-testid="recovery-order">
                {ordered.into_iter().map(|s| view! {
                    <li>
                        <strong>{s.name.clone()}</strong>
                        " "<span class="badge">{crate::plan_text::criticality(l, s.criticality)}</span>
                        " "{edit.map(|a| view! { {system_editor(&s, plan, a)} {remove_button(a.remove, "system", s.id)} })}
                        <span class="muted">" " {t.rto} " " {duration(l, s.effective.rto_minutes)} " · " {t.rpo} " " {duration(l, s.effective.rpo_minutes)}</span>
                        {(!s.depends_on.is_empty()).then(|| view! {
                            <span class="muted">" · " {t.depends_on} " " {s.depends_on.iter().filter_map(|d| systems.get(d).cloned()).collect::<Vec<_>>().join(", ")}</span>
                        })}
                        {policy::achieved(&s)}
                        {(!s.procedure.is_empty()).then(|| view! { <ol>{s.procedure.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ol> })}
                        {edit.map(|a| policy::editor(&s, a.policy))}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}

/// The forms that add to the plan; each posts to its server function, with or without wasm.
#[derive(Clone, Copy)]
struct EditActions {
    communication: ServerAction<UpdateCommunication>,
    edit_person: ServerAction<UpdatePerson>,
    edit_process: ServerAction<UpdateProcess>,
    edit_system: ServerAction<UpdateSystem>,
    edit_site: ServerAction<UpdateSite>,
    edit_group: ServerAction<UpdateCustomerGroup>,
    group: ServerAction<AddCustomerGroup>,
    remove: ServerAction<DeletePlanItem>,
    person: ServerAction<AddPerson>,
    site: ServerAction<AddSite>,
    process: ServerAction<AddProcess>,
    system: ServerAction<AddSystem>,
    policy: policy::PolicyActions,
}

impl EditActions {
    fn new() -> Self {
        EditActions {
            communication: ServerAction::new(),
            edit_person: ServerAction::new(),
            edit_process: ServerAction::new(),
            edit_system: ServerAction::new(),
            edit_site: ServerAction::new(),
            edit_group: ServerAction::new(),
            group: ServerAction::new(),
            remove: ServerAction::new(),
            person: ServerAction::new(),
            site: ServerAction::new(),
            process: ServerAction::new(),
            system: ServerAction::new(),
            policy: policy::PolicyActions::new(),
        }
    }
}

#[component]
fn Editors(plan: PlanView, actions: EditActions) -> impl IntoView {
    let t = text::texts(lang());
    let EditActions {
        person,
        site,
        process,
        system,
        group,
        ..
    } = actions;
    let group_err = action_error(group);
    let person_err = action_error(person);
    let site_err = action_error(site);
    let process_err = action_error(process);
    let system_err = action_error(system);
    let id = plan.client_id.to_string();
    let (id1, id2, id3, id4, id5) = (id.clone(), id.clone(), id.clone(), id.clone(), id);
    let process_list = names(
        plan.content
            .processes
            .iter()
            .map(|p| (p.id, p.name.clone())),
    );
    let people = plan.content.people.clone();
    let processes = plan.content.processes.clone();
    let systems = plan.content.systems.clone();
    view! {
        <section class="editors">
            <details class="card" data-testid="add-person" data-keep-open=""><summary>{t.add_person}</summary>
                <ActionForm action=person attr:class="form grid">
                    <input type="hidden" name="client_id" value=id1 />
                    <label class="field"><span>{use_t().name}</span><input name="name" required maxlength="200" /></label>
                    <label class="field"><span>{t.role}</span><input name="role_title" /></label>
                    <label class="field"><span>{t.mobile}</span><input name="mobile" type="tel" /></label>
                    <label class="field"><span>{t.landline}</span><input name="landline" type="tel" /></label>
                    <label class="field"><span>{t.email}</span><input name="email" type="email" /></label>
                    <label class="field"><span>{t.emergency_contact}</span><input name="emergency_name" /></label>
                    <label class="field"><span>{t.emergency_contact} " ☎"</span><input name="emergency_phone" type="tel" /></label>
                    <label class="field"><span>{t.caller}</span>
                        <select name="caller_id">
                            <option value="">{t.none}</option>
                            {people.iter().map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="check"><input type="checkbox" name="coordinator" value="on" />" " {t.coordinator}</label>
                    <button type="submit">{t.add}</button>
                </ActionForm>
                <ErrorNote error=person_err />
            </details>
            <details class="card" data-testid="add-site" data-keep-open=""><summary>{t.add_site}</summary>
                <ActionForm action=site attr:class="form grid">
                    <input type="hidden" name="client_id" value=id2 />
                    <label class="field"><span>{use_t().name}</span><input name="name" required maxlength="200" /></label>
                    <label class="field"><span>{t.address}</span><input name="address" /></label>
                    <label class="field"><span>{t.assembly_point}</span><input name="assembly_point" /></label>
                    <label class="field"><span>{t.safety_plan}</span><input name="safety_plan_ref" /></label>
                    <label class="field"><span>{t.emergency_numbers}</span><input name="emergency_number" type="tel" placeholder="112" /></label>
                    <button type="submit">{t.add}</button>
                </ActionForm>
                <ErrorNote error=site_err />
            </details>
            <details class="card" data-testid="add-process" data-keep-open=""><summary>{t.add_process}</summary>
                <ActionForm action=process attr:class="form grid">
                    <input type="hidden" name="client_id" value=id3 />
                    <label class="field"><span>{use_t().name}</span><input name="name" required maxlength="200" /></label>
                    <label class="field"><span>{t.rto}</span><input name="rto_minutes" placeholder="4 h" /></label>
                    <label class="field"><span>{t.rpo}</span><input name="rpo_minutes" placeholder="1 h" /></label>
                    <p class="muted small">{t.duration_hint}</p>
                    <label class="field"><span>{t.impact_day}</span><input name="impact_day" /></label>
                    <button type="submit">{t.add}</button>
                </ActionForm>
                <ErrorNote error=process_err />
            </details>
            <details class="card" data-testid="add-group" data-keep-open=""><summary>{t.add_customer_group}</summary>
                <ActionForm action=group attr:class="form grid">
                    <input type="hidden" name="client_id" value=id5 />
                    {group_fields(None, process_list)}
                    <button type="submit">{t.add}</button>
                </ActionForm>
                <ErrorNote error=group_err />
            </details>
            <details class="card" data-testid="add-system" data-keep-open=""><summary>{t.add_system}</summary>
                <ActionForm action=system attr:class="form grid">
                    <input type="hidden" name="client_id" value=id4 />
                    <label class="field"><span>{use_t().name}</span><input name="name" required maxlength="200" /></label>
                    <label class="field"><span>{t.criticality}</span>
                        <select name="criticality">
                            {crate::domain::plan::Criticality::ALL.into_iter().map(|c| view! {
                                <option value=c.as_str() selected=c == crate::domain::plan::Criticality::Medium>{crate::plan_text::criticality(lang(), c)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field"><span>{t.processes}</span>
                        <select name="process_id">
                            <option value="">{t.none}</option>
                            {processes.iter().map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field"><span>{t.depends_on}</span>
                        <select name="depends_on">
                            <option value="">{t.none}</option>
                            {systems.iter().map(|s| view! { <option value=s.id.to_string()>{s.name.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field wide"><span>{t.procedure}</span><textarea name="procedure" rows="4"></textarea></label>
                    <button type="submit">{t.add}</button>
                </ActionForm>
                <ErrorNote error=system_err />
            </details>
        </section>
    }
}

#[component]
pub fn PlanPage() -> impl IntoView {
    let ut = use_t();
    let id = crate::components::use_id_param();
    let approve = ServerAction::<ApprovePlan>::new();
    let edits = EditActions::new();
    let data = Resource::new(
        // Drawn on the server; a save loads the page afresh (islands mode).
        id,
        |id| async move {
            match id {
                Some(id) => get_plan(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <main class="wide">
            <Transition fallback=move || view! { <p class="loading">{ut.loading}</p> }>
                {move || data.get().map(|r| match r {
                    Ok(Some(page)) => {
                        let t = text::texts(lang());
                        let plan = page.plan.clone();
                        let l = lang();
                        view! {
                            <div class="plan-head">
                                <div>
                                    <p class="muted"><a href=format!("/clients/{}", plan.client_id)>{plan.client_name.clone()}</a></p>
                                    <h1>{t.plan}</h1>
                                </div>
                                <div class="score" data-testid="completeness">
                                    <meter min="0" max="100" low="60" high="90" optimum="100" value=plan.completeness.to_string()></meter>
                                    <span><strong>{plan.completeness} "%"</strong> " " {t.completeness}</span>
                                </div>
                                <div class="actions">
                                    <a class="button secondary" rel="external" target="_blank" href=format!("/api/v1/clients/{}/plan/export.html?lang={}", plan.client_id, l.code())>{t.print}</a>
                                    <a class="button" rel="external" data-testid="pdf" href=format!("/api/v1/clients/{}/plan/export.pdf?lang={}", plan.client_id, l.code())>{t.pdf}</a>
                                </div>
                            </div>
                            <details class="card" open=plan.gaps.len() <= 8>
                                <summary>{t.missing} " (" {plan.gaps.len()} ")"</summary>
                                {if plan.gaps.is_empty() {
                                    view! { <p>{t.nothing_missing}</p> }.into_any()
                                } else {
                                    view! { <ul class="gaps" data-testid="gaps">{plan.gaps.iter().map(|g| view! { <li><span class="badge">{text::part(l, g.part)}</span> " " {text::gap(l, g.code, &g.subject)}</li> }).collect_view()}</ul> }.into_any()
                                }}
                            </details>
                            {plan.content.sections.iter().map(|s| view! { <details class="card"><summary>{s.title.clone()}</summary><p>{s.text.clone()}</p></details> }).collect_view()}
                            {safety(&plan, t, page.can_edit.then_some(edits))}
                            {staff(&plan, t, page.can_edit.then_some(edits))}
                            {customers(&plan, t, page.can_edit.then_some(edits))}
                            {recovery(&plan, t, page.can_edit.then_some(edits))}
                            <Approval page=page.clone() action=approve />
                            {page.can_edit.then(|| view! { <Editors plan=plan.clone() actions=edits /> })}
                        }.into_any()
                    }
                    Ok(None) => view! { <super::NotFound /> }.into_any(),
                    Err(error) => view! { <super::PageError error /> }.into_any(),
                })}
            </Transition>
        </main>
    }
}
