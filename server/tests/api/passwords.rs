//! Changing a password and resetting a forgotten one by e-mail (a real SMTP conversation with a
//! local sink): both end every other session; a reset link works once, for an hour, and the
//! answer to a reset request says nothing about whether the address has an account.
use crate::helpers::{spawn_app_with, Backend, TestApp, PASSWORD};
use crate::mail::smtp_sink;
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

crate::both!(a_password_change_needs_the_current_one_and_ends_other_sessions,);

async fn login(app: &TestApp, password: &str) -> StatusCode {
    app.post(
        "/api/v1/auth/login",
        None,
        json!({ "email": "ann@acme.example", "password": password }),
    )
    .await
    .status
}

async fn a_password_change_needs_the_current_one_and_ends_other_sessions(app: TestApp) {
    let (laptop, _) = app.signup("Acme IT", "ann@acme.example").await;
    let phone = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "ann@acme.example", "password": PASSWORD }),
        )
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let change = |current: &'static str, new: &'static str| {
        let (app, laptop) = (&app, &laptop);
        async move {
            app.post(
                "/api/v1/auth/password",
                Some(laptop),
                json!({ "current_password": current, "new_password": new }),
            )
            .await
        }
    };
    let r = change("not my password!", "a much better passphrase").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let r = change(PASSWORD, "123456789012").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.body["errors"]["new_password"].is_string());
    let r = change(PASSWORD, "a much better passphrase").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let fresh = r.body["token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/me", fresh).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/me", &phone).await.status,
        StatusCode::UNAUTHORIZED,
        "the other session ended"
    );
    assert_eq!(login(&app, PASSWORD).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        login(&app, "a much better passphrase").await,
        StatusCode::OK
    );
}

async fn a_forgotten_password_is_reset_by_a_single_use_link(backend: Backend) {
    let (port, mut inbox) = smtp_sink().await;
    let Some(app) = spawn_app_with(backend, |s| {
        s.eval_interval = std::time::Duration::from_millis(200);
        s.public_url = Some("https://lifeline.example".into());
        s.smtp = Some(crate::mail::sink_settings(port));
    })
    .await
    else {
        return;
    };
    let (old_session, _) = app.signup("Acme IT", "ann@acme.example").await;
    let ask = |email: &'static str| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/auth/password-reset",
                None,
                json!({ "email": email }),
            )
            .await
        }
    };
    let nobody = ask("nobody@nowhere.example").await;
    let ann = ask("ann@acme.example").await;
    assert_eq!(nobody.status, StatusCode::ACCEPTED);
    assert_eq!(ann.status, StatusCode::ACCEPTED);
    assert_eq!(nobody.text, ann.text, "the same answer");
    let (to, mail) = tokio::time::timeout(std::time::Duration::from_secs(15), inbox.recv())
        .await
        .expect("a reset e-mail")
        .unwrap();
    assert_eq!(to, ["<ann@acme.example>"]);
    let mail = mail.replace("=\n", "");
    let link = mail
        .split_whitespace()
        .find(|w| w.starts_with("https://lifeline.example/reset-password/"))
        .unwrap_or_else(|| panic!("no link in {mail}"))
        .to_string();
    let token = link.rsplit('/').next().unwrap().to_string();
    // The link sat in the outbox sealed: whoever reads the database cannot use it.
    let outbox = app::ssr::entity::notification::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(outbox.iter().all(|n| !n.body.contains(&token)));
    assert!(
        tokio::time::timeout(std::time::Duration::from_secs(1), inbox.recv())
            .await
            .is_err(),
        "nothing was sent for the unknown address"
    );
    let confirm = |token: String, password: &'static str| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/auth/password-reset/confirm",
                None,
                json!({ "token": token, "new_password": password }),
            )
            .await
        }
    };
    let r = confirm(token.clone(), "aaaaaaaaaaaa").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = confirm(token.clone(), "a brand new passphrase").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        app.get("/api/v1/me", r.body["token"].as_str().unwrap())
            .await
            .status,
        StatusCode::OK,
        "signed in"
    );
    assert_eq!(
        app.get("/api/v1/me", &old_session).await.status,
        StatusCode::UNAUTHORIZED,
        "earlier sessions ended"
    );
    assert_eq!(login(&app, "a brand new passphrase").await, StatusCode::OK);
    let r = confirm(token, "yet another passphrase").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a link works once");

    // A link older than an hour has expired.
    assert_eq!(ask("ann@acme.example").await.status, StatusCode::ACCEPTED);
    let (_, mail) = tokio::time::timeout(std::time::Duration::from_secs(15), inbox.recv())
        .await
        .expect("a second reset e-mail")
        .unwrap();
    let mail = mail.replace("=\n", "");
    let token = mail
        .split_whitespace()
        .find_map(|w| w.strip_prefix("https://lifeline.example/reset-password/"))
        .unwrap()
        .to_string();
    use app::ssr::entity::password_reset;
    for row in password_reset::Entity::find().all(&app.db).await.unwrap() {
        let mut old: password_reset::ActiveModel = row.into();
        old.expires_at = Set(chrono::Utc::now() - chrono::Duration::minutes(1));
        old.update(&app.db).await.unwrap();
    }
    let r = confirm(token, "yet another passphrase").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.body["errors"]["token"]
        .as_str()
        .unwrap()
        .contains("expired"));
    // And the reset page itself is there for the link to open.
    let page = app.send(app.http.get(app.url("/reset-password/x"))).await;
    assert_eq!(page.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgotten_password_is_reset_by_a_single_use_link_sqlite() {
    a_forgotten_password_is_reset_by_a_single_use_link(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgotten_password_is_reset_by_a_single_use_link_postgres() {
    a_forgotten_password_is_reset_by_a_single_use_link(Backend::Postgres).await;
}
