//! Lifeline's app: shared types, server functions and the Leptos UI. Server-only code lives in
//! `ssr` behind the `ssr` feature; the browser build (`hydrate`) never sees it.
#![recursion_limit = "256"]
pub mod api;
pub mod components;
pub mod domain;
pub mod exercise_text;
pub mod i18n;
pub mod ids;
pub mod incident_text;
pub mod model;
pub mod monitor_text;
mod pages;
pub mod plan_text;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use leptos_router::SsrMode;

use crate::i18n::Lang;

/// The HTML document around the app (server side only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = current_lang();
    #[cfg(feature = "ssr")]
    content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <style>{include_str!("../../style/main.css")}</style>
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy: scripts only from this site or inline with this
/// response's nonce (the hydration script), WebAssembly allowed to compile, nothing framed.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(v) = http::HeaderValue::from_str(&page_csp(&nonce)) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
    }
}

/// The policy of the app's pages, for a response's nonce. A plain form may end at Stripe's
/// hosted pages (an accepted offer's Checkout, the customer portal): the server redirects there.
#[cfg(feature = "ssr")]
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self' https://checkout.stripe.com https://billing.stripe.com; \
         frame-ancestors 'none'"
    )
}

/// The language: the remembered choice (cookie), else the browser's preference. The browser reads
/// it back from `<html lang>` so hydration renders the same words.
pub fn current_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|p| request_lang(&p.headers))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Lang::parse(&l))
            .unwrap_or_default()
    }
}

/// A request's language: the remembered choice (cookie), else `Accept-Language`.
#[cfg(feature = "ssr")]
pub fn request_lang(headers: &http::HeaderMap) -> Lang {
    let from_cookie =
        ssr::session::cookie(headers, i18n::LANG_COOKIE).and_then(|c| Lang::parse(&c));
    let from_header = headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.trim_start().starts_with("nl"))
        .map(|_| Lang::Nl);
    from_cookie.or(from_header).unwrap_or_default()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(current_lang());

    view! {
        <Title text="Lifeline" />
        <Router>
            <Main />
        </Router>
    }
}

/// Inside the router: the signed-in user is fetched once here and shared with every page.
#[component]
fn Main() -> impl IntoView {
    components::use_me();
    view! {
        <components::Header />
        <Routes fallback=|| view! { <main><pages::NotFound /></main> }>
                <Route path=path!("/") view=pages::home::Landing ssr=SsrMode::Async />
                <Route path=path!("/login") view=pages::auth::LoginPage ssr=SsrMode::Async />
                <Route path=path!("/signup") view=pages::auth::SignupPage ssr=SsrMode::Async />
                <Route path=path!("/invite/:token") view=pages::auth::AcceptInvitePage ssr=SsrMode::Async />
                <Route path=path!("/forgot-password") view=pages::auth::ForgotPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/reset-password/:token") view=pages::auth::ResetPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/clients") view=pages::clients::ClientsPage ssr=SsrMode::Async />
                <Route path=path!("/clients/:id") view=pages::client::ClientPage ssr=SsrMode::Async />
                <Route path=path!("/clients/:id/plan") view=pages::plan::PlanPage ssr=SsrMode::Async />
                <Route path=path!("/clients/:id/status") view=pages::status::StatusPage ssr=SsrMode::Async />
                <Route path=path!("/clients/:id/incidents") view=pages::incidents::IncidentsPage ssr=SsrMode::Async />
                <Route path=path!("/incidents/:id") view=pages::incidents::IncidentPage ssr=SsrMode::Async />
                <Route path=path!("/clients/:id/exercises") view=pages::exercises::ExercisesPage ssr=SsrMode::Async />
                <Route path=path!("/home") view=pages::home::ClientHome ssr=SsrMode::Async />
                <Route path=path!("/staff") view=pages::staff::StaffPage ssr=SsrMode::Async />
                <Route path=path!("/audit") view=pages::audit::AuditPage ssr=SsrMode::Async />
                <Route path=path!("/templates") view=pages::templates::TemplatesPage ssr=SsrMode::Async />
                <Route path=path!("/catalog") view=pages::catalog::CatalogPage ssr=SsrMode::Async />
        </Routes>
    }
}
