//! The MSP portal's client list, with the form to add one.
use leptos::prelude::*;

use super::SignInPrompt;
use crate::api::{get_overview, list_templates, AddClient};
use crate::components::{error_text, use_t, ErrorNote};

#[component]
pub fn ClientsPage() -> impl IntoView {
    let t = use_t();
    let add = ServerAction::<AddClient>::new();
    let clients = Resource::new(move || add.version().get(), |_| get_overview());
    let templates = Resource::new(|| (), |_| list_templates());
    let lang = use_context::<crate::i18n::Lang>().unwrap_or_default();
    let error = Signal::derive(move || {
        add.value()
            .get()
            .and_then(|r| r.err())
            .map(|e| error_text(&e))
    });
    view! {
        <main>
            <h1>{t.clients}</h1>
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
            <ErrorNote error />
            <Transition fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || clients.get().map(|r| match r {
                    Ok(list) if list.is_empty() => view! {
                        <div class="empty" data-testid="empty-clients">
                            <h2>{t.no_clients}</h2>
                            <p>{t.no_clients_hint}</p>
                        </div>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="cards" data-testid="client-list">
                            {list.into_iter().map(|(c, n)| view! {
                                <li>
                                    <a href=format!("/clients/{}", c.id)>{c.name}</a>
                                    <a class="counts" href=format!("/clients/{}/status", c.id) data-testid="client-counts">
                                        {(n.breached > 0).then(|| view! { <crate::pages::status::Badge state=crate::domain::sla::State::Breached /> " " {n.breached} " " })}
                                        {(n.at_risk > 0).then(|| view! { <crate::pages::status::Badge state=crate::domain::sla::State::AtRisk /> " " {n.at_risk} " " })}
                                        <crate::pages::status::Badge state=crate::domain::sla::State::Ok /> " " {n.ok} " "
                                        {(n.unknown > 0).then(|| view! { <crate::pages::status::Badge state=crate::domain::sla::State::Unknown /> " " {n.unknown} })}
                                    </a>
                                    <small class="muted">{t.created} " " {c.created_at.format("%Y-%m-%d").to_string()}</small>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) if error_text(&e).contains("authentication") => view! { <SignInPrompt /> }.into_any(),
                    Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                })}
            </Transition>
        </main>
    }
}
