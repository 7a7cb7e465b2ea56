//! Sign-in under attack: oversized input is refused before anything is written, refused attempts
//! are counted without a row each, parallel guesses cannot pass the limit, a spoofed
//! X-Forwarded-For does not escape it, sessions end at their maximum age also for API clients,
//! and the language switch only ever leads back into this site.
use crate::helpers::{spawn_app_with, Backend, TestApp, PASSWORD, SECRET};
use app::ssr::auth::{Claims, JwtKeys};
use reqwest::{Method, StatusCode};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

crate::both!(
    sign_in_input_is_bounded_and_refusals_leave_no_trail,
    parallel_guesses_cannot_pass_the_limit,
    refresh_stops_at_the_maximum_session_age,
    the_language_switch_goes_back_only_within_the_site,
    every_text_field_is_bounded_at_the_door,
    weak_passwords_are_refused_with_the_reason,
);

async fn login(app: &TestApp, email: &str, password: &str) -> crate::helpers::Resp {
    app.post(
        "/api/v1/auth/login",
        None,
        json!({ "email": email, "password": password }),
    )
    .await
}

async fn audit_rows(app: &TestApp) -> u64 {
    app::ssr::entity::audit_log::Entity::find()
        .count(&app.db)
        .await
        .unwrap()
}

async fn sign_in_input_is_bounded_and_refusals_leave_no_trail(app: TestApp) {
    app.signup("Acme IT", "ann@acme.example").await;
    let before = audit_rows(&app).await;
    let huge = format!("{}@example.com", "a".repeat(100_000));
    let r = login(&app, &huge, "whatever whatever").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.body["errors"]["email"].is_string(), "{}", r.text);
    let r = login(&app, &format!("{}@x.nl", "b".repeat(300)), "pw").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = login(&app, "ann@acme.example", &"p".repeat(300)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["errors"]["password"].is_string(), "{}", r.text);
    // Refused attempts for addresses nobody has: counted, not written to the audit log.
    for i in 0..30 {
        let r = login(
            &app,
            &format!("nobody{i}@nowhere.example"),
            "guess guess guess",
        )
        .await;
        assert!(
            matches!(
                r.status,
                StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS
            ),
            "{}",
            r.text
        );
    }
    assert_eq!(
        audit_rows(&app).await,
        before,
        "no audit row per refused attempt"
    );
    let counters = app::ssr::repo::throttle::prune(&app.db, chrono::Utc::now(), -1)
        .await
        .unwrap();
    assert!(
        counters <= 32,
        "{counters} counter rows for 30 addresses and one IP address"
    );
}

async fn parallel_guesses_cannot_pass_the_limit(app: TestApp) {
    app.signup("Acme IT", "ann@acme.example").await;
    let guesses = (0..25).map(|i| {
        let app = &app;
        async move { login(app, "ann@acme.example", &format!("wrong guess number {i}")).await }
    });
    let answers = futures::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|r| r.status == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = answers
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        (checked, throttled),
        (5, 20),
        "5 guesses checked, the rest refused"
    );
    // And the right password waits too.
    assert_eq!(
        login(&app, "ann@acme.example", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

fn claims_of(token: &str) -> Claims {
    JwtKeys::from_secret(SECRET).verify(token).unwrap()
}

async fn refresh_stops_at_the_maximum_session_age(app: TestApp) {
    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    let good = claims_of(&token);
    let eight_days = 8 * 86_400;
    let old = JwtKeys::from_secret(SECRET)
        .sign(&Claims {
            auth_time: good.auth_time - eight_days,
            ..good.clone()
        })
        .unwrap();
    // Still valid for reading until it expires, but it cannot be renewed.
    assert_eq!(app.get("/api/v1/me", &old).await.status, StatusCode::OK);
    let r = app
        .call(Method::POST, "/api/v1/auth/refresh", Some(&old), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let r = app
        .call(Method::POST, "/api/v1/auth/refresh", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "a fresh session renews");
}

async fn the_language_switch_goes_back_only_within_the_site(app: TestApp) {
    let go = |referer: &'static str| {
        let app = &app;
        async move {
            let r = app
                .send(app.http.get(app.url("/lang/nl")).header("referer", referer))
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
            r.headers["location"].to_str().unwrap().to_string()
        }
    };
    assert_eq!(go("http://x//evil.example/p").await, "/");
    assert_eq!(go("http://x/\\evil.example/p").await, "/");
    assert_eq!(go("http://127.0.0.1/clients?tab=2").await, "/clients?tab=2");
    assert_eq!(go("not a url").await, "/");
}

async fn every_text_field_is_bounded_at_the_door(app: TestApp) {
    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    let r = app
        .post(
            "/api/v1/clients",
            Some(&token),
            json!({ "name": "Bakery", "notes": "n".repeat(20_000) }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.body["errors"]["notes"].is_string(), "{}", r.text);
    let r = app
        .post(
            "/api/v1/clients",
            Some(&token),
            json!({ "name": "Bakery", "extra": { "deep": ["ok", "x".repeat(10_001)] } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.body["errors"]["extra.deep[1]"].is_string(), "{}", r.text);
    assert!(app
        .get("/api/v1/clients", &token)
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
}

/// Behind a load balancer: the address it appended counts, whatever the client put before it.
async fn a_spoofed_forwarded_for_does_not_escape_the_limit(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.trust_forwarded_for = true;
        s.login_max_failures_per_ip = 4;
    })
    .await
    else {
        return;
    };
    let mut statuses = Vec::new();
    for i in 0..6 {
        let r = app
            .send(
                app.http
                    .post(app.url("/api/v1/auth/login"))
                    .header("x-forwarded-for", format!("10.9.{i}.1, 203.0.113.9"))
                    .json(&json!({ "email": format!("who{i}@x.example"), "password": "guess guess guess" })),
            )
            .await;
        statuses.push(r.status.as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 429, 429]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spoofed_forwarded_for_does_not_escape_the_limit_sqlite() {
    a_spoofed_forwarded_for_does_not_escape_the_limit(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spoofed_forwarded_for_does_not_escape_the_limit_postgres() {
    a_spoofed_forwarded_for_does_not_escape_the_limit(Backend::Postgres).await;
}

async fn weak_passwords_are_refused_with_the_reason(app: TestApp) {
    for (pw, why) in [
        ("elevenchars", "at least 12"),
        ("123456789012", "sequence"),
        ("aaaaaaaaaaaa", "repetitive"),
        ("P@ssw0rd2026", "common"),
    ] {
        let r = app
            .post(
                "/api/v1/auth/signup",
                None,
                json!({ "msp_name": "Acme IT", "name": "Ann", "email": "ann@acme.example", "password": pw }),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{pw}: {}",
            r.text
        );
        let said = r.body["errors"]["password"].as_str().unwrap_or_default();
        assert!(said.contains(why), "{pw}: {said}");
    }
    let r = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({ "msp_name": "Acme IT", "name": "Ann", "email": "ann@acme.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}
