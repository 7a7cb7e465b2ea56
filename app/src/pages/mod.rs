//! One module per page.
pub mod auth;
pub mod client;
pub mod clients;
pub mod home;
pub mod plan;
pub mod status;

use leptos::prelude::*;

use crate::components::use_t;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(http::StatusCode::NOT_FOUND);
    }
    let t = use_t();
    view! {
        <main class="narrow">
            <h1>{t.not_found}</h1>
        </main>
    }
}

/// Shown where a page needs a session and there is none.
#[component]
pub fn SignInPrompt() -> impl IntoView {
    let t = use_t();
    view! {
        <main class="narrow">
            <p class="empty">{t.not_signed_in} " " <a href="/login">{t.sign_in}</a></p>
        </main>
    }
}
