//! Pieces every page uses: the header with navigation and language switch, form fields with
//! inline validation, error notes.
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::api::{get_me, Logout};
use crate::i18n::{Lang, Texts};
use crate::model::MeView;

/// The `:id` of the current route as a UUID (`None` when it is not one); read reactively.
pub fn use_id_param() -> impl Fn() -> Option<uuid::Uuid> + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|s| uuid::Uuid::parse_str(&s).ok())
    }
}

pub fn use_t() -> &'static Texts {
    use_context::<Lang>().unwrap_or_default().t()
}

/// The signed-in user, refetched on every navigation (sign-in and sign-out navigate).
pub fn use_me() -> Resource<Result<Option<MeView>, ServerFnError>> {
    match use_context::<Resource<Result<Option<MeView>, ServerFnError>>>() {
        Some(r) => r,
        None => {
            let location = use_location();
            let r = Resource::new(move || location.pathname.get(), |_| get_me());
            provide_context(r);
            r
        }
    }
}

/// Shows its children only to a signed-in user whose role `allow` accepts: nobody is shown a
/// form the server would refuse them.
#[component]
pub fn ForRole(allow: fn(crate::model::Role) -> bool, children: ChildrenFn) -> impl IntoView {
    let me = use_me();
    // `Show` builds the children once when the answer turns true, not on every change of the
    // user's resource: a form inside keeps its state (its "Saved", its errors).
    let allowed = move || {
        me.get()
            .and_then(|r| r.ok())
            .flatten()
            .is_some_and(|m| allow(m.role))
    };
    view! {
        <Transition fallback=|| ()>
            <Show when=allowed fallback=|| ()>
                {children()}
            </Show>
        </Transition>
    }
}

/// The message of a failed server function, without the framework's prefix.
pub fn error_text(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        other => other.to_string(),
    }
}

/// The message of an action's last failure, for an `ErrorNote`.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<String>>
where
    S: leptos::server_fn::ServerFn<Error = ServerFnError> + Send + Sync + Clone + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| error_text(&e))
    })
}

/// The fields every invitation asks for: name, e-mail and one of `roles` (value, label).
#[component]
pub fn InviteFields(roles: Vec<(&'static str, &'static str)>) -> impl IntoView {
    let t = use_t();
    view! {
        <Field label=t.name name="name" autocomplete="off" check="name" />
        <Field label=t.email name="email" kind="email" autocomplete="off" check="email" />
        <label class="field">
            <span>{t.role}</span>
            <select name="role">
                {roles.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// The one-time link of an invitation just sent, to hand over: shown once, after the page has
/// loaded again with the new user on it.
#[component]
pub fn InviteLink() -> impl IntoView {
    let t = use_t();
    view! {
        <Flash key="invite">
            <div class="notice">
                <p>{t.invite_link_intro}</p>
                <code data-testid="invite-link" data-flash-value="1"></code>
            </div>
        </Flash>
    }
}

/// What a form marked `data-flash=key` answered, shown once on the page's next load (the
/// browser's `enhance` fills `[data-flash-value]` parts with the answer). Nothing of it is on the
/// page before.
#[component]
pub fn Flash(key: &'static str, children: Children) -> impl IntoView {
    view! { <template data-flash-for=key>{children()}</template> }
}

/// Sends the browser to `path`: a 302 when the server can still set it, and a refresh in the
/// page where the answer's status was already fixed (a page whose data arrives late).
#[component]
pub fn GoTo(path: &'static str) -> impl IntoView {
    view! {
        <leptos_router::components::Redirect path />
        <meta http-equiv="refresh" content=format!("0; url={path}") />
        <p><a href=path>{path}</a></p>
    }
}

#[component]
pub fn ErrorNote(#[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|e| view! { <p class="error" role="alert">{e}</p> })
    }
}

#[component]
pub fn Header() -> impl IntoView {
    let t = use_t();
    let me = use_me();
    let logout = ServerAction::<Logout>::new();
    view! {
        <header class="top">
            <a href="/" class="brand">
                <span class="logo">"◉"</span>
                " Lifeline"
            </a>
            <nav>
                <Transition fallback=|| ()>
                    {move || {
                        me.get()
                            .map(|r| match r {
                                Ok(Some(me)) => {
                                    let home = if me.role.is_msp_staff() {
                                        view! {
                                            <a href="/clients">{t.clients}</a>
                                            <a href="/staff">{t.team}</a>
                                            <a href="/templates">{t.templates}</a>
                                            <a href="/catalog">{t.catalog}</a>
                                            {me.role.runs_the_msp().then(|| view! { <a href="/audit">{t.audit}</a> })}
                                        }
                                        .into_any()
                                    } else {
                                        view! { <a href="/home">{t.my_company}</a> }.into_any()
                                    };
                                    let others: Vec<_> = me
                                        .memberships
                                        .iter()
                                        .filter(|m| Some(m.id) != me.current)
                                        .cloned()
                                        .collect();
                                    view! {
                                        {home}
                                        <span class="who" data-testid="who">
                                            {me.user.name.clone()}
                                            " · "
                                            {me.msp.name.clone()}
                                        </span>
                                        {(!others.is_empty()).then(|| view! { <Switcher others /> })}
                                        <ActionForm action=logout attr:class="inline">
                                            <button type="submit" class="link">
                                                {t.sign_out}
                                            </button>
                                        </ActionForm>
                                    }
                                        .into_any()
                                }
                                _ => {
                                    view! {
                                        <a href="/login">{t.sign_in}</a>
                                        <a href="/signup">{t.sign_up}</a>
                                    }
                                        .into_any()
                                }
                            })
                    }}
                </Transition>
            </nav>
            <div class="lang" aria-label=t.language>
                <a href="/lang/en" rel="external" hreflang="en">"EN"</a>
                <a href="/lang/nl" rel="external" hreflang="nl">"NL"</a>
            </div>
        </header>
    }
}

/// A field's own rule, checked in the browser as the user leaves the field ("email", "name" or
/// "password", the rules of `domain::input`); the server checks again and is the authority.
pub type Check = &'static str;

/// A labelled, required input.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] check: Option<Check>,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            <input type=kind name=name required autocomplete=autocomplete data-check=check />
        </label>
    }
}

/// For an account in several MSPs (or clients): the other places it can act in, one click each.
#[component]
fn Switcher(others: Vec<crate::model::MembershipView>) -> impl IntoView {
    let t = use_t();
    // Switched, the page loads afresh (see the browser's `enhance`): all of it was the other
    // membership's.
    let switch = ServerAction::<crate::api::SwitchMembership>::new();
    view! {
        <details class="switcher" data-testid="switcher">
            <summary>{t.switch_to}</summary>
            <ul>
                {others.into_iter().map(|m| {
                    let place = match &m.client_name {
                        Some(c) => format!("{} · {c}", m.msp_name),
                        None => m.msp_name.clone(),
                    };
                    view! {
                        <li>
                            <ActionForm action=switch attr:class="inline">
                                <input type="hidden" name="membership_id" value=m.id.to_string() />
                                <button type="submit" class="link">{place} " (" {crate::pages::staff::role_label(t, m.role)} ")"</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </details>
    }
}
