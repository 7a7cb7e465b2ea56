//! Sign in, sign up, accept an invite.
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{AcceptInvite, Login, RequestPasswordReset, ResetPassword, Signup};
use crate::components::{action_error, use_t, ErrorNote, Field};
#[component]
pub fn LoginPage() -> impl IntoView {
    let t = use_t();
    let action = ServerAction::<Login>::new();
    let error = action_error(action);
    // The page a signed-out visitor asked for; the server goes there after signing in.
    let next = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("next")
        .unwrap_or_default();
    view! {
        <main class="narrow card">
            <h1>{t.sign_in}</h1>
            <ActionForm action=action attr:class="form">
                <input type="hidden" name="next" value=next />
                <Field label=t.email name="email" kind="email" autocomplete="username" />
                <Field label=t.password name="password" kind="password" autocomplete="current-password" />
                <ErrorNote error />
                <button type="submit" disabled=move || action.pending().get()>{t.sign_in}</button>
            </ActionForm>
            <p class="muted"><a href="/forgot-password">{t.forgot_password}</a></p>
            <p class="muted">{t.no_account} " " <a href="/signup">{t.sign_up}</a></p>
        </main>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let t = use_t();
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = action_error(action);
    view! {
        <main class="narrow card">
            <h1>{t.forgot_password}</h1>
            <crate::components::Flash key="reset-sent">
                <p role="status" class="notice" data-testid="reset-sent">{t.reset_sent}</p>
            </crate::components::Flash>
            <p class="muted">{t.reset_intro}</p>
            <ActionForm action=action attr:class="form" attr:data-flash="reset-sent">
                <Field label=t.email name="email" kind="email" autocomplete="username" check="email" />
                <ErrorNote error />
                <button type="submit">{t.send_reset_link}</button>
            </ActionForm>
            <p class="muted"><a href="/login">{t.sign_in}</a></p>
        </main>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let t = use_t();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let action = ServerAction::<ResetPassword>::new();
    let error = action_error(action);
    view! {
        <main class="narrow card">
            <h1>{t.save_password}</h1>
            <ActionForm action=action attr:class="form">
                <input type="hidden" name="token" value=token />
                <Field label=t.new_password name="password" kind="password" autocomplete="new-password" check="password" />
                <ErrorNote error />
                <button type="submit" disabled=move || action.pending().get()>{t.save_password}</button>
            </ActionForm>
        </main>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let t = use_t();
    let action = ServerAction::<Signup>::new();
    let error = action_error(action);
    view! {
        <main class="narrow card">
            <h1>{t.sign_up}</h1>
            <ActionForm action=action attr:class="form">
                <Field label=t.msp_name name="msp_name" autocomplete="organization" check="name" />
                <Field label=t.your_name name="name" autocomplete="name" check="name" />
                <Field label=t.email name="email" kind="email" autocomplete="username" check="email" />
                <Field label=t.password name="password" kind="password" autocomplete="new-password" check="password" />
                <ErrorNote error />
                <button type="submit" disabled=move || action.pending().get()>{t.create_account}</button>
            </ActionForm>
            <p class="muted">{t.have_account} " " <a href="/login">{t.sign_in}</a></p>
        </main>
    }
}

#[component]
pub fn AcceptInvitePage() -> impl IntoView {
    let t = use_t();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let action = ServerAction::<AcceptInvite>::new();
    let error = action_error(action);
    view! {
        <main class="narrow card">
            <h1>{t.accept_invite}</h1>
            <p class="muted">{t.invite_existing_account}</p>
            <ActionForm action=action attr:class="form">
                <input type="hidden" name="token" value=token />
                // No check in the browser: for an existing account this is its own password,
                // set under whatever rule held then; the server decides.
                <Field label=t.choose_password name="password" kind="password" autocomplete="new-password" />
                <ErrorNote error />
                <button type="submit" disabled=move || action.pending().get()>{t.accept_invite}</button>
            </ActionForm>
        </main>
    }
}
