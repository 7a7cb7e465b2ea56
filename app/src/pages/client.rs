//! One client, seen from the MSP portal: its users and the invite form.
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::{get_client, ArchiveClient, InviteUser, RenameClient};
use crate::components::{action_error, error_text, use_t, ErrorNote, InviteFields, InviteLink};
use crate::model::{Role, UserView};

/// A client's people; `may_invite` says whether the reader gets the invite form below.
#[component]
pub fn UserList(users: Vec<UserView>, may_invite: bool) -> impl IntoView {
    let t = use_t();
    if users.is_empty() {
        return view! {
            <p class="empty">{t.no_users} {may_invite.then_some(t.invite_below)}</p>
        }
        .into_any();
    }
    view! {
        // On a phone the table scrolls sideways: focusable, so it scrolls from the keyboard too.
        <table class="table" data-testid="users" tabindex="0" aria-label=t.users>
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
    let rename = ServerAction::<RenameClient>::new();
    let archive = ServerAction::<ArchiveClient>::new();
    let me = crate::components::use_me();
    let role = move || me.get().and_then(|r| r.ok()).flatten().map(|m| m.role);
    let data = Resource::new(
        move || {
            (
                id(),
                invite.version().get(),
                rename.version().get(),
                archive.version().get(),
            )
        },
        |(id, _, _, _)| async move {
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
                        <h1 data-testid="client-name">{client.name.clone()}</h1>
                        {client.archived_at.map(|at| view! {
                            <p class="banner" data-testid="archived">{words().archived_on} " " {at.format("%Y-%m-%d").to_string()} ". " {words().archived_means}</p>
                        })}
                        <p><a class="button" data-testid="open-plan" href=format!("/clients/{}/plan", client.id)>{crate::plan_text::texts(use_context::<crate::i18n::Lang>().unwrap_or_default()).open_plan}</a>
                            " "<a class="button secondary" data-testid="open-status" href=format!("/clients/{}/status", client.id)>{crate::monitor_text::texts(use_context::<crate::i18n::Lang>().unwrap_or_default()).status}</a>
                            " "<a class="button secondary" data-testid="open-incidents" href=format!("/clients/{}/incidents", client.id)>{crate::incident_text::texts(use_context::<crate::i18n::Lang>().unwrap_or_default()).incidents}</a>
                            " "<a class="button secondary" data-testid="open-exercises" href=format!("/clients/{}/exercises", client.id)>{crate::exercise_text::texts(use_context::<crate::i18n::Lang>().unwrap_or_default()).exercises}</a></p>
                        <h2>{t.users}</h2>
                        <UserList users may_invite=role().is_some_and(Role::manages_people) />
                        {role().is_some_and(Role::is_msp_staff).then(|| view! {
                            <super::catalog::Protection client_id=client.id />
                            <IngestTokens client_id=client.id />
                            <ClientSettings client rename archive />
                        })}
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
            <ActionForm action=invite attr:class="form" attr:data-flash="invite">
                <input type="hidden" name="client_id" value=move || client_id.get().map(|i| i.to_string()).unwrap_or_default() />
                <InviteFields roles />
                <ErrorNote error />
                <button type="submit" disabled=move || invite.pending().get()>{t.send_invite}</button>
            </ActionForm>
            <InviteLink />
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
            <ActionForm action=create attr:class="inline-form" attr:data-flash="token">
                <input type="hidden" name="client_id" value=client_id.to_string() />
                <input name="name" placeholder=t.token_name aria-label=t.token_name required maxlength="200" />
                <button type="submit">{t.create_token}</button>
            </ActionForm>
            <ErrorNote error />
            <crate::components::Flash key="token">
                <div class="notice"><p>{t.token_once}</p><code data-testid="new-token" data-flash-value=""></code></div>
            </crate::components::Flash>
        </section>
    }
}

struct Words {
    manage: &'static str,
    rename: &'static str,
    archive: &'static str,
    archive_now: &'static str,
    archive_means: &'static str,
    restore: &'static str,
    archived_on: &'static str,
    archived_means: &'static str,
}

const EN: Words = Words {
    manage: "Client settings",
    rename: "Rename",
    archive: "Archive…",
    archive_now: "Archive now",
    archive_means: "An archived client leaves the dashboard and is no longer monitored: its ingest tokens are revoked, its backups are no longer judged and nobody is alerted. Its plan, people and history stay, and it can be brought back.",
    restore: "Bring back",
    archived_on: "Archived on",
    archived_means: "Not on the dashboard and not monitored.",
};

const NL: Words = Words {
    manage: "Klantinstellingen",
    rename: "Naam wijzigen",
    archive: "Archiveren…",
    archive_now: "Nu archiveren",
    archive_means: "Een gearchiveerde klant verdwijnt van het overzicht en wordt niet meer bewaakt: de ingest-tokens worden ingetrokken, back-ups worden niet meer beoordeeld en niemand krijgt meldingen. Plan, mensen en geschiedenis blijven bewaard, en de klant kan terugkomen.",
    restore: "Terughalen",
    archived_on: "Gearchiveerd op",
    archived_means: "Niet op het overzicht en niet bewaakt.",
};

fn words() -> &'static Words {
    match use_context::<crate::i18n::Lang>().unwrap_or_default() {
        crate::i18n::Lang::Nl => &NL,
        _ => &EN,
    }
}

/// Rename, archive (asked first) and bring back: MSP staff only.
#[component]
fn ClientSettings(
    client: crate::model::ClientView,
    rename: ServerAction<RenameClient>,
    archive: ServerAction<ArchiveClient>,
) -> impl IntoView {
    let w = words();
    let id = client.id.to_string();
    let (id2, id3) = (id.clone(), id.clone());
    let rename_error = action_error(rename);
    let archive_error = action_error(archive);
    view! {
        <details class="card" data-testid="client-settings">
            <summary>{w.manage}</summary>
            <ActionForm action=rename attr:class="inline-form">
                <input type="hidden" name="client_id" value=id />
                <input name="name" value=client.name.clone() aria-label=use_t().client_name required maxlength="200" />
                <button type="submit">{w.rename}</button>
            </ActionForm>
            <ErrorNote error=rename_error />
            {if client.archived_at.is_some() {
                view! {
                    <ActionForm action=archive>
                        <input type="hidden" name="client_id" value=id2 />
                        <input type="hidden" name="archived" value="false" />
                        <button type="submit" data-testid="restore">{w.restore}</button>
                    </ActionForm>
                }.into_any()
            } else {
                view! {
                    <details class="confirm">
                        <summary>{w.archive}</summary>
                        <p>{w.archive_means}</p>
                        <ActionForm action=archive>
                            <input type="hidden" name="client_id" value=id3 />
                            <input type="hidden" name="archived" value="true" />
                            <button type="submit" class="danger">{w.archive_now}</button>
                        </ActionForm>
                    </details>
                }.into_any()
            }}
            <ErrorNote error=archive_error />
        </details>
    }
}
