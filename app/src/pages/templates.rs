//! The MSP's template library: the shipped templates and its own, what each holds, a new one
//! made from a client's plan (what worked there) or copied from another, and removal (asked
//! first). New clients start from any of them.
use leptos::prelude::*;

use crate::api::{get_template_library, list_clients, CreateTemplate, DeleteTemplate};
use crate::components::{action_error, use_t, ErrorNote};
use crate::i18n::Lang;
use crate::model::plan::TemplateView;

struct Words {
    title: &'static str,
    intro: &'static str,
    builtin: &'static str,
    holds: fn(usize, usize, usize, usize) -> String,
    new_from_client: &'static str,
    new_copy: &'static str,
    client: &'static str,
    template: &'static str,
    name: &'static str,
    language: &'static str,
    create: &'static str,
    remove: &'static str,
    remove_now: &'static str,
    remove_means: &'static str,
}

const EN: Words = Words {
    title: "Plan templates",
    intro: "A new client's plan starts from a template: its purpose and scope, scenarios, business processes with their RTO and RPO, customer groups and messages. Make your own from a client whose plan works well.",
    builtin: "shipped",
    holds: |p, g, s, m| format!("{p} processes · {g} customer groups · {s} scenarios · {m} messages"),
    new_from_client: "New template from a client's plan",
    new_copy: "Copy a template",
    client: "Client",
    template: "Template",
    name: "Name of the new template",
    language: "Language",
    create: "Create template",
    remove: "Remove…",
    remove_now: "Remove now",
    remove_means: "Plans started from it keep what they took; new clients can no longer start from it.",
};

const NL: Words = Words {
    title: "Plansjablonen",
    intro: "Het plan van een nieuwe klant begint met een sjabloon: doel en reikwijdte, scenario's, bedrijfsprocessen met hun RTO en RPO, klantgroepen en berichten. Maak uw eigen sjabloon van een klant waarvan het plan goed werkt.",
    builtin: "meegeleverd",
    holds: |p, g, s, m| format!("{p} processen · {g} klantgroepen · {s} scenario's · {m} berichten"),
    new_from_client: "Nieuw sjabloon uit het plan van een klant",
    new_copy: "Een sjabloon kopiëren",
    client: "Klant",
    template: "Sjabloon",
    name: "Naam van het nieuwe sjabloon",
    language: "Taal",
    create: "Sjabloon maken",
    remove: "Verwijderen…",
    remove_now: "Nu verwijderen",
    remove_means: "Plannen die ermee begonnen houden wat ze overnamen; nieuwe klanten kunnen er niet meer mee beginnen.",
};

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let t = use_t();
    let lang = use_context::<Lang>().unwrap_or_default();
    let w = if lang == Lang::Nl { &NL } else { &EN };
    let create = ServerAction::<CreateTemplate>::new();
    let remove = ServerAction::<DeleteTemplate>::new();
    let library = Resource::new(
        move || (create.version().get(), remove.version().get()),
        |_| get_template_library(),
    );
    let clients = Resource::new(|| (), |_| list_clients());
    let remove_error = action_error(remove);
    view! {
        <main>
            <h1>{w.title}</h1>
            <p class="muted">{w.intro}</p>
            <Transition fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || library.get().map(|r| match r {
                    Ok(list) => view! {
                        <ul class="cards" data-testid="templates">
                            {list.into_iter().map(|tpl| view! { <Template tpl w remove /> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <super::PageError error /> }.into_any(),
                })}
            </Transition>
            <ErrorNote error=remove_error />
            <NewTemplate create title=w.new_from_client testid="from-client" w>
                <label class="field"><span>{w.client}</span>
                    <select name="from_client_id" required>
                        <Transition fallback=|| ()>
                            {move || clients.get().and_then(|r| r.ok()).map(|list| {
                                list.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()
                            })}
                        </Transition>
                    </select>
                </label>
            </NewTemplate>
            <NewTemplate create title=w.new_copy testid="copy" w>
                <label class="field"><span>{w.template}</span>
                    <select name="from_template" required>
                        <Transition fallback=|| ()>
                            {move || library.get().and_then(|r| r.ok()).map(|list| {
                                list.into_iter().map(|tpl| view! { <option value=tpl.id>{tpl.name}</option> }).collect_view()
                            })}
                        </Transition>
                    </select>
                </label>
            </NewTemplate>
        </main>
    }
}

#[component]
fn Template(
    tpl: TemplateView,
    w: &'static Words,
    remove: ServerAction<DeleteTemplate>,
) -> impl IntoView {
    let b = &tpl.body;
    let holds = (w.holds)(
        b.processes.len(),
        b.customer_groups.len(),
        b.scenarios.len(),
        b.messages.len(),
    );
    view! {
        <li data-testid="template">
            <strong>{tpl.name.clone()}</strong>
            <span class="muted small">
                {if tpl.lang == "nl" { "Nederlands" } else { "English" }}
                {tpl.builtin.then(|| view! { " · " <span class="badge">{w.builtin}</span> })}
            </span>
            <span class="small">{holds}</span>
            {(!tpl.builtin).then(|| view! {
                <details class="confirm">
                    <summary>{w.remove}</summary>
                    <p class="small">{w.remove_means}</p>
                    <ActionForm action=remove>
                        <input type="hidden" name="id" value=tpl.id.clone() />
                        <button type="submit" class="danger">{w.remove_now}</button>
                    </ActionForm>
                </details>
            })}
        </li>
    }
}

/// A form for a new template: what it starts from (the children), its name and language.
#[component]
fn NewTemplate(
    create: ServerAction<CreateTemplate>,
    title: &'static str,
    testid: &'static str,
    w: &'static Words,
    children: Children,
) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    let error = action_error(create);
    view! {
        <section class="card">
            <h2>{title}</h2>
            <ActionForm action=create attr:class="form grid" attr:data-testid=testid>
                {children()}
                <label class="field"><span>{w.name}</span><input name="name" required maxlength="200" /></label>
                <label class="field"><span>{w.language}</span>
                    <select name="lang">
                        <option value="en" selected=lang == Lang::En>"English"</option>
                        <option value="nl" selected=lang == Lang::Nl>"Nederlands"</option>
                    </select>
                </label>
                <button type="submit">{w.create}</button>
            </ActionForm>
            <ErrorNote error />
        </section>
    }
}
