//! Delivery runs apart from the evaluator: a webhook receiver that never answers delays only its
//! own MSP's messages, the clock keeps moving states meanwhile, and a message claimed by one
//! replica is not sent again by another while the first is still at it.
use crate::helpers::{spawn_app_with, Backend, TestApp, SECRET};
use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;

/// A receiver that accepts connections and never answers: the worst webhook there is.
async fn tarpit() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    url
}

/// A receiver that answers 204 after `delay`, reporting when each call arrived.
async fn receiver(delay: std::time::Duration) -> (String, mpsc::UnboundedReceiver<Instant>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let tx = tx.clone();
            async move {
                tx.send(Instant::now()).ok();
                tokio::time::sleep(delay).await;
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rx)
}

async fn set_webhook(app: &TestApp, owner: &str, url: &str) {
    let r = app
        .call(
            Method::PUT,
            "/api/v1/alerts/settings",
            Some(owner),
            Some(json!({ "webhook_url": url })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

/// `n` systems of a new client (RPO 1 min) whose last backup is `age` old; returns the token's
/// answer time and the systems.
async fn report(app: &TestApp, owner: &str, n: usize, age: Duration) -> Vec<String> {
    let client = app.create_client(owner, "Client").await;
    let token = app.ingest_token(owner, &client).await;
    let mut systems = Vec::new();
    let mut events = Vec::new();
    for i in 0..n {
        let sys = app
            .create_system(owner, &client, &format!("Server {i}"), 1)
            .await;
        events.push(json!({ "id": format!("e{i}"), "system_id": sys, "kind": "backup_succeeded",
            "restore_point_at": (Utc::now() - age).to_rfc3339(), "finished_at": Utc::now().to_rfc3339() }));
        systems.push(sys);
    }
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/ingest/events"))
                .bearer_auth(&token)
                .json(&json!({ "events": events })),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    systems
}

async fn a_tarpit_webhook_delays_only_its_own_msp(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.eval_interval = std::time::Duration::from_millis(200);
    })
    .await
    else {
        return;
    };
    let (stuck, _) = app.signup("Tarpit IT", "tara@tarpit.example").await;
    set_webhook(&app, &stuck, &tarpit().await).await;
    let (fine, _) = app.signup("Bolt IT", "bob@bolt.example").await;
    let (hook, mut calls) = receiver(std::time::Duration::ZERO).await;
    set_webhook(&app, &fine, &hook).await;

    // The tarpit's MSP loses a site first: five breaches whose calls will hang.
    report(&app, &stuck, 5, Duration::minutes(2)).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    // Then the other MSP's system breaches, and another is about to by the clock alone.
    let told_at = Instant::now();
    let breached = report(&app, &fine, 1, Duration::minutes(2)).await;
    let sliding = report(&app, &fine, 1, Duration::seconds(58)).await;
    let first = tokio::time::timeout(std::time::Duration::from_secs(20), calls.recv())
        .await
        .expect("the other MSP's webhook is called")
        .unwrap();
    let waited = first - told_at;
    assert!(
        waited < std::time::Duration::from_secs(4),
        "the other MSP's alert waited {waited:?} behind the tarpit"
    );
    // The clock breaches the second system at 61 s; the evaluator notices within its interval.
    use app::ssr::entity::state_change;
    let sliding_id = uuid::Uuid::parse_str(&sliding[0]).unwrap();
    let deadline = Instant::now() + std::time::Duration::from_secs(8);
    loop {
        let moved = state_change::Entity::find()
            .filter(state_change::Column::SystemId.eq(sliding_id))
            .filter(state_change::Column::ToState.eq("breached"))
            .one(&app.db)
            .await
            .unwrap();
        if moved.is_some() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the RPO clock stood still while the tarpit held deliveries"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(breached.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tarpit_webhook_delays_only_its_own_msp_sqlite() {
    a_tarpit_webhook_delays_only_its_own_msp(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tarpit_webhook_delays_only_its_own_msp_postgres() {
    a_tarpit_webhook_delays_only_its_own_msp(Backend::Postgres).await;
}

async fn a_claimed_message_is_not_sent_twice_by_a_late_pass(backend: Backend) {
    use app::ssr::entity::notification;
    use app::ssr::service::monitor::delivery::deliver;
    // Driven by hand: no background loops.
    let Some(app) = spawn_app_with(backend, |s| {
        s.eval_interval = std::time::Duration::from_secs(3600);
    })
    .await
    else {
        return;
    };
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let me = app.get("/api/v1/me", &owner).await;
    let msp = uuid::Uuid::parse_str(me.body["msp"]["id"].as_str().unwrap()).unwrap();
    let (hook, mut calls) = receiver(std::time::Duration::from_millis(1500)).await;
    let now = Utc::now();
    notification::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        msp_id: Set(msp),
        client_id: Set(uuid::Uuid::parse_str(&client).unwrap()),
        channel: Set("webhook".into()),
        target: Set(hook),
        subject: Set("state_changed".into()),
        body: Set("{}".into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        delivered_at: Set(None),
        last_error: Set(String::new()),
        created_at: Set(now),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let a = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    let b = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    // Replica A's pass began five minutes ago (it waited, or the machine stalled) and claims
    // the message now; replica B looks while A is still sending it.
    let first = tokio::spawn(async move { deliver(&a, Utc::now() - Duration::minutes(5)).await });
    let sent = Arc::new(AtomicUsize::new(0));
    tokio::time::timeout(std::time::Duration::from_secs(5), calls.recv())
        .await
        .expect("A sends it")
        .unwrap();
    sent.fetch_add(1, Ordering::Relaxed);
    let again = deliver(&b, Utc::now()).await.unwrap();
    assert_eq!(again, 0, "B leaves a message A holds alone");
    first.await.unwrap().unwrap();
    assert!(
        calls.try_recv().is_err(),
        "the receiver was called once, not twice"
    );
    let row = notification::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.delivered_at.is_some());
    assert_eq!(row.attempts, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claimed_message_is_not_sent_twice_by_a_late_pass_sqlite() {
    a_claimed_message_is_not_sent_twice_by_a_late_pass(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claimed_message_is_not_sent_twice_by_a_late_pass_postgres() {
    a_claimed_message_is_not_sent_twice_by_a_late_pass(Backend::Postgres).await;
}

crate::both!(one_round_of_the_evaluator_confirms_every_changed_target,);

/// More systems await a fresh judgement than one sweep takes: one round of the evaluator goes
/// on until none is left (it used to stop when the sum of two counts missed the limit).
async fn one_round_of_the_evaluator_confirms_every_changed_target(app: TestApp) {
    use app::ssr::entity::system_clock;
    use app::ssr::service::monitor::evaluate::catch_up;
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let systems = report(&app, &owner, 25, Duration::minutes(10)).await;
    let client = app
        .get(&format!("/api/v1/systems/{}", systems[0]), &owner)
        .await
        .body["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    // A process with a target over all of them: every status must be judged again.
    let r = app
        .post(
            &format!("/api/v1/clients/{client}/processes"),
            Some(&owner),
            json!({ "name": "Invoicing", "rpo_minutes": 1440, "systems": systems }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let state = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    let sweeps = catch_up(&state, 10).await.unwrap();
    assert!(sweeps >= 3, "{sweeps} sweeps for 25 at 10 a sweep");
    let stale = system_clock::Entity::find()
        .filter(system_clock::Column::TargetsStale.eq(true))
        .all(&app.db)
        .await
        .unwrap();
    assert!(stale.is_empty(), "{} still wait", stale.len());
}
