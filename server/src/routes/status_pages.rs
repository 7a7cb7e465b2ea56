//! The client's public status page: set up in the API, read by anyone at `/status/{slug}` (a
//! page, or `.json`), a customer group's private link adding `?audience={key}`; e-mail
//! subscriptions with a double opt-in and one-click unsubscribe.
use app::i18n::Lang;
use app::ids::ClientId;
use app::model::incident::{PublicStatus, StatusPageView};
use app::ssr::error::{AppError, AppResult};
use app::ssr::scope::Scope;
use app::ssr::service::status_pages::{self, Found, StatusPageInput, Subscription};
use app::ssr::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::incidents::{escape, page};
use super::plan::id;
use super::ApiJson;

pub fn routes() -> super::Api {
    let api = super::Api::default();
    route!(api, "/clients/{id}/status-page", get(show).put(set))
}

pub fn root_routes() -> super::Api {
    let api = super::Api::default();
    let api = route!(api, "/status/{slug}", get(public_page));
    let api = route!(api, "/status/{slug}/subscribe", post(subscribe));
    let api = route!(
        api,
        "/status/{slug}/confirm/{token}",
        get(confirm_page).post(confirm)
    );
    route!(
        api,
        "/status/{slug}/unsubscribe/{token}",
        get(unsubscribe_page).post(unsubscribe)
    )
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn show(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
) -> AppResult<Json<StatusPageView>> {
    let client: ClientId = id(&raw)?;
    Ok(Json(status_pages::get(&state, &scope, client).await?))
}

#[tracing::instrument(skip_all, fields(msp = %scope.msp_id()))]
async fn set(
    State(state): State<AppState>,
    scope: Scope,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<StatusPageInput>,
) -> AppResult<Json<StatusPageView>> {
    let client: ClientId = id(&raw)?;
    let now = chrono::Utc::now();
    Ok(Json(
        status_pages::put(&state, &scope, client, input, now).await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
struct Audience {
    audience: Option<String>,
}

/// The reader's language: their choice in Lifeline, else their browser's, else the MSP's.
fn reader_lang(headers: &HeaderMap, fallback: Lang) -> Lang {
    if let Some(l) =
        app::ssr::session::cookie(headers, app::i18n::LANG_COOKIE).and_then(|v| Lang::parse(&v))
    {
        return l;
    }
    match headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_ascii_lowercase())
    {
        Some(v) if v.starts_with("nl") => Lang::Nl,
        Some(v) if v.starts_with("en") => Lang::En,
        _ => fallback,
    }
}

fn not_found(lang: Lang) -> Response {
    let nl = lang == Lang::Nl;
    page(
        StatusCode::NOT_FOUND,
        lang,
        if nl {
            "Onbekende statuspagina"
        } else {
            "Unknown status page"
        },
        if nl {
            "<p>Deze statuspagina bestaat niet (meer). Kijk of de link helemaal is overgenomen.</p>"
        } else {
            "<p>This status page does not exist (any more). Check that the link was copied whole.</p>"
        },
    )
}

async fn public_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<Audience>,
    headers: HeaderMap,
) -> Response {
    let (slug, json) = match slug.strip_suffix(".json") {
        Some(s) => (s.to_string(), true),
        None => (slug, false),
    };
    let found = match status_pages::find(&state, &slug, q.audience.as_deref()).await {
        Ok(Some(f)) => f,
        Ok(None) if json => return AppError::NotFound.into_response(),
        Ok(None) => return not_found(reader_lang(&headers, Lang::En)),
        Err(e) => return e.into_response(),
    };
    let status = match status_pages::public(&state, &found, chrono::Utc::now()).await {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    // The public JSON may be cached half a minute (a crowd of customers refreshing during an
    // outage); the page speaks the reader's language, so it is asked for afresh; a group's
    // private view stays private.
    let cache = match (found.group.is_some(), json) {
        (true, _) => "private, no-store",
        (false, true) => "public, max-age=30",
        (false, false) => "no-cache",
    };
    if json {
        return ([(header::CACHE_CONTROL, cache)], Json(status)).into_response();
    }
    let lang = reader_lang(&headers, found.lang);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, cache),
        ],
        render(&status, &found, q.audience.as_deref(), lang),
    )
        .into_response()
}

fn state_word(lang: Lang, state: &str) -> &'static str {
    match (lang, state) {
        (Lang::Nl, "outage") => "Storing",
        (Lang::Nl, "degraded") => "Verminderd",
        (Lang::Nl, _) => "Werkt",
        (Lang::En, "outage") => "Outage",
        (Lang::En, "degraded") => "Degraded",
        (Lang::En, _) => "Operational",
    }
}

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The page as HTML: readable on a phone, no script, nothing but what the JSON says.
fn render(s: &PublicStatus, found: &Found, audience: Option<&str>, lang: Lang) -> String {
    let nl = lang == Lang::Nl;
    let t = |en: &'static str, nl_text: &'static str| if nl { nl_text } else { en };
    let worst = if s.components.iter().any(|c| c.state == "outage") {
        "outage"
    } else if s.components.iter().any(|c| c.state == "degraded") {
        "degraded"
    } else {
        "operational"
    };
    let banner = match worst {
        "outage" => t("Some services are down", "Sommige diensten liggen eruit"),
        "degraded" => t(
            "Some services are disrupted",
            "Sommige diensten werken verminderd",
        ),
        _ if s.incidents.iter().any(|i| i.state == "open") => t(
            "We are working on an incident",
            "We werken aan een incident",
        ),
        _ => t("All services are operational", "Alle diensten werken"),
    };
    let mut html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\"><title>{title}</title><style>\
body{{font-family:system-ui,sans-serif;margin:0;line-height:1.5;color:#1b1b1b;background:#f6f7f9}}main{{max-width:44rem;margin:auto;padding:1rem}}\
h1{{font-size:1.5rem;margin:.5rem 0 1rem}}h2{{font-size:1.15rem;margin:1.5rem 0 .5rem}}.banner{{padding:1rem;border-radius:.5rem;color:#fff;font-weight:600}}\
.operational{{background:#0b6e4f}}.degraded{{background:#9a5b00}}.outage{{background:#b3261e}}ul{{list-style:none;padding:0;margin:0}}\
.comp li{{display:flex;justify-content:space-between;gap:1rem;padding:.75rem 1rem;background:#fff;border-bottom:1px solid #e3e5e8;overflow-wrap:anywhere}}\
.pill{{white-space:nowrap;font-weight:600}}.pill.operational{{background:none;color:#0b6e4f}}.pill.degraded{{background:none;color:#9a5b00}}.pill.outage{{background:none;color:#b3261e}}\
article{{background:#fff;padding:1rem;border-radius:.5rem;margin-bottom:1rem;overflow-wrap:anywhere}}article h3{{margin:0 0 .25rem;font-size:1.05rem}}.meta{{color:#555;font-size:.9rem}}\
.upd{{border-left:3px solid #c9ccd1;padding-left:.75rem;margin-top:.75rem;white-space:pre-wrap}}form{{display:flex;flex-wrap:wrap;gap:.5rem}}\
input[type=email]{{flex:1 1 14rem;font:inherit;padding:.6rem;border:1px solid #8a8f98;border-radius:.4rem}}button{{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.4rem;background:#0b6e4f;color:#fff}}\
footer{{color:#555;font-size:.85rem;margin:2rem 0 1rem}}</style></head><body><main>",
        lang.code(),
        title = escape(&s.title)
    );
    html.push_str(&format!(
        "<h1>{}</h1><p class=\"banner {worst}\" role=\"status\">{}</p>",
        escape(&s.title),
        escape(banner)
    ));
    if !s.components.is_empty() {
        html.push_str(&format!(
            "<h2>{}</h2><ul class=\"comp\">",
            t("Services", "Diensten")
        ));
        for c in &s.components {
            html.push_str(&format!(
                "<li><span>{}</span><span class=\"pill {}\">{}</span></li>",
                escape(&c.name),
                escape(&c.state),
                state_word(lang, &c.state)
            ));
        }
        html.push_str("</ul>");
    }
    let (open, closed): (Vec<_>, Vec<_>) = s.incidents.iter().partition(|i| i.state == "open");
    for (heading, list) in [
        (t("Current incidents", "Lopende incidenten"), &open),
        (
            t("Past incidents (90 days)", "Eerdere incidenten (90 dagen)"),
            &closed,
        ),
    ] {
        html.push_str(&format!("<h2>{heading}</h2>"));
        if list.is_empty() {
            html.push_str(&format!("<p class=\"meta\">{}</p>", t("None.", "Geen.")));
        }
        for i in list.iter() {
            let state = match (i.state.as_str(), nl) {
                ("open", true) => "loopt".to_string(),
                ("open", false) => "ongoing".to_string(),
                (_, true) => format!("opgelost {}", i.closed_at.map(when).unwrap_or_default()),
                (_, false) => format!("resolved {}", i.closed_at.map(when).unwrap_or_default()),
            };
            html.push_str(&format!(
                "<article><h3>{}</h3><p class=\"meta\">{} {} · {}</p>",
                escape(&i.title),
                t("Since", "Sinds"),
                when(i.started_at),
                escape(&state)
            ));
            for u in &i.updates {
                html.push_str(&format!(
                    "<div class=\"upd\"><p class=\"meta\">{}</p>{}</div>",
                    when(u.published_at),
                    escape(&u.body)
                ));
            }
            html.push_str("</article>");
        }
    }
    let action = match audience {
        Some(a) => format!(
            "/status/{}/subscribe?audience={}",
            escape(&found.page.slug),
            escape(&app::domain::input::query_value(a))
        ),
        None => format!("/status/{}/subscribe", escape(&found.page.slug)),
    };
    html.push_str(&format!(
        "<h2>{}</h2><form method=\"post\" action=\"{action}\"><label for=\"email\" style=\"flex-basis:100%\">{}</label><input id=\"email\" name=\"email\" type=\"email\" required autocomplete=\"email\"><button type=\"submit\">{}</button></form>",
        t("Updates by e-mail", "Berichten per e-mail"),
        t("Your e-mail address; you confirm it from the mail we send.", "Uw e-mailadres; u bevestigt het vanuit de mail die we sturen."),
        t("Subscribe", "Aanmelden")
    ));
    html.push_str(&format!(
        "<footer>{}</footer></main></body></html>",
        t(
            "Updates are published by the people handling the incident. Times in UTC.",
            "Berichten worden gepubliceerd door wie het incident afhandelt. Tijden in UTC."
        )
    ));
    html
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscribeInput {
    email: String,
}

/// `{email}` as JSON (the API) or as the page's form; 202 either way, whatever the address's
/// standing, so the answer tells nobody who is subscribed.
async fn subscribe(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<Audience>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let input: Result<SubscribeInput, String> = if form {
        serde_urlencoded::from_bytes(&body).map_err(|e| e.to_string())
    } else {
        serde_json::from_slice(&body).map_err(|e| e.to_string())
    };
    let found = match status_pages::find(&state, &slug, q.audience.as_deref()).await {
        Ok(Some(f)) => f,
        Ok(None) if form => return not_found(reader_lang(&headers, Lang::En)),
        Ok(None) => return AppError::NotFound.into_response(),
        Err(e) => return e.into_response(),
    };
    let lang = reader_lang(&headers, found.lang);
    let nl = lang == Lang::Nl;
    let input = match input {
        Ok(i) => i,
        Err(e) if !form => {
            return AppError::BadRequest(format!("malformed body: {e}")).into_response()
        }
        Err(_) => SubscribeInput {
            email: String::new(),
        },
    };
    let base = app::ssr::service::mail::public_base(&state, &headers);
    let back = format!("/status/{}", escape(&found.page.slug));
    match status_pages::subscribe(&state, &found, &input.email, &base, chrono::Utc::now()).await {
        Ok(()) if form => page(
            StatusCode::ACCEPTED,
            lang,
            if nl { "Kijk in uw mailbox" } else { "Check your mailbox" },
            &format!(
                "<p>{}</p><p><a href=\"{back}\">{}</a></p>",
                if nl {
                    "Als dit adres nog niet aangemeld was, staat er een mail met een bevestigingslink in uw mailbox. Pas na die bevestiging sturen we berichten."
                } else {
                    "If this address was not subscribed yet, a mail with a confirmation link is on its way. Only after you confirm do we send updates."
                },
                if nl { "Terug naar de statuspagina" } else { "Back to the status page" }
            ),
        ),
        Ok(()) => (
            StatusCode::ACCEPTED,
            Json(serde_json::json!({ "status": "pending", "detail": "a confirmation mail is on its way unless the address is subscribed already" })),
        )
            .into_response(),
        Err(AppError::Validation(_)) if form => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            if nl { "Geen e-mailadres" } else { "Not an e-mail address" },
            &format!(
                "<p>{}</p><p><a href=\"{back}\">{}</a></p>",
                if nl { "Dat lijkt geen e-mailadres. Probeer het nog eens." } else { "That does not look like an e-mail address. Please try again." },
                if nl { "Terug naar de statuspagina" } else { "Back to the status page" }
            ),
        ),
        Err(AppError::TooManyRequests) if form => page(
            StatusCode::TOO_MANY_REQUESTS,
            lang,
            if nl { "Even geduld" } else { "Please wait" },
            if nl { "<p>Er zijn net veel aanmeldingen gedaan. Probeer het over een uur nog eens.</p>" } else { "<p>Many subscriptions were asked for just now. Please try again in an hour.</p>" },
        ),
        Err(e) => e.into_response(),
    }
}

fn subscription_answer(s: Subscription, lang: Lang, action: &str, confirming: bool) -> Response {
    let nl = lang == Lang::Nl;
    match (s, confirming) {
        (Subscription::Unknown, _) => page(
            StatusCode::NOT_FOUND,
            lang,
            if nl { "Onbekende link" } else { "Unknown link" },
            if nl {
                "<p>Deze link kennen we niet (meer): al gebruikt, verlopen of niet helemaal overgenomen.</p>"
            } else {
                "<p>We do not know this link (any more): used already, expired, or not copied whole.</p>"
            },
        ),
        (Subscription::Pending { title }, true) => page(
            StatusCode::OK,
            lang,
            if nl { "Aanmelding bevestigen" } else { "Confirm your subscription" },
            &format!(
                "<p>{}</p><form method=\"post\" action=\"{}\"><button type=\"submit\">{}</button></form>",
                escape(&if nl { format!("Berichten van \"{title}\" per e-mail ontvangen?") } else { format!("Get the updates of \"{title}\" by e-mail?") }),
                escape(action),
                if nl { "Ja, aanmelden" } else { "Yes, subscribe" }
            ),
        ),
        (Subscription::Pending { title }, false) => page(
            StatusCode::OK,
            lang,
            if nl { "Afmelden" } else { "Unsubscribe" },
            &format!(
                "<p>{}</p><form method=\"post\" action=\"{}\"><button type=\"submit\">{}</button></form>",
                escape(&if nl { format!("Geen berichten van \"{title}\" meer ontvangen?") } else { format!("Stop the updates of \"{title}\"?") }),
                escape(action),
                if nl { "Afmelden" } else { "Unsubscribe" }
            ),
        ),
        (Subscription::Done { title }, true) => page(
            StatusCode::OK,
            lang,
            if nl { "Aangemeld" } else { "Subscribed" },
            &format!("<p>{}</p>", escape(&if nl { format!("U krijgt de berichten van \"{title}\" voortaan per e-mail. Elke mail heeft een afmeldlink.") } else { format!("You will get the updates of \"{title}\" by e-mail. Every mail has an unsubscribe link.") })),
        ),
        (Subscription::Done { title }, false) => page(
            StatusCode::OK,
            lang,
            if nl { "Afgemeld" } else { "Unsubscribed" },
            &format!("<p>{}</p>", escape(&if nl { format!("U krijgt geen berichten van \"{title}\" meer; uw adres is gewist.") } else { format!("You will get no more updates of \"{title}\"; your address is deleted.") })),
        ),
    }
}

async fn link_lang(state: &AppState, slug: &str, headers: &HeaderMap) -> Lang {
    let fallback = match status_pages::find(state, slug, None).await {
        Ok(Some(f)) => f.lang,
        _ => Lang::En,
    };
    reader_lang(headers, fallback)
}

async fn confirm_page(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let lang = link_lang(&state, &slug, &headers).await;
    let action = format!("/status/{slug}/confirm/{token}");
    match status_pages::peek_confirm(&state, &slug, &token, chrono::Utc::now()).await {
        Ok(s) => subscription_answer(s, lang, &action, true),
        Err(e) => e.into_response(),
    }
}

async fn confirm(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let lang = link_lang(&state, &slug, &headers).await;
    match status_pages::confirm(&state, &slug, &token, chrono::Utc::now()).await {
        Ok(s) => subscription_answer(s, lang, "", true),
        Err(e) => e.into_response(),
    }
}

async fn unsubscribe_page(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let lang = link_lang(&state, &slug, &headers).await;
    let action = format!("/status/{slug}/unsubscribe/{token}");
    match status_pages::peek_unsubscribe(&state, &slug, &token).await {
        Ok(s) => subscription_answer(s, lang, &action, false),
        Err(e) => e.into_response(),
    }
}

/// The page's button, or a mail program's one-click POST (`List-Unsubscribe=One-Click`).
async fn unsubscribe(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let lang = link_lang(&state, &slug, &headers).await;
    match status_pages::unsubscribe(&state, &slug, &token).await {
        Ok(s) => subscription_answer(s, lang, "", false),
        Err(e) => e.into_response(),
    }
}
