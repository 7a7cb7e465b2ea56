//! What the wasm adds to the server-rendered pages. Every form is a plain HTML form that posts to
//! its server function and works without this; with it, a form posts in the background:
//! - refused: the reason appears in the form, and what was typed stays;
//! - saved: the page loads afresh, so everything on it shows the new state (a drawer closes, a
//!   form empties), and a form's one-time answer (an invitation link, a new token, "Saved") is
//!   shown once after that load;
//! - a server function that sends the user elsewhere (sign-in, sign-out) does so.
//!
//! Fields with `data-check` are checked as the user leaves them; the server checks again.
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DocumentFragment, Element, Event, FormData, HtmlButtonElement, HtmlFormElement,
    HtmlInputElement, HtmlTemplateElement, RequestInit, Response, SubmitEvent, UrlSearchParams,
};

use app::i18n::Lang;

/// Server functions answer under this path; the REST API (`/api/v1`) takes JSON, not forms.
const SERVER_FN_PREFIX: &str = "/api/";
/// Where a saved form's answer waits for the page's next load.
const FLASH_KEY: &str = "lifeline-flash";

pub fn install() {
    let doc = gloo_document();
    listen(&doc, "submit", |ev: Event| {
        if let Ok(ev) = ev.dyn_into::<SubmitEvent>() {
            on_submit(ev);
        }
    });
    listen(&doc, "focusout", |ev: Event| {
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        {
            check_field(&input);
        }
    });
    // A page the browser brings back from its back/forward cache kept a form marked busy.
    if let Some(w) = web_sys::window() {
        let cb = Closure::<dyn Fn(Event)>::new(|_| unbusy_all());
        let _ = w.add_event_listener_with_callback("pageshow", cb.as_ref().unchecked_ref());
        cb.forget();
    }
    forget_plain_refusal();
    show_flash();
    reopen();
    refresh_when_idle();
}

fn gloo_document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a page has a document")
}

fn listen(target: &web_sys::Document, event: &str, f: impl Fn(Event) + 'static) {
    let cb = Closure::<dyn Fn(Event)>::new(f);
    let _ = target.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
    // Lives as long as the page.
    cb.forget();
}

fn lang() -> Lang {
    gloo_document()
        .document_element()
        .and_then(|e| e.get_attribute("lang"))
        .and_then(|l| Lang::parse(&l))
        .unwrap_or_default()
}

/// The path a form posts to, when it is one of this site's server functions. Read from the
/// attributes: a field named `method` or `action` shadows the form's properties of that name.
fn server_fn_path(form: &HtmlFormElement) -> Option<String> {
    let method = form.get_attribute("method").unwrap_or_default();
    if !method.eq_ignore_ascii_case("post") {
        return None;
    }
    let here = web_sys::window()?.location();
    let url =
        web_sys::Url::new_with_base(&form.get_attribute("action")?, &here.href().ok()?).ok()?;
    let path = url.pathname();
    (url.origin() == here.origin().ok()?
        && path.starts_with(SERVER_FN_PREFIX)
        && !path.starts_with("/api/v1/"))
    .then(|| format!("{path}{}", url.search()))
}

fn on_submit(ev: SubmitEvent) {
    let Some(form) = ev
        .target()
        .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    let Some(path) = server_fn_path(&form) else {
        return;
    };
    if form.get_attribute("aria-busy").as_deref() == Some("true") {
        ev.prevent_default();
        return;
    }
    // The clicked button's own name and value belong to what is sent, as in a plain post.
    let Some(data) = FormData::new_with_form(&form).ok() else {
        return; // let the browser post it
    };
    if let Some(name) = ev
        .submitter()
        .and_then(|b| Some((b.get_attribute("name")?, b.get_attribute("value"))))
    {
        let _ = data.append_with_str(&name.0, name.1.as_deref().unwrap_or_default());
    }
    let Some(body) = UrlSearchParams::new_with_str_sequence_sequence(&data).ok() else {
        return; // let the browser post it
    };
    ev.prevent_default();
    busy(&form, true);
    // Until the answer is in (and, when saved, the page has loaded again), the page is not
    // ready for the next step: tests wait on this marker.
    ready(false);
    wasm_bindgen_futures::spawn_local(async move {
        match post(&path, &body).await {
            Ok(Outcome::GoTo(to)) => go(&to),
            Ok(Outcome::Saved(answer)) => {
                if let Some(key) = form.get_attribute("data-flash") {
                    remember(&key, &answer);
                }
                // An "add" drawer stays open for the next one; edit drawers close, saved.
                keep_open("details[open][data-keep-open]");
                reload();
            }
            Ok(Outcome::Refused(reason)) => {
                busy(&form, false);
                show_error(&form, &reason);
                ready(true);
            }
            Err(()) => {
                busy(&form, false);
                ready(true);
                let reason = match lang() {
                    Lang::En => "Lifeline could not be reached. Check the connection and try again.",
                    Lang::Nl => "Lifeline is niet bereikbaar. Controleer de verbinding en probeer het opnieuw.",
                };
                show_error(&form, reason);
            }
        }
    });
}

enum Outcome {
    GoTo(String),
    Saved(String),
    Refused(String),
}

async fn post(path: &str, body: &UrlSearchParams) -> Result<Outcome, ()> {
    let init = RequestInit::new();
    init.set_method("POST");
    let headers = web_sys::Headers::new().map_err(|_| ())?;
    headers.set("Accept", "application/json").map_err(|_| ())?;
    headers
        .set("Content-Type", "application/x-www-form-urlencoded")
        .map_err(|_| ())?;
    init.set_headers(&headers);
    init.set_body(&JsValue::from(body.to_string()));
    let window = web_sys::window().ok_or(())?;
    let res: Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|_| ())?
        .dyn_into()
        .map_err(|_| ())?;
    let text = JsFuture::from(res.text().map_err(|_| ())?)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default();
    // A server function that redirects says so in a header when asked by a script.
    if res.headers().has("serverfnredirect").unwrap_or(false) {
        if let Ok(Some(to)) = res.headers().get("location") {
            return Ok(Outcome::GoTo(to));
        }
    }
    if res.ok() {
        Ok(Outcome::Saved(text))
    } else {
        Ok(Outcome::Refused(reason(&text, res.status())))
    }
}

/// A server function's error reads `Kind|message`; the message is already in the user's language.
fn reason(body: &str, status: u16) -> String {
    match body.split_once('|') {
        Some((_, message)) if !message.trim().is_empty() => message.trim().to_string(),
        _ if status == 413 => match lang() {
            Lang::En => "This is too large to send.".into(),
            Lang::Nl => "Dit is te groot om te versturen.".into(),
        },
        _ => match lang() {
            Lang::En => format!("Something went wrong (HTTP {status}). Try again."),
            Lang::Nl => format!("Er ging iets mis (HTTP {status}). Probeer het opnieuw."),
        },
    }
}

/// The page's marker that it is interactive (`data-hydrated` on the body).
pub fn ready(on: bool) {
    if let Some(body) = gloo_document().body() {
        let _ = match on {
            true => body.set_attribute("data-hydrated", "true"),
            false => body.remove_attribute("data-hydrated"),
        };
    }
}

fn busy(form: &HtmlFormElement, on: bool) {
    let _ = form.set_attribute("aria-busy", if on { "true" } else { "false" });
    if let Ok(buttons) = form.query_selector_all("button[type=submit], button:not([type])") {
        for i in 0..buttons.length() {
            if let Some(b) = buttons
                .item(i)
                .and_then(|n| n.dyn_into::<HtmlButtonElement>().ok())
            {
                b.set_disabled(on);
            }
        }
    }
}

fn unbusy_all() {
    if let Ok(forms) = gloo_document().query_selector_all("form[aria-busy=true]") {
        for i in 0..forms.length() {
            if let Some(f) = forms
                .item(i)
                .and_then(|n| n.dyn_into::<HtmlFormElement>().ok())
            {
                busy(&f, false);
            }
        }
    }
    ready(true);
}

/// The reason goes at the end of the form, where the eye is after pressing its button.
fn show_error(form: &HtmlFormElement, reason: &str) {
    let note = match form.query_selector("[data-enhanced-error]").ok().flatten() {
        Some(n) => n,
        None => {
            let Ok(n) = gloo_document().create_element("p") else {
                return;
            };
            let _ = n.set_attribute("class", "error");
            let _ = n.set_attribute("role", "alert");
            let _ = n.set_attribute("data-enhanced-error", "");
            let _ = form.append_child(&n);
            n
        }
    };
    note.set_text_content(Some(reason));
}

/// A plain post's refusal came back in the address (`__path`, `__err`): shown once, it leaves
/// the address, so a reload (or the reload after the next save) does not show it again.
fn forget_plain_refusal() {
    let Some(w) = web_sys::window() else {
        return;
    };
    let Ok(url) = web_sys::Url::new(&w.location().href().unwrap_or_default()) else {
        return;
    };
    let params = url.search_params();
    if !params.has("__err") {
        return;
    }
    params.delete("__err");
    params.delete("__path");
    if let Ok(history) = w.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url.href()));
    }
}

fn go(to: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(to);
    }
}

fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn current_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default()
}

/// Keeps a saved form's answer for the next load of this same page (and only that load).
fn remember(key: &str, answer: &str) {
    let record = js_sys::Array::of3(
        &JsValue::from(key),
        &JsValue::from(current_path()),
        &JsValue::from(answer),
    );
    if let (Some(s), Ok(text)) = (session(), js_sys::JSON::stringify(&record)) {
        let _ = s.set_item(FLASH_KEY, &String::from(text));
    }
}

/// Shows the answer a form left before the page loaded: each `<template data-flash-for=key>` is
/// put in place, its `[data-flash-value]` parts showing the answer (`data-flash-value="1"`: the
/// answer's second item). Until then nothing of it is on the page.
fn show_flash() {
    let Some(storage) = session() else {
        return;
    };
    let Ok(Some(stored)) = storage.get_item(FLASH_KEY) else {
        return;
    };
    let _ = storage.remove_item(FLASH_KEY);
    let Ok(record) = js_sys::JSON::parse(&stored) else {
        return;
    };
    let record = js_sys::Array::from(&record);
    let (key, path, answer) = (
        record.get(0).as_string().unwrap_or_default(),
        record.get(1).as_string().unwrap_or_default(),
        record.get(2).as_string().unwrap_or_default(),
    );
    if path != current_path() || key.contains(['"', '\\', ']']) {
        return;
    }
    let answer = js_sys::JSON::parse(&answer).unwrap_or(JsValue::NULL);
    let selector = format!("template[data-flash-for=\"{key}\"]");
    let Ok(places) = gloo_document().query_selector_all(&selector) else {
        return;
    };
    for i in 0..places.length() {
        let Some(template) = places
            .item(i)
            .and_then(|n| n.dyn_into::<HtmlTemplateElement>().ok())
        else {
            continue;
        };
        let Ok(shown) = template
            .content()
            .clone_node_with_deep(true)
            .map(|n| n.unchecked_into::<DocumentFragment>())
        else {
            continue;
        };
        if let Ok(values) = shown.query_selector_all("[data-flash-value]") {
            for j in 0..values.length() {
                let Some(v) = values.item(j).and_then(|n| n.dyn_into::<Element>().ok()) else {
                    continue;
                };
                let part = match v.get_attribute("data-flash-value").as_deref() {
                    Some("") | None => answer.clone(),
                    Some(index) => index
                        .parse::<u32>()
                        .map(|n| js_sys::Array::from(&answer).get(n))
                        .unwrap_or(JsValue::NULL),
                };
                v.set_text_content(part.as_string().as_deref());
            }
        }
        let _ = template.after_with_node_1(&shown);
    }
}

/// A field's own rule, checked as the user leaves it: `data-check="email|name|password"`.
fn check_field(input: &HtmlInputElement) {
    let Some(rule) = input.get_attribute("data-check") else {
        return;
    };
    let value = input.value();
    let verdict = match rule.as_str() {
        "email" => app::domain::input::Email::parse(&value).map(|_| ()),
        "name" => app::domain::input::Name::parse(&value).map(|_| ()),
        "password" => app::domain::input::Password::parse(&value).map(|_| ()),
        _ => Ok(()),
    };
    let label = input
        .closest("label")
        .ok()
        .flatten()
        .and_then(|l| l.query_selector("span").ok().flatten())
        .and_then(|s| s.text_content())
        .unwrap_or_default();
    let old = input
        .parent_element()
        .and_then(|p| p.query_selector(".field-error").ok().flatten());
    if let Some(old) = old {
        old.remove();
    }
    let _ = input.set_attribute("aria-invalid", &verdict.is_err().to_string());
    if let Err(why) = verdict {
        let why = match lang() {
            Lang::Nl => app::i18n::dutch_message(why).unwrap_or(why),
            Lang::En => why,
        };
        if let Ok(note) = gloo_document().create_element("small") {
            let _ = note.set_attribute("class", "field-error");
            note.set_text_content(Some(&format!("{label} {why}")));
            let _ = input.after_with_node_1(&note);
        }
    }
}

/// A page with `data-refresh-seconds` (the status page) loads afresh at that pace while it is
/// visible and the reader is not typing; what was open (a timeline) opens again.
fn refresh_when_idle() {
    let Some(seconds) = gloo_document()
        .query_selector("[data-refresh-seconds]")
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("data-refresh-seconds"))
        .and_then(|s| s.parse::<i32>().ok())
        .filter(|s| *s >= 5)
    else {
        return;
    };
    let tick = Closure::<dyn Fn()>::new(|| {
        let doc = gloo_document();
        let reading = doc.visibility_state() != web_sys::VisibilityState::Visible
            || doc
                .active_element()
                .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
        if !reading {
            keep_open("details[open]");
            reload();
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_interval_with_callback_and_timeout_and_arguments_0(
            tick.as_ref().unchecked_ref(),
            seconds * 1000,
        );
    }
    tick.forget();
}

const OPEN_KEY: &str = "lifeline-open";

/// The `<details>` matching `selector`, named by their `data-testid` and place among those with
/// the same one: stable over a reload of the same page.
fn details_names(selector: &str) -> Vec<String> {
    let mut names = Vec::new();
    let Ok(all) = gloo_document().query_selector_all("details") else {
        return names;
    };
    let mut seen: Vec<(String, usize)> = Vec::new();
    for i in 0..all.length() {
        let Some(d) = all.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let id = d.get_attribute("data-testid").unwrap_or_default();
        let n = match seen.iter_mut().find(|(s, _)| *s == id) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                seen.push((id.clone(), 0));
                0
            }
        };
        if d.matches(selector).unwrap_or(false) {
            names.push(format!("{id}#{n}"));
        }
    }
    names
}

/// Remembers which drawers to open again after the coming reload of this page.
fn keep_open(selector: &str) {
    let record = js_sys::Array::new();
    record.push(&JsValue::from(current_path()));
    for name in details_names(selector) {
        record.push(&JsValue::from(name));
    }
    if let (Some(s), Ok(text)) = (session(), js_sys::JSON::stringify(&record)) {
        let _ = s.set_item(OPEN_KEY, &String::from(text));
    }
}

fn reopen() {
    let Some(storage) = session() else {
        return;
    };
    let Ok(Some(stored)) = storage.get_item(OPEN_KEY) else {
        return;
    };
    let _ = storage.remove_item(OPEN_KEY);
    let Ok(record) = js_sys::JSON::parse(&stored) else {
        return;
    };
    let record = js_sys::Array::from(&record);
    if record.get(0).as_string().as_deref() != Some(&current_path()) {
        return;
    }
    let wanted: Vec<String> = record
        .iter()
        .skip(1)
        .filter_map(|v| v.as_string())
        .collect();
    let names = details_names("details");
    let Ok(all) = gloo_document().query_selector_all("details") else {
        return;
    };
    for (i, name) in names.iter().enumerate() {
        if wanted.contains(name) {
            if let Some(d) = all
                .item(i as u32)
                .and_then(|n| n.dyn_into::<Element>().ok())
            {
                let _ = d.set_attribute("open", "");
            }
        }
    }
}
