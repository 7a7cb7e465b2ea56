//! One module per page.
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod client;
pub mod clients;
pub mod exercises;
pub mod home;
pub mod incidents;
pub mod offers;
pub mod plan;
pub mod staff;
pub mod status;
pub mod templates;

use leptos::prelude::*;

use crate::components::use_t;

/// What an address with nothing behind it shows (HTTP 404), with a way back.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(http::StatusCode::NOT_FOUND);
    }
    let t = use_t();
    view! {
        <div class="narrow">
            <h1 data-testid="not-found">{t.not_found}</h1>
            <p>{t.not_found_hint}</p>
            <p><a class="button" href="/">{t.back_home}</a></p>
        </div>
    }
}

/// Where a signed-out visitor is sent: the sign-in form, which brings them back to this page.
pub fn sign_in_href() -> String {
    let here = leptos_router::hooks::use_location();
    let (path, query) = (here.pathname.get_untracked(), here.search.get_untracked());
    let back = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    format!("/login?next={}", crate::domain::input::query_value(&back))
}

/// Shown where a page needs a session and there is none. A page requested signed out answers
/// a redirect to the sign-in form (so it works without the wasm); in the browser, where a
/// page may briefly show what it read before a sign-in, the link is offered, not followed.
#[component]
pub fn SignInPrompt() -> impl IntoView {
    let t = use_t();
    let href = sign_in_href();
    #[cfg(feature = "ssr")]
    leptos_axum::redirect(&href);
    view! {
        <div class="narrow">
            <p class="empty">{t.not_signed_in} " " <a href=href>{t.sign_in}</a></p>
        </div>
    }
}

/// What a page shows when its data could not be loaded: the way to sign in for a signed-out
/// visitor, the 404 page for something that is not there (or not the caller's), else the
/// message.
#[component]
pub fn PageError(error: ServerFnError) -> impl IntoView {
    match crate::components::error_text(&error).as_str() {
        crate::model::UNAUTHORIZED => view! { <SignInPrompt /> }.into_any(),
        crate::model::NOT_FOUND => view! { <NotFound /> }.into_any(),
        text => view! { <p class="error" role="alert">{text.to_string()}</p> }.into_any(),
    }
}
