//! The MSP portal's client list, with the form to add one.
use leptos::prelude::*;

use crate::api::{get_overview, list_templates, AddClient};
use crate::components::{error_text, use_t, ErrorNote, ForRole};
use crate::model::Role;

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
            <ForRole allow=Role::is_msp_staff>
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
                    Err(error) => view! { <super::PageError error /> }.into_any(),
                })}
            </Transition>
        </main>
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
                    <summary>{t.alerts}</summary>
                    <ActionForm action=save attr:class="form">
                        <label class="field"><span>{t.alert_emails} " (" {t.alert_emails_hint} ")"</span><input name="emails" value=a.emails.join(", ") /></label>
                        <label class="check"><input type="checkbox" name="notify_client" value="on" checked=a.notify_client />" " {t.notify_client}</label>
                        <label class="field"><span>{t.webhook_url}</span><input name="webhook_url" type="url" value=a.webhook_url /></label>
                        <label class="field"><span>{t.webhook_secret}</span>
                            <input name="webhook_secret" type="password" autocomplete="off" placeholder=if a.webhook_signed { t.secret_set } else { "" } />
                        </label>
                        <label class="field"><span>{t.reminder}</span><input name="reminder_minutes" inputmode="numeric" value=a.reminder_minutes.to_string() /></label>
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
                        {move || save.value().get().is_some_and(|r| r.is_ok()).then(|| view! { <span class="badge ok">{crate::plan_text::texts(use_context::<crate::i18n::Lang>().unwrap_or_default()).saved}</span> })}
                    </ActionForm>
                </details>
            })}
        </Transition>
    }
}
