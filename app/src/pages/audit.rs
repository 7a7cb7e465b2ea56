//! The MSP's audit trail for its owners and admins: who did what, to which client, when and
//! from where, newest first, a page at a time (works without the wasm: "Older" is a link).
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::get_audit;
use crate::components::use_t;
use crate::i18n::Lang;
use crate::model::AuditEntryView;

/// What an action is called in the trail; an action without a name here shows as recorded.
fn action_words(lang: Lang, action: &str) -> Option<&'static str> {
    let nl = lang == Lang::Nl;
    let pick = |en, du| Some(if nl { du } else { en });
    match action {
        "auth.login" => pick("signed in", "ingelogd"),
        "auth.login_failed" => pick("sign-in refused", "inloggen geweigerd"),
        "auth.login_throttled" => pick("sign-in throttled", "inloggen afgeremd"),
        "auth.logout" => pick("signed out", "uitgelogd"),
        "auth.signup" => pick("signed up", "aangemeld"),
        "auth.password_changed" => pick("changed their password", "wachtwoord gewijzigd"),
        "auth.password_reset_requested" => {
            pick("asked for a password reset", "wachtwoordherstel gevraagd")
        }
        "auth.password_reset" => pick("reset their password", "wachtwoord hersteld"),
        "client.create" => pick("added client", "klant toegevoegd"),
        "client.update" => pick("changed client", "klant gewijzigd"),
        "client.delete" => pick("deleted client", "klant verwijderd"),
        "client.archive" => pick("archived client", "klant gearchiveerd"),
        "client.restore" => pick("brought back client", "klant teruggehaald"),
        "user.invite" => pick("invited", "uitgenodigd"),
        "user.invite_accepted" => pick("accepted the invitation", "uitnodiging aanvaard"),
        "user.invite_withdrawn" => pick("withdrew an invitation", "uitnodiging ingetrokken"),
        "user.role" => pick("changed a role", "rol gewijzigd"),
        "user.disable" => pick("disabled", "uitgeschakeld"),
        "plan.approve" => pick("approved the plan", "plan goedgekeurd"),
        "plan.settings" => pick("changed the plan", "plan gewijzigd"),
        "plan.apply_template" => pick("applied a template", "sjabloon toegepast"),
        "person.create" => pick("added person", "persoon toegevoegd"),
        "person.update" => pick("changed person", "persoon gewijzigd"),
        "person.delete" => pick("removed person", "persoon verwijderd"),
        "site.create" => pick("added site", "locatie toegevoegd"),
        "site.update" => pick("changed site", "locatie gewijzigd"),
        "site.delete" => pick("removed site", "locatie verwijderd"),
        "process.create" => pick("added process", "proces toegevoegd"),
        "process.update" => pick("changed process", "proces gewijzigd"),
        "process.delete" => pick("removed process", "proces verwijderd"),
        "system.create" => pick("added system", "systeem toegevoegd"),
        "system.update" => pick("changed system", "systeem gewijzigd"),
        "system.delete" => pick("removed system", "systeem verwijderd"),
        "system.ping_key_rotated" => pick("replaced a heartbeat key", "hartslagsleutel vervangen"),
        "customer_group.create" => pick("added customer group", "klantgroep toegevoegd"),
        "customer_group.update" => pick("changed customer group", "klantgroep gewijzigd"),
        "customer_group.delete" => pick("removed customer group", "klantgroep verwijderd"),
        "template.create" => pick("added template", "sjabloon toegevoegd"),
        "template.update" => pick("changed template", "sjabloon gewijzigd"),
        "template.delete" => pick("removed template", "sjabloon verwijderd"),
        "ingest_token.create" => pick("created an ingest token", "ingest-token aangemaakt"),
        "ingest_token.revoke" => pick("revoked an ingest token", "ingest-token ingetrokken"),
        "alerts.settings" => pick("changed alert routing", "meldingen gewijzigd"),
        _ => None,
    }
}

struct Words {
    intro: &'static str,
    when: &'static str,
    who: &'static str,
    what: &'static str,
    client: &'static str,
    from: &'static str,
    system: &'static str,
    older: &'static str,
    newest: &'static str,
    empty: &'static str,
}

const EN: Words = Words {
    intro: "Every change and every sign-in, newest first. Entries cannot be changed or removed.",
    when: "When (UTC)",
    who: "Who",
    what: "What",
    client: "Client",
    from: "From",
    system: "Lifeline",
    older: "Older entries",
    newest: "Newest entries",
    empty: "Nothing recorded yet.",
};

const NL: Words = Words {
    intro: "Elke wijziging en elke aanmelding, nieuwste eerst. Regels kunnen niet worden gewijzigd of verwijderd.",
    when: "Wanneer (UTC)",
    who: "Wie",
    what: "Wat",
    client: "Klant",
    from: "Vanaf",
    system: "Lifeline",
    older: "Oudere regels",
    newest: "Nieuwste regels",
    empty: "Nog niets vastgelegd.",
};

#[component]
pub fn AuditPage() -> impl IntoView {
    let t = use_t();
    let lang = use_context::<Lang>().unwrap_or_default();
    let w = if lang == Lang::Nl { &NL } else { &EN };
    let query = use_query_map();
    let before = Memo::new(move |_| {
        query
            .read()
            .get("before")
            .and_then(|b| chrono::DateTime::parse_from_rfc3339(&b).ok())
            .map(|b| b.with_timezone(&chrono::Utc))
    });
    let page = Resource::new(move || before.get(), get_audit);
    view! {
        <main class="wide">
            <h1>{t.audit}</h1>
            <p class="muted">{w.intro}</p>
            <Transition fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || page.get().map(|r| match r {
                    Ok(p) if p.entries.is_empty() => view! { <p class="empty">{w.empty}</p> }.into_any(),
                    Ok(p) => view! {
                        <table class="table audit" data-testid="audit">
                            <thead><tr><th>{w.when}</th><th>{w.who}</th><th>{w.what}</th><th>{w.client}</th><th>{w.from}</th></tr></thead>
                            <tbody>{p.entries.into_iter().map(|e| view! { <Entry e lang system=w.system /> }).collect_view()}</tbody>
                        </table>
                        <p class="actions">
                            {before.get().map(|_| view! { <a href="/audit">{w.newest}</a> " " })}
                            {p.next_before.map(|b| view! {
                                <a href=format!("/audit?before={}", crate::domain::input::query_value(&b.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))) data-testid="older">{w.older}</a>
                            })}
                        </p>
                    }.into_any(),
                    Err(error) => view! { <super::PageError error /> }.into_any(),
                })}
            </Transition>
        </main>
    }
}

#[component]
fn Entry(e: AuditEntryView, lang: Lang, system: &'static str) -> impl IntoView {
    let what = action_words(lang, &e.action).map_or_else(|| e.action.clone(), String::from);
    let refused = e.outcome != "ok";
    view! {
        <tr data-testid="audit-entry" class=if refused { "refused" } else { "" }>
            <td class="nowrap">{e.at.format("%Y-%m-%d %H:%M:%S").to_string()}</td>
            <td>{e.actor.unwrap_or_else(|| system.to_string())}</td>
            <td>
                <strong>{what}</strong>
                {(!e.subject.is_empty()).then(|| view! { " " <span>{e.subject}</span> })}
                {refused.then(|| view! { " " <span class="badge bad">{e.outcome}</span> })}
            </td>
            <td>{match (e.client_id, e.client) {
                (Some(id), Some(name)) => view! { <a href=format!("/clients/{id}")>{name}</a> }.into_any(),
                _ => view! { <span class="muted">"—"</span> }.into_any(),
            }}</td>
            <td class="muted small">{e.ip}</td>
        </tr>
    }
}
