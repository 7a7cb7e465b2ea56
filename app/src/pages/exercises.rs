//! A client's exercises: how often each kind is due and when next, the exercises scheduled and
//! done with their scores, the forms that schedule one and record its result, and the open
//! action items its findings became. Plain forms on a page drawn on the server.
use leptos::prelude::*;

use crate::api::{
    get_exercises, FinishActionItem, RecordExercise, SaveDrillSettings, ScheduleExercise,
};
use crate::components::{action_error, use_id_param, use_t, ErrorNote};
use crate::domain::exercise::Kind;
use crate::exercise_text::{kind, texts, Texts};
use crate::i18n::Lang;
use crate::model::exercise::{ActionItemView, ExerciseView, ExercisesPage};

fn lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

#[derive(Clone, Copy)]
struct Actions {
    schedule: ServerAction<ScheduleExercise>,
    record: ServerAction<RecordExercise>,
    finish: ServerAction<FinishActionItem>,
    settings: ServerAction<SaveDrillSettings>,
}

#[component]
pub fn ExercisesPage() -> impl IntoView {
    let ut = use_t();
    let id = use_id_param();
    let a = Actions {
        schedule: ServerAction::new(),
        record: ServerAction::new(),
        finish: ServerAction::new(),
        settings: ServerAction::new(),
    };
    let data = Resource::new(
        move || {
            (
                id(),
                a.schedule.version().get()
                    + a.record.version().get()
                    + a.finish.version().get()
                    + a.settings.version().get(),
            )
        },
        |(id, _)| async move {
            match id {
                Some(id) => get_exercises(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <main>
            <Transition fallback=move || view! { <p class="loading">{ut.loading}</p> }>
                {move || data.get().map(|r| match r {
                    Ok(Some(p)) => page(p, a).into_any(),
                    Ok(None) => view! { <super::NotFound /> }.into_any(),
                    Err(error) => view! { <super::PageError error /> }.into_any(),
                })}
            </Transition>
        </main>
    }
}

fn page(p: ExercisesPage, a: Actions) -> impl IntoView {
    let t = texts(lang());
    let schedule_error = action_error(a.schedule);
    let record_error = action_error(a.record);
    let today = chrono::Utc::now().date_naive().to_string();
    let client_id = p.client_id.to_string();
    view! {
        <p class="muted"><a href=format!("/clients/{}", p.client_id)>{p.client_name.clone()}</a></p>
        <h1>{t.exercises}</h1>
        <p class="muted small">{t.intro}</p>
        <h2>{t.cadence}</h2>
        <ul class="legs" data-testid="cadence">
            {p.cadence.iter().map(|c| view! {
                <li data-testid="cadence-kind">
                    <strong>{kind(lang(), c.kind)}</strong>
                    {c.overdue.then(|| view! { " " <span class="badge bad">{t.overdue}</span> })}
                    <br /><span class="small">
                        {t.every} " " {c.every_months} " " {t.months} " · "
                        {c.last_done_on.map_or_else(|| t.never.to_string(), |d| format!("{} {d}", t.last_done))}
                        " · " {t.next_due} " " {c.due_on.to_string()}
                    </span>
                </li>
            }).collect_view()}
        </ul>
        {p.may_act.then(|| {
            let error = action_error(a.settings);
            let months = |k: Kind| p.cadence.iter().find(|c| c.kind == k).map_or(0, |c| c.every_months).to_string();
            let (drill, restore, tabletop) = (months(Kind::CallTreeDrill), months(Kind::RestoreTest), months(Kind::Tabletop));
            let (client, wave) = (p.client_id.to_string(), p.wave_minutes.to_string());
            view! {
                <details data-testid="drill-settings" open=error.get_untracked().is_some()>
                    <summary>{t.change_cadence}</summary>
                    <ActionForm action=a.settings attr:class="form grid">
                        <input type="hidden" name="client_id" value=client />
                        <label class="field"><span>{kind(lang(), Kind::CallTreeDrill)} " (" {t.months} ")"</span><input name="drill_every_months" inputmode="numeric" required value=drill /></label>
                        <label class="field"><span>{kind(lang(), Kind::RestoreTest)} " (" {t.months} ")"</span><input name="restore_test_every_months" inputmode="numeric" required value=restore /></label>
                        <label class="field"><span>{kind(lang(), Kind::Tabletop)} " (" {t.months} ")"</span><input name="tabletop_every_months" inputmode="numeric" required value=tabletop /></label>
                        <label class="field"><span>{t.wave_minutes}</span><input name="wave_minutes" inputmode="numeric" required value=wave /></label>
                        <button type="submit" data-testid="save-drill-settings">{t.save}</button>
                    </ActionForm>
                </details>
                <ErrorNote error />
            }
        })}
        <h2>{t.action_items}</h2>
        {p.action_items.is_empty().then(|| view! { <p class="empty">{t.no_items}</p> })}
        <ul class="updates" data-testid="action-items">
            {p.action_items.iter().map(|i| item_row(t, i, p.may_act, a)).collect_view()}
        </ul>
        <h2>{t.exercises}</h2>
        <ErrorNote error=record_error />
        {p.exercises.is_empty().then(|| view! { <p class="empty">{t.none}</p> })}
        <ul class="updates" data-testid="exercises">
            {p.exercises.iter().map(|e| exercise_row(t, e, &p, a)).collect_view()}
        </ul>
        {p.may_act.then(|| view! {
            <details class="card" data-testid="schedule-exercise" open=p.exercises.is_empty()>
                <summary>{t.schedule}</summary>
                <ActionForm action=a.schedule attr:class="form grid">
                    <input type="hidden" name="client_id" value=client_id />
                    <label class="field"><span>{t.kind}</span>
                        <select name="kind">
                            {Kind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{kind(lang(), k)}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field"><span>{t.on}</span><input type="date" name="scheduled_for" required value=today /></label>
                    <label class="field"><span>{t.system}</span>
                        <select name="system_id">
                            <option value="">{t.any}</option>
                            {p.systems.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" data-testid="schedule">{t.schedule}</button>
                </ActionForm>
                <ErrorNote error=schedule_error />
            </details>
        })}
    }
}

fn item_row(t: &'static Texts, i: &ActionItemView, may_act: bool, a: Actions) -> impl IntoView {
    let id = i.id.to_string();
    view! {
        <li class="card" data-testid="action-item">
            <strong>{i.title.clone()}</strong>
            <br /><span class="muted small">
                {(!i.owner.is_empty()).then(|| format!("{} {} · ", t.owner, i.owner))}
                {t.due} " " {i.due_on.to_string()}
            </span>
            {i.overdue.then(|| view! { " " <span class="badge bad">{t.overdue}</span> })}
            {may_act.then(|| view! {
                <ActionForm action=a.finish attr:class="row">
                    <input type="hidden" name="id" value=id />
                    <button type="submit" class="secondary">{t.mark_done}</button>
                </ActionForm>
            })}
        </li>
    }
}

/// What an exercise measured, in a line.
fn result_line(t: &'static Texts, e: &ExerciseView) -> Option<String> {
    let r = &e.result;
    if let Some(reach) = &r.reach {
        let mut s = format!("{} / {} {}", reach.reached, reach.people, t.reached);
        if let Some(m) = reach.minutes_to_reach_all {
            s.push_str(&format!(
                " · {} {}",
                t.everyone_in,
                crate::domain::sla::spoken(lang(), u32::try_from(m).unwrap_or(u32::MAX))
            ));
        }
        if !reach.not_reached.is_empty() {
            s.push_str(&format!(
                " · {}: {}",
                t.not_reached,
                reach.not_reached.join(", ")
            ));
        }
        return Some(s);
    }
    if let Some(m) = r.duration_minutes {
        let spoken = |m: u32| crate::domain::sla::spoken(lang(), m);
        return Some(format!(
            "{} {} {}{} · {}",
            e.system_name.clone().unwrap_or_default(),
            t.restored_in,
            spoken(m),
            r.rto_minutes
                .map(|rto| format!(" (RTO {})", spoken(rto)))
                .unwrap_or_default(),
            if r.passed == Some(true) {
                t.restore_ok
            } else {
                t.restore_failed
            }
        ));
    }
    r.score_percent
        .map(|pct| format!("{pct} % {} ({})", t.steps_held, r.checklist.len()))
}

fn exercise_row(
    t: &'static Texts,
    e: &ExerciseView,
    p: &ExercisesPage,
    a: Actions,
) -> impl IntoView {
    let state = match e.state.as_str() {
        "done" => t.states[1],
        "cancelled" => t.states[2],
        _ => t.states[0],
    };
    let badge = if e.state == "done" {
        "badge ok"
    } else {
        "badge unknown"
    };
    let open = e.state == "scheduled" && p.may_act;
    let id = e.id.to_string();
    let id2 = id.clone();
    let k = e.kind;
    let drills = p.drills.clone();
    let systems = p.systems.clone();
    let chosen = e.system_id;
    view! {
        <li class="card" data-testid="exercise">
            <p><strong>{kind(lang(), e.kind)}</strong> " · " {e.scheduled_for.to_string()} " "
                <span class=badge>{state}</span>
                {e.overdue.then(|| view! { " " <span class="badge bad">{t.overdue}</span> })}
            </p>
            {result_line(t, e).map(|r| view! { <p data-testid="exercise-result">{r}</p> })}
            {(!e.findings.is_empty()).then(|| view! {
                <ul class="small">
                    {e.findings.iter().map(|f| view! { <li>{f.title.clone()} <span class="muted">" · " {f.owner.clone()}</span></li> }).collect_view()}
                </ul>
            })}
            {open.then(|| view! {
                <details data-testid="record-exercise">
                    <summary>{t.record}</summary>
                    <ActionForm action=a.record attr:class="form grid">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="what" value="done" />
                        {match k {
                            Kind::CallTreeDrill => view! {
                                {drills.is_empty().then(|| view! { <p class="muted small wide">{t.no_drills}</p> })}
                                <label class="field wide"><span>{t.drill_incident}</span>
                                    <select name="incident_id">
                                        {drills.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                                    </select>
                                </label>
                            }.into_any(),
                            Kind::RestoreTest => view! {
                                <label class="field"><span>{t.system}</span>
                                    <select name="system_id">
                                        {systems.into_iter().map(|(id, name)| view! { <option value=id.to_string() selected=chosen == Some(id)>{name}</option> }).collect_view()}
                                    </select>
                                </label>
                                <label class="field"><span>{t.duration}</span><input name="duration_minutes" inputmode="numeric" required /></label>
                                <label class="check wide"><input type="checkbox" name="passed" value="on" checked />" " {t.passed}</label>
                            }.into_any(),
                            Kind::Tabletop => view! {
                                <label class="field wide"><span>{t.held}</span><textarea name="held" rows="4"></textarea></label>
                                <label class="field wide"><span>{t.missed}</span><textarea name="missed" rows="3"></textarea></label>
                            }.into_any(),
                        }}
                        <label class="field wide"><span>{t.findings}</span><textarea name="findings" rows="3"></textarea></label>
                        <p class="muted small wide">{t.lines_hint}</p>
                        <button type="submit" data-testid="record">{t.record}</button>
                    </ActionForm>
                    <ActionForm action=a.record attr:class="inline">
                        <input type="hidden" name="id" value=id2 />
                        <input type="hidden" name="what" value="cancelled" />
                        <button type="submit" class="secondary">{t.cancel}</button>
                    </ActionForm>
                </details>
            })}
        </li>
    }
}

/// What is past its date for a client, with the way to the exercises page: for the plan page.
#[component]
pub fn OverdueNote(
    client_id: uuid::Uuid,
    overdue: crate::model::exercise::Overdue,
) -> impl IntoView {
    let t = texts(lang());
    (overdue != Default::default()).then(|| {
        let mut parts = Vec::new();
        if overdue.exercises > 0 {
            parts.push(format!("{}: {}", t.exercises_late, overdue.exercises));
        }
        if overdue.action_items > 0 {
            parts.push(format!("{}: {}", t.items_late, overdue.action_items));
        }
        view! {
            <p class="banner" data-testid="exercises-overdue">
                {t.overdue_banner} " " <a href=format!("/clients/{client_id}/exercises")>{parts.join(", ")}</a>
            </p>
        }
    })
}
