//! A stand-in for Stripe's API, for tests and demos where Stripe cannot be reached. It speaks
//! Stripe's HTTP as the API reference gives it: bearer secret keys, form-encoded bodies with
//! `a[b][0][c]` keys, `prod_`/`price_`/`cs_test_`/`sub_`/`si_`/`cus_`/`bps_` ids, whole objects
//! in answers, and errors as `{"error":{"type","code","message","param"}}` with Stripe's status
//! codes. It keeps what it is told per secret key (one account each) and lets a test play the
//! customer: `complete_checkout` pays a session and returns the events Stripe would send.
//!
//! Covered: `POST /v1/products`, `POST /v1/prices`, `POST /v1/checkout/sessions`,
//! `GET /v1/checkout/sessions/{id}`, `POST /v1/subscription_items/{id}`,
//! `DELETE /v1/subscriptions/{id}`, `POST /v1/billing_portal/sessions`,
//! `POST /v1/webhook_endpoints`. Anything else answers 404
//! as Stripe does for an unknown URL. The hosted pages a session's `url` leads to are a plain
//! page with a Pay button (`/c/pay/{id}`): paying delivers the events to the account's webhook
//! endpoints, signed as Stripe signs them, and returns to the session's `success_url`.
// The helpers answer early with Stripe's error response, as handlers do.
#![allow(clippy::result_large_err)]
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

/// Everything the fake was told, per account (secret key).
#[derive(Default)]
pub struct Accounts {
    accounts: HashMap<String, Account>,
    /// Keys Stripe would refuse (a revoked or mistyped key).
    pub refused_keys: Vec<String>,
    /// Every request: (method, path, form pairs), for tests to read what was asked.
    pub requests: Vec<Asked>,
    /// Stripe is having trouble: every API call answers 500 `api_error`, as Stripe does when
    /// something goes wrong on its end.
    pub outage: bool,
    next: u64,
}

#[derive(Default)]
struct Account {
    products: HashMap<String, Value>,
    prices: HashMap<String, Value>,
    sessions: HashMap<String, Value>,
    subscriptions: HashMap<String, Value>,
    items: HashMap<String, Value>,
    customers: HashMap<String, Value>,
    /// Webhook endpoints: (url, signing secret).
    endpoints: Vec<(String, String)>,
}

pub type Fake = Arc<Mutex<Accounts>>;

/// A form body's pairs, in order.
pub type Form = Vec<(String, String)>;

/// A request the fake took: method, path and form.
pub type Asked = (String, String, Form);

/// Starts the fake on a free loopback port; its base URL (as `LIFELINE_STRIPE_API_BASE`
/// takes it) and its state.
pub async fn spawn() -> std::io::Result<(String, Fake)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}/", listener.local_addr()?);
    let fake = Fake::default();
    let app = router(fake.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((base, fake))
}

pub fn router(fake: Fake) -> Router {
    Router::new()
        .route("/v1/products", post(create_product))
        .route("/v1/prices", post(create_price))
        .route("/v1/checkout/sessions", post(create_session))
        .route("/v1/checkout/sessions/{id}", get(show_session))
        .route("/v1/subscription_items/{id}", post(update_item))
        .route(
            "/v1/subscriptions/{id}",
            axum::routing::delete(cancel_subscription),
        )
        .route("/v1/billing_portal/sessions", post(create_portal))
        .route("/v1/webhook_endpoints", post(create_endpoint))
        .route("/c/pay/{id}", get(pay_page).post(pay))
        .fallback(unknown_url)
        .with_state(fake)
}

fn error(
    status: StatusCode,
    kind: &str,
    code: Option<&str>,
    message: String,
    param: Option<&str>,
) -> Response {
    let mut e = Map::new();
    e.insert("type".into(), json!(kind));
    e.insert("message".into(), json!(message));
    if let Some(c) = code {
        e.insert("code".into(), json!(c));
    }
    if let Some(p) = param {
        e.insert("param".into(), json!(p));
    }
    (status, Json(json!({ "error": e }))).into_response()
}

fn missing(param: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        Some("parameter_missing"),
        format!("Missing required param: {param}."),
        Some(param),
    )
}

fn no_such(what: &str, id: &str, param: Option<&str>) -> Response {
    error(
        if param.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::NOT_FOUND
        },
        "invalid_request_error",
        Some("resource_missing"),
        format!("No such {what}: '{id}'"),
        param,
    )
}

async fn unknown_url(uri: axum::http::Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        None,
        format!("Unrecognized request URL (POST: {}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.", uri.path()),
        None,
    )
}

/// The account a request is for, by its bearer key, or Stripe's 401.
fn account_key(headers: &HeaderMap, accounts: &Accounts) -> Result<String, Response> {
    let key = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let Some(key) = key else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            None,
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').".into(),
            None,
        ));
    };
    let known_kind = ["sk_test_", "rk_test_", "sk_live_", "rk_live_"]
        .iter()
        .any(|p| key.starts_with(p));
    if !known_kind || accounts.refused_keys.contains(&key) {
        let shown = app::ssr::service::payments::last_four(&key);
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            None,
            format!(
                "Invalid API Key provided: {}****{shown}",
                &key[..key.len().min(8)]
            ),
            None,
        ));
    }
    Ok(key)
}

/// A form body as Stripe reads it: `a[b][0][c]=v` pairs, in order.
fn form(body: &[u8]) -> Result<Vec<(String, String)>, Response> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).map_err(|_| {
        error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            None,
            "Invalid request body: expected application/x-www-form-urlencoded.".into(),
            None,
        )
    })
}

fn field<'a>(f: &'a [(String, String)], key: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// `prefix[key]=value` pairs as a metadata object.
fn metadata(f: &[(String, String)], prefix: &str) -> Value {
    let mut m = Map::new();
    for (k, v) in f {
        if let Some(key) = k
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('['))
            .and_then(|r| r.strip_suffix(']'))
        {
            if !key.contains('[') {
                m.insert(key.to_string(), json!(v));
            }
        }
    }
    Value::Object(m)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Accounts {
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{:0>14}{}", self.next, "LfLn")
    }

    fn account(&mut self, key: &str) -> &mut Account {
        self.accounts.entry(key.to_string()).or_default()
    }

    fn log(&mut self, method: &str, path: &str, f: &[(String, String)]) {
        self.requests.push((method.into(), path.into(), f.to_vec()));
    }

    /// The quantity Stripe now bills a subscription item for (tests).
    pub fn item_quantity(&self, item: &str) -> Option<u64> {
        self.accounts
            .values()
            .find_map(|a| a.items.get(item))
            .and_then(|i| i["quantity"].as_u64())
    }

    /// The subscription as Stripe holds it (tests).
    pub fn subscription(&self, id: &str) -> Option<Value> {
        self.accounts
            .values()
            .find_map(|a| a.subscriptions.get(id))
            .cloned()
    }

    /// The Checkout Session (tests).
    pub fn session(&self, id: &str) -> Option<Value> {
        self.accounts
            .values()
            .find_map(|a| a.sessions.get(id))
            .cloned()
    }

    /// Plays the customer paying a Checkout Session: a customer, a subscription with one item
    /// per line are made, the session completes; returns the events Stripe sends for it
    /// (`customer.subscription.created`, then `checkout.session.completed`), not yet signed.
    pub fn complete_checkout(&mut self, session_id: &str, email: &str) -> Option<Vec<Value>> {
        let key = self
            .accounts
            .iter()
            .find(|(_, a)| a.sessions.contains_key(session_id))
            .map(|(k, _)| k.clone())?;
        let (cus, sub, item) = (self.id("cus_"), self.id("sub_"), self.id("si_"));
        let (evt1, evt2) = (self.id("evt_"), self.id("evt_"));
        let created = now();
        let account = self.account(&key);
        let session = account.sessions.get(session_id)?.clone();
        if session["status"] != "open" {
            return None;
        }
        let lines = session["lines"].as_array()?.clone();
        let price = account
            .prices
            .get(lines.first()?["price"].as_str()?)?
            .clone();
        let customer = json!({ "id": cus, "object": "customer", "created": created, "email": email,
                               "livemode": false, "metadata": {} });
        account.customers.insert(cus.clone(), customer);
        let mut item_objs = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            let id = if n == 0 {
                item.clone()
            } else {
                format!("{item}_{n}")
            };
            let price = account.prices.get(line["price"].as_str()?)?.clone();
            let obj = json!({ "id": id, "object": "subscription_item", "created": created,
                "current_period_start": created, "current_period_end": created + 30 * 86_400,
                "discounts": [], "metadata": {}, "price": price, "quantity": line["quantity"],
                "subscription": sub, "tax_rates": [] });
            account.items.insert(id, obj.clone());
            item_objs.push(obj);
        }
        let subscription = json!({ "id": sub, "object": "subscription", "created": created,
            "customer": cus, "status": "active", "currency": price["currency"], "livemode": false,
            "cancel_at_period_end": false, "collection_method": "charge_automatically",
            "start_date": created, "billing_cycle_anchor": created,
            "metadata": session["subscription_metadata"],
            "items": { "object": "list", "data": item_objs, "has_more": false,
                       "url": format!("/v1/subscription_items?subscription={sub}") } });
        account
            .subscriptions
            .insert(sub.clone(), subscription.clone());
        let mut done = session.clone();
        done["status"] = json!("complete");
        done["payment_status"] = json!("paid");
        done["customer"] = json!(cus);
        done["subscription"] = json!(sub);
        done["url"] = Value::Null;
        account
            .sessions
            .insert(session_id.to_string(), done.clone());
        let mut public = done;
        if let Some(o) = public.as_object_mut() {
            o.remove("lines");
            o.remove("subscription_metadata");
        }
        let event = |id: &str, kind: &str, object: Value| {
            json!({ "id": id, "object": "event", "api_version": "2025-03-31.basil", "created": created,
                    "livemode": false, "pending_webhooks": 1, "type": kind, "data": { "object": object },
                    "request": { "id": null, "idempotency_key": null } })
        };
        Some(vec![
            event(&evt1, "customer.subscription.created", subscription),
            event(&evt2, "checkout.session.completed", public),
        ])
    }
}

macro_rules! take {
    ($fake:expr, $headers:expr, $body:expr, $method:expr, $path:expr) => {{
        let mut accounts = $fake.lock().unwrap();
        let key = match account_key(&$headers, &accounts) {
            Ok(k) => k,
            Err(r) => return r,
        };
        let f = match form(&$body) {
            Ok(f) => f,
            Err(r) => return r,
        };
        accounts.log($method, $path, &f);
        if accounts.outage {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "api_error",
                None,
                "An unknown error occurred while processing your request. Please try again.".into(),
                None,
            );
        }
        (accounts, key, f)
    }};
}

async fn create_product(
    State(fake): State<Fake>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (mut accounts, key, f) = take!(fake, headers, body, "POST", "/v1/products");
    let Some(name) = field(&f, "name").filter(|n| !n.is_empty()) else {
        return missing("name");
    };
    let id = accounts.id("prod_");
    let t = now();
    let product = json!({ "id": id, "object": "product", "active": true, "created": t, "updated": t,
        "default_price": null, "description": null, "images": [], "livemode": false,
        "marketing_features": [], "metadata": metadata(&f, "metadata"), "name": name,
        "package_dimensions": null, "shippable": null, "statement_descriptor": null,
        "tax_code": null, "type": "service", "unit_label": null, "url": null });
    accounts.account(&key).products.insert(id, product.clone());
    Json(product).into_response()
}

async fn create_price(
    State(fake): State<Fake>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (mut accounts, key, f) = take!(fake, headers, body, "POST", "/v1/prices");
    let Some(currency) = field(&f, "currency") else {
        return missing("currency");
    };
    if currency.len() != 3 || currency != currency.to_ascii_lowercase() {
        return error(StatusCode::BAD_REQUEST, "invalid_request_error", Some("parameter_invalid_string"),
            format!("Invalid currency: {currency}. Stripe currently supports these currencies: usd, eur, gbp, …"), Some("currency"));
    }
    let Some(product) = field(&f, "product").map(str::to_string) else {
        return missing("product");
    };
    if !accounts.account(&key).products.contains_key(&product) {
        return no_such("product", &product, Some("product"));
    }
    let Some(amount) = field(&f, "unit_amount")
        .and_then(|a| a.parse::<i64>().ok())
        .filter(|a| *a >= 0)
    else {
        return missing("unit_amount");
    };
    let recurring = match field(&f, "recurring[interval]") {
        Some(i @ ("day" | "week" | "month" | "year")) => json!({ "interval": i,
            "interval_count": field(&f, "recurring[interval_count]").and_then(|c| c.parse::<u64>().ok()).unwrap_or(1),
            "meter": null, "trial_period_days": null, "usage_type": "licensed" }),
        Some(other) => return error(StatusCode::BAD_REQUEST, "invalid_request_error", Some("parameter_invalid_string"),
            format!("Invalid recurring[interval]: must be one of day, week, month, or year (got {other})"), Some("recurring[interval]")),
        None => Value::Null,
    };
    let id = accounts.id("price_");
    let price = json!({ "id": id, "object": "price", "active": true, "billing_scheme": "per_unit",
        "created": now(), "currency": currency, "custom_unit_amount": null, "livemode": false,
        "lookup_key": null, "metadata": metadata(&f, "metadata"), "nickname": null, "product": product,
        "recurring": recurring.clone(), "tax_behavior": "unspecified", "tiers_mode": null,
        "transform_quantity": null, "type": if recurring.is_null() { "one_time" } else { "recurring" },
        "unit_amount": amount, "unit_amount_decimal": amount.to_string() });
    accounts.account(&key).prices.insert(id, price.clone());
    Json(price).into_response()
}

async fn create_session(
    State(fake): State<Fake>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (mut accounts, key, f) = take!(fake, headers, body, "POST", "/v1/checkout/sessions");
    let Some(mode) = field(&f, "mode") else {
        return missing("mode");
    };
    if !matches!(mode, "payment" | "setup" | "subscription") {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Some("parameter_invalid_string"),
            "Invalid mode: must be one of payment, setup, or subscription".to_string(),
            Some("mode"),
        );
    }
    let Some(success_url) = field(&f, "success_url").map(str::to_string) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Some("parameter_missing"),
            "Not a valid URL: you must provide a success_url when ui_mode is hosted.".into(),
            Some("success_url"),
        );
    };
    let mut lines = Vec::new();
    for i in 0.. {
        let at = |k: &str| format!("line_items[{i}][{k}]");
        let price = match (
            field(&f, &at("price")),
            field(&f, &at("price_data][currency")),
        ) {
            (Some(price), _) => price.to_string(),
            // An inline price: Stripe makes a price object for it, used by this session only.
            (None, Some(currency)) => {
                let Some(product) = field(&f, &at("price_data][product")).map(str::to_string)
                else {
                    return missing(&at("price_data][product"));
                };
                if !accounts.account(&key).products.contains_key(&product) {
                    return no_such("product", &product, Some(&at("price_data][product")));
                }
                let Some(amount) =
                    field(&f, &at("price_data][unit_amount")).and_then(|a| a.parse::<i64>().ok())
                else {
                    return missing(&at("price_data][unit_amount"));
                };
                let interval = field(&f, &at("price_data][recurring][interval"));
                let id = accounts.id("price_");
                let price = json!({ "id": id, "object": "price", "active": false, "billing_scheme": "per_unit",
                    "created": now(), "currency": currency, "livemode": false, "metadata": {}, "product": product,
                    "recurring": interval.map(|i| json!({ "interval": i, "interval_count": 1, "usage_type": "licensed" })),
                    "type": if interval.is_some() { "recurring" } else { "one_time" },
                    "unit_amount": amount, "unit_amount_decimal": amount.to_string() });
                accounts.account(&key).prices.insert(id.clone(), price);
                id
            }
            (None, None) => break,
        };
        let price = price.as_str();
        let Some(p) = accounts.account(&key).prices.get(price).cloned() else {
            return no_such("price", price, Some(&format!("line_items[{i}][price]")));
        };
        if mode == "subscription" && p["type"] != "recurring" {
            return error(StatusCode::BAD_REQUEST, "invalid_request_error", None,
                "You must provide at least one recurring price in `subscription` mode when using prices.".into(), Some(&format!("line_items[{i}][price]")));
        }
        let quantity = field(&f, &format!("line_items[{i}][quantity]"))
            .and_then(|q| q.parse::<u64>().ok())
            .unwrap_or(1);
        if quantity == 0 {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                Some("parameter_invalid_integer"),
                "This value must be greater than or equal to 1.".into(),
                Some(&format!("line_items[{i}][quantity]")),
            );
        }
        lines.push(json!({ "price": price, "quantity": quantity, "amount": p["unit_amount"].as_i64().unwrap_or(0) * quantity as i64, "currency": p["currency"] }));
    }
    if lines.is_empty() && mode != "setup" {
        return missing("line_items");
    }
    let id = format!("cs_test_{}", accounts.id("a1"));
    let t = now();
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let total: i64 = lines
        .iter()
        .map(|l| l["amount"].as_i64().unwrap_or(0))
        .sum();
    let session = json!({ "id": id, "object": "checkout.session", "adaptive_pricing": null,
        "after_expiration": null, "allow_promotion_codes": null, "amount_subtotal": total, "amount_total": total,
        "automatic_tax": { "enabled": false, "liability": null, "provider": null, "status": null },
        "billing_address_collection": null, "cancel_url": field(&f, "cancel_url"),
        "client_reference_id": field(&f, "client_reference_id"), "consent": null, "consent_collection": null,
        "created": t, "currency": lines.first().map(|l| l["currency"].clone()).unwrap_or(Value::Null),
        "custom_fields": [], "custom_text": { "after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null },
        "customer": null, "customer_creation": null, "customer_details": null,
        "customer_email": field(&f, "customer_email"), "expires_at": t + 24 * 3600, "invoice": null,
        "livemode": false, "locale": null, "metadata": metadata(&f, "metadata"), "mode": mode,
        "payment_intent": null, "payment_link": null, "payment_method_collection": "always",
        "payment_method_types": ["card"], "payment_status": "unpaid", "shipping_options": [],
        "status": "open", "submit_type": null, "subscription": null, "success_url": success_url,
        "ui_mode": "hosted", "url": format!("http://{host}/c/pay/{id}"),
        // Kept by the fake, not part of Stripe's object: what paying makes.
        "lines": lines, "subscription_metadata": metadata(&f, "subscription_data[metadata]") });
    accounts.account(&key).sessions.insert(id, session.clone());
    let mut public = session;
    if let Some(o) = public.as_object_mut() {
        o.remove("lines");
        o.remove("subscription_metadata");
    }
    Json(public).into_response()
}

async fn show_session(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (mut accounts, key, _) = take!(
        fake,
        headers,
        axum::body::Bytes::new(),
        "GET",
        &format!("/v1/checkout/sessions/{id}")
    );
    match accounts.account(&key).sessions.get(&id) {
        Some(s) => {
            let mut s = s.clone();
            if let Some(o) = s.as_object_mut() {
                o.remove("lines");
                o.remove("subscription_metadata");
            }
            Json(s).into_response()
        }
        None => no_such("checkout.session", &id, None),
    }
}

async fn update_item(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let (mut accounts, key, f) = take!(
        fake,
        headers,
        body,
        "POST",
        &format!("/v1/subscription_items/{id}")
    );
    let quantity = match field(&f, "quantity").map(|q| q.parse::<u64>()) {
        Some(Ok(q)) => Some(q),
        Some(Err(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                Some("parameter_invalid_integer"),
                "Invalid integer: quantity".into(),
                Some("quantity"),
            )
        }
        None => None,
    };
    if let Some(p) = field(&f, "proration_behavior") {
        if !matches!(p, "always_invoice" | "create_prorations" | "none") {
            return error(StatusCode::BAD_REQUEST, "invalid_request_error", Some("parameter_invalid_string"),
                "Invalid proration_behavior: must be one of always_invoice, create_prorations, or none".into(), Some("proration_behavior"));
        }
    }
    let account = accounts.account(&key);
    let Some(item) = account.items.get_mut(&id) else {
        return no_such("subscription_item", &id, None);
    };
    if let Some(q) = quantity {
        item["quantity"] = json!(q);
    }
    Json(item.clone()).into_response()
}

/// `DELETE /v1/subscriptions/{id}`: cancels at once. Stripe answers the canceled subscription;
/// one already canceled cannot be canceled again (400), an unknown id is 404.
async fn cancel_subscription(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let (mut accounts, key, _) = take!(
        fake,
        headers,
        body,
        "DELETE",
        &format!("/v1/subscriptions/{id}")
    );
    let Some(sub) = accounts.account(&key).subscriptions.get_mut(&id) else {
        return no_such("subscription", &id, None);
    };
    if sub["status"] == "canceled" {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            None,
            format!("A canceled subscription can only update its cancellation_details and metadata. ({id})"),
            None,
        );
    }
    let t = now();
    sub["status"] = json!("canceled");
    sub["canceled_at"] = json!(t);
    sub["ended_at"] = json!(t);
    Json(sub.clone()).into_response()
}

async fn create_portal(
    State(fake): State<Fake>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (mut accounts, key, f) = take!(fake, headers, body, "POST", "/v1/billing_portal/sessions");
    let Some(customer) = field(&f, "customer").map(str::to_string) else {
        return missing("customer");
    };
    if !accounts.account(&key).customers.contains_key(&customer) {
        return no_such("customer", &customer, Some("customer"));
    }
    let id = accounts.id("bps_");
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    Json(
        json!({ "id": id, "object": "billing_portal.session", "configuration": "bpc_1LfLnDefault",
        "created": now(), "customer": customer, "flow": null, "livemode": false, "locale": null,
        "on_behalf_of": null, "return_url": field(&f, "return_url"),
        "url": format!("http://{host}/p/session/{id}") }),
    )
    .into_response()
}

async fn create_endpoint(
    State(fake): State<Fake>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (mut accounts, key, f) = take!(fake, headers, body, "POST", "/v1/webhook_endpoints");
    let Some(url) = field(&f, "url").map(str::to_string) else {
        return missing("url");
    };
    let events: Vec<String> = f
        .iter()
        .filter(|(k, _)| k.starts_with("enabled_events["))
        .map(|(_, v)| v.clone())
        .collect();
    if events.is_empty() {
        return missing("enabled_events");
    }
    let id = accounts.id("we_");
    let secret = format!("whsec_{}", accounts.id("fake"));
    accounts
        .account(&key)
        .endpoints
        .push((url.clone(), secret.clone()));
    Json(
        json!({ "id": id, "object": "webhook_endpoint", "api_version": null, "application": null,
        "created": now(), "description": null, "enabled_events": events, "livemode": false,
        "metadata": {}, "secret": secret, "status": "enabled", "url": url }),
    )
    .into_response()
}

/// The hosted checkout page, reduced to what a test needs: what is bought and a Pay button.
async fn pay_page(State(fake): State<Fake>, Path(id): Path<String>) -> Response {
    let accounts = fake.lock().unwrap();
    let Some(session) = accounts.session(&id) else {
        return (StatusCode::NOT_FOUND, "No such checkout session").into_response();
    };
    let amount = session["amount_total"].as_i64().unwrap_or(0);
    let currency = session["currency"]
        .as_str()
        .unwrap_or("")
        .to_ascii_uppercase();
    let html = format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Stripe Checkout (test)</title></head>\
         <body><main><h1>Stripe Checkout (test)</h1><p>{} {}.{:02} per month</p>\
         <form method=post><label>Email <input name=email value=\"{}\"></label>\
         <button type=submit>Pay</button></form></main></body></html>",
        currency,
        amount / 100,
        amount % 100,
        session["customer_email"].as_str().unwrap_or("").replace(['"', '<', '&'], "")
    );
    axum::response::Html(html).into_response()
}

/// Pays: the events go to the account's endpoints (in the background, as Stripe sends them),
/// and the browser returns to the session's success URL.
async fn pay(
    State(fake): State<Fake>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let email = form(&body)
        .ok()
        .and_then(|f| field(&f, "email").map(str::to_string))
        .unwrap_or_default();
    let (events, endpoints, back) = {
        let mut accounts = fake.lock().unwrap();
        let Some(events) = accounts.complete_checkout(&id, &email) else {
            return (
                StatusCode::CONFLICT,
                "This checkout session is no longer open",
            )
                .into_response();
        };
        let endpoints = accounts
            .accounts
            .values()
            .find(|a| a.sessions.contains_key(&id))
            .map(|a| a.endpoints.clone())
            .unwrap_or_default();
        let back = accounts
            .session(&id)
            .and_then(|s| s["success_url"].as_str().map(str::to_string))
            .unwrap_or_else(|| "/".into());
        (events, endpoints, back)
    };
    tokio::spawn(deliver(events, endpoints));
    axum::response::Redirect::to(&back).into_response()
}

/// Sends each event to each endpoint, signed (`Stripe-Signature: t=…,v1=…`), in order.
async fn deliver(events: Vec<Value>, endpoints: Vec<(String, String)>) {
    let http = reqwest::Client::new();
    for event in events {
        let body = serde_json::to_vec(&event).unwrap_or_default();
        for (url, secret) in &endpoints {
            let t = now();
            let sig = app::ssr::stripe::sign(secret, t, &body);
            let sent = http
                .post(url)
                .header("Content-Type", "application/json")
                .header("Stripe-Signature", format!("t={t},v1={sig}"))
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => {}
                Ok(r) => tracing::warn!(url, status = %r.status(), "fake Stripe: webhook refused"),
                Err(e) => tracing::warn!(url, error = %e, "fake Stripe: webhook not delivered"),
            }
        }
    }
}
