//! Billing through the MSP's own Stripe account: connecting it (owners only, the keys sealed at
//! rest), and Stripe's webhook: the signature exactly as Stripe specifies it, each event applied
//! once, an older event never undoing a newer one, a failed payment told to the MSP.
use crate::billing::erp_short_of_its_rpo;
use crate::helpers::{spawn_app_with, Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

crate::both!(
    owners_connect_stripe_and_the_keys_stay_sealed,
    the_webhook_checks_stripes_signature,
    stripe_events_move_the_subscription_once_and_in_order,
);

const KEY: &str = "sk_test_51AbCdEfGhIjKlMn0pQrStUvWx4242";
const WHSEC: &str = "whsec_lifelineTestSigningSecret0001";

/// The owner's (or anyone's) answer to setting the MSP's Stripe keys.
async fn put_keys(app: &TestApp, token: &str, keys: Value) -> crate::helpers::Resp {
    app.call(
        Method::PUT,
        "/api/v1/billing/stripe",
        Some(token),
        Some(keys),
    )
    .await
}

async fn connect(app: &TestApp, owner: &str) -> Value {
    let r = put_keys(
        app,
        owner,
        json!({ "secret_key": KEY, "webhook_secret": WHSEC }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
}

/// Posts `event` to the MSP's webhook, signed with `secret` at `t`.
async fn deliver(
    app: &TestApp,
    msp: &str,
    event: &Value,
    secret: &str,
    t: i64,
) -> crate::helpers::Resp {
    let body = serde_json::to_vec(event).unwrap();
    let sig = app::ssr::stripe::sign(secret, t, &body);
    app.send(
        app.http
            .post(app.url(&format!("/api/v1/billing/stripe/{msp}/webhook")))
            .header("Stripe-Signature", format!("t={t},v1={sig}"))
            .header("Content-Type", "application/json")
            .body(body),
    )
    .await
}

/// Delivers `event` properly signed now; what the endpoint made of it.
async fn outcome(app: &TestApp, msp: &str, event: &Value) -> String {
    let r = deliver(app, msp, event, WHSEC, now()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["outcome"].as_str().unwrap_or_default().to_string()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn event(id: &str, kind: &str, created: i64, object: Value) -> Value {
    json!({ "id": id, "object": "event", "api_version": "2025-03-31.basil", "created": created,
            "livemode": false, "pending_webhooks": 1, "type": kind, "data": { "object": object } })
}

async fn msp_id(app: &TestApp, token: &str) -> String {
    app.get("/api/v1/me", token).await.body["msp"]["id"]
        .as_str()
        .expect("me names the MSP")
        .to_string()
}

async fn owners_connect_stripe_and_the_keys_stay_sealed(app: TestApp) {
    use app::ssr::entity::stripe_account;
    use sea_orm::EntityTrait;
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let admin = app
        .client_user(&owner, &client, "boss@bakery.example", "client_admin")
        .await;
    let msp = msp_id(&app, &owner).await;

    let r = app.get("/api/v1/billing/stripe", &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["connected"], false);
    assert!(r.body["webhook_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/api/v1/billing/stripe/{msp}/webhook")));
    assert!(r.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e == "invoice.payment_failed"));

    // Refused, and nothing stored: a publishable key, a secret that is not a signing secret.
    let r = put_keys(
        &app,
        &owner,
        json!({ "secret_key": "pk_test_51AbCdEfGhIjKlMn", "webhook_secret": "secret" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.body["errors"]["secret_key"].is_string());
    assert!(r.body["errors"]["webhook_secret"].is_string());
    let r = put_keys(&app, &owner, json!({ "secret_key": KEY })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    // A client admin neither reads nor sets the MSP's billing.
    let r = app.get("/api/v1/billing/stripe", &admin).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = put_keys(
        &app,
        &admin,
        json!({ "secret_key": KEY, "webhook_secret": WHSEC }),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(
        app.get("/api/v1/billing/stripe", &owner).await.body["connected"],
        false
    );

    let status = connect(&app, &owner).await;
    assert_eq!(status["connected"], true);
    assert_eq!(status["live"], false);
    assert_eq!(status["key_hint"], "sk_test_…4242");
    // Sealed at rest: neither secret is in the database as written.
    let rows = stripe_account::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].secret_key.contains(KEY) && !rows[0].webhook_secret.contains(WHSEC));
    assert!(!rows[0].secret_key.contains("51AbCd"));
    // Nothing in any answer shows them either.
    let r = app.get("/api/v1/billing/stripe", &owner).await;
    assert!(
        !r.text.contains("51AbCd") && !r.text.contains("whsec_"),
        "{}",
        r.text
    );

    // Another MSP sees its own, unconnected, account.
    let (other, _) = app.signup("Other IT", "bob@other.example").await;
    assert_eq!(
        app.get("/api/v1/billing/stripe", &other).await.body["connected"],
        false
    );
    let r = app
        .call(Method::DELETE, "/api/v1/billing/stripe", Some(&other), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/billing/stripe", &owner).await.body["connected"],
        true
    );

    let r = app
        .call(Method::DELETE, "/api/v1/billing/stripe", Some(&owner), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/billing/stripe", &owner).await.body["connected"],
        false
    );
    let trail = app.get("/api/v1/audit", &owner).await.text;
    assert!(
        trail.contains("billing.stripe.connect") && trail.contains("billing.stripe.disconnect"),
        "{trail}"
    );
    assert!(!trail.contains("51AbCd"), "{trail}");
}

async fn the_webhook_checks_stripes_signature(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let msp = msp_id(&app, &owner).await;
    let e = event(
        "evt_1",
        "customer.created",
        now(),
        json!({ "id": "cus_1", "object": "customer" }),
    );

    // Not connected: nothing to check a signature against.
    let r = deliver(&app, &msp, &e, WHSEC, now()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    connect(&app, &owner).await;

    let r = deliver(&app, &msp, &e, WHSEC, now()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["received"], true);

    let url = app.url(&format!("/api/v1/billing/stripe/{msp}/webhook"));
    let body = serde_json::to_vec(&event(
        "evt_2",
        "customer.created",
        now(),
        json!({ "id": "cus_2" }),
    ))
    .unwrap();
    let post = |header: Option<String>, body: Vec<u8>| {
        let mut req = app.http.post(&url).body(body);
        if let Some(h) = header {
            req = req.header("Stripe-Signature", h);
        }
        app.send(req)
    };
    let t = now();
    let good = app::ssr::stripe::sign(WHSEC, t, &body);
    // The body changed after signing.
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    let r = post(Some(format!("t={t},v1={good}")), tampered).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.body["status"], 400);
    // 301 seconds old, signed properly for that time.
    let old = t - 301;
    let sig = app::ssr::stripe::sign(WHSEC, old, &body);
    let r = post(Some(format!("t={old},v1={sig}")), body.clone()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    // Signed with another secret.
    let sig = app::ssr::stripe::sign("whsec_someoneElsesSecret000", t, &body);
    let r = post(Some(format!("t={t},v1={sig}")), body.clone()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    // No header, and a header without a v1.
    let r = post(None, body.clone()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = post(Some(format!("t={t},v0={good}")), body.clone()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    // Two v1 values during a secret's rotation: one right is enough.
    let wrong = app::ssr::stripe::sign("whsec_theOldSecret00000000", t, &body);
    let r = post(Some(format!("t={t},v1={wrong},v1={good}")), body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Another MSP's endpoint does not take this MSP's signature.
    let (other, _) = app.signup("Other IT", "bob@other.example").await;
    let other_msp = msp_id(&app, &other).await;
    let r = put_keys(
        &app,
        &other,
        json!({ "secret_key": KEY, "webhook_secret": "whsec_otherMspSecret0000000" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = deliver(&app, &other_msp, &e, WHSEC, now()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    // An id that is no id.
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/billing/stripe/not-an-id/webhook"))
                .body("{}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
}

/// An offer accepted by the client admin, then Stripe's events about its subscription, in the
/// order Stripe may deliver them: replays, and an older update arriving after a newer one.
async fn stripe_events_move_the_subscription_once_and_in_order(app: TestApp) {
    use app::ssr::entity::notification;
    use sea_orm::{EntityTrait, PaginatorTrait};
    let (owner, client, erp, tier) =
        erp_short_of_its_rpo(&app, "Acme IT", "ann@acme.example").await;
    let msp = msp_id(&app, &owner).await;
    let admin = app
        .client_user(&owner, &client, "boss@bakery.example", "client_admin")
        .await;
    let r = offered_and_accepted(&app, &owner, &admin, &client, &tier, &[&erp]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let offer = r.body["id"].as_str().unwrap().to_string();
    connect(&app, &owner).await;
    let subscription = || async {
        let r = app
            .get(&format!("/api/v1/clients/{client}/subscriptions"), &owner)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.body["items"][0].clone()
    };
    let t0 = now();

    let completed = event(
        "evt_checkout",
        "checkout.session.completed",
        t0,
        json!({ "id": "cs_test_a1", "object": "checkout.session", "mode": "subscription",
                "client_reference_id": offer, "metadata": { "lifeline_offer_id": offer },
                "customer": "cus_Q1", "subscription": "sub_Q1", "payment_status": "paid", "status": "complete" }),
    );
    assert_eq!(outcome(&app, &msp, &completed).await, "applied");
    let s = subscription().await;
    assert_eq!(s["billing"], "stripe");
    assert_eq!(s["status"], "active");

    let updated = |id: &str, created: i64, status: &str| {
        event(
            id,
            "customer.subscription.updated",
            created,
            json!({ "id": "sub_Q1", "object": "subscription", "customer": "cus_Q1", "status": status,
                    "metadata": { "lifeline_offer_id": offer },
                    "items": { "object": "list", "data": [{ "id": "si_Q1", "object": "subscription_item", "quantity": 1 }] } }),
        )
    };
    // Newer first: past due.
    assert_eq!(
        outcome(&app, &msp, &updated("evt_new", t0 + 100, "past_due")).await,
        "applied"
    );
    assert_eq!(subscription().await["status"], "past_due");
    // An older update arriving late does not bring back "active".
    assert_eq!(
        outcome(&app, &msp, &updated("evt_old", t0 + 50, "active")).await,
        "stale"
    );
    assert_eq!(subscription().await["status"], "past_due");
    // The same event id again, whatever it now says: one effect only.
    let mut replay = updated("evt_new", t0 + 400, "canceled");
    replay["type"] = json!("customer.subscription.deleted");
    assert_eq!(outcome(&app, &msp, &replay).await, "duplicate");
    assert_eq!(subscription().await["status"], "past_due");

    // A failed payment: the MSP's people are e-mailed, once per turn into past due.
    let mails = || async {
        notification::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .filter(|n| n.subject.starts_with("Payment failed"))
            .count()
    };
    let before = notification::Entity::find().count(&app.db).await.unwrap();
    let invoice = |id: &str, created: i64, kind: &str| {
        event(
            id,
            kind,
            created,
            json!({ "id": "in_Q1", "object": "invoice", "customer": "cus_Q1", "amount_due": 4900,
                    "currency": "eur", "attempt_count": 2,
                    "parent": { "type": "subscription_details", "subscription_details": { "subscription": "sub_Q1" } } }),
        )
    };
    assert_eq!(
        outcome(&app, &msp, &invoice("evt_paid", t0 + 200, "invoice.paid")).await,
        "applied"
    );
    assert_eq!(subscription().await["status"], "active");
    assert_eq!(
        outcome(
            &app,
            &msp,
            &invoice("evt_failed", t0 + 250, "invoice.payment_failed")
        )
        .await,
        "applied"
    );
    assert_eq!(subscription().await["status"], "past_due");
    assert_eq!(mails().await, 1, "the owner is told");
    assert!(notification::Entity::find().count(&app.db).await.unwrap() > before);
    assert_eq!(
        outcome(
            &app,
            &msp,
            &invoice("evt_failed", t0 + 250, "invoice.payment_failed")
        )
        .await,
        "duplicate"
    );
    assert_eq!(mails().await, 1, "a redelivery tells no one again");

    // Cancelled in Stripe: ended, and so it stays against older news.
    let mut deleted = updated("evt_deleted", t0 + 300, "canceled");
    deleted["type"] = json!("customer.subscription.deleted");
    assert_eq!(outcome(&app, &msp, &deleted).await, "applied");
    let s = subscription().await;
    assert_eq!(s["status"], "canceled");
    assert!(s["ended_at"].is_string(), "{s}");
    assert_eq!(
        outcome(
            &app,
            &msp,
            &invoice("evt_late_paid", t0 + 260, "invoice.paid")
        )
        .await,
        "stale"
    );
    assert_eq!(subscription().await["status"], "canceled");

    // Another MSP's endpoint knows nothing of this subscription, even with its ids.
    let (other, _) = app.signup("Other IT", "bob@other.example").await;
    let other_msp = msp_id(&app, &other).await;
    connect(&app, &other).await;
    assert_eq!(
        outcome(&app, &other_msp, &updated("evt_x", t0 + 900, "active")).await,
        "unmatched"
    );
    assert_eq!(subscription().await["status"], "canceled");
    let trail = app.get("/api/v1/audit", &owner).await.text;
    assert!(trail.contains("billing.stripe.event"), "{trail}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_opens_stripe_checkout_and_the_quantity_follows_the_systems_sqlite() {
    accepting_opens_stripe_checkout_and_the_quantity_follows_the_systems(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_opens_stripe_checkout_and_the_quantity_follows_the_systems_postgres() {
    accepting_opens_stripe_checkout_and_the_quantity_follows_the_systems(Backend::Postgres).await
}

/// A system of the client's with a daily backup and a 60-minute RPO, named `name`.
async fn short_system(app: &TestApp, owner: &str, client: &str, name: &str) -> String {
    let daily = json!({ "method": "agent_to_disk", "interval_minutes": 1440, "job_minutes": 60,
                         "offsite_interval_minutes": 1440, "retention_days": 30, "data_gb": 200, "restore_mb_per_s": null });
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/systems"),
            Some(owner),
            json!({ "name": name, "rpo_minutes": 60, "rto_minutes": 240, "criticality": "high", "policy": daily }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

/// Sends an offer of `tier` for `systems` and has the client admin accept it; the answer.
async fn offered_and_accepted(
    app: &TestApp,
    owner: &str,
    admin: &str,
    client: &str,
    tier: &str,
    systems: &[&str],
) -> crate::helpers::Resp {
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/offers"),
            Some(owner),
            json!({ "tier_id": tier, "system_ids": systems }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let offer = r.body["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            &format!("/api/v1/offers/{offer}/send"),
            Some(owner),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.post(
        &format!("/api/v1/offers/{offer}/accept"),
        Some(admin),
        json!({}),
    )
    .await
}

/// With Stripe connected, the client admin's acceptance opens a Stripe Checkout for the tier's
/// monthly price and the offered systems; paying it (the fake plays the customer, its events
/// signed as Stripe signs them) makes the subscription active. A second offer of the same tier
/// joins that subscription (quantity 2, no second checkout); removing a system brings it back to
/// 1, also when Stripe is down at that moment (the call is tried again). The portal link opens
/// Stripe's customer portal. When Stripe refuses, nothing is accepted. Archiving the client ends
/// its subscription and cancels it at Stripe.
async fn accepting_opens_stripe_checkout_and_the_quantity_follows_the_systems(backend: Backend) {
    let (stripe_base, fake) = server::stripe_fake::spawn().await.unwrap();
    let Some(app) = spawn_app_with(backend, |s| {
        s.stripe_api_base = stripe_base.clone();
        // A failed call to Stripe is tried again soon.
        s.alert_retry_base = std::time::Duration::from_millis(200);
    })
    .await
    else {
        return;
    };
    let (owner, client, erp, tier) =
        erp_short_of_its_rpo(&app, "Acme IT", "ann@acme.example").await;
    let msp = msp_id(&app, &owner).await;
    let admin = app
        .client_user(&owner, &client, "boss@bakery.example", "client_admin")
        .await;
    connect(&app, &owner).await;

    // Stripe refuses the key: the acceptance fails with a reason, and the offer stays open.
    fake.lock().unwrap().refused_keys.push(KEY.to_string());
    let r = offered_and_accepted(&app, &owner, &admin, &client, &tier, &[&erp]).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.text);
    assert!(r.text.contains("Stripe"), "{}", r.text);
    let offers = app
        .get(&format!("/api/v1/clients/{client}/offers"), &owner)
        .await;
    let first = offers.body[0]["id"].as_str().unwrap().to_string();
    assert_eq!(offers.body[0]["state"], "sent", "{}", offers.text);
    let subs = app
        .get(&format!("/api/v1/clients/{client}/subscriptions"), &owner)
        .await;
    assert_eq!(
        subs.body["items"].as_array().map(Vec::len),
        Some(0),
        "{}",
        subs.text
    );
    fake.lock().unwrap().refused_keys.clear();

    let r = app
        .post(
            &format!("/api/v1/offers/{first}/accept"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["state"], "accepted");
    let checkout_url = r.body["checkout_url"]
        .as_str()
        .expect("a checkout url")
        .to_string();
    let session_id = checkout_url.rsplit('/').next().unwrap().to_string();
    assert!(session_id.starts_with("cs_test_"), "{checkout_url}");
    // What Stripe was asked: a monthly price of the tier's amount, then a subscription-mode
    // session for one system, tied to the offer.
    {
        let f = fake.lock().unwrap();
        let price = f
            .requests
            .iter()
            .find(|(_, p, _)| p == "/v1/prices")
            .expect("a price was made");
        let field = |form: &Vec<(String, String)>, k: &str| {
            form.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(
            field(&price.2, "recurring[interval]").as_deref(),
            Some("month")
        );
        assert_eq!(field(&price.2, "currency").as_deref(), Some("eur"));
        let session = f.session(&session_id).expect("the session exists");
        assert_eq!(session["mode"], "subscription");
        assert_eq!(session["client_reference_id"], first.as_str());
        assert_eq!(session["metadata"]["lifeline_offer_id"], first.as_str());
        assert_eq!(session["lines"][0]["quantity"], 1);
        assert_eq!(session["customer_email"], "boss@bakery.example");
        let (_, _, form) = f
            .requests
            .iter()
            .find(|(_, p, _)| p == "/v1/checkout/sessions")
            .unwrap();
        assert_eq!(
            field(form, "subscription_data[metadata][lifeline_offer_id]").as_deref(),
            Some(first.as_str())
        );
    }
    let subs = app
        .get(&format!("/api/v1/clients/{client}/subscriptions"), &owner)
        .await;
    assert_eq!(subs.body["items"][0]["billing"], "stripe");
    assert_eq!(subs.body["items"][0]["status"], "incomplete");
    // Not paid yet: the ERP keeps its old protection, and no revenue is won.
    let recommended = || async {
        app.get(&format!("/api/v1/clients/{client}/recommendations"), &owner)
            .await
            .text
            .contains(&erp)
    };
    assert!(recommended().await, "the ERP waits for the payment");
    let pipeline = app.get("/api/v1/billing/pipeline", &owner).await;
    assert_eq!(
        pipeline.body["mrr"].as_array().unwrap().last().unwrap()["cents"],
        0,
        "{}",
        pipeline.text
    );

    // The admin pays; Stripe's events arrive (signed as Stripe signs them).
    let events = fake
        .lock()
        .unwrap()
        .complete_checkout(&session_id, "boss@bakery.example")
        .expect("the session was open");
    for e in &events {
        assert_eq!(outcome(&app, &msp, e).await, "applied", "{e}");
    }
    let sub = app
        .get(&format!("/api/v1/clients/{client}/subscriptions"), &owner)
        .await
        .body["items"][0]
        .clone();
    assert_eq!(sub["status"], "active", "{sub}");
    assert_eq!(sub["quantity"], 1);
    assert!(!recommended().await, "paid: the ERP is on the tier");
    let item = events[0]["data"]["object"]["items"]["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Paid: the offer no longer sends anyone to Checkout.
    let r = app.get(&format!("/api/v1/offers/{first}"), &admin).await;
    assert!(r.body["checkout_url"].is_null(), "{}", r.text);

    // A second system onto the same tier: it joins the subscription, Stripe bills for two.
    let mail = short_system(&app, &owner, &client, "Mail").await;
    let r = offered_and_accepted(&app, &owner, &admin, &client, &tier, &[&mail]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        r.body["checkout_url"].is_null(),
        "no second checkout: {}",
        r.text
    );
    let quantity = |want: u64| {
        let fake = fake.clone();
        let item = item.clone();
        async move {
            assert!(
                eventually(|| fake.lock().unwrap().item_quantity(&item) == Some(want)).await,
                "Stripe's item {item} never came to quantity {want}"
            );
        }
    };
    quantity(2).await;
    let subs = subscriptions(&app, &owner, &client).await;
    assert!(
        subs.iter()
            .all(|s| s["billing"] == "stripe" && s["status"] == "active"),
        "{subs:?}"
    );

    // The mail server goes while Stripe is down: Lifeline's records follow at once, Stripe's
    // quantity when Stripe is back (the call waits in the outbox and is tried again).
    fake.lock().unwrap().outage = true;
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/systems/{mail}"),
            Some(&owner),
            None,
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let tried = || {
        fake.lock()
            .unwrap()
            .requests
            .iter()
            .filter(|(_, p, _)| p == &format!("/v1/subscription_items/{item}"))
            .count()
    };
    let before = tried();
    assert!(
        eventually(|| tried() >= before + 2).await,
        "the failed call is tried again"
    );
    assert_eq!(fake.lock().unwrap().item_quantity(&item), Some(2));
    let subs = subscriptions(&app, &owner, &client).await;
    let active: Vec<&Value> = subs.iter().filter(|s| s["status"] == "active").collect();
    assert_eq!(active.len(), 1, "{subs:?}");
    assert_eq!(active[0]["quantity"], 1, "{subs:?}");
    fake.lock().unwrap().outage = false;
    quantity(1).await;

    // The customer portal, for the client's admin (not for a member, not for another tenant).
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/billing-portal"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        r.body["url"].as_str().unwrap().contains("/p/session/bps_"),
        "{}",
        r.text
    );
    let member = app
        .client_user(&owner, &client, "baker@bakery.example", "client_member")
        .await;
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/billing-portal"),
            Some(&member),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let (other, _) = app.signup("Other IT", "bob@other.example").await;
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/billing-portal"),
            Some(&other),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    // The client leaves: archived, its subscription ends here and is canceled at Stripe.
    let stripe_sub = events[0]["data"]["object"]["id"].as_str().unwrap();
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/clients/{client}"),
            Some(&owner),
            Some(json!({ "archived": true })),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let subs = subscriptions(&app, &owner, &client).await;
    assert!(
        subs.iter()
            .all(|s| s["status"] == "canceled" && !s["ended_at"].is_null()),
        "{subs:?}"
    );
    let canceled = || {
        let sub = fake.lock().unwrap().subscription(stripe_sub);
        sub.is_some_and(|s| s["status"] == "canceled")
    };
    assert!(
        eventually(canceled).await,
        "Stripe's subscription {stripe_sub} was canceled"
    );
    let pipeline = app.get("/api/v1/billing/pipeline", &owner).await;
    assert_eq!(
        pipeline.body["mrr"].as_array().unwrap().last().unwrap()["cents"],
        0,
        "a client that left brings no revenue: {}",
        pipeline.text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_share_per_tb_is_a_second_line_of_the_checkout_sqlite() {
    a_share_per_tb_is_a_second_line_of_the_checkout(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_share_per_tb_is_a_second_line_of_the_checkout_postgres() {
    a_share_per_tb_is_a_second_line_of_the_checkout(Backend::Postgres).await
}

/// A tier priced per TB as well: Stripe bills the offered amount whole, the systems at the price
/// per system and the TB share as a second monthly line of the tier's product.
async fn a_share_per_tb_is_a_second_line_of_the_checkout(backend: Backend) {
    let (stripe_base, fake) = server::stripe_fake::spawn().await.unwrap();
    let Some(app) = spawn_app_with(backend, |s| s.stripe_api_base = stripe_base.clone()).await
    else {
        return;
    };
    let (owner, client, erp, tier) =
        erp_short_of_its_rpo(&app, "Acme IT", "ann@acme.example").await;
    let admin = app
        .client_user(&owner, &client, "boss@bakery.example", "client_admin")
        .await;
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/catalog/tiers/{tier}"),
            Some(&owner),
            Some(json!({ "price_per_tb_cents": 1_000 })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    connect(&app, &owner).await;
    let r = offered_and_accepted(&app, &owner, &admin, &client, &tier, &[&erp]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let monthly = r.body["monthly_price_cents"].as_i64().unwrap();
    let unit = r.body["unit_price_cents"].as_i64().unwrap();
    assert!(monthly > unit, "the ERP's 200 GB add a share: {}", r.text);
    let session_id = r.body["checkout_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let session = fake.lock().unwrap().session(&session_id).unwrap();
    let lines = session["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{session}");
    assert_eq!(lines[0]["amount"], unit);
    assert_eq!(lines[1]["amount"], monthly - unit);
    assert_eq!(lines[1]["quantity"], 1);
    assert_eq!(
        session["amount_total"], monthly,
        "Stripe bills what was offered"
    );

    // Never paid: Stripe expires the session; the subscription ends unpaid and the ERP is still
    // recommended the tier, so the MSP can offer again.
    let msp = msp_id(&app, &owner).await;
    let expired = event(
        "evt_expired",
        "checkout.session.expired",
        now(),
        json!({ "id": session_id, "object": "checkout.session", "status": "expired",
                "client_reference_id": r.body["id"], "payment_status": "unpaid" }),
    );
    assert_eq!(outcome(&app, &msp, &expired).await, "applied");
    let sub = app
        .get(&format!("/api/v1/clients/{client}/subscriptions"), &owner)
        .await
        .body["items"][0]
        .clone();
    assert_eq!(sub["status"], "incomplete_expired", "{sub}");
    assert!(sub["ended_at"].is_string());
    let recs = app
        .get(&format!("/api/v1/clients/{client}/recommendations"), &owner)
        .await;
    assert!(recs.text.contains(&erp), "{}", recs.text);
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/offers"),
            Some(&owner),
            json!({ "tier_id": tier, "system_ids": [erp] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "a new offer: {}", r.text);
}

/// Whether `done` comes true within ten seconds (Stripe's calls go out from the outbox).
async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..200 {
        if done() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    done()
}

/// The client's subscriptions as the MSP sees them.
async fn subscriptions(app: &TestApp, owner: &str, client: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/clients/{client}/subscriptions"), owner)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["items"].as_array().cloned().unwrap_or_default()
}
