//! One client, seen from the MSP portal: its users and the invite form.
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::{get_client, InviteUser};
use crate::components::{action_error, error_text, use_t, ErrorNote, InviteFields, InviteLink};
use crate::model::{Role, UserView};

#[component]
pub fn UserList(users: Vec<UserView>) -> impl IntoView {
    let t = use_t();
    if users.is_empty() {
        return view! { <p class="empty">{t.no_users}</p> }.into_any();
    }
    view! {
        <table class="table" data-testid="users">
            <thead><tr><th>{t.name}</th><th>{t.email}</th><th>{t.role}</th><th></th></tr></thead>
            <tbody>
                {users.into_iter().map(|u| view! {
                    <tr>
                        <td>{u.name}</td>
                        <td>{u.email}</td>
                        <td>{match u.role { Role::ClientAdmin => t.role_client_admin, Role::ClientMember => t.role_client_member, r => r.as_str() }}</td>
                        <td><span class=if u.active { "badge ok" } else { "badge" }>{if u.active { t.active } else { t.pending }}</span></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }.into_any()
}

#[component]
pub fn ClientPage() -> impl IntoView {
    let t = use_t();
    let id = crate::components::use_id_param();
    let invite = ServerAction::<InviteUser>::new();
    let data = Resource::new(
        move || (id(), invite.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_client(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <main>
            <p><a href="/clients">{t.back_to_clients}</a></p>
            <Transition fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || data.get().map(|r| match r {
                    Ok(Some((client, users))) => view! {
                        <h1 data-testid="client-name">{client.name}</h1>
                        <p><a class="button" data-testid="open-plan" href=format!("/clients/{}/plan", client.id)>{crate::plan_text::texts(use_context::<crate::i18n::Lang>().unwrap_or_default()).open_plan}</a>
                            " "<a class="button secondary" data-testid="open-status" href=format!("/clients/{}/status", client.id)>{crate::monitor_text::texts(use_context::<crate::i18n::Lang>().unwrap_or_default()).status}</a></p>
                        <h2>{t.users}</h2>
                        <UserList users />
                        {
                            let staff = crate::components::use_me()
                                .get()
                                .and_then(|r| r.ok())
                                .flatten()
                                .is_some_and(|m| m.role.is_msp_staff());
                            staff.then(|| view! { <IngestTokens client_id=client.id /> })
                        }
                    }.into_any(),
                    Ok(None) => view! { <super::NotFound /> }.into_any(),
                    Err(error) => view! { <super::PageError error /> }.into_any(),
                })}
            </Transition>
            <crate::components::ForRole allow=crate::model::Role::manages_people>
                <InviteForm action=invite client_id=Signal::derive(id) />
            </crate::components::ForRole>
        </main>
    }
}

/// Invites a client user; the parent refetches its user list on the action's version.
#[component]
pub fn InviteForm(
    action: ServerAction<InviteUser>,
    client_id: Signal<Option<Uuid>>,
) -> impl IntoView {
    let t = use_t();
    let invite = action;
    let error = action_error(invite);
    let roles = vec![
        ("client_admin", t.role_client_admin),
        ("client_member", t.role_client_member),
    ];
    view! {
        <section class="card">
            <h2>{t.invite_user}</h2>
            <ActionForm action=invite attr:class="form">
                <input type="hidden" name="client_id" value=move || client_id.get().map(|i| i.to_string()).unwrap_or_default() />
                <InviteFields roles />
                <ErrorNote error />
                <button type="submit" disabled=move || invite.pending().get()>{t.send_invite}</button>
            </ActionForm>
            {move || invite.value().get().and_then(|r| r.ok()).map(|(_, link)| view! { <InviteLink link /> })}
        </section>
    }
}

/// MSP staff create and revoke the ingest tokens backup software reports with.
#[component]
pub fn IngestTokens(client_id: Uuid) -> impl IntoView {
    use crate::api::{list_ingest_tokens, CreateIngestToken, RevokeIngestToken};
    let t = crate::monitor_text::texts(use_context::<crate::i18n::Lang>().unwrap_or_default());
    let create = ServerAction::<CreateIngestToken>::new();
    let revoke = ServerAction::<RevokeIngestToken>::new();
    let list = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        move |_| list_ingest_tokens(client_id),
    );
    let error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| error_text(&e))
    });
    view! {
        <section class="card" data-testid="ingest-tokens">
            <h2>{t.tokens}</h2>
            <p class="muted">{t.tokens_hint}</p>
            <Transition fallback=|| ()>
                {move || list.get().and_then(|r| r.ok()).map(|tokens| view! {
                    <ul class="tokens">{tokens.into_iter().map(|tk| view! {
                        <li>
                            <strong>{tk.name}</strong>
                            <span class="muted small">
                                " · " {tk.created_at.format("%Y-%m-%d").to_string()}
                                {tk.last_used_at.map(|u| format!(" · {} {}", t.last_used, u.format("%Y-%m-%d %H:%M")))}
                            </span>
                            {match tk.revoked_at {
                                Some(_) => view! { <span class="badge">{t.revoked}</span> }.into_any(),
                                None => view! {
                                    <ActionForm action=revoke attr:class="inline">
                                        <input type="hidden" name="id" value=tk.id.to_string() />
                                        <button type="submit" class="link">{t.revoke}</button>
                                    </ActionForm>
                                }.into_any(),
                            }}
                        </li>
                    }).collect_view()}</ul>
                })}
            </Transition>
            <ActionForm action=create attr:class="inline-form">
                <input type="hidden" name="client_id" value=client_id.to_string() />
                <input name="name" placeholder=t.token_name aria-label=t.token_name required maxlength="200" />
                <button type="submit">{t.create_token}</button>
            </ActionForm>
            <ErrorNote error />
            {move || create.value().get().and_then(|r| r.ok()).map(|token| view! {
                <div class="notice"><p>{t.token_once}</p><code data-testid="new-token">{token}</code></div>
            })}
        </section>
    }
}
