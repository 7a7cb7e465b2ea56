//! Outsiders on every endpoint: another MSP, and a user of a sibling client of the same MSP, get 404
//! for anything that is not theirs, and their lists never show it.
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

crate::both!(
    another_msp_sees_nothing,
    sibling_client_user_sees_only_its_client
);

/// Every endpoint that names a client, with a body where it needs one.
fn client_endpoints(id: &str) -> Vec<(Method, String, Option<serde_json::Value>)> {
    vec![
        (Method::GET, format!("/api/v1/clients/{id}"), None),
        (
            Method::PATCH,
            format!("/api/v1/clients/{id}"),
            Some(json!({ "name": "Taken" })),
        ),
        (Method::DELETE, format!("/api/v1/clients/{id}"), None),
        (Method::GET, format!("/api/v1/clients/{id}/users"), None),
        (
            Method::POST,
            format!("/api/v1/clients/{id}/users"),
            Some(
                json!({ "email": "intruder@evil.example", "name": "Intruder", "role": "client_admin" }),
            ),
        ),
    ]
}

async fn assert_all_404(app: &TestApp, token: &str, id: &str) {
    for (method, path, body) in client_endpoints(id) {
        let r = app.call(method.clone(), &path, Some(token), body).await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            r.text
        );
        assert_eq!(r.headers["content-type"], "application/problem+json");
    }
}

async fn another_msp_sees_nothing(app: TestApp) {
    let (alice, _) = app.signup("Alice IT", "alice@a.example").await;
    let (bob, _) = app.signup("Bob IT", "bob@b.example").await;
    let alices = app.create_client(&alice, "Alice's client").await;
    let alice_user = app
        .client_user(&alice, &alices, "carl@client.example", "client_admin")
        .await;
    let alice_user_id = app.get("/api/v1/me", &alice_user).await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    assert!(app
        .get("/api/v1/clients", &bob)
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    assert_all_404(&app, &bob, &alices).await;
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/users/{alice_user_id}/disable"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Nothing changed for Alice.
    let r = app.get(&format!("/api/v1/clients/{alices}"), &alice).await;
    assert_eq!(r.body["name"], "Alice's client");
    let users = app
        .get(&format!("/api/v1/clients/{alices}/users"), &alice)
        .await
        .body;
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert_eq!(
        app.get("/api/v1/me", &alice_user).await.status,
        StatusCode::OK
    );
}

async fn sibling_client_user_sees_only_its_client(app: TestApp) {
    let (owner, _) = app.signup("Acme IT", "ann@acme.example").await;
    let bakery = app.create_client(&owner, "Bakery").await;
    let garage = app.create_client(&owner, "Garage").await;
    let baker = app
        .client_user(&owner, &bakery, "carl@bakery.example", "client_admin")
        .await;
    let mechanic = app
        .client_user(&owner, &garage, "gert@garage.example", "client_admin")
        .await;
    let mechanic_id = app.get("/api/v1/me", &mechanic).await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let list = app.get("/api/v1/clients", &baker).await.body;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bakery"]);
    let me = app.get("/api/v1/me", &baker).await.body;
    assert_eq!(me["client"]["name"], "Bakery");
    assert_eq!(me["role"], "client_admin");

    assert_all_404(&app, &baker, &garage).await;
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/users/{mechanic_id}/disable"),
            Some(&baker),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The baker's own user list holds only bakers; MSP staff are not listed to clients.
    let users = app
        .get(&format!("/api/v1/clients/{bakery}/users"), &baker)
        .await
        .body;
    let emails: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["carl@bakery.example"]);
    assert_eq!(
        app.get(&format!("/api/v1/clients/{garage}"), &owner)
            .await
            .body["name"],
        "Garage"
    );
}
