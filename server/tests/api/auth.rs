//! Sign-up, sign-in, tokens, sign-out, rate limits and the audit trail of it all.
use crate::helpers::{TestApp, PASSWORD, SECRET};
use app::ssr::auth::{Claims, JwtKeys};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, EntityTrait, Statement};
use serde_json::json;

crate::both!(
    signup_returns_token_user_and_msp,
    signup_stores_argon2id_hash,
    signup_rejects_bad_input_and_changes_nothing,
    signup_rejects_taken_email,
    login_with_right_and_wrong_credentials,
    login_is_rate_limited,
    me_needs_a_valid_token,
    expired_and_tampered_tokens_are_refused,
    logout_ends_every_session,
    disabling_a_user_ends_their_sessions,
    refresh_gives_a_new_token,
    sign_in_attempts_are_audited,
    malformed_and_oversized_bodies_are_problems,
    health_and_openapi,
);

async fn signup_returns_token_user_and_msp(app: TestApp) {
    let r = app
        .post("/api/v1/auth/signup", None, json!({ "msp_name": "Acme IT", "name": "Ann", "email": "Ann@Acme.example", "password": PASSWORD }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["user"]["email"], "ann@acme.example");
    assert_eq!(r.body["user"]["role"], "msp_owner");
    assert_eq!(r.body["msp"]["name"], "Acme IT");
    let cookie = r.cookie("lifeline_session").expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let me = app
        .get("/api/v1/me", r.body["token"].as_str().unwrap())
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["msp"]["name"], "Acme IT");
    assert_eq!(me.body["role"], "msp_owner");
    assert!(me.body["client"].is_null());
}

async fn signup_stores_argon2id_hash(app: TestApp) {
    app.signup("Acme IT", "ann@acme.example").await;
    let user = app::ssr::entity::user::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let hash = user.password_hash.unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains(PASSWORD));
}

async fn signup_rejects_bad_input_and_changes_nothing(app: TestApp) {
    let r = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({ "msp_name": " ", "name": "Ann", "email": "not-an-email", "password": "short" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    assert_eq!(r.body["status"], 422);
    for field in ["msp_name", "email", "password"] {
        assert!(
            r.body["errors"][field].is_string(),
            "no error for {field}: {}",
            r.text
        );
    }
    let users = app::ssr::entity::user::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    let msps = app::ssr::entity::msp::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(users.is_empty() && msps.is_empty());
}

async fn signup_rejects_taken_email(app: TestApp) {
    app.signup("Acme IT", "ann@acme.example").await;
    let r = app
        .post("/api/v1/auth/signup", None, json!({ "msp_name": "Other", "name": "Ann", "email": "ANN@acme.example", "password": PASSWORD }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["errors"]["email"], "is already registered");
}

async fn login_with_right_and_wrong_credentials(app: TestApp) {
    app.signup("Acme IT", "ann@acme.example").await;
    let ok = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "ann@acme.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.body["token"].is_string());
    assert_eq!(ok.body["user"]["email"], "ann@acme.example");
    let wrong = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "ann@acme.example", "password": "wrong password!" }),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body["status"], 401);
    let unknown = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "bob@acme.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    // The same answer whether or not the account exists.
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
}

async fn login_is_rate_limited(app: TestApp) {
    app.signup("Acme IT", "ann@acme.example").await;
    for _ in 0..5 {
        let r = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({ "email": "ann@acme.example", "password": "guess guess guess" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while the limit holds.
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "ann@acme.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert_eq!(r.body["status"], 429);
}

async fn me_needs_a_valid_token(app: TestApp) {
    let r = app.call(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    let r = app.get("/api/v1/me", "not-a-jwt").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.call(Method::GET, "/api/v1/clients", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

fn claims_of(token: &str) -> Claims {
    JwtKeys::from_secret(SECRET)
        .verify(token)
        .expect("valid token")
}

async fn expired_and_tampered_tokens_are_refused(app: TestApp) {
    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    let keys = JwtKeys::from_secret(SECRET);
    let good = claims_of(&token);

    let expired = keys
        .sign(&Claims {
            iat: good.iat - 3600,
            exp: good.iat - 60,
            ..good.clone()
        })
        .unwrap();
    assert_eq!(
        app.get("/api/v1/me", &expired).await.status,
        StatusCode::UNAUTHORIZED
    );

    let wrong_aud = keys
        .sign(&Claims {
            aud: "someone-else".into(),
            ..good.clone()
        })
        .unwrap();
    assert_eq!(
        app.get("/api/v1/me", &wrong_aud).await.status,
        StatusCode::UNAUTHORIZED
    );

    let other_key = JwtKeys::from_secret(b"another-secret-another-secret-another-secret")
        .sign(&good)
        .unwrap();
    assert_eq!(
        app.get("/api/v1/me", &other_key).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Flip the payload (claim another user) but keep the signature.
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut payload: serde_json::Value =
        serde_json::from_slice(&engine.decode(&parts[1]).unwrap()).unwrap();
    payload["sub"] = json!(uuid::Uuid::new_v4());
    parts[1] = engine.encode(payload.to_string());
    assert_eq!(
        app.get("/api/v1/me", &parts.join(".")).await.status,
        StatusCode::UNAUTHORIZED
    );

    // alg=none is never accepted.
    let none_header = engine.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{none_header}.{}.", token.split('.').nth(1).unwrap());
    assert_eq!(
        app.get("/api/v1/me", &unsigned).await.status,
        StatusCode::UNAUTHORIZED
    );

    assert_eq!(app.get("/api/v1/me", &token).await.status, StatusCode::OK);
}

async fn logout_ends_every_session(app: TestApp) {
    let (first, _) = app.signup("Acme IT", "ann@acme.example").await;
    let second = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "ann@acme.example", "password": PASSWORD }),
        )
        .await;
    let second = second.body["token"].as_str().unwrap().to_string();
    let r = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&first), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.cookie("lifeline_session").unwrap().contains("Max-Age=0"));
    assert_eq!(
        app.get("/api/v1/me", &first).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/me", &second).await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "ann@acme.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(
        app.get("/api/v1/me", again.body["token"].as_str().unwrap())
            .await
            .status,
        StatusCode::OK
    );
}

async fn disabling_a_user_ends_their_sessions(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let client = app.create_client(&owner, "Bakery").await;
    let user = app
        .client_user(&owner, &client, "carl@bakery.example", "client_admin")
        .await;
    assert_eq!(app.get("/api/v1/me", &user).await.status, StatusCode::OK);
    let user_id = app.get("/api/v1/me", &user).await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/users/{user_id}/disable"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(
        app.get("/api/v1/me", &user).await.status,
        StatusCode::UNAUTHORIZED
    );
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "carl@bakery.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    // Nobody disables themselves by accident.
    let me = app.get("/api/v1/me", &owner).await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/users/{me}/disable"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

async fn refresh_gives_a_new_token(app: TestApp) {
    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    let r = app
        .call(Method::POST, "/api/v1/auth/refresh", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let fresh = r.body["token"].as_str().unwrap();
    assert_eq!(claims_of(fresh).auth_time, claims_of(&token).auth_time);
    assert_eq!(app.get("/api/v1/me", fresh).await.status, StatusCode::OK);
}

async fn sign_in_attempts_are_audited(app: TestApp) {
    app.signup("Acme IT", "ann@acme.example").await;
    app.post(
        "/api/v1/auth/login",
        None,
        json!({ "email": "ann@acme.example", "password": "wrong password!" }),
    )
    .await;
    app.post(
        "/api/v1/auth/login",
        None,
        json!({ "email": "ann@acme.example", "password": PASSWORD }),
    )
    .await;
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT action, outcome, subject, ip FROM audit_log ORDER BY at",
        ))
        .await
        .unwrap();
    let seen: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.try_get::<String>("", "action").unwrap(),
                r.try_get::<String>("", "outcome").unwrap(),
                r.try_get::<String>("", "subject").unwrap(),
                r.try_get::<String>("", "ip").unwrap(),
            )
        })
        .collect();
    let actions: Vec<&str> = seen.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        actions,
        ["auth.signup", "auth.login_failed", "auth.login"],
        "{seen:?}"
    );
    assert_eq!(seen[1].1, "refused");
    assert_eq!(seen[1].2, "ann@acme.example");
    assert_eq!(seen[1].3, "127.0.0.1");
}

async fn malformed_and_oversized_bodies_are_problems(app: TestApp) {
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/auth/login"))
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    assert!(r.body["detail"].as_str().unwrap().len() > 5);

    let (token, _) = app.signup("Acme IT", "ann@acme.example").await;
    let big = json!({ "name": "x".repeat(1024 * 1024 + 10) });
    let r = app.post("/api/v1/clients", Some(&token), big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body["status"], 413);
    assert!(app
        .get("/api/v1/clients", &token)
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
}

async fn health_and_openapi(app: TestApp) {
    let r = app.send(app.http.get(app.url("/healthz"))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.contains_key("x-request-id"));
    let r = app
        .send(app.http.get(app.url("/api/v1/openapi.json")))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["openapi"], "3.1.0");
    for path in [
        "/auth/signup",
        "/auth/login",
        "/clients/{id}",
        "/clients/{id}/users",
        "/invites/{token}/accept",
        "/clients/{id}/systems",
        "/people/{id}",
        "/customer-groups/{id}",
        "/clients/{id}/plan/versions",
        "/clients/{id}/plan/export.pdf",
        "/templates/{id}",
        "/clients/{id}/ingest-tokens",
        "/ingest/events",
        "/ping/{key}",
        "/clients/{id}/status",
        "/clients/{id}/reports/{month}",
        "/alerts/settings",
    ] {
        assert!(r.body["paths"][path].is_object(), "{path} missing");
    }
    assert_eq!(
        r.body["paths"]["/ingest/events"]["post"]["security"],
        json!([{ "ingest": [] }]),
        "ingest takes an ingest token, not a session"
    );
    let r = app
        .send(app.http.get(app.url("/api/v1/no-such-thing")))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.headers["content-type"], "application/problem+json");
}
