//! Inviting client users and accepting invites.
use crate::helpers::{TestApp, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

crate::both!(
    invite_and_accept,
    invite_tokens_work_once_and_are_stored_hashed,
    invite_rejects_taken_email
);

async fn invite_and_accept(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let bakery = app.create_client(&owner, "Bakery").await;
    let r = app
        .post(
            &format!("/api/v1/clients/{bakery}/users"),
            Some(&owner),
            json!({ "email": "Carl@Bakery.example", "name": "Carl", "role": "client_admin" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["user"]["email"], "carl@bakery.example");
    assert_eq!(r.body["user"]["active"], false);
    let invite = r.body["invite_token"].as_str().unwrap().to_string();
    assert!(invite.len() >= 40);

    // Not yet accepted: there is no password to sign in with.
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "carl@bakery.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let r = app
        .post(
            &format!("/api/v1/invites/{invite}/accept"),
            None,
            json!({ "password": "short" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(
            &format!("/api/v1/invites/{invite}/accept"),
            None,
            json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let token = r.body["token"].as_str().unwrap();
    assert_eq!(r.body["user"]["role"], "client_admin");
    let me = app.get("/api/v1/me", token).await.body;
    assert_eq!(me["client"]["id"], bakery.as_str());
    assert_eq!(me["msp"]["name"], "Acme IT");

    let users = app
        .get(&format!("/api/v1/clients/{bakery}/users"), &owner)
        .await
        .body;
    assert_eq!(users[0]["active"], true);
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "carl@bakery.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn invite_tokens_work_once_and_are_stored_hashed(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let bakery = app.create_client(&owner, "Bakery").await;
    let r = app
        .post(
            &format!("/api/v1/clients/{bakery}/users"),
            Some(&owner),
            json!({ "email": "carl@bakery.example", "name": "Carl", "role": "client_member" }),
        )
        .await;
    let invite = r.body["invite_token"].as_str().unwrap().to_string();
    use sea_orm::EntityTrait;
    let row = app::ssr::entity::invite::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(row.token_hash, invite);
    assert_eq!(row.token_hash, app::ssr::auth::sha256_hex(&invite));

    let first = app
        .post(
            &format!("/api/v1/invites/{invite}/accept"),
            None,
            json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let again = app
        .post(
            &format!("/api/v1/invites/{invite}/accept"),
            None,
            json!({ "password": "another password" }),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let bogus = app
        .post(
            "/api/v1/invites/nope/accept",
            None,
            json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(bogus.status, StatusCode::NOT_FOUND);
    // The first password still holds.
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "carl@bakery.example", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn invite_rejects_taken_email(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let bakery = app.create_client(&owner, "Bakery").await;
    let r = app
        .post(
            &format!("/api/v1/clients/{bakery}/users"),
            Some(&owner),
            json!({ "email": "ann@acme.example", "name": "Ann", "role": "client_admin" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["errors"]["email"], "is already registered");
    let users = app
        .get(&format!("/api/v1/clients/{bakery}/users"), &owner)
        .await
        .body;
    assert!(users.as_array().unwrap().is_empty());
}
