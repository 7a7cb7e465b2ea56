//! The MSP's home: a dashboard across clients (worst first: breaches, risks, overdue reviews,
//! thin plans), with search, and the form to add a client.
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::{get_dashboard, list_templates, AddClient};
use crate::components::{error_text, use_t, ErrorNote, ForRole};
use crate::domain::sla::State;
use crate::i18n::Lang;
use crate::model::monitor::{Dashboard, DashboardRow, COMPLETE_ENOUGH};
use crate::model::Role;
use crate::pages::status::Badge;

struct Words {
    title: &'static str,
    breached: &'static str,
    at_risk: &'static str,
    reviews_overdue: &'static str,
    plans_thin: &'static str,
    search: &'static str,
    search_button: &'static str,
    client: &'static str,
    systems: &'static str,
    plan: &'static str,
    review: &'static str,
    approved: &'static str,
    overdue: &'static str,
    never: &'static str,
    no_systems: &'static str,
    no_match: &'static str,
    of_clients: &'static str,
    show_all: &'static str,
    archived: &'static str,
    /// "Showing the {shown} that need attention most, of {all}."
    showing: fn(usize, u32) -> String,
    list_all: &'static str,
}

const EN: Words = Words {
    title: "Clients at a glance",
    breached: "systems breached",
    at_risk: "systems at risk",
    reviews_overdue: "plan reviews overdue",
    plans_thin: "plans below 80 % complete",
    search: "Search clients",
    search_button: "Search",
    client: "Client",
    systems: "Systems",
    plan: "Plan",
    review: "Review",
    approved: "Approved",
    overdue: "overdue",
    never: "never",
    no_systems: "no systems yet",
    no_match: "No client matches",
    of_clients: "of",
    show_all: "Show all clients",
    archived: "Archived",
    showing: |shown, all| format!("Showing the {shown} that need attention most, of {all}."),
    list_all: "List them all",
};

const NL: Words = Words {
    title: "Klanten in één oogopslag",
    breached: "systemen met overschrijding",
    at_risk: "systemen met risico",
    reviews_overdue: "plannen over de herziendatum",
    plans_thin: "plannen onder 80 % compleet",
    search: "Klanten zoeken",
    search_button: "Zoeken",
    client: "Klant",
    systems: "Systemen",
    plan: "Plan",
    review: "Herzien",
    approved: "Goedgekeurd",
    overdue: "te laat",
    never: "nooit",
    no_systems: "nog geen systemen",
    no_match: "Geen klant gevonden voor",
    of_clients: "van",
    show_all: "Toon alle klanten",
    archived: "Gearchiveerd",
    showing: |shown, all| format!("De {shown} die de meeste aandacht vragen, van {all}."),
    list_all: "Toon ze allemaal",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Nl => &NL,
        _ => &EN,
    }
}

#[component]
pub fn ClientsPage() -> impl IntoView {
    let t = use_t();
    let lang = use_context::<Lang>().unwrap_or_default();
    let w = words(lang);
    let add = ServerAction::<AddClient>::new();
    let query = use_query_map();
    let search = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let all = Memo::new(move |_| query.read().get("all").is_some_and(|v| v == "1"));
    let dashboard = Resource::new(
        move || (search.get(), all.get(), add.version().get()),
        |(q, all, _)| get_dashboard(q, all),
    );
    let templates = Resource::new(|| (), |_| list_templates());
    let error = Signal::derive(move || {
        add.value()
            .get()
            .and_then(|r| r.err())
            .map(|e| error_text(&e))
    });
    view! {
        <main class="wide">
            <h1>{w.title}</h1>
            <Transition fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || dashboard.get().map(|r| match r {
                    Ok(None) => view! { <crate::components::GoTo path="/home" /> }.into_any(),
                    Ok(Some(d)) if d.clients == 0 && d.archived.is_empty() => view! {
                        <div class="empty" data-testid="empty-clients">
                            <h2>{t.no_clients}</h2>
                            <p>{t.no_clients_hint}</p>
                        </div>
                    }.into_any(),
                    Ok(Some(d)) => view! { <Overview d search=search.get_untracked() /> }.into_any(),
                    Err(error) => view! { <super::PageError error /> }.into_any(),
                })}
            </Transition>
            <ForRole allow=Role::is_msp_staff>
                <h2>{t.add_client}</h2>
                <ActionForm action=add attr:class="inline-form">
                    <input name="name" placeholder=t.client_name aria-label=t.client_name required maxlength="200" />
                    <Transition fallback=|| ()>
                        {move || templates.get().and_then(|r| r.ok()).map(|list| view! {
                            <select name="template" aria-label=t.start_from title=t.start_from>
                                {list.into_iter().map(|(id, name, l)| {
                                    let selected = id == format!("builtin-{}", lang.code());
                                    view! { <option value=id selected=selected>{format!("{name} ({l})")}</option> }
                                }).collect_view()}
                                <option value="">{t.empty_plan}</option>
                            </select>
                        })}
                    </Transition>
                    <button type="submit" disabled=move || add.pending().get()>{t.add_client}</button>
                </ActionForm>
            </ForRole>
            <ErrorNote error />
            <AlertSettings />
        </main>
    }
}

/// The totals, the search and the clients worst first.
#[component]
fn Overview(mut d: Dashboard, search: String) -> impl IntoView {
    let w = words(use_context::<Lang>().unwrap_or_default());
    let tile = |n: u32, label: &'static str, class: &'static str, testid: &'static str| {
        let class = if n == 0 { "tile calm" } else { class };
        view! { <li class=class data-testid=testid><strong>{n}</strong><span>{label}</span></li> }
    };
    let shown = d.rows.len();
    let archived = std::mem::take(&mut d.archived);
    let searching = !search.trim().is_empty();
    let asked = search.clone();
    let more_href = if searching {
        format!(
            "/clients?q={}&all=1",
            crate::domain::input::query_value(search.trim())
        )
    } else {
        "/clients?all=1".to_string()
    };
    view! {
        <ul class="tiles" data-testid="totals">
            {tile(d.systems.breached, w.breached, "tile bad", "total-breached")}
            {tile(d.systems.at_risk, w.at_risk, "tile risk", "total-at-risk")}
            {tile(d.reviews_overdue, w.reviews_overdue, "tile risk", "total-overdue")}
            {tile(d.plans_incomplete, w.plans_thin, "tile risk", "total-thin")}
        </ul>
        <Form method="GET" action="/clients" attr:class="inline-form search" attr:role="search">
            <input type="search" name="q" value=search.clone() placeholder=w.search aria-label=w.search maxlength="200" />
            <button type="submit" class="secondary">{w.search_button}</button>
        </Form>
        {searching.then(|| view! {
            <p class="muted" data-testid="search-count">{shown} " " {w.of_clients} " " {d.clients} " · " <a href="/clients">{w.show_all}</a></p>
        })}
        {if shown == 0 && !searching {
            ().into_any()
        } else if shown == 0 {
            view! { <p class="empty" data-testid="no-match">{w.no_match} " “" {asked} "”"</p> }.into_any()
        } else {
            view! {
                <table class="table dashboard" data-testid="client-list">
                    <thead><tr><th>{w.client}</th><th>{w.systems}</th><th>{w.plan}</th><th>{w.review}</th><th>{w.approved}</th></tr></thead>
                    <tbody>{d.rows.into_iter().map(|r| view! { <Row r /> }).collect_view()}</tbody>
                </table>
                {(d.matched as usize > shown).then(|| view! {
                    <p class="muted" data-testid="more-clients">{(w.showing)(shown, d.matched)} " " <a href=more_href>{w.list_all}</a></p>
                })}
            }.into_any()
        }}
        {(!archived.is_empty()).then(|| view! {
            <p class="archived-list" data-testid="archived-clients">{w.archived} ": "
                {archived.into_iter().enumerate().map(|(i, c)| view! {
                    {(i > 0).then_some(", ")}<a href=format!("/clients/{}", c.id)>{c.name}</a>
                }).collect_view()}
            </p>
        })}
    }
}

#[component]
fn Row(r: DashboardRow) -> impl IntoView {
    let w = words(use_context::<Lang>().unwrap_or_default());
    let n = r.systems.clone();
    let id = r.client.id;
    let total = n.ok + n.at_risk + n.breached + n.unknown;
    let thin = r.completeness < COMPLETE_ENOUGH;
    view! {
        <tr data-testid="client-row">
            <td><a class="client" href=format!("/clients/{id}")>{r.client.name.clone()}</a></td>
            <td>
                <a class="counts" href=format!("/clients/{id}/status") data-testid="client-counts">
                    {(total == 0).then(|| view! { <span class="muted">{w.no_systems}</span> })}
                    {[(State::Breached, n.breached), (State::AtRisk, n.at_risk), (State::Ok, n.ok), (State::Unknown, n.unknown)]
                        .into_iter()
                        .filter(|(_, k)| *k > 0)
                        .map(|(s, k)| view! { <span class="count"><Badge state=s /> " " {k}</span> })
                        .collect_view()}
                </a>
            </td>
            <td>
                <a href=format!("/clients/{id}/plan") class=if thin { "meter thin" } else { "meter" } data-testid="completeness">
                    <span class="track" aria-hidden="true"><span class="fill" style=format!("width:{}%", r.completeness)></span></span>
                    {r.completeness} " %"
                </a>
            </td>
            <td>
                {match (r.review_due, r.review_overdue) {
                    (Some(d), true) => view! { <span class="badge bad" data-testid="review-overdue">{w.overdue} " · " {d.format("%Y-%m-%d").to_string()}</span> }.into_any(),
                    (Some(d), false) => view! { <span>{d.format("%Y-%m-%d").to_string()}</span> }.into_any(),
                    (None, _) => view! { <span class="muted">"—"</span> }.into_any(),
                }}
                {(r.overdue != Default::default()).then(|| {
                    let e = crate::exercise_text::texts(use_context::<crate::i18n::Lang>().unwrap_or_default());
                    let mut parts = Vec::new();
                    if r.overdue.exercises > 0 {
                        parts.push(format!("{}: {}", e.exercises_late, r.overdue.exercises));
                    }
                    if r.overdue.action_items > 0 {
                        parts.push(format!("{}: {}", e.items_late, r.overdue.action_items));
                    }
                    view! { <br /><a class="badge bad" data-testid="exercises-overdue" href=format!("/clients/{id}/exercises")>{e.overdue_banner} " " {parts.join(", ")}</a> }
                })}
            </td>
            <td>
                {match r.approved_version {
                    Some(v) => view! { <span class="badge ok">"v" {v}</span> }.into_any(),
                    None => view! { <span class="muted">{w.never}</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}

/// The MSP's alert routing: who is e-mailed, whether the client is told, the signed webhook and
/// how often an open breach is repeated.
#[component]
pub fn AlertSettings() -> impl IntoView {
    use crate::api::{get_alert_settings, SaveAlertSettings};
    let t = crate::monitor_text::texts(use_context::<crate::i18n::Lang>().unwrap_or_default());
    let save = ServerAction::<SaveAlertSettings>::new();
    let current = Resource::new(move || save.version().get(), |_| get_alert_settings());
    let error = Signal::derive(move || {
        save.value()
            .get()
            .and_then(|r| r.err())
            .map(|e| error_text(&e))
    });
    // Only owners and admins get settings back; for anyone else the section stays away.
    view! {
        <Transition fallback=|| ()>
            {move || current.get().and_then(|r| r.ok()).flatten().map(|a| view! {
                <details class="card" data-testid="alert-settings">
                    <summary>
                        {t.alerts}
                        <crate::components::Flash key="alerts">" " <span class="badge ok">{crate::plan_text::texts(use_context::<crate::i18n::Lang>().unwrap_or_default()).saved}</span></crate::components::Flash>
                    </summary>
                    <ActionForm action=save attr:class="form" attr:data-flash="alerts">
                        <label class="field"><span>{t.alert_emails} " (" {t.alert_emails_hint} ")"</span><input name="emails" value=a.emails.join(", ") /></label>
                        <label class="check"><input type="checkbox" name="notify_client" value="on" checked=a.notify_client />" " {t.notify_client}</label>
                        <label class="field"><span>{t.webhook_url}</span><input name="webhook_url" type="url" value=a.webhook_url /></label>
                        <label class="field"><span>{t.webhook_secret}</span>
                            <input name="webhook_secret" type="password" autocomplete="off" placeholder=if a.webhook_signed { t.secret_set } else { "" } />
                        </label>
                        <label class="field"><span>{t.reminder}</span><input name="reminder_minutes" value=crate::domain::input::duration_text(use_context::<Lang>().unwrap_or_default(), a.reminder_minutes) /></label>
                        <label class="field"><span>{t.restore_test_days}</span><input name="restore_test_days" inputmode="numeric" value=a.restore_test_days.to_string() /></label>
                        <label class="field"><span>{t.mail_language}</span>
                            <select name="mail_language">
                                <option value="en" selected=a.mail_language == "en">"English"</option>
                                <option value="nl" selected=a.mail_language == "nl">"Nederlands"</option>
                            </select>
                        </label>
                        <p class="muted">{t.monthly_reports}</p>
                        <ErrorNote error />
                        <button type="submit">{crate::plan_text::texts(use_context::<crate::i18n::Lang>().unwrap_or_default()).save}</button>
                    </ActionForm>
                </details>
            })}
        </Transition>
    }
}
