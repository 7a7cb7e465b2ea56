//! The landing page, and the client self-service home.
use leptos::prelude::*;

use super::SignInPrompt;
use crate::api::{get_client, InviteUser};
use crate::components::{error_text, use_me, use_t};
use crate::model::Role;
use crate::pages::client::{InviteForm, UserList};

#[component]
pub fn Landing() -> impl IntoView {
    let t = use_t();
    let me = use_me();
    view! {
        <Transition fallback=|| ()>
            {move || match me.get() {
                Some(Ok(Some(me))) if me.role.is_msp_staff() => view! { <crate::components::GoTo path="/clients" /> }.into_any(),
                Some(Ok(Some(_))) => view! { <crate::components::GoTo path="/home" /> }.into_any(),
                _ => view! {
                    <main class="hero">
                        <h1>{t.tagline}</h1>
                        <p class="lead">{t.intro}</p>
                        <p class="actions">
                            <a class="button" href="/signup">{t.sign_up}</a>
                            <a class="button secondary" href="/login">{t.sign_in}</a>
                        </p>
                    </main>
                }.into_any(),
            }}
        </Transition>
    }
}

/// What a client user sees: their own company, and nothing of any other.
#[component]
pub fn ClientHome() -> impl IntoView {
    let t = use_t();
    let me = use_me();
    let invite = ServerAction::<InviteUser>::new();
    let client_id = Signal::derive(move || {
        me.get()
            .and_then(|r| r.ok())
            .flatten()
            .and_then(|m| m.client.map(|c| c.id))
    });
    let details = Resource::new(
        move || (client_id.get(), invite.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_client(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{t.loading}</p> }>
            {move || match me.get() {
                Some(Ok(Some(me))) => {
                    let client = me.client.clone();
                    let may_invite = me.role == Role::ClientAdmin;
                    view! {
                        <main>
                            <p class="muted">{t.welcome} ", " {me.user.name.clone()}</p>
                            <h1 data-testid="company">
                                {client.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| me.msp.name.clone())}
                            </h1>
                            <p class="muted">{t.managed_by} " " {me.msp.name.clone()}</p>
                            <p>{t.self_service_intro}</p>
                            {client.as_ref().map(|c| view! {
                                <p><a class="button" data-testid="open-plan" href=format!("/clients/{}/plan", c.id)>{crate::plan_text::texts(use_context::<crate::i18n::Lang>().unwrap_or_default()).open_plan}</a>
                                " "<a class="button secondary" data-testid="open-status" href=format!("/clients/{}/status", c.id)>{crate::monitor_text::texts(use_context::<crate::i18n::Lang>().unwrap_or_default()).status}</a>
                                " "<a class="button secondary" data-testid="open-incidents" href=format!("/clients/{}/incidents", c.id)>{crate::incident_text::texts(use_context::<crate::i18n::Lang>().unwrap_or_default()).incidents}</a></p>
                            })}
                            <h2>{t.users}</h2>
                            // Its own boundary: the server waits for this second fetch too.
                            <Transition fallback=|| ()>
                                {move || details.get().map(|r| match r {
                                    Ok(Some((_, users))) => view! { <UserList users may_invite /> }.into_any(),
                                    Ok(None) => ().into_any(),
                                    Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                                })}
                            </Transition>
                            {client.as_ref().map(|c| view! {
                                <super::offers::OfferList client_id=c.id staff=false may_answer={me.role == Role::ClientAdmin} />
                            })}
                            {(me.role == Role::ClientAdmin).then(|| view! { <InviteForm action=invite client_id /> })}
                        </main>
                    }.into_any()
                }
                Some(_) => view! { <main><SignInPrompt /></main> }.into_any(),
                None => ().into_any(),
            }}
        </Transition>
    }
}
