//! The MSP's team: who works in Lifeline and in which role. Everyone on the team sees it; owners
//! and admins invite people, change roles and disable, and each sees only the controls the
//! server would accept from them.
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::{get_staff, ChangeStaffRole, DisablePerson, InviteStaff};
use crate::components::{
    action_error, error_text, use_me, use_t, ErrorNote, InviteFields, InviteLink,
};
use crate::i18n::Texts;
use crate::model::{Role, UserView};

pub fn role_label(t: &Texts, role: Role) -> &'static str {
    match role {
        Role::MspOwner => t.role_msp_owner,
        Role::MspAdmin => t.role_msp_admin,
        Role::MspTechnician => t.role_msp_technician,
        Role::ClientAdmin => t.role_client_admin,
        Role::ClientMember => t.role_client_member,
    }
}

#[component]
pub fn StaffPage() -> impl IntoView {
    let t = use_t();
    let invite = ServerAction::<InviteStaff>::new();
    let change = ServerAction::<ChangeStaffRole>::new();
    let disable = ServerAction::<DisablePerson>::new();
    let data = Resource::new(
        move || {
            (
                invite.version().get(),
                change.version().get(),
                disable.version().get(),
            )
        },
        |_| get_staff(),
    );
    let me = use_me();
    // Whoever is signed in: their id and role decide which rows get controls.
    let caller = move || {
        me.get()
            .and_then(|r| r.ok())
            .flatten()
            .map(|m| (m.user.id, m.role))
    };
    let error = Signal::derive(move || {
        let failed = |e: Option<Result<_, ServerFnError>>| e.and_then(|r| r.err());
        failed(change.value().get().map(|r| r.map(|_| ())))
            .or_else(|| failed(disable.value().get()))
            .map(|e| error_text(&e))
    });
    view! {
        <main>
            <h1>{t.team}</h1>
            <p class="muted">{t.team_intro}</p>
            <ErrorNote error />
            <Transition fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || data.get().map(|r| match r {
                    Ok(team) => {
                        let (my_id, my_role) = caller().unwrap_or((Uuid::nil(), Role::MspTechnician));
                        let manages = my_role.runs_the_msp();
                        view! {
                            <ul class="people" data-testid="team">
                                {team.into_iter().map(|u| {
                                    let may_touch = manages && u.id != my_id && !u.disabled
                                        && (u.role != Role::MspOwner || my_role == Role::MspOwner);
                                    view! { <Person person=u me=my_id my_role may_touch change disable /> }
                                }).collect_view()}
                            </ul>
                            {manages.then(|| view! { <StaffInviteForm action=invite /> })}
                        }.into_any()
                    }
                    Err(error) => view! { <super::PageError error /> }.into_any(),
                })}
            </Transition>
        </main>
    }
}

/// One member of the team, with what the caller may do to them.
#[component]
fn Person(
    person: UserView,
    me: Uuid,
    my_role: Role,
    may_touch: bool,
    change: ServerAction<ChangeStaffRole>,
    disable: ServerAction<DisablePerson>,
) -> impl IntoView {
    let t = use_t();
    let (status, class) = if person.disabled {
        (t.disabled, "badge bad")
    } else if person.active {
        (t.active, "badge ok")
    } else {
        (t.pending, "badge")
    };
    let roles: &[Role] = if my_role == Role::MspOwner {
        &[Role::MspOwner, Role::MspAdmin, Role::MspTechnician]
    } else {
        &[Role::MspAdmin, Role::MspTechnician]
    };
    let id = person.id.to_string();
    let (role_id, field_id) = (id.clone(), format!("role-{id}"));
    let invited = !person.active && !person.disabled;
    view! {
        <li class="person" data-testid="person">
            <div class="who-line">
                <strong>{person.name.clone()}</strong>
                {(person.id == me).then(|| view! { <span class="muted">" (" {t.you} ")"</span> })}
                <br />
                <span class="muted small">{person.email.clone()}</span>
            </div>
            <span class="badge role">{role_label(t, person.role)}</span>
            <span class=class>{status}</span>
            {may_touch.then(|| view! {
                <div class="person-actions">
                    {(!invited).then(|| view! {
                        <ActionForm action=change attr:class="inline-form">
                            <input type="hidden" name="id" value=role_id />
                            <label class="sr-only" for=field_id.clone()>{t.change_role}</label>
                            <select name="role" id=field_id>
                                {roles.iter().map(|r| view! {
                                    <option value=r.as_str() selected=*r == person.role>{role_label(t, *r)}</option>
                                }).collect_view()}
                            </select>
                            <button type="submit" class="secondary button">{t.save}</button>
                        </ActionForm>
                    })}
                    <details class="confirm">
                        <summary>{t.disable}</summary>
                        <p class="small">{t.disable_confirm}</p>
                        <ActionForm action=disable attr:class="inline">
                            <input type="hidden" name="id" value=id />
                            <button type="submit" class="danger">{t.disable_now}</button>
                        </ActionForm>
                    </details>
                </div>
            })}
        </li>
    }
}

/// Invites an admin or technician; the link is shown to hand over (it is also e-mailed).
#[component]
fn StaffInviteForm(action: ServerAction<InviteStaff>) -> impl IntoView {
    let t = use_t();
    let error = action_error(action);
    let roles = vec![
        ("msp_technician", t.role_msp_technician),
        ("msp_admin", t.role_msp_admin),
    ];
    view! {
        <section class="card">
            <h2>{t.invite_staff}</h2>
            <ActionForm action=action attr:class="form" attr:data-flash="invite">
                <InviteFields roles />
                <ErrorNote error />
                <button type="submit" disabled=move || action.pending().get()>{t.send_invite}</button>
            </ActionForm>
            <InviteLink />
        </section>
    }
}
