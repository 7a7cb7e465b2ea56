//! Outsiders on every endpoint: another MSP, and a user of a sibling client of the same MSP, get 404
//! for anything that is not theirs, and their lists never show it.
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

crate::both!(
    another_msp_sees_nothing,
    sibling_client_user_sees_only_its_client
);

type Call = (Method, String, Option<Value>);

/// Every endpoint that names a client, with a body where it needs one.
fn client_endpoints(id: &str) -> Vec<Call> {
    let intruder =
        json!({ "email": "intruder@evil.example", "name": "Intruder", "role": "client_admin" });
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
            Some(intruder),
        ),
        (Method::GET, format!("/api/v1/clients/{id}/systems"), None),
        (
            Method::POST,
            format!("/api/v1/clients/{id}/systems"),
            Some(json!({ "name": "Planted" })),
        ),
        (Method::GET, format!("/api/v1/clients/{id}/processes"), None),
        (
            Method::POST,
            format!("/api/v1/clients/{id}/processes"),
            Some(json!({ "name": "Planted" })),
        ),
    ]
}

/// Every endpoint that names one plan item by its own id.
fn item_endpoints(kind: &str, id: &str) -> Vec<Call> {
    vec![
        (Method::GET, format!("/api/v1/{kind}/{id}"), None),
        (
            Method::PATCH,
            format!("/api/v1/{kind}/{id}"),
            Some(json!({ "name": "Taken" })),
        ),
        (Method::DELETE, format!("/api/v1/{kind}/{id}"), None),
    ]
}

struct Items {
    system: String,
    process: String,
}

/// Gives a client one system and one process.
async fn plan_items(app: &TestApp, token: &str, client: &str) -> Items {
    let s = app
        .post(
            &format!("/api/v1/clients/{client}/systems"),
            Some(token),
            json!({ "name": "ERP" }),
        )
        .await;
    let p = app
        .post(
            &format!("/api/v1/clients/{client}/processes"),
            Some(token),
            json!({ "name": "Invoicing" }),
        )
        .await;
    Items {
        system: s.body["id"].as_str().unwrap().into(),
        process: p.body["id"].as_str().unwrap().into(),
    }
}

async fn assert_all_404(app: &TestApp, token: &str, client: &str, items: &Items) {
    let calls = client_endpoints(client)
        .into_iter()
        .chain(item_endpoints("systems", &items.system))
        .chain(item_endpoints("processes", &items.process));
    for (method, path, body) in calls {
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

fn user_id(me: &Value) -> String {
    me["user"]["id"].as_str().unwrap().to_string()
}

async fn another_msp_sees_nothing(app: TestApp) {
    let (alice, _) = app.signup("Alice IT", "alice@a.example").await;
    let (bob, _) = app.signup("Bob IT", "bob@b.example").await;
    let alices = app.create_client(&alice, "Alice's client").await;
    let alice_user = app
        .client_user(&alice, &alices, "carl@client.example", "client_admin")
        .await;
    let alice_user_id = user_id(&app.get("/api/v1/me", &alice_user).await.body);
    let items = plan_items(&app, &alice, &alices).await;

    assert!(app
        .get("/api/v1/clients", &bob)
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    assert_all_404(&app, &bob, &alices, &items).await;
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
    assert_eq!(
        app.get(&format!("/api/v1/clients/{alices}"), &alice)
            .await
            .body["name"],
        "Alice's client"
    );
    let users = app
        .get(&format!("/api/v1/clients/{alices}/users"), &alice)
        .await
        .body;
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert_eq!(
        app.get("/api/v1/me", &alice_user).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/v1/systems/{}", items.system), &alice)
            .await
            .body["name"],
        "ERP"
    );
    assert_eq!(
        app.get(&format!("/api/v1/processes/{}", items.process), &alice)
            .await
            .body["name"],
        "Invoicing"
    );
    let systems = app
        .get(&format!("/api/v1/clients/{alices}/systems"), &alice)
        .await
        .body;
    assert_eq!(systems.as_array().unwrap().len(), 1);
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
    let mechanic_id = user_id(&app.get("/api/v1/me", &mechanic).await.body);
    let items = plan_items(&app, &owner, &garage).await;

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

    assert_all_404(&app, &baker, &garage, &items).await;
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
    assert_eq!(
        app.get(&format!("/api/v1/systems/{}", items.system), &owner)
            .await
            .body["name"],
        "ERP"
    );
}
