//! Webhooks cannot be aimed at the server's own network (server-side request forgery), follow no
//! redirects, and their signing secrets are sealed at rest with a key that can be rotated.
use crate::helpers::{spawn_app_with, Backend, TestApp, SECRET};
use app::ssr::entity::{alert_settings, notification};
use app::ssr::secrets::webhook_context;
use app::ssr::state::{KeyMaterial, Settings};
use chrono::Utc;
use reqwest::{Method, StatusCode};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;
use tokio::sync::mpsc;

async fn put_settings(app: &TestApp, owner: &str, body: serde_json::Value) -> crate::helpers::Resp {
    app.call(
        Method::PUT,
        "/api/v1/alerts/settings",
        Some(owner),
        Some(body),
    )
    .await
}

/// A receiver on loopback; `redirect_to` makes it answer 302 to there.
async fn receiver(redirect_to: Option<String>) -> (u16, mpsc::UnboundedReceiver<()>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let (tx, to) = (tx.clone(), redirect_to.clone());
            async move {
                tx.send(()).ok();
                match to {
                    Some(to) => axum::response::Redirect::temporary(&to).into_response(),
                    None => axum::http::StatusCode::NO_CONTENT.into_response(),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, rx)
}
use axum::response::IntoResponse;

/// A webhook message waiting for delivery, put straight into the outbox.
async fn queued(app: &TestApp, owner: &str, target: &str) -> uuid::Uuid {
    let me = app.get("/api/v1/me", owner).await;
    let msp = uuid::Uuid::parse_str(me.body["msp"]["id"].as_str().unwrap()).unwrap();
    let client = app
        .create_client(owner, &format!("Client {}", uuid::Uuid::new_v4()))
        .await;
    let id = uuid::Uuid::new_v4();
    notification::ActiveModel {
        id: Set(id),
        msp_id: Set(msp),
        client_id: Set(uuid::Uuid::parse_str(&client).unwrap()),
        channel: Set("webhook".into()),
        target: Set(target.into()),
        subject: Set("state_changed".into()),
        body: Set("{}".into()),
        attempts: Set(0),
        next_attempt_at: Set(Utc::now()),
        delivered_at: Set(None),
        last_error: Set(String::new()),
        created_at: Set(Utc::now()),
    }
    .insert(&app.db)
    .await
    .unwrap();
    id
}

async fn outcome(app: &TestApp, id: uuid::Uuid) -> notification::Model {
    notification::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

async fn private_destinations_are_refused(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.webhooks_allow_private = false;
        s.eval_interval = std::time::Duration::from_secs(3600);
    })
    .await
    else {
        return;
    };
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    for url in [
        "http://127.0.0.1:9000/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/hook",
        "http://2130706433/hook",
    ] {
        let r = put_settings(&app, &owner, json!({ "webhook_url": url })).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            r.text
        );
        assert!(r.body["errors"]["webhook_url"].is_string(), "{}", r.text);
    }
    let r = put_settings(
        &app,
        &owner,
        json!({ "webhook_url": "https://93.184.216.34/hook" }),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "a public address is fine: {}",
        r.text
    );

    // A URL that got into the outbox anyway (saved before this rule, or a name that now
    // resolves elsewhere) is checked again when connecting: nobody on loopback is called.
    let (port, mut calls) = receiver(None).await;
    let by_name = queued(&app, &owner, &format!("http://localhost:{port}/hook")).await;
    let by_address = queued(&app, &owner, &format!("http://127.0.0.1:{port}/hook")).await;
    let state = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    app::ssr::service::monitor::delivery::deliver(&state, Utc::now())
        .await
        .unwrap();
    assert!(
        calls.try_recv().is_err(),
        "the loopback receiver was not called"
    );
    for id in [by_name, by_address] {
        let n = outcome(&app, id).await;
        assert!(n.delivered_at.is_none());
        assert!(
            n.last_error.contains("public"),
            "the reason is kept: {}",
            n.last_error
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_destinations_are_refused_sqlite() {
    private_destinations_are_refused(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_destinations_are_refused_postgres() {
    private_destinations_are_refused(Backend::Postgres).await;
}

crate::both!(
    redirects_are_not_followed,
    webhook_secrets_are_sealed_and_rotate,
);

async fn redirects_are_not_followed(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let (inner, mut inner_calls) = receiver(None).await;
    let (outer, mut outer_calls) = receiver(Some(format!("http://127.0.0.1:{inner}/hook"))).await;
    let id = queued(&app, &owner, &format!("http://127.0.0.1:{outer}/hook")).await;
    let state = server::app_state(app.db.clone(), SECRET, app.settings.clone(), "target/site");
    app::ssr::service::monitor::delivery::deliver(&state, Utc::now())
        .await
        .unwrap();
    assert!(outer_calls.try_recv().is_ok(), "the receiver was called");
    assert!(
        inner_calls.try_recv().is_err(),
        "its redirect was not followed"
    );
    let n = outcome(&app, id).await;
    assert!(n.delivered_at.is_none());
    assert!(n.last_error.contains("307"), "{}", n.last_error);
}

async fn webhook_secrets_are_sealed_and_rotate(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let secret = "s3cret-s3cret-s3cret";
    let r = put_settings(
        &app,
        &owner,
        json!({ "webhook_url": "https://93.184.216.34/hook", "webhook_secret": secret }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let row = || async {
        alert_settings::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
    };
    let stored = row().await.webhook_secret;
    assert!(stored.starts_with("enc:v1:"), "{stored}");
    assert!(!stored.contains(secret));
    let msp = row().await.msp_id;
    // The Stripe keys are sealed with the same key, and rotate with it.
    let stripe_key = "sk_test_51RotateMe00000000000000";
    let r = app
        .call(
            Method::PUT,
            "/api/v1/billing/stripe",
            Some(&owner),
            Some(json!({ "secret_key": stripe_key, "webhook_secret": "whsec_rotateMe0000000000" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Rotation: the new key is current, the old one (here the one the tests derive) is kept
    // for reading until everything is sealed again.
    let old = KeyMaterial([b"lifeline-secrets:".as_slice(), SECRET].concat());
    let new = KeyMaterial(b"a brand new secrets key of 32+ characters".to_vec());
    let rotating = Settings {
        secrets_key: Some(new.clone()),
        secrets_old_keys: vec![old],
        ..app.settings.clone()
    };
    let state = server::app_state(app.db.clone(), SECRET, rotating, "target/site");
    let n = app::ssr::service::monitor::alerts::reseal_secrets(&state)
        .await
        .unwrap();
    assert_eq!(n, 3, "the webhook secret and both Stripe keys");
    assert_eq!(
        app::ssr::service::monitor::alerts::reseal_secrets(&state)
            .await
            .unwrap(),
        0,
        "nothing left to reseal"
    );
    let resealed = row().await.webhook_secret;
    assert_ne!(resealed, stored);
    let after = Settings {
        secrets_key: Some(new),
        secrets_old_keys: vec![],
        ..app.settings.clone()
    };
    let state = server::app_state(app.db.clone(), SECRET, after, "target/site");
    assert_eq!(
        state
            .secrets
            .open(&resealed, &webhook_context(msp))
            .unwrap(),
        secret,
        "the new key alone opens it"
    );
    let scope = app::ssr::scope::Scope::machine_msp(msp);
    assert_eq!(
        app::ssr::service::payments::secret_key(&state, &scope)
            .await
            .unwrap()
            .as_deref(),
        Some(stripe_key),
        "and the Stripe key"
    );
    // A secret stored in plain text before this release is sealed by the same pass.
    let mut legacy: alert_settings::ActiveModel = row().await.into();
    legacy.webhook_secret = Set("plain-text-from-before".into());
    legacy.update(&app.db).await.unwrap();
    assert_eq!(
        app::ssr::service::monitor::alerts::reseal_secrets(&state)
            .await
            .unwrap(),
        1
    );
    let sealed = row().await.webhook_secret;
    assert!(sealed.starts_with("enc:v1:"));
    assert_eq!(
        state.secrets.open(&sealed, &webhook_context(msp)).unwrap(),
        "plain-text-from-before"
    );
}
